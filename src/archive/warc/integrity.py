"""Whether the WARC files the dataset points into are still there, whole.

A finished WARC file is never written again, so damage after the fact (a disk error, a
careless copy, a file cut short by a full backup disk) goes unnoticed until the day the
dataset is rebuilt from it, and the rows pointing into it can then never be made again.
This check is cheap enough for the start of every crawl: two columns of the dataset
(warc_file, warc_offset), one stat per file, and one record read back per file (the one
at the largest offset a row points at, which a file cut short loses first).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.compute as pc

from archive.datadir import DataDir
from archive.errors import WarcReadError
from archive.records import WarcPointer
from archive.warc.names import open_name
from archive.warc.reader import OversizeBody, read_page


@dataclass(frozen=True)
class DamagedWarc:
    path: Path
    fault: str  # what is wrong with it
    rows: int  # dataset rows pointing into it

    def __str__(self) -> str:
        return (f"{self.path}: {self.fault}; {self.rows} dataset rows point into it (the record of truth of "
                f"those articles: restore the file from a backup)")


def damaged_warc_files(data_dir: Path, sites: Sequence[str] = ()) -> list[DamagedWarc]:
    """The archive's WARC files (under DATA/warc) that dataset rows of `sites` (default:
    all) point into but that are missing, shorter than the largest offset pointed at, or
    whose record at that offset cannot be read back."""
    from archive.dataset.files import open_dataset

    data = DataDir(data_dir)
    if not data.articles.is_dir():
        return []
    prefix = data.warc.name + "/"
    condition = pc.starts_with(pc.field("warc_file"), prefix)
    if sites:
        condition = condition & pc.field("site").isin(list(sites))
    table = open_dataset(data.articles).to_table(columns=["warc_file", "warc_offset"], filter=condition)
    grouped = table.group_by("warc_file").aggregate([("warc_offset", "max"), ("warc_offset", "count")])
    damaged = []
    for name, last, rows in zip(*(grouped.column(c).to_pylist() for c in
                                  ("warc_file", "warc_offset_max", "warc_offset_count")), strict=True):
        fault = _fault(data.root / name, last)
        if fault:
            damaged.append(DamagedWarc(data.root / name, fault, rows))
    return sorted(damaged, key=lambda d: str(d.path))


def _fault(path: Path, last_offset: int) -> str | None:
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        # Still being written by a running crawl (or left by a killed one, which the
        # next crawl of the site repairs): not a finished file yet.
        return None if open_name(path).exists() else "missing"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if size <= last_offset:
        return f"cut short: {size} bytes, but a row points at offset {last_offset}"
    try:
        read_page(WarcPointer(str(path), last_offset, ""))
    except OversizeBody:  # whole, and too large to extract: no damage
        return None
    except WarcReadError as exc:
        return f"damaged: {str(exc).removeprefix(f'{path}: ')}"
    return None
