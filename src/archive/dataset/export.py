"""Writing a selection of the article dataset to Parquet, CSV, JSON Lines or search-engine bulk files."""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import BinaryIO
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from archive.dataset.arrays import string_scalar, utf8_array, with_prefix
from archive.dataset.selection import BATCH_ROWS, Rows
from archive.dataset.times import ZoneRows, iso_text, zone_rows
from archive.errors import InputError
from archive.zones import DEFAULT_ZONE, SiteZones, local_iso

# bulk: action and document line pairs for the Elasticsearch / OpenSearch _bulk API
FORMATS = ("parquet", "csv", "jsonl", "bulk")
# Cells starting with these are run as formulas by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _json_value(value, zone: ZoneInfo):
    if isinstance(value, datetime):
        return local_iso(value, zone)
    if isinstance(value, date):
        return value.isoformat()
    return value


def document_id(row: dict) -> str:
    """A stable id for search engines: the same capture always gets the same id, so indexing
    an export again updates documents instead of adding copies."""
    second = row["warc_record_id"] if "warc_record_id" in row else row.get("observed_at")
    if isinstance(second, datetime):
        second = second.isoformat()
    return hashlib.sha1(f"{row['url']}\x00{second or ''}".encode()).hexdigest()


def write_export(source: Rows, fmt: str, out: BinaryIO, *, bom: bool = False,
                 index: str | None = None, progress: Callable[[int], None] | None = None,
                 zones: SiteZones | None = None) -> int:
    """Write every selected row to `out` in `fmt`; return the row count.

    `bom` starts a CSV with a UTF-8 byte order mark (Excel then reads it as UTF-8); `index`
    names the target index in the actions of the `bulk` format; `progress` is told how
    many rows each batch wrote; `zones` gives each site's zone, in which CSV and JSON
    Lines show its times (default: Beijing time for every site). Parquet keeps UTC.
    """
    if fmt not in FORMATS:
        raise InputError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    tick = progress or (lambda _rows: None)
    if fmt == "parquet":
        return _write_parquet(source, out, tick)
    if fmt == "csv":
        return _write_csv(source, out, tick, bom=bom, zones=zones)
    return _write_jsonl(source, out, tick, bulk=fmt == "bulk", index=index, zones=zones)


