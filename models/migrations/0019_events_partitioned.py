"""PostgreSQL: `events` partitioned by month on created_at; SQLite keeps its plain table.

- (app_id, event_id) is unique in `event_keys` (app_id, event_id, id) instead of an index on
  `events`: a partitioned table's unique indexes must include the partition key. The writers
  insert the keys first in the same statement (shopify_app/ingest/event_sql.py). The partial
  index "one purchase per order" goes too: every purchase is stored under its order's event id
  (`order:<id>`, webhooks/orders.py), so its key is that guarantee.
- The primary key becomes (id, created_at); ids keep coming from the same sequence.
- deliveries.event_id loses its foreign key (it cannot reference a partitioned table's id
  alone); retention and erasure delete deliveries themselves (models/event_rows.py).
- Tables up to event_conversion.IN_PLACE_MAX_ROWS rows are converted here, in this
  migration's one transaction (events is locked meanwhile). A larger table must be prepared
  first with `sightline partition-events` while the app serves (docs/partitioning.md); this
  migration then only switches it (seconds), and stops with that advice when it is not.
"""

from models import event_conversion, partitions
from models.base import utcnow
from models.database import is_postgresql


def up(migrator, db):  # type: ignore[no-untyped-def]
    if not is_postgresql(db) or partitions.is_partitioned(db):
        return
    now = utcnow()
    if event_conversion.is_prepared(db):
        event_conversion.switch(db, now)
        return
    rows = event_conversion.row_count(db)
    if rows > event_conversion.IN_PLACE_MAX_ROWS:
        raise event_conversion.ConversionError(
            f"events holds about {rows:,} rows, more than the "
            f"{event_conversion.IN_PLACE_MAX_ROWS:,} converted in place: run "
            "`sightline partition-events` (with this release, while the app serves), then "
            "`sightline migrate` again; see docs/partitioning.md"
        )
    event_conversion.convert_in_place(db, now)


def down(migrator, db):  # type: ignore[no-untyped-def]
    raise NotImplementedError("0019 is not reversible: restore the backup taken before it")
