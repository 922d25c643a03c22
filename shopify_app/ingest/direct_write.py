"""Direct writes: the request thread stores its own batch in one autocommit statement on its
pooled connection and answers after that statement's commit.

On PostgreSQL this beats the group committer's hand-off to a writer thread (a queue, a Future
and two thread switches under the GIL per request): concurrent commits still share WAL flushes
inside PostgreSQL, which is what the group committer was merging by hand. SQLite has one writer
at a time, so it keeps the group committer (see `make_committer`)."""

from __future__ import annotations

import os

from models import db
from models.database import is_postgresql
from shopify_app.ingest.group_commit import GroupCommitter, close_connection
from shopify_app.ingest.writer import StorefrontBatch, write_storefront

# `direct` (PostgreSQL's default), `group` (SQLite's, and always available for comparison).
WRITE_MODE_ENV = "SIGHTLINE_INGEST_WRITE"


class DirectWriter:
    """`submit(batch)` stores the batch in the calling thread; returns how many events were new
    once they are committed (or raises)."""

    def __init__(self) -> None:
        self.commits = 0  # statements so far, for tests and benchmarks

    def submit(self, batch: StorefrontBatch) -> int:
        if not batch.events:
            return 0
        try:
            new = write_storefront([batch])[0]
        except Exception:
            if not db.in_transaction():
                close_connection()  # it may be broken; the next request opens a fresh one
            raise
        self.commits += 1
        return new


class Committer:
    """Picks the write path per database on first use (the app is built before it connects):
    direct on PostgreSQL, group commit on SQLite, or what SIGHTLINE_INGEST_WRITE says."""

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode or os.environ.get(WRITE_MODE_ENV) or None
        self.group = GroupCommitter()
        self.direct = DirectWriter()

    def submit(self, batch: StorefrontBatch) -> int:
        mode = self.mode or ("direct" if is_postgresql(db) else "group")
        return (self.direct if mode == "direct" else self.group).submit(batch)

    @property
    def commits(self) -> int:
        return self.group.commits + self.direct.commits
