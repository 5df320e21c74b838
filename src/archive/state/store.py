"""The crawl state store: what has been fetched, what became an article, when sites ran.

An SQLite file beside the data (``<out>/state.sqlite``), in WAL mode so a crawl killed
at any moment leaves it consistent. It only ever speeds up or skips work: everything in
it can be lost without losing a capture, because the WARC files and the dataset are the
truth; `archive state rebuild` makes it again from them (archive.state.rebuild).
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
from archive.errors import StateDamaged, StateError
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
    warc_date TEXT,
    -- fetched as a possible article: it must reach extraction (see `unextracted`)
    candidate INTEGER NOT NULL DEFAULT 0
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
    updated TEXT NOT NULL,
    -- known since a run that walked every list to its end, or to where such a run had been
    confirmed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS articles_site_state ON articles (site, state);
CREATE TABLE IF NOT EXISTS runs (
    site TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    outcome TEXT
);
CREATE INDEX IF NOT EXISTS runs_site ON runs (site, finished);
CREATE TABLE IF NOT EXISTS hubs (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    links TEXT NOT NULL,
    links_digest TEXT NOT NULL,
    last_polled TEXT NOT NULL,
    last_changed TEXT NOT NULL
);
"""

# Columns added since the first release, for state files made before them.
_ADDED_COLUMNS = {"captures": {"candidate": "INTEGER NOT NULL DEFAULT 0"},
                  "articles": {"confirmed": "INTEGER NOT NULL DEFAULT 0"}}

# URLs per IN (...) query: far below SQLite's bound on parameters, large enough for a page's links.
_CHUNK = 500
# What SQLite says of a file that is not (or no longer) a whole database.
_DAMAGE_WORDS = ("malformed", "not a database", "corrupt")


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


@dataclass(frozen=True)
class RestoredCapture:
    """A capture as the WARC files show it, for a state made again from them."""

    url: str
    site: str
    status: int
    etag: str | None
    last_modified: str | None
    payload_digest: str | None
    pointer: WarcPointer
    warc_date: str | None
    candidate: bool


@dataclass(frozen=True)
class ArticleState:
    """What the state knows of an article URL handed to extraction."""

    state: str  # pending | done | not_article
    first_seen: str
    confirmed: bool


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


def state_error(path: Path, exc: sqlite3.Error) -> StateError:
    """The one-line error a failed state operation becomes, with the way out it has."""
    message = " ".join(str(exc).split())
    if any(word in message.lower() for word in _DAMAGE_WORDS):
        return StateDamaged(f"{path}: the crawl state is damaged ({message}); `archive state rebuild --data "
                            f"{path.parent}` makes it again from the WARC files and the dataset")
    if "full" in message.lower():
        return StateError(f"{path}: cannot write the crawl state ({message}); free some space and run again")
    return StateError(f"{path}: crawl state error ({message})")


