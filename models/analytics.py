"""Report rollups and sessions, derived from `events` and rebuilt from it at any time.

- `rollups_daily` / `rollups_hourly`: one row per shop, bucket (a day, or an hour of the last
  48 h, in the shop's own time zone) and combination of the report dimensions, with the event
  count, the exact number of distinct sessions *within that row* and the summed value. A missing
  dimension is stored as '' so the row key stays unique.
- `rollups_by_dimension`: per shop and bucket, overall (`dimension` '') and per value of each
  single dimension: events, exact distinct sessions, value, purchases and revenue. Small (a
  few hundred rows a day), so every unfiltered report reads it; only filtered reports need the
  wide cube above, whose session counts cannot be summed exactly.
- `rollup_pages`: page views and sessions per shop, day and URL path.
- `sessions`: one row per shop and session: first/last seen, landing page, first-touch
  attribution, device, country, conversion and revenue.
- `rollup_paths` / `rollup_attribution`: sessions per shop and local day they started, by
  path (event names in the order first done) and by first-touch UTMs: funnels and attribution.
- `session_events`: per shop, session and event name, the first and last time and the count:
  funnels read it instead of raw events.
- `rollup_dirty_days`: days waiting to be recomputed (today waits until it closes).
- `rollup_today` / `rollup_today_rows`: a busy shop's today so far, per dimension as in
  `rollups_by_dimension`, up to an event id; reports add the events above it
  (shopify_app/analytics/today.py).
- `rollup_state`: the worker's watermark (highest event id it has folded in).
"""

from __future__ import annotations

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    IntegerField,
    TextField,
)

from models.base import BaseModel, utcnow

# The cube's dimensions, in key order (columns of the same names exist on `events`).
DIMENSIONS = (
    "event_name",
    "source",
    "device_type",
    "browser",
    "country",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "page_type",
    "currency",
)


class _CubeRow(BaseModel):
    app_id = CharField(max_length=255)
    event_name = CharField(max_length=64, default="")
    source = CharField(max_length=16, default="")
    device_type = CharField(max_length=16, default="")
    browser = CharField(max_length=64, default="")
    country = CharField(max_length=2, default="")
    utm_source = CharField(max_length=255, default="")
    utm_medium = CharField(max_length=255, default="")
    utm_campaign = CharField(max_length=255, default="")
    page_type = CharField(max_length=64, default="")
    currency = CharField(max_length=3, default="")
    events = IntegerField(default=0)
    sessions = IntegerField(default=0)
    value = DecimalField(max_digits=16, decimal_places=2, default=0)


class RollupDaily(_CubeRow):
    day = DateField()  # the shop's local date

    class Meta:
        table_name = "rollups_daily"
        indexes = ((("app_id", "day", *DIMENSIONS), True),)


class RollupHourly(_CubeRow):
    hour = DateTimeField()  # start of the shop's local hour

    class Meta:
        table_name = "rollups_hourly"
        indexes = ((("app_id", "hour", *DIMENSIONS), True),)


class _KeyFigures(BaseModel):
    """A shop's figures for one key of one dimension ('' = all events)."""

    app_id = CharField(max_length=255)
    dimension = CharField(max_length=16, default="")
    events = IntegerField(default=0)
    sessions = IntegerField(default=0)  # exact distinct sessions
    value = DecimalField(max_digits=16, decimal_places=2, default=0)
    purchases = IntegerField(default=0)
    revenue = DecimalField(max_digits=16, decimal_places=2, default=0)


class RollupDimension(_KeyFigures):
    grain = CharField(max_length=4)  # "day" or "hour"
    bucket = DateTimeField()  # local start of the day or hour
    key = CharField(max_length=255, default="")

    class Meta:
        table_name = "rollups_by_dimension"
        indexes = ((("app_id", "grain", "dimension", "bucket", "key"), True),)


class RollupPage(BaseModel):
    app_id = CharField(max_length=255)
    day = DateField()
    path = CharField(max_length=500)
    views = IntegerField(default=0)
    sessions = IntegerField(default=0)

    class Meta:
        table_name = "rollup_pages"
        indexes = ((("app_id", "day", "path"), True),)