def _grouped(batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> Iterator[pa.Table]:
    """Scanner batches (one per file fragment, often small) gathered into large tables:
    row groups of a few hundred rows make a slow file to write and to read."""
    pending, size = [], 0
    for batch in batches:
        pending.append(batch)
        size += batch.num_rows
        if size >= BATCH_ROWS:
            yield pa.Table.from_batches(pending, schema)
            pending, size = [], 0
    if pending:
        yield pa.Table.from_batches(pending, schema)


def _write_parquet(source: Rows, out: BinaryIO, tick) -> int:
    rows = 0
    with pq.ParquetWriter(out, source.schema, compression="zstd") as writer:
        for table in _grouped(source.batches, source.schema):
            writer.write_table(table)
            rows += table.num_rows
            tick(table.num_rows)
    return rows


def _json_cells(column: pa.Array) -> pa.Array:
    """Lists and structs as JSON text; empty lists without a round trip through Python."""
    if not pa.types.is_list(column.type):
        return utf8_array([None if v is None else json.dumps(v, ensure_ascii=False) for v in column.to_pylist()])
    lengths = pc.list_value_length(column)
    filled = pc.and_kleene(lengths.cast(pa.bool_()), pc.is_valid(lengths))
    cells = pc.if_else(pc.is_valid(column), string_scalar("[]"), pa.nulls(1, pa.string())[0])
    if not pc.any(filled).as_py():
        return cells
    dumped = [json.dumps(v, ensure_ascii=False) for v in column.filter(filled).to_pylist()]
    return pc.replace_with_mask(cells, filled, utf8_array(dumped))


def _formula_guarded(text: pa.Array) -> pa.Array:
    """Cells a spreadsheet would run as a formula prefixed with an apostrophe.

    Prefix tests cost a tenth of a regular expression run over every cell: a column
    without a hit is kept as it is, and in one with hits only those cells are rewritten."""
    risky = None
    for start in _FORMULA_STARTS:
        hits = pc.starts_with(text, pattern=start)
        risky = hits if risky is None else pc.or_(risky, hits)
    # null cells (null, not False, here) are not risky; no Python value may enter, see arrays.py
    risky = pc.and_kleene(risky, pc.is_valid(text))
    if not pc.any(risky).as_py():
        return text
    return with_prefix(text, risky, "'")


def _csv_column(column: pa.Array | pa.ChunkedArray, zones: ZoneRows = ((DEFAULT_ZONE, None),)) -> pa.Array:
    """One column as spreadsheet-safe text: ISO 8601 times in each row's zone (`zones`),
    days as YYYY-MM-DD, JSON for lists, and cells a spreadsheet would run as formulas
    prefixed with an apostrophe."""
    if isinstance(column, pa.ChunkedArray):
        column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    kind = column.type
    if pa.types.is_timestamp(kind):
        return iso_text(column, zones)
    if pa.types.is_list(kind) or pa.types.is_struct(kind):
        return _json_cells(column)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_dictionary(kind):
        return _formula_guarded(column.cast(pa.string()) if pa.types.is_dictionary(kind) else column)
    # Numbers as text too: pyarrow's CSV writer (26.0) emitted raw bytes for integer
    # columns sliced out of a dataset scan.
    return column.cast(pa.string())


def _write_csv(source: Rows, out: BinaryIO, tick, *, bom: bool, zones: SiteZones | None) -> int:
    # One Arrow stream for every byte: mixing writes to `out` with Arrow's own writes to
    # the same file put them at the wrong offsets.
    sink = pa.PythonFile(out, mode="w")
    header = (",".join(source.schema.names) + "\r\n").encode("utf-8")
    sink.write((codecs.BOM_UTF8 if bom else b"") + header)
    # quoting "needed" quotes a cell holding the delimiter, a quote or a line break, so
    # the multi-line article texts stay in one cell.
    options = pa_csv.WriteOptions(include_header=False, quoting_style="needed", eol="\r\n")
    rows = 0
    writer = None
    for table in _grouped(source.batches, source.schema):
        # one contiguous array per column: the conversions then cost per byte, not per
        # (often small) file the rows came from
        table = table.combine_chunks()
        rows_of_zone = zone_rows(table.column("site") if "site" in table.column_names else None, zones)
        safe = pa.table([_csv_column(c, rows_of_zone) for c in table.columns], names=table.column_names)
        if writer is None:
            writer = pa_csv.CSVWriter(sink, safe.schema, write_options=options)
        writer.write_table(safe)
        rows += table.num_rows
        tick(table.num_rows)
    if writer is not None:
        writer.close()
    sink.flush()
    return rows


def _write_jsonl(source: Rows, out: BinaryIO, tick, *, bulk: bool, index: str | None,
                 zones: SiteZones | None) -> int:
    zone_of = zones or (lambda _site: DEFAULT_ZONE)
    rows = 0
    for batch in source.batches:
        lines = []
        for row in batch.to_pylist():
            doc_id = document_id(row)
            zone = zone_of(row.get("site"))
            document = {k: _json_value(v, zone) for k, v in row.items()}
            if bulk:
                action = {"_index": index, "_id": doc_id} if index else {"_id": doc_id}
                lines.append(json.dumps({"index": action}, ensure_ascii=False))
            else:
                document = {"_id": doc_id, **document}
            lines.append(json.dumps(document, ensure_ascii=False))
        if lines:
            out.write(("\n".join(lines) + "\n").encode("utf-8"))
        rows += batch.num_rows
        tick(batch.num_rows)
    return rows


