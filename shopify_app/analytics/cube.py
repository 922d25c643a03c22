"""The SQL that turns raw events into rollup rows, shared by the worker and by reports.

The worker stores these rows for closed periods; a report computes the same rows on the fly for
today, so both sides of a report use one definition of every figure.
"""

from __future__ import annotations

from models.analytics import DIMENSIONS
from shopify_app.analytics import dialect

PURCHASE = "purchase"
PAGE_VIEW = "page_view"

_DIMS_SQL = ", ".join(f"COALESCE({d}, '')" for d in DIMENSIONS)
_GROUP_ALL = ", ".join(str(i) for i in range(1, len(DIMENSIONS) + 3))


def cube_select(bucket: str) -> str:
    """SELECT app_id, <bucket>, dims..., events, sessions, value over one shop's UTC range.

    Parameters: the bucket's zone, app_id, start, end.
    """
    p = dialect.param()
    return (
        f"SELECT app_id, {bucket}, {_DIMS_SQL}, COUNT(*), COUNT(DISTINCT session_id), "
        f"COALESCE(SUM(value), 0) FROM events "
        f"WHERE app_id = {p} AND created_at >= {p} AND created_at < {p} "
        f"GROUP BY {_GROUP_ALL}"
    )


def insert_cube(table: str, bucket_column: str, bucket: str) -> str:
    columns = ", ".join(("app_id", bucket_column, *DIMENSIONS, "events", "sessions", "value"))
    return f"INSERT INTO {table} ({columns}) {cube_select(bucket)}"


def metrics_sql(sessions: str = "COUNT(DISTINCT session_id)") -> str:
    """events, sessions, value, purchases, revenue as e, s, v, pu, r."""
    return (
        f"COUNT(*) AS e, {sessions} AS s, COALESCE(SUM(value), 0) AS v, "
        f"SUM(CASE WHEN event_name = '{PURCHASE}' THEN 1 ELSE 0 END) AS pu, "
        f"COALESCE(SUM(CASE WHEN event_name = '{PURCHASE}' THEN value END), 0) AS r"
    )


METRICS_SQL = metrics_sql()


def dimension_parts(
    grain: str, dimensions: tuple[str, ...], source: str, metrics: str = METRICS_SQL
) -> list[str]:
    """SELECTs over `source` (columns app_id, b, the dimensions, session_id, event_name, value)
    giving (app_id, grain, bucket, dimension, key, metrics...): overall, then per dimension."""
    head = f"SELECT app_id AS a, '{grain}' AS g, b"
    parts = [f"{head}, '' AS d, '' AS k, {metrics} FROM {source} GROUP BY 1, 3"]
    parts += [
        f"{head}, '{d}' AS d, COALESCE({d}, '') AS k, {metrics} FROM {source} GROUP BY 1, 3, 5"
        for d in dimensions
    ]
    return parts


def events_cte(bucket: str, dimensions: tuple[str, ...]) -> str:
    """`ev`: one shop's events in a UTC range with their bucket. Parameters: zone, app_id,
    start, end."""
    p = dialect.param()
    columns = ", ".join(dict.fromkeys(("session_id", "event_name", "value", *dimensions)))
    return (
        f"ev AS (SELECT app_id, {bucket} AS b, {columns} FROM events "
        f"WHERE app_id = {p} AND created_at >= {p} AND created_at < {p})"
    )


def insert_dimensions(grain: str, bucket: str, dimensions: tuple[str, ...]) -> str:
    """Per-dimension rows (events, exact distinct sessions, value, purchases, revenue) per
    bucket. Parameters: the bucket's zone, app_id, start, end."""
    return (
        f"WITH {events_cte(bucket, dimensions)} "
        f"INSERT INTO rollups_by_dimension (app_id, grain, bucket, dimension, key, events, "
        f"sessions, value, purchases, revenue) "
        + " UNION ALL ".join(dimension_parts(grain, dimensions, "ev"))
    )


def pages_select(bucket: str) -> str:
    """SELECT app_id, <bucket>, path, views, sessions of page views. Parameters: zone, app_id,
    start, end."""
    p = dialect.param()
    return (
        f"SELECT app_id, {bucket} AS day, {dialect.url_path('url')} AS path, COUNT(*) AS views, "
        f"COUNT(DISTINCT session_id) AS sessions FROM events "
        f"WHERE app_id = {p} AND created_at >= {p} AND created_at < {p} "
        f"AND event_name = '{PAGE_VIEW}' AND url IS NOT NULL GROUP BY 1, 2, 3"
    )


def insert_pages() -> str:
    return "INSERT INTO rollup_pages (app_id, day, path, views, sessions) " + pages_select(
        dialect.local_day("created_at")
    )


_TOUCH = "COALESCE(utm_source, utm_medium, utm_campaign, fbclid, gclid, ttclid)"


