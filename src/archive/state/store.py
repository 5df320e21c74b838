"""The crawl state store: what has been fetched, what became an article, when sites ran.

An SQLite file beside the data (``<out>/state.sqlite``), in WAL mode so a crawl killed
at any moment leaves it consistent. It only ever speeds up or skips work: everything in
it can be lost without losing a capture, because the WARC files and the dataset are the
truth and the dataset itself says which captures were extracted.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from archive.datadir import DataDir
from archive.records import ArticleJob, CounterCapture, WarcPointer

if TYPE_CHECKING:
    from archive.sites import SiteConfig

SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    first_fetched TEXT NOT NULL,
    last_fetched TEXT NOT NULL,
    status INTEGER NOT NULL,
    etag TEXT,
    last_modified TEXT,
    payload_digest TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_record_id TEXT,
    warc_date TEXT
);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    record_id TEXT NOT NULL,
    job TEXT NOT NULL,
    state TEXT NOT NULL,
    counter_family TEXT,
    counter_url TEXT,
    counter_read TEXT,
    first_seen TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_site_state ON articles (site, state);
CREATE TABLE IF NOT EXISTS runs (
    site TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    outcome TEXT
);
CREATE INDEX IF NOT EXISTS runs_site ON runs (site, finished);
"""


# URLs per IN (...) query: far below SQLite's bound on parameters, large enough for a page's links.
_CHUNK = 500


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class KnownCapture:
    url: str
    status: int
    etag: str | None
    last_modified: str | None
    payload_digest: str | None
    pointer: WarcPointer | None
    warc_date: str | None
    last_fetched: str | None = None


def job_to_json(job: ArticleJob) -> str:
    counter = job.counter
    return json.dumps({
        "pointers": [dataclasses.astuple(p) for p in job.pointers],
        "force": job.force,
        "counter": [counter.family, counter.url, dataclasses.astuple(counter.pointer) if counter.pointer else None,
                    counter.read_pattern] if counter else None,
    })


def job_from_json(url: str, site: str, text: str) -> ArticleJob:
    data = json.loads(text)
    counter = data.get("counter")
    return ArticleJob(
        url=url,
        site=site,
        pointers=[WarcPointer(*p) for p in data["pointers"]],
        force=data["force"],
        counter=CounterCapture(counter[0], counter[1], WarcPointer(*counter[2]) if counter[2] else None,
                               counter[3] if len(counter) > 3 else None) if counter else None,
    )


