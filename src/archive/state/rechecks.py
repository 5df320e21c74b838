"""The re-check bookkeeping of the crawl state: each archived article's page status
(archive.changes.status.Watch) and when it is next checked.

A table of its own in the state file, made when first needed, so a state file made
before it (or by `archive state rebuild`, which leaves it empty) works as it is:
articles without a row are adopted from the dataset (`adopt_articles`), their page
status taken from the last event the `changes/` dataset holds for them. Like the rest
of the state, nothing here is the truth: the events are in the dataset, and both are
made again from the WARC files by `archive reextract`. A crawl shared by many machines
keeps the same in its Redis (archive.state.shared_rechecks, the same methods).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from archive.changes.events import ChangeEvent
from archive.changes.schedule import next_check
from archive.changes.status import Watch
from archive.changes.verdict import GONE, UNKNOWN, UNREACHABLE
from archive.datadir import DataDir
from archive.records import WarcPointer
from archive.state.store import CrawlState, state_error

if TYPE_CHECKING:
    from archive.sites import SiteConfig
    from archive.state.shared import RedisCrawlState
    from archive.state.shared_rechecks import RedisRecheckStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS rechecks (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    -- the publication time (or first capture): younger articles are checked first
    anchor TEXT NOT NULL,
    -- NULL: checked only by a sweep (`archive crawl SITE --recheck`)
    next_check TEXT,
    watch TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rechecks_due ON rechecks (site, next_check);
-- events declared and not yet on disk in changes/: a run killed before it wrote them
-- leaves them here for the next one, as the watch that declared them has moved on
CREATE TABLE IF NOT EXISTS pending_events (
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    site TEXT NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (url, kind, detected_at)
);
"""
# URLs per IN (...) query.
_CHUNK = 500


