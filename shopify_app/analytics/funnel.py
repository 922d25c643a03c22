"""Funnels: how many sessions did step 1, then step 2, then step 3..., in that order.

Order is judged by the first time the session did each step: a session reaches step k when the
first times of steps 1..k all fall in the period and do not go backwards. (A session that added
to cart before its first page view, then viewed a page and added again, does not count as
page_view → add_to_cart; the simple rule keeps funnels one indexed join per step.)

Read from `session_events` (first and last time per session and event, kept by the worker) and,
for today, from nothing else: the worker is seconds behind, so a funnel can miss the last few
seconds. The steps are the merchant's choice, so no precomputed funnel could hold every one.
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
    joins = "".join(
        f"LEFT JOIN session_events s{i} ON s{i}.app_id = s1.app_id "
        f"AND s{i}.session_id = s1.session_id AND s{i}.event_name = {p} "
        f"AND s{i}.first_at >= s{i - 1}.first_at AND s{i}.first_at < {p} "
        for i in range(2, steps + 1)
    )
    counts = ", ".join(f"COUNT(s{i}.session_id)" for i in range(1, steps + 1))
    return (
        f"SELECT {counts} FROM session_events s1 {joins}"
        f"WHERE s1.app_id = {p} AND s1.event_name = {p} "
        f"AND s1.first_at >= {p} AND s1.first_at < {p}"
    )


def funnel(app_id: str, period: Period, steps: list[str]) -> dict[str, Any]:
    """Sessions reaching each step in order, with conversion from the first step and the
    drop-off from the previous one."""
    start, end = period.utc_bounds()
    params: list[Any] = []
    for step in steps[1:]:
        params += [step, end]
    params += [app_id, steps[0], start, end]
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
