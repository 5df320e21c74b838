"""Which rows an export holds: a site and date filter, and the latest version of each URL.

Read straight from the Parquet files with pyarrow.parquet rather than through a
pyarrow.dataset scan: only the chosen sites' directories are listed, each file's footer
is read once, row groups are skipped by their statistics, and the version keys are
gathered in the same pass as the dates (a dataset scan needed a second one).
`--dedup` still works on a dataset (archive.dataset.dedup).
"""

from __future__ import annotations

import contextlib
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from archive.datadir import DataDir
from archive.dataset.arrays import int64_array, micros, numpy_view, string_scalar
from archive.dataset.files import check_sites, dataset_files, open_dataset, partition_value
from archive.dataset.fingerprint import MAX_DISTANCE
from archive.dataset.schema import DATASET_SCHEMA, PARTITION_SCHEMA, TIMESTAMP, VIEWS_DATASET_SCHEMA
from archive.errors import DAMAGED_DATASET, InputError, one_line

if TYPE_CHECKING:
    import pyarrow.dataset as ds

BATCH_ROWS = 65536
CHINA = ZoneInfo("Asia/Shanghai")
# Files read ahead of the writer: enough to keep two cores busy, few enough to bound memory.
_READ_AHEAD = 4
_KEY_COLUMNS = ("url", "fetched_at", "warc_record_id")


def day_start(day: date) -> datetime:
    """Midnight of `day` in China, where the published dates of our sources are counted."""
    return datetime.combine(day, time(0), CHINA).astimezone(UTC)


def _bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """The half-open UTC interval [low, high) of the China days `since` .. `until`."""
    return (day_start(since) if since else None), (day_start(until + timedelta(days=1)) if until else None)


def date_filter(column: str, sites: Sequence[str] = (), since: date | None = None, until: date | None = None):
    """A dataset filter: any of `sites`, `column` on or after `since`, on or before `until` (China days)."""
    condition = None

    def both(a, b):
        return b if a is None else a & b

    low, high = _bounds(since, until)
    if sites:
        condition = both(condition, pc.field("site").isin(list(sites)))
    if low:
        condition = both(condition, pc.field(column) >= pa.scalar(low, TIMESTAMP))
    if high:
        condition = both(condition, pc.field(column) < pa.scalar(high, TIMESTAMP))
    return condition


def newest_captures(keys: pa.Table) -> pa.Array | None:
    """The `warc_record_id` of every row of `keys` (url, fetched_at, warc_record_id) that is
    the latest capture of its URL, or None when every URL has one row.

    Ties all count as latest; a row without a capture time never does.
    """
    urls = pc.dictionary_encode(keys.column("url").combine_chunks())
    if len(urls.dictionary) == keys.num_rows:
        return None
    groups = urls.indices
    stamps = keys.column("fetched_at").combine_chunks().cast(pa.int64())
    known = pc.and_(pc.is_valid(groups), pc.is_valid(stamps))
    newest = np.full(len(urls.dictionary), np.iinfo(np.int64).min, np.int64)
    np.maximum.at(newest, numpy_view(groups.filter(known), np.int32), numpy_view(stamps.filter(known), np.int64))
    # null where the URL or the time is missing: the filter drops those rows
    latest = pc.equal(stamps, pc.take(int64_array(newest), groups))
    return keys.column("warc_record_id").filter(latest)


def latest_versions(dataset: ds.Dataset, condition) -> pc.Expression | None:
    """A filter keeping only the latest capture of each URL, or None when every URL has one row.

    Works on two narrow columns, so the texts are read once, by the export itself.
    """
    keep = newest_captures(dataset.to_table(columns=list(_KEY_COLUMNS), filter=condition))
    return None if keep is None else pc.field("warc_record_id").isin(keep)


def _dataset_root(data_dir: Path, views: bool) -> Path:
    root = DataDir(data_dir).dataset("views" if views else "articles")
    if not root.is_dir():
        kind = "views history" if views else "article dataset"
        raise InputError(f"{root}: no {kind} here (run `archive crawl` or `archive demo` first)")
    return root


# -- reading the selection straight from the Parquet files ------------------------------

@dataclass
class _File:
    """A data file and, of its row groups, those holding selected rows: (index, mask), the
    mask None when every row of the group is selected."""

    path: str
    partition: dict[str, str | None]
    metadata: pq.FileMetaData
    groups: list[tuple[int, pa.BooleanArray | None]] = field(default_factory=list)
    keys: list[pa.Table] = field(default_factory=list)


