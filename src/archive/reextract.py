"""Rebuild a site's article rows (and views history) from its WARC files.

The WARC files are the record of truth and the Parquet dataset is derived: after the
extractor improves, `reextract` makes every row again with the current code and swaps
the new files in for the site's old ones. A row is the capture (url, warc_record_id), so
the rebuilt dataset holds each capture once, never the old and the new row side by side.
Old rows not made from the site's WARC files under DATA/warc (added by `archive extract
--out` from elsewhere) are carried over as they are: the swap loses nothing.

The swap, crash by crash:

1. new files are written (and fsynced) under ``DATA/.reextract/<site>@<run>/``, a
   directory no reader of ``articles/`` or ``views/`` looks at. A crash here leaves the
   old dataset whole; the orphaned staging directory is removed by the next run.
2. a journal ``DATA/.reextract/<site>@<run>.journal`` naming the files to move in and
   the old files to delete is written atomically (temporary name, fsync, rename). This
   is the commit point.
3. the new files are renamed into place, the old files deleted, then the journal and
   the staging directory. A crash between the first rename and the journal's removal
   leaves old and new rows of that site side by side: the next `archive reextract`
   (of any site) finds the journal and finishes the moves and deletions, which are safe
   to repeat.

The site's crawl lock is held throughout, so no crawl adds rows the swap could miss.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from archive.errors import InputError, one_line
from archive.extraction import extract_warcs, worker_pool
from archive.locks import SiteBusy, SiteLock
from archive.parquet import DatasetWriter
from archive.progress import CountingPool, Progress
from archive.sites import SiteConfig

log = logging.getLogger(__name__)

# <site>-<UTC time, 20 digits>-<serial>-...warc.gz, as the crawler names them
_WARC_NAME = re.compile(r"^(?P<site>.+)-\d{20}-\d{5}-.+\.warc\.gz$")
STAGING = ".reextract"
DATASETS = ("articles", "views")


@dataclass
class SiteRebuild:
    """What the rebuild of one site did."""

    site: str
    warc_files: int
    rows: int = 0
    views: int = 0
    old_files: int = 0
    kept_rows: int = 0  # old rows carried over: not made from the WARC files re-extracted
    errors: list[str] = field(default_factory=list)

    @property
    def replaced(self) -> bool:
        return not self.errors


def warc_files_by_site(data_dir: Path) -> dict[str, list[Path]]:
    """The finished WARC files under DATA/warc, by the site id in their names.

    Files still named ``*.open`` belong to a crawl in progress or a killed one that the
    site's next crawl repairs; they are left out.
    """
    found: dict[str, list[Path]] = {}
    for path in sorted((Path(data_dir) / "warc").glob("*.warc.gz")):
        match = _WARC_NAME.match(path.name)
        if match:
            found.setdefault(match["site"], []).append(path)
    return found


def _site_files(data_dir: Path, kind: str, site: str) -> list[Path]:
    return sorted((Path(data_dir) / kind / f"site={site}").glob("capture_date=*/*.parquet"))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_journal(path: Path, journal: dict) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(journal, ensure_ascii=False, indent=1), encoding="utf-8")
    _fsync(partial)
    os.replace(partial, path)
    _fsync(path.parent)


def _apply_journal(data_dir: Path, journal_path: Path) -> None:
    """Moves then deletions, each skipped when already done: safe to run again after a crash."""
    journal = json.loads(journal_path.read_text(encoding="utf-8"))
    for staged, final in journal["moves"]:
        source, target = data_dir / staged, data_dir / final
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for old in journal["deletes"]:
        (data_dir / old).unlink(missing_ok=True)
    for old in journal["deletes"]:
        for directory in ((data_dir / old).parent, (data_dir / old).parent.parent):
            with contextlib.suppress(OSError):
                directory.rmdir()  # only when empty
    journal_path.unlink()
    shutil.rmtree(journal_path.with_suffix(""), ignore_errors=True)


def _staging_site(name: str) -> str:
    return name.removesuffix(".journal").rsplit("@", 1)[0]


def finish_interrupted(data_dir: Path, sites: Sequence[str]) -> list[str]:
    """Complete the swaps a crash interrupted and drop abandoned staging directories, for
    the given sites (whose locks the caller holds). Returns the sites it completed."""
    staging = Path(data_dir) / STAGING
    if not staging.is_dir():
        return []
    completed = []
    for journal in sorted(staging.glob("*.journal")):
        if _staging_site(journal.name) in sites:
            _apply_journal(Path(data_dir), journal)
            completed.append(_staging_site(journal.name))
    for directory in staging.iterdir():
        if directory.is_dir() and _staging_site(directory.name) in sites \
                and not directory.with_name(directory.name + ".journal").exists():
            shutil.rmtree(directory)
    return completed


def _relative_warc(record, data_dir: Path):
    if not record.warc_file:
        return record
    return replace(record, warc_file=os.path.relpath(record.warc_file, data_dir))


def _carry_over(data_dir: Path, site: str, staging: Path, run: str, rebuilt_warcs: set[str],
                rebuilt_urls: set[str]) -> tuple[list[Path], int]:
    """Copy into the staging area the old rows this rebuild does not make again, so that
    swapping the site's files loses none: article rows from elsewhere than the WARC files
    re-extracted (`archive extract --out` of a saved page or of a WARC file kept outside
    DATA/warc), and the view readings of articles the rebuild has no row for."""
    kept, rows, name = [], 0, run.rsplit("@", 1)[1]
    for kind in DATASETS:
        for number, path in enumerate(_site_files(data_dir, kind, site)):
            try:
                table = pq.read_table(path)
            except (pa.ArrowInvalid, OSError) as exc:
                # What a damaged file held cannot be carried; the rows made from WARC come back.
                log.warning("%s: damaged, replaced by the rows rebuilt from WARC (%s)", path, one_line(exc))
                continue
            if kind == "articles":
                from_rebuilt = pc.is_in(table.column("warc_file"), value_set=_strings(rebuilt_warcs))
            else:
                from_rebuilt = pc.is_in(table.column("url"), value_set=_strings(rebuilt_urls))
            table = table.filter(pc.invert(pc.fill_null(from_rebuilt, False)))
            if table.num_rows:
                target = staging / path.parent.relative_to(data_dir) / f"part-{name}-kept-{number:05d}.parquet"
                target.parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(table, target, compression="zstd")
                kept.append(target)
                rows += table.num_rows
    return kept, rows


def _strings(values: set[str]) -> pa.Array:
    return pa.array(sorted(values), pa.string())


def rebuild_site(data_dir: Path, site: str, warcs: Sequence[Path], config: SiteConfig | None,
                 pool, progress: Progress) -> SiteRebuild:
    """Extract the site's WARC files again and swap the new rows in (the caller holds the lock)."""
    data_dir = Path(data_dir)
    outcome = SiteRebuild(site, len(warcs))
    result = extract_warcs(list(warcs), CountingPool(pool, progress), site=site, config=config)
    if result.errors:
        # A damaged WARC file would lose the rows after the damage: keep the old ones.
        outcome.errors = result.errors
        return outcome
    run = f"{site}@{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
    staging = data_dir / STAGING / run
    articles = DatasetWriter(staging / "articles")
    for record in result.records:
        articles.add(_relative_warc(record, data_dir))
    articles.close()
    views = DatasetWriter(staging / "views", views=True)
    for row in result.views:
        views.add(row)
    views.close()
    rebuilt_urls = {record.url for record in result.records}
    kept, outcome.kept_rows = _carry_over(data_dir, site, staging, run, {os.path.relpath(w, data_dir) for w in warcs},
                                          rebuilt_urls)
    new_files = articles.files + views.files + kept
    for path in new_files:
        _fsync(path)
    old = [p for kind in DATASETS for p in _site_files(data_dir, kind, site)]
    journal = {
        "site": site,
        "moves": [[str(p.relative_to(data_dir)), str(p.relative_to(staging))] for p in new_files],
        "deletes": [str(p.relative_to(data_dir)) for p in old],
    }
    journal_path = data_dir / STAGING / f"{run}.journal"
    _write_journal(journal_path, journal)
    _apply_journal(data_dir, journal_path)
    outcome.rows, outcome.views, outcome.old_files = articles.rows_written, views.rows_written, len(old)
    return outcome