def stamp(moment: datetime) -> str:
    """A time as the table stores it: UTC, always with microseconds, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


_KEEP_WATCH = ("INSERT INTO rechecks VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET"
               " anchor = excluded.anchor, next_check = excluded.next_check, watch = excluded.watch")


def _watch_row(watch: Watch, due: datetime | None, first_seen: datetime) -> tuple:
    return (watch.url, watch.site, stamp(first_seen), stamp(watch.anchor), stamp(due) if due else None,
            watch.to_json())


class RecheckStore:
    """The rechecks table of one crawl state."""

    def __init__(self, state: CrawlState) -> None:
        self.state = state
        try:
            state.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise state_error(state.path, exc) from None

    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        try:
            return self.state.db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise state_error(self.state.path, exc) from None

    def _write_many(self, sql: str, rows: list[Sequence]) -> None:
        try:
            with self.state.db:
                self.state.db.execute("BEGIN")
                self.state.db.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise state_error(self.state.path, exc) from None

    def watch(self, url: str) -> Watch | None:
        rows = self._rows("SELECT watch FROM rechecks WHERE url = ?", (url,))
        return Watch.from_json(rows[0][0]) if rows else None

    def save(self, watches: Sequence[tuple[Watch, datetime | None, datetime]]) -> None:
        """Adopt each watch with its next check (None: sweeps only) and when its article
        was first seen, unless its article has a row: a check may have moved it since
        the adopter looked (in a crawl shared by many machines, archive.state.shared_rechecks)."""
        self._write_many("INSERT INTO rechecks VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO NOTHING",
                         [_watch_row(*row) for row in watches])

    def scheduled(self, watch: Watch, recheck: Sequence[timedelta], removal_after: timedelta,
                  events: Sequence[ChangeEvent] = ()) -> None:
        """Keep `watch`, due again when the site's schedule says, and the events its last
        check declared, pending until `events_written`: both or neither, so no kill can
        leave a watch that moved on without the event it declared."""
        due = next_check(watch, recheck, removal_after)
        try:
            with self.state.db:
                self.state.db.execute("BEGIN")
                self.state.db.execute(_KEEP_WATCH, _watch_row(watch, due, watch.changed_at))
                self.state.db.executemany(
                    "INSERT OR REPLACE INTO pending_events VALUES (?, ?, ?, ?, ?)",
                    [(*event.key, event.site, event.to_json()) for event in events])
        except sqlite3.Error as exc:
            raise state_error(self.state.path, exc) from None

    def pending_events(self, site: str) -> list[ChangeEvent]:
        """Events of `site` declared by a run that ended before writing them."""
        rows = self._rows("SELECT event FROM pending_events WHERE site = ? ORDER BY detected_at", (site,))
        return [ChangeEvent.from_json(row[0]) for row in rows]

    def events_written(self, events: Sequence[ChangeEvent]) -> None:
        self._write_many("DELETE FROM pending_events WHERE url = ? AND kind = ? AND detected_at = ?",
                         [event.key for event in events])

    def due(self, site: str, now: datetime, limit: int, seen_since: datetime | None = None) -> list[Watch]:
        """Up to `limit` articles of `site` due for a check (or first seen since
        `seen_since`), the youngest first: early checks find the most."""
        rows = self._rows(
            "SELECT watch FROM rechecks WHERE site = ? AND ((next_check IS NOT NULL AND next_check <= ?)"
            " OR first_seen >= ?) ORDER BY anchor DESC LIMIT ?",
            # "~" sorts after every time: no article was first seen after it
            (site, stamp(now), stamp(seen_since) if seen_since else "~", limit))
        return [Watch.from_json(row[0]) for row in rows]

    def every(self, site: str, limit: int) -> list[Watch]:
        """Up to `limit` of the site's articles, the youngest first (a sweep)."""
        rows = self._rows("SELECT watch FROM rechecks WHERE site = ? ORDER BY anchor DESC LIMIT ?", (site, limit))
        return [Watch.from_json(row[0]) for row in rows]

    def due_count(self, site: str, now: datetime) -> int:
        return self._rows("SELECT count(*) FROM rechecks WHERE site = ? AND next_check IS NOT NULL"
                          " AND next_check <= ?", (site, stamp(now)))[0][0]

    def bring_forward(self, urls: Sequence[str], when: datetime) -> None:
        """Check these articles (those archived) at `when` at the latest."""
        for start in range(0, len(urls), _CHUNK):
            chunk = list(urls[start:start + _CHUNK])
            self._write_many("UPDATE rechecks SET next_check = ? WHERE url = ? AND (next_check IS NULL"
                             " OR next_check > ?)", [(stamp(when), url, stamp(when)) for url in chunk])

    def unwatched(self, site: str) -> list[tuple[str, str, str]]:
        """(url, job, first seen) of the site's archived articles without a row here."""
        return self._rows(
            "SELECT a.url, a.job, a.first_seen FROM articles a WHERE a.site = ? AND a.state = 'done'"
            " AND NOT EXISTS (SELECT 1 FROM rechecks r WHERE r.url = a.url)", (site,))


