"""Rebuild a site's article rows (views history, attachments) from its WARC files.

The WARC files are the record of truth and the Parquet dataset is derived: after the
extractor improves, `reextract` makes every row again with the current code and swaps
the new files in for the site's old ones (archive.dataset.swap). A row is the capture
(url, warc_record_id), so the rebuilt dataset holds each capture once, never the old
and the new row side by side. Old rows not made from the site's WARC files under
DATA/warc (added by `archive extract --out` from elsewhere) are carried over as they
are: the swap loses nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from archive.changes.dataset import changes_writer
from archive.changes.derive import derive_changes
from archive.datadir import DATASETS, DataDir
from archive.dataset.days import with_printed_days
from archive.dataset.swap import SiteSwap, finish_interrupted, site_files
from archive.dataset.writer import ATTACHMENT_BATCH_ROWS, DatasetWriter
from archive.errors import InputError, one_line
from archive.jobs.pool import worker_pool
from archive.jobs.time_bound import DEFAULT_PAGE_SECONDS
from archive.jobs.warc_batch import extract_warcs
from archive.progress import CountingPool, Progress
from archive.sites import SiteConfig
from archive.state.locks import holding_sites
from archive.warc.names import site_of
from archive.zones import DEFAULT_ZONE

log = logging.getLogger(__name__)


@dataclass
class SiteRebuild:
    """What the rebuild of one site did."""

    site: str
    warc_files: int
    rows: int = 0
    views: int = 0
    old_files: int = 0
    kept_rows: int = 0  # old rows carried over: not made from the WARC files re-extracted
    changes: int = 0  # events of the changes/ dataset
    attachments: int = 0
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
    for path in sorted(DataDir(data_dir).warc.glob("*.warc.gz")):
        site = site_of(path.name)
        if site is not None:
            found.setdefault(site, []).append(path)
    return found


def _relative_warc(record, root: Path):
    if not record.warc_file:
        return record
    return replace(record, warc_file=os.path.relpath(record.warc_file, root))


def _carry_over(swap: SiteSwap, rebuilt_warcs: set[str], rebuilt_urls: set[str], zone: ZoneInfo,
                ) -> tuple[list[Path], int]:
    """Copy into the staging area the old rows this rebuild does not make again, so that
    swapping the site's files loses none: article rows from elsewhere than the WARC files
    re-extracted (`archive extract --out` of a saved page or of a WARC file kept outside
    DATA/warc), given the printed day (in the site's `zone`) where they were written
    without it, and the view readings of articles the rebuild has no row for."""
    kept, rows, root = [], 0, swap.data.root
    for kind in DATASETS:
        for number, path in enumerate(site_files(swap.data, kind, swap.site)):
            try:
                table = pq.read_table(path)
            except (pa.ArrowInvalid, OSError) as exc:
                # What a damaged file held cannot be carried; the rows made from WARC come back.
                log.warning("%s: damaged, replaced by the rows rebuilt from WARC (%s)", path, one_line(exc))
                continue
            if kind == "articles":
                table = with_printed_days(table, zone)
            if kind in ("articles", "attachments"):
                from_rebuilt = pc.is_in(table.column("warc_file"), value_set=_strings(rebuilt_warcs))
            else:
                from_rebuilt = pc.is_in(table.column("url"), value_set=_strings(rebuilt_urls))
            table = table.filter(pc.invert(pc.fill_null(from_rebuilt, False)))
            if table.num_rows:
                target = swap.directory / path.parent.relative_to(root) / f"part-{swap.name}-kept-{number:05d}.parquet"
                target.parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(table, target, compression="zstd")
                kept.append(target)
                rows += table.num_rows
    return kept, rows


def _strings(values: set[str]) -> pa.Array:
    return pa.array(sorted(values), pa.string())


def rebuild_site(data: DataDir, site: str, warcs: Sequence[Path], config: SiteConfig | None,
                 pool, progress: Progress) -> SiteRebuild:
    """Extract the site's WARC files again and swap the new rows in (the caller holds the lock)."""
    outcome = SiteRebuild(site, len(warcs))
    result = extract_warcs(list(warcs), CountingPool(pool, progress), site=site, config=config)
    # the edits and takedowns of the articles, from their visits (archive.changes.derive)
    history = derive_changes(warcs, result.records, pool, site=site, config=config) if not result.errors else None
    if result.errors or history.errors:
        # A damaged WARC file would lose the rows after the damage: keep the old ones.
        outcome.errors = result.errors or history.errors
        return outcome
    swap = SiteSwap(data, site)
    articles = DatasetWriter(swap.staged("articles"))
    for record in result.records:
        articles.add(_relative_warc(record, data.root))
    articles.close()
    views = DatasetWriter(swap.staged("views"), views=True)
    for row in result.views:
        views.add(row)
    views.close()
    changes = changes_writer(swap.staged("changes"))
    for event in history.events:
        changes.add(event)
    changes.close()
    files = DatasetWriter(swap.staged("attachments"), attachments=True, batch_size=ATTACHMENT_BATCH_ROWS)
    for row in result.attachments:
        files.add(_relative_warc(row, data.root))
    files.close()
    rebuilt_urls = {record.url for record in result.records}
    zone = ZoneInfo(config.timezone) if config else DEFAULT_ZONE
    kept, outcome.kept_rows = _carry_over(swap, {os.path.relpath(w, data.root) for w in warcs}, rebuilt_urls, zone)
    old = swap.commit(articles.files + views.files + changes.files + files.files + kept)
    outcome.rows, outcome.views, outcome.old_files = articles.rows_written, views.rows_written, len(old)
    outcome.changes, outcome.attachments = changes.rows_written, files.rows_written
    return outcome


def reextract(data_dir: Path, sites: Sequence[str] = (), *, workers: int | None = None,
              configs: dict[str, SiteConfig] | None = None, progress: bool | None = None,
              page_seconds: float = DEFAULT_PAGE_SECONDS) -> list[SiteRebuild]:
    """Rebuild the chosen sites (default: every site with WARC files) from their WARC files.

    A page whose extraction takes longer than `page_seconds` is an error of its site,
    which keeps its old rows."""
    data = DataDir(data_dir)
    available = warc_files_by_site(data.root)
    if not available and not sites:
        raise InputError(f"{data.warc}: no WARC files to re-extract")
    missing = [s for s in sites if s not in available]
    if missing:
        raise InputError(f"{data.warc}: no WARC files of site {', '.join(map(repr, missing))}")
    chosen = list(dict.fromkeys(sites)) or sorted(available)
    with holding_sites(data.root, chosen, "re-extraction", "re-extraction needs the site to itself"):
        finish_interrupted(data.root, chosen)
        outcomes = []
        with worker_pool(workers, page_seconds=page_seconds) as pool:
            for site in chosen:
                with Progress(f"{site:<12}", enabled=progress) as bar:
                    config = (configs or {}).get(site)
                    outcomes.append(rebuild_site(data, site, available[site], config, pool, bar))
        return outcomes
