"""Converting a plain PostgreSQL `events` table into the monthly partitioned one (0019).

Two ways, both ending in the same schema (models/partitions.py, docs/partitioning.md):

- In place (`convert_in_place`), for tables up to IN_PLACE_MAX_ROWS: in the migration's one
  transaction the old table is renamed, the partitioned table and a partition for every month
  holding data are created, rows are copied keeping their ids, `event_keys` is filled and the
  indexes are built. `events` is locked for the duration (seconds at the limit).
- Prepared (`prepare` while the app serves, then `switch` in the migration): for larger tables.
  `prepare` fills `event_keys` in batches, adds a validated CHECK (created_at < boundary) and
  builds the (id, created_at) unique index CONCURRENTLY, all without blocking writers. `switch`
  then takes seconds whatever the size: the old table becomes one historical partition,
  `events_legacy` (MINVALUE .. boundary), attached without a scan or an index build, and monthly
  partitions start at the boundary. Retention drops `events_legacy` whole once its newest
  possible row is past the cutoff.

What changes besides: uniqueness of (app_id, event_id) moves to the unpartitioned `event_keys`
(a partitioned table's unique indexes must include created_at), the primary key becomes
(id, created_at), and deliveries.event_id loses its foreign key (a key cannot reference a
partitioned table's id alone); code deletes deliveries itself (models/event_rows.py).
"""

# ruff: noqa: S608 (table and column names are this module's constants or the catalog's)
from __future__ import annotations

import datetime as dt

from peewee import Database

from models import partitions
from models.partitions import PARENT, month_start, next_month

IN_PLACE_MAX_ROWS = 1_000_000  # about 45 s of lock on a busy 2-core box (bench/partitions.py)
KEYS = "event_keys"
PREP = "events_partition_prep"
LEGACY = "events_legacy"
OLD = "events_unpartitioned"
RANGE_CHECK = "events_legacy_range"
LEGACY_KEY_INDEX = "events_legacy_id_created_at"
KEY_BATCH = 50_000
# The plain table's indexes, kept under the same names (the unique ones move to event_keys).
INDEXES = {
    "event_app_id_event_name": "app_id, event_name",
    "event_created_at": "created_at",
    "events_app_id_created_at": "app_id, created_at",
    "events_app_id_order_id": "app_id, order_id",
    "events_app_id_session_id": "app_id, session_id",
}
DROPPED_INDEXES = ("events_app_id_event_id", "events_purchase_order")


class ConversionError(RuntimeError):
    """The events table cannot be converted this way; the message says what to do."""


def row_count(database: Database) -> int:
    (estimate,) = database.execute_sql(
        "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass(%s)",
        (PARENT,),
    ).fetchone()
    if estimate > 10 * IN_PLACE_MAX_ROWS:
        return int(estimate)  # far above the limit: no need to count exactly
    (count,) = database.execute_sql(f'SELECT COUNT(*) FROM "{PARENT}"').fetchone()
    return int(count)


def is_prepared(database: Database) -> bool:
    row = database.execute_sql("SELECT to_regclass(%s)", (PREP,)).fetchone()
    return row is not None and row[0] is not None


def _create_keys_table(database: Database) -> None:
    database.execute_sql(
        f'CREATE TABLE IF NOT EXISTS "{KEYS}" (app_id varchar(255) NOT NULL, '
        "event_id varchar(64) NOT NULL, id bigint NOT NULL, PRIMARY KEY (app_id, event_id))"
    )


def _drop_delivery_foreign_key(database: Database) -> None:
    rows = database.execute_sql(
        "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass('deliveries') "
        "AND contype = 'f' AND confrelid = to_regclass(%s)",
        (PARENT,),
    ).fetchall()
    for (name,) in rows:
        database.execute_sql(f'ALTER TABLE deliveries DROP CONSTRAINT "{name}"')


def _create_parent(database: Database, like: str) -> None:
    database.execute_sql(
        f'CREATE TABLE "{PARENT}" (LIKE "{like}" INCLUDING DEFAULTS) '
        "PARTITION BY RANGE (created_at)"
    )
    # The sequence stays: ids continue where they were.
    database.execute_sql(f"ALTER SEQUENCE events_id_seq OWNED BY {PARENT}.id")


def _index_parent(database: Database) -> None:
    """The key and indexes, on every partition (an existing equal index is attached, not
    built again)."""
    database.execute_sql(f'ALTER TABLE "{PARENT}" ADD PRIMARY KEY (id, created_at)')
    for name, cols in INDEXES.items():
        database.execute_sql(f'CREATE INDEX "{name}" ON "{PARENT}" ({cols})')