def adopt_articles(store: RecheckStore | RedisRecheckStore, data_dir: Path, site: str, recheck: Sequence[timedelta],
                   removal_after: timedelta) -> int:
    """Give every archived article of `site` without a row one: its latest row in the
    dataset is its live version, scheduled from its publication; an article whose last
    event in `changes/` is a removal (or an unreachable spell) keeps that status.
    Returns how many were adopted."""
    missing = store.unwatched(site)
    if not missing:
        return 0
    # the pointers kept must not depend on the directory a later run starts in
    data = DataDir(Path(data_dir).resolve())
    rows = _latest_rows(data, site, [url for url, _, _ in missing])
    declared = _last_events(data, site, [url for url, _, _ in missing])
    watches = []
    for url, job, first_seen in missing:
        seen = datetime.fromisoformat(first_seen)
        row = rows.get(url)
        if row is not None:
            pointer = WarcPointer(str(data.root / row["warc_file"]), row["warc_offset"], row["warc_record_id"]) \
                if row["warc_file"] else None
            watch = Watch.first_capture(url, site, row["warc_record_id"], pointer, row["fetched_at"] or seen,
                                        row["title"], row["published_at"])
        else:
            pointer = WarcPointer(*json.loads(job)["pointers"][0])
            watch = Watch.first_capture(url, site, pointer.record_id, pointer, seen, None, None)
        event = declared.get(url)
        if event is not None and event["kind"] in ("removed", "unreachable"):
            watch.status, watch.status_since, watch.status_reason = \
                event["kind"], event["first_seen_gone"], event["reason"]
        known = store.state.known(url)
        if known is not None and known.last_fetched:
            watch.last_check_at = max(watch.last_check_at, datetime.fromisoformat(known.last_fetched))
        if known is not None and known.pointer is not None and known.pointer.record_id != watch.live_record_id:
            # The latest capture is not the live version: an answer repeating it shows
            # what the declared status says, or nothing known.
            watch.last_verdict = {"removed": GONE, "unreachable": UNREACHABLE}.get(watch.status, UNKNOWN)
            watch.last_reason = watch.status_reason or "the latest capture"
        watches.append((watch, next_check(watch, recheck, removal_after), seen))
    store.save(watches)
    return len(watches)


def _latest_rows(data: DataDir, site: str, urls: list[str]) -> dict[str, dict]:
    from archive.dataset.files import dataset_files, open_dataset

    if not dataset_files(data.articles, [site]):
        return {}
    import pyarrow.compute as pc

    table = open_dataset(data.articles).to_table(
        columns=["url", "title", "published_at", "fetched_at", "warc_file", "warc_offset", "warc_record_id"],
        filter=(pc.field("site") == site) & pc.field("url").isin(urls))
    latest: dict[str, dict] = {}
    epoch = datetime.min.replace(tzinfo=UTC)
    for row in sorted(table.to_pylist(), key=lambda r: r["fetched_at"] or epoch):
        latest[row["url"]] = row
    return latest


def _last_events(data: DataDir, site: str, urls: list[str]) -> dict[str, dict]:
    from archive.changes.dataset import CHANGES_DATASET_SCHEMA
    from archive.dataset.files import dataset_files, open_dataset

    if not dataset_files(data.changes, [site]):
        return {}
    import pyarrow.compute as pc

    table = open_dataset(data.changes, schema=CHANGES_DATASET_SCHEMA).to_table(
        columns=["url", "kind", "detected_at", "first_seen_gone", "reason"],
        filter=(pc.field("site") == site) & pc.field("url").isin(urls))
    last: dict[str, dict] = {}
    for row in sorted(table.to_pylist(), key=lambda r: r["detected_at"]):
        last[row["url"]] = row
    return last


def recheck_store(state: CrawlState | RedisCrawlState) -> RecheckStore | RedisRecheckStore:
    """The re-check bookkeeping of a crawl state: its rechecks table in SQLite, or its
    keys in the Redis that many machines share."""
    if isinstance(state, CrawlState):
        return RecheckStore(state)
    from archive.state.shared import RedisCrawlState
    from archive.state.shared_rechecks import RedisRecheckStore

    if isinstance(state, RedisCrawlState):
        return RedisRecheckStore(state)
    raise TypeError(f"{state!r} is no crawl state")


def checks_due(state: CrawlState | RedisCrawlState, data_dir: Path, sites: Sequence[SiteConfig]) -> list[SiteConfig]:
    """Those of `sites` with archived articles due a check now (articles archived since
    their last crawl are adopted first)."""
    store = recheck_store(state)
    now = datetime.now(UTC)
    due = []
    for site in sites:
        adopt_articles(store, data_dir, site.id, site.recheck, site.removal_after)
        if store.due_count(site.id, now):
            due.append(site)
    return due
