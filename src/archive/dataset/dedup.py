"""One record per cluster of near-duplicate articles, with where its copies are.

Official articles are republished across many sites (a 新华社 通稿 on every portal). The
rows to export are clustered by SimHash distance; each cluster keeps its earliest
published record (then earliest captured, then smallest URL, so the choice is stable)
and that record gets `copies` (how many records the cluster had, itself included) and
the URLs and sites of the others.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from archive.dataset.fingerprint import MAX_DISTANCE, near_duplicate_clusters, simhash

COPY_FIELDS = [
    pa.field("copies", pa.int32()),
    pa.field("copy_urls", pa.list_(pa.string())),
    pa.field("copy_sites", pa.list_(pa.string())),
]
_KEY_COLUMNS = ["url", "site", "warc_record_id", "published_at", "fetched_at", "simhash"]


def row_keys(table: pa.Table | pa.RecordBatch) -> pa.Array:
    """The identity of a row: its URL and WARC record id (null for HTML-file extracts)."""
    record_id = pc.fill_null(table.column("warc_record_id"), "")
    return pc.binary_join_element_wise(table.column("url"), record_id, "\x00")


def _fingerprints(dataset: ds.Dataset, condition, keys: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """SimHash per row and whether it has one; rows written before the column existed get
    it from their text now."""
    values = keys.column("simhash")
    if values.null_count:
        values = _fill_from_text(dataset, condition, keys, values)
    known = pc.is_valid(values).to_numpy(zero_copy_only=False)
    return pc.fill_null(values, 0).to_numpy(), known


def _fill_from_text(dataset: ds.Dataset, condition, keys: pa.Table, values) -> pa.Array:
    missing = pc.is_null(values)
    absent = pc.field("simhash").is_null()
    texts = dataset.to_table(columns=["url", "warc_record_id", "text"],
                             filter=absent if condition is None else condition & absent)
    computed = dict(zip(row_keys(texts).to_pylist(), map(simhash, texts.column("text").to_pylist()), strict=True))
    filled = [computed.get(key) if gap else value
              for key, gap, value in zip(row_keys(keys).to_pylist(), missing.to_pylist(), values.to_pylist(),
                                         strict=True)]
    return pa.array(filled, pa.int64())


class Clusters:
    """The kept row of each cluster and its copies, looked up by row key."""

    def __init__(self, dataset: ds.Dataset, condition, max_distance: int = MAX_DISTANCE) -> None:
        keys = dataset.to_table(columns=_KEY_COLUMNS, filter=condition)
        # Earliest published first, undated last (Arrow sorts nulls last by default); ties
        # by capture time then URL.
        keys = keys.sort_by([("published_at", "ascending"), ("fetched_at", "ascending"), ("url", "ascending")])
        prints, known = _fingerprints(dataset, condition, keys)
        # rows without text are clusters of their own (labels above any row position)
        labels = np.arange(len(prints), dtype=np.int64) + len(prints)
        labels[known] = near_duplicate_clusters(prints[known], max_distance)
        urls, sites = keys.column("url").to_pylist(), keys.column("site").to_pylist()
        members: dict[int, list[int]] = {}
        for position, label in enumerate(labels.tolist()):
            members.setdefault(label, []).append(position)  # in sort order: the first is kept
        kept = [group[0] for group in members.values()]
        self.keys = row_keys(keys).take(pa.array(kept, pa.int64()))
        self.urls = keys.column("url").take(pa.array(kept, pa.int64()))
        groups = list(members.values())
        self.copies = pa.array([len(g) for g in groups], pa.int32())
        self.copy_urls = pa.array([[urls[i] for i in g[1:]] for g in groups], pa.list_(pa.string()))
        self.copy_sites = pa.array([[sites[i] for i in g[1:]] for g in groups], pa.list_(pa.string()))
        self.rows_in = keys.num_rows

    def __len__(self) -> int:
        return len(self.keys)

    def annotate(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Only the kept rows of `batches`, each with its copies columns."""
        for batch in batches:
            where = pc.index_in(row_keys(batch), value_set=self.keys)
            keep = pc.is_valid(where)
            batch, where = batch.filter(keep), where.filter(keep)
            if batch.num_rows == 0:
                continue
            extra = [self.copies.take(where), self.copy_urls.take(where), self.copy_sites.take(where)]
            yield pa.RecordBatch.from_arrays(list(batch.columns) + extra,
                                             schema=pa.schema(list(batch.schema) + COPY_FIELDS))
