"""PostgreSQL: `events` is partitioned by month on `created_at` (migration 0019).

- One partition per month, `events_YYYY_MM`, FROM the first of the month TO the next; a DEFAULT
  partition `events_default` takes anything no month covers (a very old order, a clock far
  ahead). A converted large table may also hold one historical partition, `events_legacy`,
  FROM MINVALUE (docs/partitioning.md). Bounds are read from the catalog, never from names.
- The worker keeps this month and AHEAD_MONTHS more in place (`ensure_ahead`, in the rollup
  round); a request never creates one. A new month's table is built beside `events` and
  ATTACHed (a weaker lock than CREATE ... PARTITION OF); rows of that month already sitting in
  the default partition are moved into it first, in the same transaction, so the attach
  cannot fail on them.
- Retention detaches whole months (`detach`), then drops them with their keys and deliveries
  (`drop_detached`). A detached month is renamed `events_expired_YYYY_MM` at once, so a round
  that dies half-way leaves a table the next round finds and finishes.

SQLite keeps a plain `events` table: every function here is for PostgreSQL only.
"""

# ruff: noqa: S608 (table and column names are this module's constants or the catalog's)
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from peewee import Database, DatabaseProxy

from models.database import is_postgresql

PARENT = "events"
DEFAULT = "events_default"
EXPIRED_PREFIX = "events_expired_"
AHEAD_MONTHS = 2  # beyond the current month
LOCK_TIMEOUT = "3s"  # attach/detach wait this long for readers, then retry next round

_BOUND = re.compile(r"FROM \((.+?)\) TO \((.+?)\)")


@dataclass(frozen=True)
class Partition:
    name: str
    lo: dt.datetime | None  # None: MINVALUE (or the default partition)
    hi: dt.datetime | None  # None: MAXVALUE (or the default partition)
    default: bool = False

    def covers_month(self, month: dt.datetime) -> bool:
        if self.default:
            return False
        end = next_month(month)
        return (self.lo is None or self.lo < end) and (self.hi is None or month < self.hi)


def month_start(at: dt.datetime | dt.date) -> dt.datetime:
    return dt.datetime(at.year, at.month, 1)


def next_month(month: dt.datetime) -> dt.datetime:
    return dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_name(month: dt.datetime) -> str:
    return f"{PARENT}_{month.year:04d}_{month.month:02d}"


def literal(at: dt.datetime) -> str:
    """A timestamp as SQL text, for DDL (which takes no parameters); ours, never input."""
    return f"'{at:%Y-%m-%d %H:%M:%S}'"


def month_range(month: dt.datetime) -> str:
    return f"FOR VALUES FROM ({literal(month)}) TO ({literal(next_month(month))})"


def _bound(text: str) -> dt.datetime | None:
    text = text.strip()
    if text in ("MINVALUE", "MAXVALUE"):
        return None
    return dt.datetime.fromisoformat(text.strip("'"))


def is_partitioned(database: Database | DatabaseProxy) -> bool:
    row = database.execute_sql(
        "SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass(%s)", (PARENT,)
    ).fetchone()
    return bool(row) and row[0] == "p"


def partitions(database: Database | DatabaseProxy) -> list[Partition]:
    """Every partition of `events` with its bounds, oldest first (the default last)."""
    rows = database.execute_sql(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)",
        (PARENT,),
    ).fetchall()
    found = []
    for name, bound in rows:
        match = _BOUND.search(bound or "")
        if match is None:
            found.append(Partition(name, None, None, default=True))
        else:
            found.append(Partition(name, _bound(match.group(1)), _bound(match.group(2))))
    return sorted(found, key=lambda p: (p.default, p.lo or dt.datetime.min))


def child_tables(database: Database | DatabaseProxy) -> set[str]:
    """Names of events' partitions (a statement on `events` reaches them); empty on SQLite."""
    if not is_postgresql(database):
        return set()
    return {p.name for p in partitions(database)}


def columns(database: Database | DatabaseProxy, table: str = PARENT) -> list[str]:
    rows = database.execute_sql(
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum",
        (table,),
    ).fetchall()
    return [name for (name,) in rows]


