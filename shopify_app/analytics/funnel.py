"""Funnels: how many sessions did step 1, then step 2, then step 3..., in that order.

A funnel counts the sessions that started in the period (local day of their first event). Order
is judged by the first time the session did each step: a session reaches step k when it did
steps 1..k and their first times do not go backwards (equal times count as in order). A session
that added to cart before its first page view, then viewed a page and added again, does not
count as page_view → add_to_cart: the simple rule is what lets funnels be precomputed.

The worker keeps each session's path (its event names in the order first done, with ranks for
ties) and `rollup_paths` counts sessions per day and path, so a funnel over any steps sums a
few hundred rows a day: closed days from `rollup_paths`, today from `sessions`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shopify_app.analytics import cube, dialect, localtime
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


def _paths(app_id: str, period: Period) -> list[tuple[str, int]]:
    p = dialect.param()
    parts, params = [], []
    last_closed = min(period.last, period.today - dt.timedelta(days=1))
    if period.first <= last_closed:
        parts.append(
            f"SELECT path, sessions FROM rollup_paths "
            f"WHERE app_id = {p} AND day >= {p} AND day <= {p}"
        )
        params += [app_id, period.first, last_closed]
    if period.first <= period.today <= period.last:
        start, end = localtime.day_bounds(period.today, period.today, period.zone)
        paths, _ = cube.session_day_selects(dialect.local_day("first_seen"))
        parts.append(f"SELECT path, sessions FROM ({paths}) t")
        params += [period.zone, app_id, start, end]
    if not parts:
        return []
    sql = f"SELECT path, SUM(sessions) FROM ({' UNION ALL '.join(parts)}) u GROUP BY 1"
    return [(path, int(n)) for path, n in dialect.run(sql, params).fetchall()]


def reached(path: str, steps: list[str]) -> int:
    """How many of `steps` the path reaches, in order of first times."""
    ranks: dict[str, int] = {}
    for entry in path.split("\n") if path else ():
        name, _, rank = entry.rpartition("\t")
        ranks[name] = int(rank)
    done, last = 0, 0
    for step in steps:
        rank = ranks.get(step)
        if rank is None or rank < last:
            break
        done, last = done + 1, rank
    return done


def funnel(app_id: str, period: Period, steps: list[str]) -> dict[str, Any]:
    """Sessions reaching each step in order, with conversion from the first step and the
    drop-off from the previous one."""
    counts = [0] * len(steps)
    for path, sessions in _paths(app_id, period):
        for i in range(reached(path, steps)):
            counts[i] += sessions
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