class CrawlState:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The reactor thread is the only user; check_same_thread guards nothing here
        # but would stop the pipeline's callbacks that run there too.
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # -- captures -----------------------------------------------------------------

    def known(self, url: str) -> KnownCapture | None:
        row = self.db.execute(
            "SELECT url, status, etag, last_modified, payload_digest, warc_file, warc_offset, warc_record_id,"
            " warc_date, last_fetched FROM captures WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        pointer = WarcPointer(row[5], row[6], row[7]) if row[5] else None
        return KnownCapture(row[0], row[1], row[2], row[3], row[4], pointer, row[8], row[9])

    def record_capture(self, url: str, site: str, status: int, *, etag: str | None, last_modified: str | None,
                       payload_digest: str | None, pointer: WarcPointer | None, warc_date: str | None) -> None:
        """Remember a full capture; for a revisit (no pointer) only the time of the visit.

        A revisit keeps status, validators and pointer of the capture it refers to: that
        capture is what the next revisit will refer to and what the spider is given.
        """
        now = _now()
        if pointer is None:
            self.db.execute("UPDATE captures SET last_fetched = ? WHERE url = ?", (now, url))
            return
        self.db.execute(
            "INSERT INTO captures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET"
            " last_fetched = excluded.last_fetched, status = excluded.status, etag = excluded.etag,"
            " last_modified = excluded.last_modified, payload_digest = excluded.payload_digest,"
            " warc_file = excluded.warc_file, warc_offset = excluded.warc_offset,"
            " warc_record_id = excluded.warc_record_id, warc_date = excluded.warc_date",
            (url, site, now, now, status, etag, last_modified, payload_digest,
             pointer.file, pointer.offset, pointer.record_id, warc_date),
        )

    # -- articles -----------------------------------------------------------------

    def article_state(self, url: str) -> tuple[str, str] | None:
        """(state, first seen) of an article URL, or None if it was never handed to extraction."""
        return self.db.execute("SELECT state, first_seen FROM articles WHERE url = ?", (url,)).fetchone()

    def article_states(self, urls: list[str]) -> dict[str, tuple[str, str]]:
        """article_state of many URLs at once (one query per chunk, not one per link)."""
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(urls), _CHUNK):
            chunk = urls[start:start + _CHUNK]
            rows = self.db.execute(
                f"SELECT url, state, first_seen FROM articles WHERE url IN ({','.join('?' * len(chunk))})", chunk)
            found.update((url, (state, first_seen)) for url, state, first_seen in rows)
        return found

    def capture_statuses(self, urls: list[str]) -> dict[str, int]:
        """The HTTP status of the last capture of each of `urls` that was ever fetched."""
        found: dict[str, int] = {}
        for start in range(0, len(urls), _CHUNK):
            chunk = urls[start:start + _CHUNK]
            rows = self.db.execute(
                f"SELECT url, status FROM captures WHERE url IN ({','.join('?' * len(chunk))})", chunk)
            found.update(rows)
        return found

    def article_submitted(self, job: ArticleJob) -> None:
        now = _now()
        family, counter_url = (job.counter.family, job.counter.url) if job.counter else (None, None)
        self.db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, 'pending', ?, ?, NULL, ?, ?) ON CONFLICT(url) DO UPDATE SET"
            " record_id = excluded.record_id, job = excluded.job, state = 'pending',"
            " counter_family = coalesce(excluded.counter_family, counter_family),"
            " counter_url = coalesce(excluded.counter_url, counter_url), updated = excluded.updated",
            (job.url, job.site, job.pointers[0].record_id, job_to_json(job), family, counter_url, now, now),
        )

    def articles_done(self, urls_and_states: list[tuple[str, str]]) -> None:
        now = _now()
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("UPDATE articles SET state = ?, updated = ? WHERE url = ?",
                                [(state, now, url) for url, state in urls_and_states])

    def pending_jobs(self, site: str) -> Iterator[ArticleJob]:
        rows = self.db.execute("SELECT url, site, job FROM articles WHERE site = ? AND state = 'pending'", (site,))
        for url, site_id, job in rows.fetchall():
            yield job_from_json(url, site_id, job)

    def counters_to_refresh(self, site: str, since: timedelta,
                            every: timedelta = timedelta(0)) -> list[tuple[str, str, str]]:
        """(article url, family, counter url) of articles first seen within `since`
        whose count was last read more than `every` ago."""
        now = datetime.now(UTC)
        return self.db.execute(
            "SELECT url, counter_family, counter_url FROM articles WHERE site = ? AND state = 'done'"
            " AND counter_url IS NOT NULL AND first_seen >= ? AND (counter_read IS NULL OR counter_read < ?)",
            (site, (now - since).isoformat(), (now - every).isoformat())).fetchall()

    def counter_read(self, url: str, when: datetime) -> None:
        self.db.execute("UPDATE articles SET counter_read = ? WHERE url = ?", (when.astimezone(UTC).isoformat(), url))

    # -- runs ---------------------------------------------------------------------

    def run_started(self, site: str) -> int:
        return self.db.execute("INSERT INTO runs (site, started) VALUES (?, ?)", (site, _now())).lastrowid

    def run_finished(self, run_id: int, outcome: str) -> None:
        self.db.execute("UPDATE runs SET finished = ?, outcome = ? WHERE rowid = ?", (_now(), outcome, run_id))

    def last_success(self, site: str) -> datetime | None:
        row = self.db.execute(
            "SELECT max(finished) FROM runs WHERE site = ? AND outcome = 'finished'", (site,)).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def due(self, sites: Sequence[SiteConfig]) -> list[SiteConfig]:
        """Those of `sites` with an `every` interval that has passed since their last successful run."""
        now = datetime.now(UTC)
        return [site for site in sites if site.every is not None
                and ((last := self.last_success(site.id)) is None or now - last >= site.every)]


_OPEN: dict[Path, CrawlState] = {}


def shared_state(data_dir: Path) -> CrawlState:
    """The one state store of a data directory in this process (every site's crawler shares it)."""
    path = DataDir(data_dir).state_file.resolve()
    if path not in _OPEN:
        _OPEN[path] = CrawlState(path)
    return _OPEN[path]