def reextract(data_dir: Path, sites: Sequence[str] = (), *, workers: int | None = None,
              configs: dict[str, SiteConfig] | None = None, progress: bool | None = None) -> list[SiteRebuild]:
    """Rebuild the chosen sites (default: every site with WARC files) from their WARC files."""
    data_dir = Path(data_dir)
    available = warc_files_by_site(data_dir)
    if not available and not sites:
        raise InputError(f"{data_dir / 'warc'}: no WARC files to re-extract")
    missing = [s for s in sites if s not in available]
    if missing:
        raise InputError(f"{data_dir / 'warc'}: no WARC files of site {', '.join(map(repr, missing))}")
    chosen = list(dict.fromkeys(sites)) or sorted(available)
    locks = []
    try:
        for site in chosen:
            locks.append(SiteLock(data_dir, site).acquire())
        finish_interrupted(data_dir, chosen)
        outcomes = []
        with worker_pool(workers) as pool:
            for site in chosen:
                with Progress(f"{site:<12}", enabled=progress) as bar:
                    config = (configs or {}).get(site)
                    outcomes.append(rebuild_site(data_dir, site, available[site], config, pool, bar))
        return outcomes
    except SiteBusy as exc:
        raise SiteBusy(f"{exc} (re-extraction needs the site to itself)") from None
    finally:
        for lock in locks:
            lock.release()
