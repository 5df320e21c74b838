"""Writing rows into a dataset: whole new files only, never an old file touched."""

from __future__ import annotations

import os
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from archive.datadir import DataDir, partial_name
from archive.dataset import schema
from archive.dataset.files import written_keys

if TYPE_CHECKING:
    from archive.records import ArticleRecord, AttachmentRow

# Attachment rows per file: each may hold megabytes of text.
ATTACHMENT_BATCH_ROWS = 200


# Between a file's run and the id of the worker that wrote it: part-<run>.w.<worker>-<n>.parquet
WORKER_MARK = ".w."


def part_worker(name: str) -> str | None:
    """The worker id a dataset file's name (finished or temporary) carries, if any."""
    if WORKER_MARK not in name:
        return None
    return name.rsplit(WORKER_MARK, 1)[1].split("-", 1)[0] or None


def _day(moment: datetime | None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d")


def _articles_table(records):
    return schema.records_table(records)


class DatasetWriter:
    """Writes rows into a dataset partitioned by site and capture (or observation) day:
    articles, view readings (`views`) or attachments (`attachments`).

    Each flush writes complete new files (never appends to or rewrites an existing one),
    first under a temporary name then renamed, so a crash leaves either a whole file or
    none, and earlier runs' files are never touched. `flush` returns the rows it wrote,
    so a caller can record them as done only once they are safely on disk.
    """

    def __init__(self, root: Path, *, batch_size: int = 5000, views: bool = False, attachments: bool = False,
                 worker: str | None = None, table_of: Callable[[list], pa.Table] | None = None) -> None:
        """Rows are articles, view readings with `views`, attachments with `attachments`,
        or any rows with a `site` and a `fetched_at` that `table_of` makes into a table
        (archive.changes.dataset)."""
        self.root = Path(root)
        self.batch_size = batch_size
        self._table = table_of or (schema.views_table if views else schema.attachments_table if attachments
                                   else _articles_table)
        self._moment = (lambda r: r.observed_at) if views else (lambda r: r.fetched_at)
        self.run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(4)
        if worker:
            # a worker of a crawl shared by many machines says whose files these are
            self.run_id += WORKER_MARK + worker
        self.files: list[Path] = []
        self.rows_written = 0
        self._pending: list = []
        self._serial = 0

    @property
    def held(self) -> int:
        """Rows added and not written yet."""
        return len(self._pending)

    def add(self, row) -> list:
        self._pending.append(row)
        return self.flush() if len(self._pending) >= self.batch_size else []

    def flush(self) -> list:
        groups: dict[tuple[str, str], list] = defaultdict(list)
        for row in self._pending:
            groups[(row.site, _day(self._moment(row)))].append(row)
        written, self._pending = self._pending, []
        for (site, day), rows in sorted(groups.items()):
            directory = self.root / f"site={site}" / f"capture_date={day}"
            directory.mkdir(parents=True, exist_ok=True)
            self._serial += 1
            final = directory / f"part-{self.run_id}-{self._serial:05d}.parquet"
            partial = final.with_name(partial_name(final.name))
            pq.write_table(self._table(rows), partial, compression="zstd")
            os.replace(partial, final)
            self.files.append(final)
            self.rows_written += len(rows)
        return written

    def close(self) -> list:
        return self.flush()


def append_new(data: DataDir, records: Iterable[ArticleRecord], views: Iterable[schema.ViewsRow],
               attachments: Iterable[AttachmentRow] = ()) -> tuple[int, int]:
    """Add to a dataset the rows it does not hold yet; (rows written, rows already there).

    A second run over the same files (or one finishing what a killed run began) writes
    only what is missing. A capture is its WARC record; a saved page, which has none, is
    its URL and text.
    """
    def capture(record_id, url, text_sha1):
        return (record_id,) if record_id is not None else (None, url, text_sha1)

    stored = {capture(*key) for key in written_keys(data.articles, ["warc_record_id", "url", "content_sha1"])}
    articles, offered = DatasetWriter(data.articles), 0
    for record in records:
        offered += 1
        key = capture(record.warc_record_id, record.url, record.content_sha1)
        if key not in stored:
            articles.add(record)
            stored.add(key)
    articles.close()
    stored_views = written_keys(data.views, ["url", "observed_at"])
    readings = DatasetWriter(data.views, views=True)
    for row in views:
        if (row.url, row.observed_at) not in stored_views:
            readings.add(row)
            stored_views.add((row.url, row.observed_at))
    readings.close()
    stored_files = written_keys(data.attachments, ["url", "warc_record_id"])
    files = DatasetWriter(data.attachments, attachments=True, batch_size=ATTACHMENT_BATCH_ROWS)
    for row in attachments:
        if (row.url, row.warc_record_id) not in stored_files:
            files.add(row)
            stored_files.add((row.url, row.warc_record_id))
    files.close()
    return articles.rows_written, offered - articles.rows_written