class _Scan:
    """The rows of a dataset directory matching a site and date filter, read with
    pyarrow.parquet: each file's footer once, whole row groups skipped by their
    statistics, and only the date column of row groups without a selected row.

    Rows come in file order (files sorted by path), as a dataset scan gives them.
    """

    def __init__(self, root: Path, schema: pa.Schema, column: str, sites: Sequence[str],
                 since: date | None, until: date | None, *, keys: bool = False) -> None:
        self.schema = schema
        self.column = column
        self.low, self.high = (None if b is None else micros(b) for b in _bounds(since, until))
        self._with_keys = keys
        kind = schema.field(column).type
        self._bound_scalars = tuple(None if b is None else int64_array(np.array([b])).cast(kind)[0]
                                    for b in (self.low, self.high))
        self._pool = ThreadPoolExecutor(max(2, min(4, pa.cpu_count())))
        paths = dataset_files(root, sites or None)
        self.files = [f for f in _in_order(self._pool, self._plan, paths, len(paths)) if f.groups]
        self.keep: pa.Array | None = None
        if keys:
            pieces = [k for f in self.files for k in f.keys]
            keys_table = (pa.concat_tables(pieces) if pieces else
                          pa.schema([schema.field(n) for n in _KEY_COLUMNS]).empty_table())
            self.keep = newest_captures(keys_table)
            for f in self.files:
                f.keys = []
            if self.keep is not None:
                self._kept = pc.sum(pc.is_in(keys_table.column("warc_record_id"), value_set=self.keep)).as_py() or 0

    def _outside(self, metadata: pq.FileMetaData, group: int, leaf: int | None) -> bool:
        """Whether the row group's statistics show none of its dates in range."""
        if leaf is None or (self.low is None and self.high is None):
            return False
        chunk = metadata.row_group(group).column(leaf)
        stats = chunk.statistics
        if stats is None or not stats.has_min_max or chunk.physical_type != "INT64":
            return False
        return ((self.low is not None and stats.max_raw < self.low)
                or (self.high is not None and stats.min_raw >= self.high))

    def _plan(self, path: str) -> _File:
        names = Path(path).relative_to(Path(path).parents[2]).parts[:2]
        partition = dict(zip(PARTITION_SCHEMA.names, map(partition_value, names), strict=True))
        with _naming(path), pq.ParquetFile(path) as source:
            metadata = source.metadata
            present = set(source.schema_arrow.names)
            found = _File(path, partition, metadata)
            leaf = _micros_leaf(metadata, self.column)
            dated = self.low is not None or self.high is not None
            low, high = self._bound_scalars
            for group in range(metadata.num_row_groups):
                if metadata.row_group(group).num_rows == 0 or self._outside(metadata, group, leaf):
                    continue
                mask = None
                if dated:
                    if self.column not in present:
                        continue
                    stamps = source.read_row_group(group, columns=[self.column], use_threads=False).column(0)
                    stamps = stamps.cast(self.schema.field(self.column).type)
                    mask = _in_range(stamps, low, high)
                    selected = pc.sum(mask).as_py() or 0
                    if not selected:
                        continue
                    mask = None if selected == len(stamps) else mask
                found.groups.append((group, mask))
                if self._with_keys:
                    keys = self._conform(source.read_row_group(group, columns=[n for n in _KEY_COLUMNS if n in present],
                                                               use_threads=False), partition, _KEY_COLUMNS)
                    found.keys.append(keys if mask is None else keys.filter(mask))
        return found

    def _conform(self, table: pa.Table, partition: dict[str, str | None], names: Iterable[str]) -> pa.Table:
        """`table` with the columns `names` of the dataset schema: cast where a file stores
        another type, null where it lacks the column, partition values from the path."""
        rows = table.num_rows
        columns = []
        for name in names:
            kind = self.schema.field(name).type
            if name in partition:
                value = partition[name]
                columns.append(pa.nulls(rows, kind) if value is None else
                               pa.repeat(string_scalar(value), rows).cast(kind))
            elif name in table.column_names:
                column = table.column(name)
                columns.append(column if column.type == kind else column.cast(kind))
            else:
                columns.append(pa.nulls(rows, kind))
        return pa.Table.from_arrays(columns, schema=pa.schema([self.schema.field(n) for n in names]))

    def _read(self, found: _File) -> list[pa.RecordBatch]:
        batches = []
        with _naming(found.path), pq.ParquetFile(found.path, metadata=found.metadata) as source:
            present = [n for n in source.schema_arrow.names if n in self.schema.names]
            for group, mask in found.groups:
                table = source.read_row_group(group, columns=present, use_threads=False)
                if mask is not None:
                    table = table.filter(mask)
                if self.keep is not None:
                    table = table.filter(pc.is_in(table.column("warc_record_id"), value_set=self.keep)) \
                        if "warc_record_id" in table.column_names else table.slice(0, 0)
                if table.num_rows:
                    table = self._conform(table, found.partition, self.schema.names)
                    batches += table.to_batches(max_chunksize=BATCH_ROWS)
        return batches

    def batches(self) -> Iterator[pa.RecordBatch]:
        try:
            for batches in _in_order(self._pool, self._read, self.files, _READ_AHEAD):
                yield from batches
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def count(self) -> int:
        if self.keep is not None:
            return self._kept
        return sum(found.metadata.row_group(g).num_rows if mask is None else pc.sum(mask).as_py()
                   for found in self.files for g, mask in found.groups)


