"""Repair what a killed run left in a data directory, before a site is crawled again.

A run killed mid-write leaves its WARC file under its ``.open`` name, possibly ending in
a torn record, and perhaps a temporary Parquet file or a half-done re-extraction swap. The WARC file is cut back to its
last whole record and given its final name; the temporary Parquet files were never part
of the dataset and are removed. Jobs whose rows never reached the dataset are finished
by the crawl itself (see the pipeline), from the WARC records they point to.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from archive.errors import WarcReadError
from archive.warc_reader import scan_record_ends

log = logging.getLogger(__name__)


def repair_warc(path: Path) -> tuple[Path, int]:
    """Cut an unfinished WARC file back to its last whole record and rename it.

    Returns the final path and the number of bytes dropped.
    """
    size = path.stat().st_size
    end = 0
    try:
        for record_end in scan_record_ends(path):
            end = record_end
    except WarcReadError as exc:
        log.warning("%s", exc)
    if end < size:
        with open(path, "r+b") as fh:
            fh.truncate(end)
            os.fsync(fh.fileno())
    final = path.with_name(path.name.removesuffix(".open"))
    if end == 0:
        # Not even the warcinfo record survived: there is nothing to keep.
        path.unlink()
    else:
        os.replace(path, final)
    return final, size - end


def recover_data_dir(out: Path, site_ids: list[str]) -> list[tuple[Path, int]]:
    """Repair the leftovers of these sites' earlier runs (their locks must be held)."""
    repaired = []
    names = [re.compile(rf"^{re.escape(s)}-\d{{20}}-") for s in site_ids]
    for path in sorted((out / "warc").glob("*.warc.gz.open")):
        if any(n.match(path.name) for n in names):
            repaired.append(repair_warc(path))
            log.warning("repaired unfinished WARC file %s (%d bytes of a torn record dropped)", *repaired[-1])
    # A re-extraction killed while swapping its files in is finished before anything else
    # reads or adds to these sites' rows.
    from archive.reextract import finish_interrupted

    finish_interrupted(out, site_ids)
    for site in site_ids:
        for dataset in ("articles", "views"):
            for leftover in (out / dataset / f"site={site}").glob("*/.*.parquet.tmp"):
                leftover.unlink()
    return repaired