class CrawlState:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # The reactor thread is the only user; check_same_thread guards nothing here
            # but would stop the pipeline's callbacks that run there too.
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            self._add_missing_columns()
        except sqlite3.Error as exc:
            raise state_error(self.path, exc) from None

    def _add_missing_columns(self) -> None:
        for table, columns in _ADDED_COLUMNS.items():
            present = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            for name, declaration in columns.items():
                if name not in present:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")

    def close(self) -> None:
        self.db.close()

    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise state_error(self.path, exc) from None

    def _write(self, sql: str, params: Sequence = ()) -> int:
        """Run a statement; the id of the row it inserted, if any."""
        try:
            return self.db.execute(sql, params).lastrowid
        except sqlite3.Error as exc:
            raise state_error(self.path, exc) from None

    def _write_many(self, sql: str, rows: list[Sequence]) -> None:
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise state_error(self.path, exc) from None

    def _chunked(self, sql: str, urls: Sequence[str]) -> Iterator[tuple]:
        """`sql` with an ``IN ({})`` of `urls`, one query per chunk (not one per link)."""
        for start in range(0, len(urls), _CHUNK):
            chunk = list(urls[start:start + _CHUNK])
            yield from self._rows(sql.format(",".join("?" * len(chunk))), chunk)

    def check(self) -> None:
        """StateDamaged when SQLite finds the file damaged (a read of every page, no more)."""
        found = self._rows("PRAGMA quick_check")
        if found != [("ok",)]:
            problem = "; ".join(str(row[0]) for row in found[:3])
            raise state_error(self.path, sqlite3.DatabaseError(f"database disk image is malformed: {problem}"))

    # -- captures -----------------------------------------------------------------

    def known(self, url: str) -> KnownCapture | None:
        rows = self._rows(
            "SELECT url, status, etag, last_modified, payload_digest, warc_file, warc_offset, warc_record_id,"
            " warc_date, last_fetched FROM captures WHERE url = ?", (url,))
        if not rows:
            return None
        row = rows[0]
        pointer = WarcPointer(row[5], row[6], row[7]) if row[5] else None
        return KnownCapture(row[0], row[1], row[2], row[3], row[4], pointer, row[8], row[9])

    def record_capture(self, url: str, site: str, status: int, *, etag: str | None, last_modified: str | None,
                       payload_digest: str | None, pointer: WarcPointer | None, warc_date: str | None,
                       candidate: bool = False) -> None:
        """Remember a full capture; for a revisit (no pointer) only the time of the visit.

        A revisit keeps status, validators and pointer of the capture it refers to: that
        capture is what the next revisit will refer to and what the spider is given.
        """
        now = _now()
        if pointer is None:
            self._write("UPDATE captures SET last_fetched = ? WHERE url = ?", (now, url))
            return
        self._write(
            "INSERT INTO captures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET"
            " last_fetched = excluded.last_fetched, status = excluded.status, etag = excluded.etag,"
            " last_modified = excluded.last_modified, payload_digest = excluded.payload_digest,"
            " warc_file = excluded.warc_file, warc_offset = excluded.warc_offset,"
            " warc_record_id = excluded.warc_record_id, warc_date = excluded.warc_date,"
            " candidate = max(candidate, excluded.candidate)",
            (url, site, now, now, status, etag, last_modified, payload_digest,
             pointer.file, pointer.offset, pointer.record_id, warc_date, int(candidate)),
        )

    def capture_statuses(self, urls: Sequence[str]) -> dict[str, int]:
        """The HTTP status of the last capture of each of `urls` that was ever fetched."""
        return dict(self._chunked("SELECT url, status FROM captures WHERE url IN ({})", urls))

    def unextracted(self, site: str) -> list[tuple[str, WarcPointer]]:
        """Pages captured as possible articles that never reached extraction (a run was
        killed between the capture and the hand-over): (url, where it is archived)."""
        rows = self._rows(
            "SELECT c.url, c.warc_file, c.warc_offset, c.warc_record_id FROM captures c"
            " WHERE c.site = ? AND c.candidate = 1 AND c.status = 200 AND c.warc_file IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = c.url)", (site,))
        return [(url, WarcPointer(file, offset, record_id)) for url, file, offset, record_id in rows]

    def restore_captures(self, captures: Sequence[RestoredCapture]) -> None:
        """Captures read from the WARC files, in one transaction (archive.state.rebuild)."""
        self._write_many(
            "INSERT OR REPLACE INTO captures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(c.url, c.site, c.warc_date or _now(), c.warc_date or _now(), c.status, c.etag, c.last_modified,
              c.payload_digest, c.pointer.file, c.pointer.offset, c.pointer.record_id, c.warc_date,
              int(c.candidate)) for c in captures])

    # -- articles -----------------------------------------------------------------

    def article_state(self, url: str) -> ArticleState | None:
        """What is known of an article URL, or None if it was never handed to extraction."""
        return self.article_states([url]).get(url)

    def article_states(self, urls: Sequence[str]) -> dict[str, ArticleState]:
        """article_state of many URLs at once."""
        rows = self._chunked("SELECT url, state, first_seen, confirmed FROM articles WHERE url IN ({})", urls)
        return {url: ArticleState(state, first_seen, bool(confirmed)) for url, state, first_seen, confirmed in rows}

    def article_submitted(self, job: ArticleJob) -> None:
        now = _now()
        family, counter_url = (job.counter.family, job.counter.url) if job.counter else (None, None)
        self._write(
            "INSERT INTO articles VALUES (?, ?, ?, ?, 'pending', ?, ?, NULL, ?, ?, 0) ON CONFLICT(url) DO UPDATE SET"
            " record_id = excluded.record_id, job = excluded.job, state = 'pending',"
            " counter_family = coalesce(excluded.counter_family, counter_family),"
            " counter_url = coalesce(excluded.counter_url, counter_url), updated = excluded.updated",
            (job.url, job.site, job.pointers[0].record_id, job_to_json(job), family, counter_url, now, now),
        )

    def articles_done(self, urls_and_states: list[tuple[str, str]]) -> None:
        now = _now()
        self._write_many("UPDATE articles SET state = ?, updated = ? WHERE url = ?",
                         [(state, now, url) for url, state in urls_and_states])

    def pending_jobs(self, site: str) -> list[ArticleJob]:
        rows = self._rows("SELECT url, site, job FROM articles WHERE site = ? AND state = 'pending'", (site,))
        return [job_from_json(url, site_id, job) for url, site_id, job in rows]

    def restore_articles(self, jobs: Sequence[tuple[ArticleJob, datetime]]) -> None:
        """Articles the dataset holds (done, unconfirmed), with when each was first seen."""
        now = _now()
        self._write_many(
            "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, 'done', NULL, NULL, NULL, ?, ?, 0)",
            [(job.url, job.site, job.pointers[0].record_id, job_to_json(job), first_seen.isoformat(), now)
             for job, first_seen in jobs])

    def confirm_articles(self, site: str) -> None:
        """A run of `site` walked every list to its end, or to articles confirmed before:
        whatever the site's lists hold down to there is now known."""
        self._write("UPDATE articles SET confirmed = 1 WHERE site = ? AND confirmed = 0", (site,))

    def counters_to_refresh(self, site: str, since: timedelta,
                            every: timedelta = timedelta(0)) -> list[tuple[str, str, str]]:
        """(article url, family, counter url) of articles first seen within `since`
        whose count was last read more than `every` ago."""
        now = datetime.now(UTC)
        return self._rows(
            "SELECT url, counter_family, counter_url FROM articles WHERE site = ? AND state = 'done'"
            " AND counter_url IS NOT NULL AND first_seen >= ? AND (counter_read IS NULL OR counter_read < ?)",
            (site, (now - since).isoformat(), (now - every).isoformat()))

    def counter_read(self, url: str, when: datetime) -> None:
        self._write("UPDATE articles SET counter_read = ? WHERE url = ?", (when.astimezone(UTC).isoformat(), url))

    # -- hub pages (archive.state.hubs decides when they are due) ----------------

    def hub(self, url: str) -> tuple[list[str], datetime, datetime] | None:
        """(links, last polled, when its links last changed) of a hub page."""
        rows = self._rows("SELECT links, last_polled, last_changed FROM hubs WHERE url = ?", (url,))
        if not rows:
            return None
        links, polled, changed = rows[0]
        return json.loads(links), datetime.fromisoformat(polled), datetime.fromisoformat(changed)

    def hub_polled(self, url: str, site: str, links: list[str], digest: str) -> None:
        """A hub page was fetched now: its links are those of `digest`, changed or not."""
        now = _now()
        self._write(
            "INSERT INTO hubs VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET links = excluded.links,"
            " last_polled = excluded.last_polled, last_changed = CASE WHEN links_digest = excluded.links_digest"
            " THEN last_changed ELSE excluded.last_changed END, links_digest = excluded.links_digest",
            (url, site, json.dumps(links, ensure_ascii=False), digest, now, now))

    # -- runs ---------------------------------------------------------------------

    def run_started(self, site: str) -> int:
        return self._write("INSERT INTO runs (site, started) VALUES (?, ?)", (site, _now()))

    def run_finished(self, run_id: int, outcome: str) -> None:
        self._write("UPDATE runs SET finished = ?, outcome = ? WHERE rowid = ?", (_now(), outcome, run_id))

    def last_success(self, site: str) -> datetime | None:
        rows = self._rows("SELECT max(finished) FROM runs WHERE site = ? AND outcome = 'finished'", (site,))
        return datetime.fromisoformat(rows[0][0]) if rows and rows[0][0] else None

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


def forget_state(data_dir: Path) -> None:
    """Close this process's store of a data directory (before its file is replaced)."""
    state = _OPEN.pop(DataDir(data_dir).state_file.resolve(), None)
    if state is not None:
        state.close()