@contextlib.contextmanager
def _naming(path: str) -> Iterator[None]:
    """pyarrow's complaint about a file it reads from an open handle, with the file's name."""
    try:
        yield
    except pa.ArrowInvalid as exc:
        raise InputError(f"{DAMAGED_DATASET}: {path}: {one_line(exc)}") from None


def _micros_leaf(metadata: pq.FileMetaData, column: str) -> int | None:
    """The Parquet column of `column` when it is a microsecond timestamp (its statistics
    are then comparable with our bounds), else None."""
    for leaf in range(metadata.num_columns):
        described = metadata.schema.column(leaf)
        if described.path == column:
            kind = json.loads(described.logical_type.to_json())
            return leaf if kind.get("Type") == "Timestamp" and kind.get("timeUnit") == "microseconds" else None
    return None


def _in_range(stamps: pa.ChunkedArray, low: pa.Scalar | None, high: pa.Scalar | None) -> pa.ChunkedArray:
    if low is not None and high is not None:
        return pc.and_kleene(pc.greater_equal(stamps, low), pc.less(stamps, high))
    return pc.greater_equal(stamps, low) if low is not None else pc.less(stamps, high)


def _in_order(pool: ThreadPoolExecutor, work: Callable, items: Sequence, ahead: int) -> Iterator:
    """`work` of each item, in order, with up to `ahead` items in progress in `pool`."""
    pending: deque = deque()
    try:
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) > ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


@dataclass
class Rows:
    """Rows to write: their schema, their batches, and how to count them (for a progress
    bar only: counting may cost a scan of its own)."""

    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]
    count: Callable[[], int]


def select_rows(data_dir: Path, sites: Sequence[str] = (), since: date | None = None, until: date | None = None,
                *, views: bool = False, all_versions: bool = False, dedup: bool = False,
                max_distance: int = MAX_DISTANCE) -> Rows:
    """The rows to export: articles (latest version of each unless `all_versions`) or
    views, optionally one record per cluster of near-duplicates (with `copies`,
    `copy_urls`, `copy_sites`)."""
    if dedup and views:
        raise InputError("--dedup: applies to articles, not to the views history")
    root = _dataset_root(data_dir, views)
    # Checked against the articles: a site may well have no view counts.
    check_sites(DataDir(data_dir).articles, sites)
    column = "observed_at" if views else "published_at"
    latest = not views and not all_versions
    if not dedup:
        scan = _Scan(root, VIEWS_DATASET_SCHEMA if views else DATASET_SCHEMA, column, sites, since, until,
                     keys=latest)
        return Rows(scan.schema, scan.batches(), scan.count)
    from archive.dataset.dedup import COPY_FIELDS, Clusters

    dataset = open_dataset(root)
    condition = date_filter(column, sites, since, until)
    if latest:
        newest = latest_versions(dataset, condition)
        if newest is not None:
            condition = newest if condition is None else condition & newest
    clusters = Clusters(dataset, condition, max_distance)
    kept = pc.field("url").isin(clusters.urls)
    scanner = dataset.scanner(filter=kept if condition is None else condition & kept, batch_size=BATCH_ROWS)
    schema = pa.schema(list(scanner.projected_schema) + COPY_FIELDS)
    return Rows(schema, clusters.annotate(scanner.to_batches()), clusters.__len__)

