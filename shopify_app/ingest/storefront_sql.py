"""One set-based statement for a group commit of storefront events.

The group's requests travel as a single JSON parameter: one object per request with the columns
its events share (enrichment, session, consent, the batch's attribution), and inside it the
events' own columns. PostgreSQL expands it with `jsonb_to_recordset`, SQLite with `json_each`,
in one `INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING`: the per-event work (type
conversion, the row, the index probe for duplicates) runs in the database's C code, and Python
builds only a few small dicts per event. Only the columns storefront events use are written.

On PostgreSQL the statement also stores the events' keys (`keyed_steps`: `events` is
partitioned there and has no unique index on (app_id, event_id)), and queues the Meta
deliveries of the new events (a second JSON parameter names them, `app_settings` decides), so
a group commit is one statement run in autocommit: one round trip that inserts and commits,
no BEGIN and COMMIT round trips.
"""

from __future__ import annotations

from shopify_app.ingest.keyed_insert import keyed_steps, with_steps

META = "meta"  # deliveries.destination of Meta's Conversions API

# Columns shared by every event of a request, with their PostgreSQL types.
SHARED: dict[str, str] = {
    "app_id": "text",
    "created_at": "timestamp",
    "user_agent": "text",
    "ip_address": "inet",
    "device_type": "text",
    "browser": "text",
    "country": "text",
    "city": "text",
    "customer_id": "text",
    "fingerprint": "text",
    "session_id": "text",
    "fbp": "text",
    "fbc": "text",
    "referrer": "text",
    "marketing_consent": "boolean",
}
# Each event's own columns.
OWN: dict[str, str] = {
    "event_id": "text",
    "event_name": "text",
    "url": "text",
    "page_type": "text",
    "custom_data": "json",
    "value": "numeric",
    "currency": "text",
}
# Attribution: the batch's (the session's first touch) wins over the page URL's.
ATTRIBUTION = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "fbclid",
    "gclid",
    "ttclid",
)

_TARGET = [*SHARED, *OWN, *ATTRIBUTION, "source"]
_TARGET_LIST = ", ".join(f'"{c}"' for c in _TARGET)


def _postgresql_rows() -> str:
    """The SELECT producing the group's rows (named as `_TARGET`)."""
    request_columns = ", ".join(
        [f"{c} {t}" for c, t in SHARED.items()]
        + [f"{c} text" for c in ATTRIBUTION]
        + ["events jsonb"]
    )
    event_columns = ", ".join(
        [f"{c} {t}" for c, t in OWN.items()] + [f"{c} text" for c in ATTRIBUTION]
    )
    select = (
        [f"r.{c}" for c in SHARED]
        + [f"e.{c}" if c != "custom_data" else "COALESCE(e.custom_data, '{}')" for c in OWN]
        + [f"COALESCE(r.{c}, e.{c})" for c in ATTRIBUTION]
        + ["'storefront'"]
    )
    named = ", ".join(f'{expr} AS "{c}"' for expr, c in zip(select, _TARGET, strict=True))
    # Column names and types come from this module, never from input.
    return (
        f"SELECT {named} "  # noqa: S608
        f"FROM jsonb_to_recordset(%s::jsonb) AS r({request_columns}) "
        f"CROSS JOIN LATERAL jsonb_to_recordset(r.events) AS e({event_columns})"
    )


def _postgresql() -> tuple[str, str]:
    # Only new events get a delivery, and only when the shop has a pixel and sends to Meta
    # (what writer.meta_enabled checks on SQLite).
    queue_deliveries = (
        "queued AS (INSERT INTO deliveries (app_id, event_id, destination, event_name, "  # noqa: S608
        "status, attempts, next_attempt_at, created_at, updated_at) "
        f"SELECT ins.app_id, ins.id, '{META}', m.event_name, 'pending', 0, now() AT TIME ZONE "
        "'UTC', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' "
        "FROM ins JOIN jsonb_to_recordset(%s::jsonb) AS m(app_id text, event_id text, "
        "event_name text) ON m.app_id = ins.app_id AND m.event_id = ins.event_id "
        "JOIN app_settings s ON s.app_id = ins.app_id AND s.send_to_meta "
        "AND COALESCE(s.pixel_id, '') <> '' "
        "ON CONFLICT DO NOTHING)"
    )
    # Data-modifying steps, each a CTE at the top level (PostgreSQL allows them nowhere else).
    steps = keyed_steps(POSTGRESQL_ROWS, _TARGET)
    # Without deliveries to queue the statement leaves `deliveries` alone: its statement-level
    # NOTIFY trigger would fire even for no rows, and NOTIFY serialises commits.
    return with_steps(steps), with_steps([*steps, queue_deliveries])


def _sqlite() -> str:
    # Two parameters, not one nested document: json_extract parses its whole argument on every
    # call, so each row must be extracted from a small object (a request's shared columns, one
    # event), never from a request that holds all its events. Both sides are materialized once.
    requests = ", ".join(
        ["key AS i"]
        + [f"json_extract(value, '$.{c}') AS {c}" for c in SHARED]
        + [f"json_extract(value, '$.{c}') AS {c}" for c in ATTRIBUTION]
    )
    events = ", ".join(
        ["json_extract(value, '$.r') AS r"]
        + [f"json_extract(value, '$.{c}') AS {c}" for c in OWN]
        + [f"json_extract(value, '$.{c}') AS {c}" for c in ATTRIBUTION]
    )
    select = (
        [f"r.{c}" for c in SHARED]
        + [f"e.{c}" if c != "custom_data" else "COALESCE(e.custom_data, '{}')" for c in OWN]
        + [f"COALESCE(r.{c}, e.{c})" for c in ATTRIBUTION]
        + ["'storefront'"]
    )
    # `WHERE true` lets SQLite's parser tell the upsert clause from a join constraint.
    return (
        f"WITH r AS MATERIALIZED (SELECT {requests} FROM json_each(?)), "  # noqa: S608
        f"e AS MATERIALIZED (SELECT {events} FROM json_each(?)) "
        f"INSERT INTO events ({_TARGET_LIST}) SELECT {', '.join(select)} "
        "FROM e JOIN r ON r.i = e.r WHERE true "
        "ON CONFLICT (app_id, event_id) DO NOTHING RETURNING id, app_id, event_id"
    )


POSTGRESQL_ROWS = _postgresql_rows()
# (events only, events and their Meta deliveries): each takes the events parameter first.
POSTGRESQL_INSERT, POSTGRESQL_INSERT_QUEUE = _postgresql()
SQLITE_INSERT = _sqlite()