def create_month(database: Database | DatabaseProxy, month: dt.datetime) -> str:
    """Add month's partition (run inside a transaction); rows of that month in the default
    partition move into it."""
    name, end = month_name(month), next_month(month)
    database.execute_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    database.execute_sql(f'CREATE TABLE "{name}" (LIKE "{PARENT}" INCLUDING DEFAULTS)')
    if any(p.default for p in partitions(database)):
        # The attach scans the default partition under this lock anyway; taken first, no row
        # of the month can arrive there between the move and the attach.
        database.execute_sql(f'LOCK TABLE "{DEFAULT}" IN ACCESS EXCLUSIVE MODE')
        cols = ", ".join(f'"{c}"' for c in columns(database))
        database.execute_sql(
            f'WITH moved AS (DELETE FROM "{DEFAULT}" WHERE created_at >= %s AND created_at < %s '
            f'RETURNING {cols}) INSERT INTO "{name}" ({cols}) SELECT {cols} FROM moved',
            (month, end),
        )
    database.execute_sql(f'ALTER TABLE "{PARENT}" ATTACH PARTITION "{name}" {month_range(month)}')
    return name


def create_default(database: Database | DatabaseProxy) -> None:
    database.execute_sql(f'CREATE TABLE IF NOT EXISTS "{DEFAULT}" PARTITION OF "{PARENT}" DEFAULT')


def missing_months(
    database: Database | DatabaseProxy, first: dt.datetime, last: dt.datetime
) -> list[dt.datetime]:
    """Months from first's to last's that no partition covers yet."""
    existing = [p for p in partitions(database) if not p.default]
    wanted, month = [], month_start(first)
    while month <= last:
        if not any(p.covers_month(month) for p in existing):
            wanted.append(month)
        month = next_month(month)
    return wanted


def ensure_months(
    database: Database | DatabaseProxy, first: dt.datetime, last: dt.datetime
) -> list[str]:
    """Create the missing partitions of the months first..last, each in its own transaction;
    returns their names."""
    created = []
    for month in missing_months(database, first, last):
        with database.atomic():
            created.append(create_month(database, month))
    return created


def ensure_ahead(database: Database | DatabaseProxy, now: dt.datetime) -> list[str]:
    """This month's and the next AHEAD_MONTHS months' partitions, where missing."""
    last = month_start(now)
    for _ in range(AHEAD_MONTHS):
        last = next_month(last)
    return ensure_months(database, now, last)


def expired_months(database: Database | DatabaseProxy, cutoff: dt.datetime) -> list[Partition]:
    """Monthly (or legacy) partitions whose every possible row is older than `cutoff`."""
    return [
        p for p in partitions(database) if not p.default and p.hi is not None and p.hi <= cutoff
    ]


def detach(database: Database | DatabaseProxy, partition: Partition, watermark: int) -> str | None:
    """Detach `partition` when every row in it is folded into the rollups (id <= watermark);
    returns its new name (events_expired_...), or None when it must wait."""
    new_name = EXPIRED_PREFIX + partition.name.removeprefix(f"{PARENT}_")
    with database.atomic() as transaction:
        database.execute_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        database.execute_sql(f'ALTER TABLE "{PARENT}" DETACH PARTITION "{partition.name}"')
        # Read under the detach's lock: no row can arrive in it any more.
        (top,) = database.execute_sql(f'SELECT MAX(id) FROM "{partition.name}"').fetchone()
        if top is not None and top > watermark:
            transaction.rollback()
            return None
        database.execute_sql(f'ALTER TABLE "{partition.name}" RENAME TO "{new_name}"')
    return new_name


def detached(database: Database | DatabaseProxy) -> list[str]:
    rows = database.execute_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename LIKE %s ORDER BY tablename",
        (EXPIRED_PREFIX.replace("_", r"\_") + "%",),
    ).fetchall()
    return [name for (name,) in rows]


def drop_detached(database: Database | DatabaseProxy, name: str) -> int:
    """Delete the keys and deliveries of a detached month's events, then drop it; returns how
    many events went."""
    with database.atomic():
        (count,) = database.execute_sql(f'SELECT COUNT(*) FROM "{name}"').fetchone()
        database.execute_sql(f'DELETE FROM deliveries WHERE event_id IN (SELECT id FROM "{name}")')
        database.execute_sql(
            f'DELETE FROM event_keys k USING "{name}" e '
            "WHERE k.app_id = e.app_id AND k.event_id = e.event_id AND k.id = e.id"
        )
        database.execute_sql(f'DROP TABLE "{name}"')
    return int(count)
