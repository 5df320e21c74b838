"""Replacing a site's files in a dataset all at once, through a journal.

The swap, crash by crash:

1. new files are written (and fsynced) under ``DATA/.reextract/<site>@<run>/``, a
   directory no reader of ``articles/`` or ``views/`` looks at. A crash here leaves the
   old dataset whole; the orphaned staging directory is removed by the next run.
2. a journal ``DATA/.reextract/<site>@<run>.journal`` naming the files to move in and
   the old files to delete is written atomically (temporary name, fsync, rename). This
   is the commit point.
3. the new files are renamed into place, the old files deleted, then the journal and
   the staging directory. A crash between the first rename and the journal's removal
   leaves old and new rows of that site side by side: the next swap or crawl of that
   site finds the journal and finishes the moves and deletions, which are safe to repeat.

The caller holds the site's lock throughout, so no crawl adds rows the swap could miss.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from archive.datadir import DATASETS, DataDir


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SiteSwap:
    """The staging area of one site's swap: write the new files under `staged(name)`, then `commit`."""

    def __init__(self, data: DataDir, site: str) -> None:
        self.data = data
        self.site = site
        self.run = f"{site}@{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
        self.directory = data.staging / self.run

    @property
    def name(self) -> str:
        """What makes this swap's file names unique."""
        return self.run.rsplit("@", 1)[1]

    def staged(self, dataset: str) -> Path:
        """Where the new files of `dataset` are written before the swap."""
        return self.directory / dataset

    def commit(self, new_files: Sequence[Path]) -> list[Path]:
        """Put `new_files` (under the staging directory) in place of every file of the
        site; returns the old files it deleted."""
        for path in new_files:
            fsync_file(path)
        old = [p for dataset in DATASETS for p in site_files(self.data, dataset, self.site)]
        journal = {
            "site": self.site,
            "moves": [[str(p.relative_to(self.data.root)), str(p.relative_to(self.directory))] for p in new_files],
            "deletes": [str(p.relative_to(self.data.root)) for p in old],
        }
        journal_path = self.data.staging / f"{self.run}.journal"
        _write_journal(journal_path, journal)
        _apply_journal(self.data.root, journal_path)
        return old


def site_files(data: DataDir, dataset: str, site: str) -> list[Path]:
    return sorted((data.dataset(dataset) / f"site={site}").glob("capture_date=*/*.parquet"))


def _write_journal(path: Path, journal: dict) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(journal, ensure_ascii=False, indent=1), encoding="utf-8")
    fsync_file(partial)
    os.replace(partial, path)
    fsync_file(path.parent)


def _apply_journal(root: Path, journal_path: Path) -> None:
    """Moves then deletions, each skipped when already done: safe to run again after a crash."""
    journal = json.loads(journal_path.read_text(encoding="utf-8"))
    for staged, final in journal["moves"]:
        source, target = root / staged, root / final
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for old in journal["deletes"]:
        (root / old).unlink(missing_ok=True)
    for old in journal["deletes"]:
        for directory in ((root / old).parent, (root / old).parent.parent):
            with contextlib.suppress(OSError):
                directory.rmdir()  # only when empty
    journal_path.unlink()
    shutil.rmtree(journal_path.with_suffix(""), ignore_errors=True)


def _staging_site(name: str) -> str:
    return name.removesuffix(".journal").rsplit("@", 1)[0]


def sites_mid_swap(data_dir: Path) -> set[str]:
    """The sites with a swap committed and not yet finished: their dataset holds old and new
    files side by side until it is."""
    staging = DataDir(data_dir).staging
    return {_staging_site(journal.name) for journal in staging.glob("*.journal")} if staging.is_dir() else set()


def finish_interrupted(data_dir: Path, sites: Sequence[str]) -> list[str]:
    """Complete the swaps a crash interrupted and drop abandoned staging directories, for
    the given sites (whose locks the caller holds). Returns the sites it completed."""
    data = DataDir(data_dir)
    staging = data.staging
    if not staging.is_dir():
        return []
    completed = []
    for journal in sorted(staging.glob("*.journal")):
        if _staging_site(journal.name) in sites:
            _apply_journal(data.root, journal)
            completed.append(_staging_site(journal.name))
    for directory in staging.iterdir():
        if directory.is_dir() and _staging_site(directory.name) in sites \
                and not directory.with_name(directory.name + ".journal").exists():
            shutil.rmtree(directory)
    return completed
