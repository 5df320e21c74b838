"""Repair what a killed run left in a data directory, before a site is crawled again.

A run killed mid-write leaves its WARC file under its ``.open`` name, possibly ending in
a torn record, and perhaps a temporary Parquet file or a half-done dataset swap. The WARC
file is cut back to its last whole record and given its final name; the temporary
Parquet files were never part of the dataset and are removed. Jobs whose rows never
reached the dataset are finished by the crawl itself (see the pipeline), from the WARC
records they point to.
"""

from __future__ import annotations

import logging
from pathlib import Path

from archive.datadir import DataDir
from archive.dataset.swap import finish_interrupted
from archive.warc.names import is_unfinished_of
from archive.warc.repair import repair_warc

log = logging.getLogger(__name__)


def recover_data_dir(out: Path, site_ids: list[str]) -> list[tuple[Path, int]]:
    """Repair the leftovers of these sites' earlier runs (their locks must be held)."""
    data = DataDir(out)
    repaired = []
    for path in sorted(data.warc.glob("*.open")):
        if any(is_unfinished_of(path.name, site) for site in site_ids):
            repaired.append(repair_warc(path))
            log.warning("repaired unfinished WARC file %s (%d bytes of a torn record dropped)", *repaired[-1])
    # A dataset swap killed half-way is finished before anything else reads or adds to
    # these sites' rows.
    finish_interrupted(out, site_ids)
    for site in site_ids:
        for leftover in data.partials(site):
            leftover.unlink()
    return repaired