def _months_ahead(database: Database, first: dt.datetime, now: dt.datetime) -> None:
    month = first
    last = month_start(now)
    for _ in range(partitions.AHEAD_MONTHS):
        last = next_month(last)
    while month <= last:
        _month(database, month)
        month = next_month(month)


def _month(database: Database, month: dt.datetime) -> None:
    database.execute_sql(
        f'CREATE TABLE "{partitions.month_name(month)}" PARTITION OF "{PARENT}" '
        + partitions.month_range(month)
    )


def convert_in_place(database: Database, now: dt.datetime) -> None:
    """Rebuild `events` as a partitioned table with a partition per month of its data (run in
    the migration's transaction)."""
    database.execute_sql(f'LOCK TABLE "{PARENT}" IN ACCESS EXCLUSIVE MODE')
    _drop_delivery_foreign_key(database)
    database.execute_sql(f'ALTER TABLE "{PARENT}" DROP CONSTRAINT events_pkey')
    database.execute_sql(f'ALTER TABLE "{PARENT}" RENAME TO "{OLD}"')
    for name in (*INDEXES, *DROPPED_INDEXES):
        database.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    _create_parent(database, OLD)
    months = [
        month_start(m)
        for (m,) in database.execute_sql(
            f"SELECT DISTINCT date_trunc('month', created_at) FROM \"{OLD}\" ORDER BY 1"
        ).fetchall()
    ]
    current = month_start(now)
    for month in months:
        if month < current:
            _month(database, month)
    _months_ahead(database, current, now)
    partitions.create_default(database)  # months later than the ones ahead
    cols = ", ".join(f'"{c}"' for c in partitions.columns(database, OLD))
    database.execute_sql(f'INSERT INTO "{PARENT}" ({cols}) SELECT {cols} FROM "{OLD}"')
    _create_keys_table(database)
    database.execute_sql(
        f'INSERT INTO "{KEYS}" (app_id, event_id, id) SELECT app_id, event_id, id '
        f'FROM "{OLD}" WHERE event_id IS NOT NULL ON CONFLICT DO NOTHING'
    )
    database.execute_sql(f'DROP TABLE "{OLD}"')
    _index_parent(database)  # built once over the copied rows, not row by row
    database.execute_sql(f'ANALYZE "{PARENT}"')


def boundary_for(now: dt.datetime) -> dt.datetime:
    """Where the historical partition ends: the month after next, so the old app's inserts
    (dated now) stay inside it until the switch; the switch must come before this date."""
    return next_month(next_month(month_start(now)))


def prepare(database: Database, now: dt.datetime, echo=print) -> None:  # type: ignore[no-untyped-def]
    """Everything the switch needs that takes time, without blocking the serving app (run
    outside a transaction; safe to run again: it continues where it stopped)."""
    if partitions.is_partitioned(database):
        raise ConversionError("events is already partitioned: nothing to prepare")
    _create_keys_table(database)
    database.execute_sql(
        f'CREATE TABLE IF NOT EXISTS "{PREP}" (backfilled_to bigint NOT NULL, '
        "boundary timestamp NOT NULL)"
    )
    row = database.execute_sql(f'SELECT backfilled_to, boundary FROM "{PREP}"').fetchone()
    if row is None:
        row = (0, boundary_for(now))
        database.execute_sql(f'INSERT INTO "{PREP}" VALUES (%s, %s)', row)
    done, boundary = int(row[0]), row[1]
    (top,) = database.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{PARENT}"').fetchone()
    while done < top:
        upto = min(top, done + KEY_BATCH)
        with database.atomic():
            database.execute_sql(
                f'INSERT INTO "{KEYS}" (app_id, event_id, id) SELECT app_id, event_id, id '
                f'FROM "{PARENT}" WHERE id > %s AND id <= %s AND event_id IS NOT NULL '
                "ON CONFLICT DO NOTHING",
                (done, upto),
            )
            database.execute_sql(f'UPDATE "{PREP}" SET backfilled_to = %s', (upto,))
        done = upto
        echo(f"event_keys filled up to id {done:,} of {top:,}")
    late = database.execute_sql(
        f'SELECT COUNT(*) FROM "{PARENT}" WHERE created_at >= %s', (boundary,)
    ).fetchone()[0]
    if late:
        raise ConversionError(
            f"{late} event(s) are dated on or after {boundary:%Y-%m-%d} (clock skew?): correct "
            "or delete them, then run this again"
        )
    if not _has_constraint(database, RANGE_CHECK):
        database.execute_sql(
            f'ALTER TABLE "{PARENT}" ADD CONSTRAINT "{RANGE_CHECK}" '
            f"CHECK (created_at < '{boundary:%Y-%m-%d}') NOT VALID"
        )
    echo("validating the date range (a scan; writers keep writing)")
    database.execute_sql(f'ALTER TABLE "{PARENT}" VALIDATE CONSTRAINT "{RANGE_CHECK}"')
    _build_key_index(database, echo)
    echo(f"prepared: run `sightline migrate` with the new release before {boundary:%Y-%m-%d}")


