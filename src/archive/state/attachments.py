"""The crawl state of attachments: which files were read, which rows are not on disk yet,
and which archived file holds the same bytes as a new one.

A table of its own in the crawl state's SQLite file (archive.state.store), holding per
attachment URL the capture to read it from, and its sha1 and status once read. A row is
`pending` from the moment its file is handed to a worker until the row is in a Parquet
file, so a crawl killed in between leaves the row for the next run to make again from
the WARC record; an article linking a file archived before gets its sha1 and status from
here without the file being fetched again. Like all the state, it only saves work:
`archive reextract` makes the same rows from the WARC files alone.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from archive.records import Attachment, AttachmentCapture, WarcPointer
from archive.state.store import CrawlState, KnownCapture, state_error

SCHEMA = """
CREATE TABLE IF NOT EXISTS attachments (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    capture TEXT NOT NULL,
    sha1 TEXT,
    status TEXT,
    -- pending (its row not on disk yet) | done | not_a_file (the link answered a web page)
    state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attachments_pending ON attachments (site, state);
-- the address each file's bytes were first archived at: the same file met at another
-- address is archived as a revisit of that capture
CREATE TABLE IF NOT EXISTS attachment_files (
    site TEXT NOT NULL,
    digest TEXT NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (site, digest)
);
"""


@dataclass(frozen=True)
class Outcome:
    sha1: str | None
    status: str | None


class AttachmentLedger:
    """The attachments table of a crawl state (the same SQLite connection)."""

    def __init__(self, state: CrawlState) -> None:
        self.state = state
        # made with the first attachment: a crawl of sites without any leaves the state as it was
        self._ready = False

    def _run(self, work):
        try:
            if not self._ready:
                self.state.db.executescript(SCHEMA)
                self._ready = True
            return work(self.state.db)
        except sqlite3.Error as exc:
            raise state_error(self.state.path, exc) from None

    def _exists(self) -> bool:
        try:
            return bool(self.state.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attachments'").fetchone())
        except sqlite3.Error as exc:
            raise state_error(self.state.path, exc) from None

    def submitted(self, capture: AttachmentCapture) -> None:
        """The file of `capture` is being read: its row is pending until `written`."""
        self._run(lambda db: db.execute(
            "INSERT INTO attachments VALUES (?, ?, ?, NULL, NULL, 'pending') ON CONFLICT(url) DO UPDATE SET"
            " capture = excluded.capture, state = 'pending'", (capture.url, capture.site, capture_json(capture))))

    def read(self, url: str, sha1: str | None, status: str) -> None:
        """The file at `url` was read: its outcome, for the articles linking it later."""
        self._run(lambda db: db.execute("UPDATE attachments SET sha1 = ?, status = ? WHERE url = ?",
                                        (sha1, status, url)))

    def not_a_file(self, url: str) -> None:
        self._run(lambda db: db.execute("UPDATE attachments SET state = 'not_a_file' WHERE url = ?", (url,)))

    def written(self, urls: Sequence[str]) -> None:
        """The rows of these attachments are in a Parquet file on disk."""
        def mark(db):
            with db:
                db.execute("BEGIN")
                db.executemany("UPDATE attachments SET state = 'done' WHERE url = ? AND state = 'pending'",
                               [(url,) for url in urls])
        self._run(mark)

    def pending(self, site: str) -> list[AttachmentCapture]:
        """The attachments of `site` whose rows a killed run never wrote."""
        if not self._ready and not self._exists():
            return []
        rows = self._run(lambda db: db.execute(
            "SELECT url, site, capture FROM attachments WHERE site = ? AND state = 'pending'", (site,)).fetchall())
        return [capture_from_json(url, site_id, text) for url, site_id, text in rows]

    def outcomes(self, urls: Sequence[str]) -> dict[str, Outcome]:
        """The sha1 and status of those of `urls` read before, or being read (neither yet),
        or found to be no file (neither)."""
        found: dict[str, Outcome] = {}
        for start in range(0, len(urls), 500):
            chunk = list(urls[start:start + 500])
            rows = self._run(lambda db, chunk=chunk: db.execute(
                f"SELECT url, sha1, status FROM attachments WHERE url IN ({','.join('?' * len(chunk))})",
                chunk).fetchall())
            found.update({url: Outcome(sha1, status) for url, sha1, status in rows})
        return found

    def same_file(self, site: str, digest: str) -> KnownCapture | None:
        """The capture of `site` holding exactly the payload of `digest` (WARC-Payload-Digest),
        which a new download of the same file is archived as a revisit of."""
        rows = self._run(lambda db: db.execute("SELECT url FROM attachment_files WHERE site = ? AND digest = ?",
                                               (site, digest)).fetchall())
        known = self.state.known(rows[0][0]) if rows else None
        return known if known is not None and known.status == 200 and known.pointer is not None else None

    def file_archived(self, site: str, digest: str, url: str) -> None:
        """`url` holds the bytes of `digest`, unless an earlier address does."""
        self._run(lambda db: db.execute("INSERT OR IGNORE INTO attachment_files VALUES (?, ?, ?)", (site, digest, url)))


def attachment_ledger(state) -> AttachmentLedger:
    """The ledger of a crawl state: its SQLite file, or the Redis of a crawl shared by
    many machines (archive.state.shared_attachments)."""
    if isinstance(state, CrawlState):
        return AttachmentLedger(state)
    from archive.state.shared_attachments import RedisAttachmentLedger

    return RedisAttachmentLedger(state)


def known_outcome(link: Attachment, found: Outcome | None) -> Attachment:
    return link if found is None or found.status is None else Attachment(link.title, link.url, found.sha1,
                                                                         found.status)


def capture_json(capture: AttachmentCapture) -> str:
    return json.dumps({
        "article": capture.article_url, "title": capture.title,
        "pointer": [capture.pointer.file, capture.pointer.offset, capture.pointer.record_id],
        "published": capture.published_date.isoformat() if capture.published_date else None,
        "fetched": capture.fetched_at.isoformat() if capture.fetched_at else None,
    }, ensure_ascii=False)


def capture_from_json(url: str, site: str, text: str) -> AttachmentCapture:
    data = json.loads(text)
    return AttachmentCapture(
        site=site, article_url=data["article"], url=url, title=data["title"], pointer=WarcPointer(*data["pointer"]),
        published_date=date.fromisoformat(data["published"]) if data["published"] else None,
        fetched_at=datetime.fromisoformat(data["fetched"]) if data["fetched"] else None)
