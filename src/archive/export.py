"""Filtered export of the article dataset to Parquet, CSV or JSON Lines."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from archive.errors import InputError
from archive.parquet import open_dataset

FORMATS = ("parquet", "csv", "jsonl")
CHINA = ZoneInfo("Asia/Shanghai")
# Cells starting with these are run as formulas by spreadsheet programs.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def day_start(day: date) -> datetime:
    """Midnight of `day` in China, where the published dates of our sources are counted."""
    return datetime.combine(day, time(0), CHINA).astimezone(UTC)


def article_filter(sites: Sequence[str] = (), since: date | None = None, until: date | None = None):
    """A dataset filter: any of `sites`, published on or after `since`, on or before `until`."""
    condition = None

    def both(a, b):
        return b if a is None else a & b

    if sites:
        condition = both(condition, pc.field("site").isin(list(sites)))
    if since:
        condition = both(condition, pc.field("published_at") >= pa.scalar(day_start(since), pa.timestamp("us", "UTC")))
    if until:
        end = day_start(until + timedelta(days=1))
        condition = both(condition, pc.field("published_at") < pa.scalar(end, pa.timestamp("us", "UTC")))
    return condition


def select(data_dir: Path, sites: Sequence[str] = (), since: date | None = None,
           until: date | None = None) -> ds.Scanner:
    root = Path(data_dir) / "articles"
    if not root.is_dir():
        raise InputError(f"{root}: no article dataset here (run `archive crawl` or `archive demo` first)")
    dataset = open_dataset(root)
    return dataset.scanner(filter=article_filter(sites, since, until), batch_size=65536)


def _safe_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def write_export(scanner: ds.Scanner, fmt: str, out: BinaryIO) -> int:
    """Write every selected row to `out` in `fmt`; return the row count."""
    if fmt not in FORMATS:
        raise InputError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    rows = 0
    if fmt == "parquet":
        with pq.ParquetWriter(out, scanner.projected_schema, compression="zstd") as writer:
            for batch in scanner.to_batches():
                writer.write_batch(batch)
                rows += batch.num_rows
        return rows
    names = scanner.projected_schema.names
    if fmt == "csv":
        import io

        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(names)
        for batch in scanner.to_batches():
            for row in batch.to_pylist():
                writer.writerow([_safe_cell(_csv_value(row[n])) for n in names])
                rows += 1
        text.flush()
        text.detach()
        return rows
    for batch in scanner.to_batches():
        for row in batch.to_pylist():
            line = json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False)
            out.write(line.encode("utf-8") + b"\n")
            rows += 1
    return rows


def _csv_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return value
