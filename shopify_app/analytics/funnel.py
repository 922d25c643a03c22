"""Funnels: how many sessions did step 1, then step 2 after it, then step 3 after that...

Read from raw events (the steps are the merchant's choice, so no rollup can hold every funnel):
one query with a chain of CTEs, each step taking the session's first occurrence of its event at
or after the time the session reached the previous step. Uses the (app_id, event_name) index
and the period bounds.
"""

from __future__ import annotations

from typing import Any

from shopify_app.analytics import dialect
from shopify_app.analytics.period import Period, ReportInputError
from shopify_app.analytics.reports import _period_reply, event_labels

MIN_STEPS, MAX_STEPS = 2, 6


def parse_steps(raw: str | None) -> list[str]:
    steps = [s.strip() for s in (raw or "").split(",") if s.strip()]
    if not MIN_STEPS <= len(steps) <= MAX_STEPS or any(len(s) > 64 for s in steps):
        raise ReportInputError(
            f"steps must name {MIN_STEPS} to {MAX_STEPS} events, comma-separated"
        )
    return steps


def _sql(steps: int) -> str:
    p = dialect.param()
    scope = f"app_id = {p} AND created_at >= {p} AND created_at < {p} AND session_id IS NOT NULL"
    ctes = [
        f"s1 AS (SELECT session_id, MIN(created_at) AS t FROM events "
        f"WHERE {scope} AND event_name = {p} GROUP BY session_id)"
    ]
    for i in range(2, steps + 1):
        ctes.append(
            f"s{i} AS (SELECT e.session_id, MIN(e.created_at) AS t FROM events e "
            f"JOIN s{i - 1} prev ON prev.session_id = e.session_id "
            f"WHERE e.app_id = {p} AND e.created_at >= {p} AND e.created_at < {p} "
            f"AND e.event_name = {p} AND e.created_at >= prev.t GROUP BY e.session_id)"
        )
    counts = ", ".join(f"(SELECT COUNT(*) FROM s{i})" for i in range(1, steps + 1))
    return f"WITH {', '.join(ctes)} SELECT {counts}"


def funnel(app_id: str, period: Period, steps: list[str]) -> dict[str, Any]:
    """Sessions reaching each step in order, with conversion from the first step and the
    drop-off from the previous one."""
    start, end = period.utc_bounds()
    params: list[Any] = []
    for step in steps:
        params += [app_id, start, end, step]
    counts = [int(n) for n in dialect.run(_sql(len(steps)), params).fetchone()]
    labels = event_labels(app_id)
    rows = []
    for i, (step, n) in enumerate(zip(steps, counts, strict=True)):
        before = counts[i - 1] if i else n
        rows.append(
            {
                "event_name": step,
                "label": labels.get(step, step),
                "sessions": n,
                "conversion": round(n / counts[0], 4) if counts[0] else 0.0,
                "drop_off": before - n,
                "drop_off_rate": round((before - n) / before, 4) if before else 0.0,
            }
        )
    return {**_period_reply(period), "steps": rows}
