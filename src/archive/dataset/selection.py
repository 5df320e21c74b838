"""Which rows an export holds: a site and date filter, and the latest version of each URL.

Read straight from the Parquet files with pyarrow.parquet rather than through a
pyarrow.dataset scan: only the chosen sites' directories are listed, each file's footer
is read once, row groups are skipped by their statistics, and the version keys are
gathered in the same pass as the dates (a dataset scan needed a second one).
`--dedup` still works on a dataset (archive.dataset.dedup).
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from archive.datadir import DataDir
from archive.dataset.arrays import int64_array, numpy_view, string_scalar
from archive.dataset.days import DayRange, printed_day_expression
from archive.dataset.files import check_sites, dataset_files, open_dataset, partition_value
from archive.dataset.fingerprint import MAX_DISTANCE
from archive.dataset.schema import ATTACHMENT_DATASET_SCHEMA, DATASET_SCHEMA, PARTITION_SCHEMA, VIEWS_DATASET_SCHEMA
from archive.errors import DAMAGED_DATASET, InputError, one_line

if TYPE_CHECKING:
    import pyarrow.dataset as ds

BATCH_ROWS = 65536
# Files read ahead of the writer: enough to keep two cores busy, few enough to bound memory.
_READ_AHEAD = 4
_KEY_COLUMNS = ("url", "fetched_at", "warc_record_id")


def date_filter(days: DayRange, sites: Sequence[str] = ()) -> pc.Expression | None:
    """A dataset filter: any of `sites`, the rows' day in `days`."""
    condition = pc.field("site").isin(list(sites)) if sites else None
    in_range = days.expression()
    if in_range is None:
        return condition
    return in_range if condition is None else condition & in_range


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


def _dataset_root(data_dir: Path, name: str) -> Path:
    root = DataDir(data_dir).dataset(name)
    if not root.is_dir():
        kind = {"views": "views history", "attachments": "attachments dataset"}.get(name, "article dataset")
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

    def __init__(self, root: Path, schema: pa.Schema, days: DayRange, sites: Sequence[str], *,
                 keys: bool = False) -> None:
        self.schema = schema
        self.days = days
        self._with_keys = keys
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

    def _plan(self, path: str) -> _File:
        names = Path(path).relative_to(Path(path).parents[2]).parts[:2]
        partition = dict(zip(PARTITION_SCHEMA.names, map(partition_value, names), strict=True))
        with _naming(path), pq.ParquetFile(path) as source:
            metadata = source.metadata
            present = set(source.schema_arrow.names)
            found = _File(path, partition, metadata)
            day_columns = self.days.columns(present)
            outside = self.days.outside(metadata)
            for group in range(metadata.num_row_groups):
                if metadata.row_group(group).num_rows == 0 or outside(group):
                    continue
                mask = None
                if self.days.bounded:
                    if not day_columns:
                        continue
                    mask = self.days.mask(source.read_row_group(group, columns=day_columns, use_threads=False))
                    selected = pc.sum(mask).as_py() or 0
                    if not selected:
                        continue
                    mask = None if selected == len(mask) else mask
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
            elif name == self.days.printed:
                # as the date filter reads it: derived from the instant in files older than the column
                days = self.days.days(table)
                columns.append(pa.nulls(rows, kind) if days is None else days)
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
                max_distance: int = MAX_DISTANCE, attachments: bool = False) -> Rows:
    """The rows to export: articles (latest version of each unless `all_versions`),
    views, or attachments (the latest capture of each file, by the day their article
    prints); articles optionally one record per cluster of near-duplicates (with
    `copies`, `copy_urls`, `copy_sites`)."""
    if dedup and (views or attachments):
        raise InputError(f"--dedup: applies to articles, not to the {'views history' if views else 'attachments'}")
    if attachments:
        root = _dataset_root(data_dir, "attachments")
        check_sites(DataDir(data_dir).articles, sites)
        scan = _Scan(root, ATTACHMENT_DATASET_SCHEMA, DayRange.of(since, until, views=False), sites,
                     keys=not all_versions)
        return Rows(scan.schema, scan.batches(), scan.count)
    root = _dataset_root(data_dir, "views" if views else "articles")
    # Checked against the articles: a site may well have no view counts.
    check_sites(DataDir(data_dir).articles, sites)
    days = DayRange.of(since, until, views=views)
    latest = not views and not all_versions
    if not dedup:
        scan = _Scan(root, VIEWS_DATASET_SCHEMA if views else DATASET_SCHEMA, days, sites, keys=latest)
        return Rows(scan.schema, scan.batches(), scan.count)
    from archive.dataset.dedup import COPY_FIELDS, Clusters

    dataset = open_dataset(root)
    condition = date_filter(days, sites)
    if latest:
        newest = latest_versions(dataset, condition)
        if newest is not None:
            condition = newest if condition is None else condition & newest
    clusters = Clusters(dataset, condition, max_distance)
    kept = pc.field("url").isin(clusters.urls)
    columns = {name: pc.field(name) for name in dataset.schema.names} | {"published_date": printed_day_expression()}
    scanner = dataset.scanner(columns=columns, filter=kept if condition is None else condition & kept,
                              batch_size=BATCH_ROWS)
    schema = pa.schema(list(scanner.projected_schema) + COPY_FIELDS)
    return Rows(schema, clusters.annotate(scanner.to_batches()), clusters.__len__)