class Session(BaseModel):
    app_id = CharField(max_length=255)
    session_id = CharField(max_length=64)
    first_seen = DateTimeField()
    last_seen = DateTimeField()
    landing_page = TextField(null=True)
    landing_page_type = CharField(max_length=64, null=True)
    source = CharField(max_length=16, null=True)
    device_type = CharField(max_length=16, null=True)
    browser = CharField(max_length=64, null=True)
    country = CharField(max_length=2, null=True)
    utm_source = CharField(max_length=255, null=True)
    utm_medium = CharField(max_length=255, null=True)
    utm_campaign = CharField(max_length=255, null=True)
    fbclid = CharField(max_length=255, null=True)
    gclid = CharField(max_length=255, null=True)
    ttclid = CharField(max_length=255, null=True)
    events = IntegerField(default=0)
    purchases = IntegerField(default=0)
    revenue = DecimalField(max_digits=16, decimal_places=2, default=0)
    converted = BooleanField(default=False)
    # The session's event names by the first time it did each, with ranks for ties:
    # "page_view\t1\nadd_to_cart\t2" (what funnels read, through rollup_paths).
    path = TextField(null=True)

    class Meta:
        table_name = "sessions"
        indexes = (
            (("app_id", "session_id"), True),
            (("app_id", "first_seen"), False),
        )


class RollupPath(BaseModel):
    """Sessions per shop, local day the session started, and path: funnels sum these."""

    app_id = CharField(max_length=255)
    day = DateField()
    path = TextField()
    sessions = IntegerField(default=0)

    class Meta:
        table_name = "rollup_paths"
        indexes = ((("app_id", "day", "path"), True),)


class RollupAttribution(BaseModel):
    """Sessions that started on a local day, by first-touch UTMs: attribution sums these."""

    app_id = CharField(max_length=255)
    day = DateField()
    utm_source = CharField(max_length=255, default="")
    utm_medium = CharField(max_length=255, default="")
    utm_campaign = CharField(max_length=255, default="")
    sessions = IntegerField(default=0)
    purchases = IntegerField(default=0)
    converted = IntegerField(default=0)
    revenue = DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        table_name = "rollup_attribution"
        indexes = ((("app_id", "day", "utm_source", "utm_medium", "utm_campaign"), True),)


class SessionEvent(BaseModel):
    """When a session first and last did an event, and how often: what funnels read."""

    app_id = CharField(max_length=255)
    session_id = CharField(max_length=64)
    event_name = CharField(max_length=64)
    first_at = DateTimeField()
    last_at = DateTimeField()
    events = IntegerField(default=0)

    class Meta:
        table_name = "session_events"
        indexes = (
            (("app_id", "session_id", "event_name"), True),
            (("app_id", "event_name", "first_at"), False),
        )


class RollupDirtyDay(BaseModel):
    """A shop's local day with events not yet folded into its day rollups. Today stays here
    until it closes (reports read today from raw events), so rounds cost what arrives."""

    app_id = CharField(max_length=255)
    day = DateField()

    class Meta:
        table_name = "rollup_dirty_days"
        indexes = ((("app_id", "day"), True),)


class RollupState(BaseModel):
    name = CharField(max_length=32, primary_key=True)
    last_event_id = BigIntegerField(default=0)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "rollup_state"


class RollupToday(BaseModel):
    """Which of a shop's events `rollup_today_rows` hold: its local `day` (in `zone`) up to
    event id `last_event_id`, as the worker saw them at `refreshed_at`."""

    app_id = CharField(max_length=255, unique=True)
    day = DateField()
    zone = CharField(max_length=64)
    last_event_id = BigIntegerField()
    events = IntegerField(default=0)  # events the rows hold
    tail_events = IntegerField(default=0)  # events above the mark, as rounds counted them
    # The rows' events with ids in the OVERLAP_IDS below last_event_id: a later count that
    # differs means an event committed late below the mark (rollups.py) and the rows are redone.
    edge_events = IntegerField(default=0)
    refreshed_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "rollup_today"


class RollupTodayRow(_KeyFigures):
    """Today so far, overall (`dimension` '') and per key of each dimension: events, exact
    distinct sessions, value, purchases, revenue of the events `rollup_today` names; and per
    URL path of page views (`dimension` "page_path")."""

    key = CharField(max_length=500, default="")  # a dimension's value, or a URL path

    class Meta:
        table_name = "rollup_today_rows"
        indexes = ((("app_id", "dimension", "key"), True),)