def insert_session_rows(session_filter: str) -> str:
    """Rebuild `sessions` rows from events: first event = landing, device and country; first
    event with a UTM or click id = first touch. Parameters: app_id, then `session_filter`'s."""
    p = dialect.param()
    first = "CASE WHEN rn = 1 THEN {} END"
    touch = "CASE WHEN tn = 1 AND touched = 1 THEN {} END"
    return f"""
INSERT INTO sessions (app_id, session_id, first_seen, last_seen, landing_page,
    landing_page_type, source, device_type, browser, country, utm_source, utm_medium,
    utm_campaign, fbclid, gclid, ttclid, events, purchases, revenue, converted)
SELECT app_id, session_id, MIN(created_at), MAX(created_at),
    MAX({first.format("url")}), MAX({first.format("page_type")}), MAX({first.format("source")}),
    MAX({first.format("device_type")}), MAX({first.format("browser")}),
    MAX({first.format("country")}),
    MAX({touch.format("utm_source")}), MAX({touch.format("utm_medium")}),
    MAX({touch.format("utm_campaign")}), MAX({touch.format("fbclid")}),
    MAX({touch.format("gclid")}), MAX({touch.format("ttclid")}),
    COUNT(*), SUM(CASE WHEN event_name = '{PURCHASE}' THEN 1 ELSE 0 END),
    COALESCE(SUM(CASE WHEN event_name = '{PURCHASE}' THEN value END), 0),
    MAX(CASE WHEN event_name = '{PURCHASE}' THEN 1 ELSE 0 END) = 1
FROM (
    SELECT app_id, session_id, created_at, url, page_type, source, device_type, browser,
        country, utm_source, utm_medium, utm_campaign, fbclid, gclid, ttclid, event_name, value,
        CASE WHEN {_TOUCH} IS NULL THEN 0 ELSE 1 END AS touched,
        ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY created_at, id) AS rn,
        ROW_NUMBER() OVER (PARTITION BY session_id
            ORDER BY CASE WHEN {_TOUCH} IS NULL THEN 1 ELSE 0 END, created_at, id) AS tn
    FROM events WHERE app_id = {p} AND session_id IS NOT NULL {session_filter}
) s
GROUP BY app_id, session_id
"""


def insert_session_events(session_filter: str) -> str:
    """Per session and event name: first and last time, count. Parameters: app_id, then
    `session_filter`'s."""
    p = dialect.param()
    return (
        "INSERT INTO session_events (app_id, session_id, event_name, first_at, last_at, events) "
        "SELECT app_id, session_id, event_name, MIN(created_at), MAX(created_at), COUNT(*) "
        f"FROM events WHERE app_id = {p} AND session_id IS NOT NULL {session_filter} "
        "GROUP BY app_id, session_id, event_name"
    )


def update_session_paths(session_filter: str) -> str:
    """Set `sessions.path` from `session_events`. Parameters: app_id, then `session_filter`'s,
    then app_id."""
    p = dialect.param()
    if dialect.pg():
        inner = (
            "SELECT session_id, string_agg(event_name || chr(9) || r, chr(10) "
            "ORDER BY r, event_name) AS path FROM (SELECT session_id, event_name, "
            "DENSE_RANK() OVER (PARTITION BY session_id ORDER BY first_at) AS r "
            f"FROM session_events WHERE app_id = {p} {session_filter}) x GROUP BY session_id"
        )
    else:
        inner = (
            "SELECT session_id, sl_session_path(event_name, first_at) AS path "
            f"FROM session_events WHERE app_id = {p} {session_filter} GROUP BY session_id"
        )
    return (
        f"UPDATE sessions SET path = p.path FROM ({inner}) AS p "
        f"WHERE sessions.app_id = {p} AND sessions.session_id = p.session_id"
    )


def session_day_selects(day: str) -> tuple[str, str]:
    """(paths, attribution) SELECTs over sessions that started in a UTC range, per local day.
    Parameters of each: zone, app_id, start, end."""
    p = dialect.param()
    scope = f"FROM sessions WHERE app_id = {p} AND first_seen >= {p} AND first_seen < {p}"
    paths = (
        f"SELECT app_id, {day} AS day, COALESCE(path, '') AS path, COUNT(*) AS sessions "
        f"{scope} GROUP BY 1, 2, 3"
    )
    attribution = (
        f"SELECT app_id, {day} AS day, COALESCE(utm_source, '') AS utm_source, "
        f"COALESCE(utm_medium, '') AS utm_medium, COALESCE(utm_campaign, '') AS utm_campaign, "
        f"COUNT(*) AS sessions, SUM(purchases) AS purchases, "
        f"SUM(CASE WHEN converted THEN 1 ELSE 0 END) AS converted, "
        f"COALESCE(SUM(revenue), 0) AS revenue {scope} GROUP BY 1, 2, 3, 4, 5"
    )
    return paths, attribution