def _build_key_index(database: Database, echo) -> None:  # type: ignore[no-untyped-def]
    valid = database.execute_sql(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", (LEGACY_KEY_INDEX,)
    ).fetchone()
    if valid and valid[0]:
        return
    if valid:  # a CONCURRENTLY build that was interrupted leaves an invalid index
        database.execute_sql(f'DROP INDEX CONCURRENTLY "{LEGACY_KEY_INDEX}"')
    echo("building the (id, created_at) index (CONCURRENTLY; writers keep writing)")
    database.execute_sql(
        f'CREATE UNIQUE INDEX CONCURRENTLY "{LEGACY_KEY_INDEX}" ON "{PARENT}" (id, created_at)'
    )


def _has_constraint(database: Database, name: str) -> bool:
    row = database.execute_sql(
        "SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(%s) AND conname = %s",
        (PARENT, name),
    ).fetchone()
    return row is not None


def switch(database: Database, now: dt.datetime) -> None:
    """Attach the prepared table as `events_legacy` (run in the migration's transaction)."""
    row = database.execute_sql(f'SELECT backfilled_to, boundary FROM "{PREP}"').fetchone()
    valid = database.execute_sql(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", (LEGACY_KEY_INDEX,)
    ).fetchone()
    validated = database.execute_sql(
        "SELECT convalidated FROM pg_constraint WHERE conrelid = to_regclass(%s) AND conname = %s",
        (PARENT, RANGE_CHECK),
    ).fetchone()
    if row is None or not (valid and valid[0]) or not (validated and validated[0]):
        raise ConversionError(
            "the events table's preparation is incomplete: run `sightline partition-events` "
            "again (docs/partitioning.md)"
        )
    backfilled_to, boundary = int(row[0]), row[1]
    if month_start(now) >= boundary:
        raise ConversionError(
            f"the preparation's boundary {boundary:%Y-%m-%d} has passed: drop table {PREP} and "
            "the constraint/index it made, and prepare again (docs/partitioning.md)"
        )
    database.execute_sql(f'LOCK TABLE "{PARENT}" IN ACCESS EXCLUSIVE MODE')
    # Keys of the events written since the preparation.
    database.execute_sql(
        f'INSERT INTO "{KEYS}" (app_id, event_id, id) SELECT app_id, event_id, id '
        f'FROM "{PARENT}" WHERE id > %s AND event_id IS NOT NULL ON CONFLICT DO NOTHING',
        (backfilled_to,),
    )
    _drop_delivery_foreign_key(database)
    database.execute_sql(f'ALTER TABLE "{PARENT}" DROP CONSTRAINT events_pkey')
    database.execute_sql(
        f'ALTER TABLE "{PARENT}" ADD CONSTRAINT events_legacy_pkey '
        f'PRIMARY KEY USING INDEX "{LEGACY_KEY_INDEX}"'
    )
    for name in DROPPED_INDEXES:
        database.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    for name in INDEXES:
        database.execute_sql(f'ALTER INDEX IF EXISTS "{name}" RENAME TO "{LEGACY}_{name}"')
    database.execute_sql(f'ALTER TABLE "{PARENT}" RENAME TO "{LEGACY}"')
    _create_parent(database, LEGACY)
    # The validated CHECK proves the range: no scan; the indexes exist: none is built.
    database.execute_sql(
        f'ALTER TABLE "{PARENT}" ATTACH PARTITION "{LEGACY}" '
        f"FOR VALUES FROM (MINVALUE) TO ({partitions.literal(boundary)})"
    )
    _index_parent(database)
    database.execute_sql(f'ALTER TABLE "{LEGACY}" DROP CONSTRAINT "{RANGE_CHECK}"')
    _months_ahead(database, boundary, now)
    partitions.create_default(database)
    database.execute_sql(f'DROP TABLE "{PREP}"')
