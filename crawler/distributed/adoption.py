"""What a worker gone from a run left behind, taken over by a worker still there.

A worker killed mid-crawl leaves its WARC file unfinished (``.open``, perhaps with a torn
last record), perhaps a temporary Parquet file, and articles fetched whose rows it never
wrote. Its files carry its id in their names (archive.warc.names, archive.dataset.writer),
so they are told apart from those of workers still writing. A worker is gone when Redis
has no beat of it and its lock file (``locks/@<worker>.lock``, held for its whole life)
can be taken: the kernel frees the lock however the process ended, so a worker that only
lost its connection to Redis keeps its files.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from archive.datadir import DataDir
from archive.dataset.writer import part_worker
from archive.errors import ArchiveError
from archive.state import cluster
from archive.state.locks import SiteBusy, SiteLock
from archive.warc.names import site_of, worker_of
from archive.warc.repair import repair_warc

log = logging.getLogger(__name__)


class WorkerLock:
    """The lock a worker holds for its whole life; taking it proves the worker gone."""

    def __init__(self, out: Path, worker: str) -> None:
        # `@` is in no site id: locks/@<worker>.lock is no site's lock
        self.lock = SiteLock(out, f"@{worker}", "crawl worker")
        self.worker = worker

    def take(self) -> bool:
        """Take the lock if it is free; whether it was."""
        try:
            self.lock.acquire()
        except SiteBusy:
            return False
        return True

    def acquire(self) -> WorkerLock:
        if not self.take():
            raise ArchiveError(f"worker id {self.worker} is in use by another running worker (lock "
                               f"{self.lock.path}); give each worker its own --worker-id")
        return self

    def release(self) -> None:
        self.lock.release()


def writes_here(out: Path, worker: str) -> bool:
    """Whether `worker` ever crawled into `out`: its lock file is made when it starts and
    never removed. A worker with a directory of its own (and a bucket the workers upload
    to) has no lock file in another's."""
    return WorkerLock(out, worker).lock.path.exists()


def repair_files_of(out: Path, site_ids: Iterable[str], worker: str | None) -> int:
    """Repair the unfinished WARC files and remove the temporary Parquet files that
    `worker` (None: a crawl of one machine) left for these sites; how many files."""
    data, sites, count = DataDir(out), set(site_ids), 0
    for path in sorted(data.warc.glob("*.warc.gz.open")):
        name = path.name.removesuffix(".open")
        if site_of(name) in sites and worker_of(name) == worker:
            cut = repair_warc(path)
            log.warning("repaired unfinished WARC file %s (%d bytes of a torn record dropped)", *cut)
            count += 1
    for site in sites:
        for leftover in data.partials(site):
            if part_worker(leftover.name) == worker:
                leftover.unlink(missing_ok=True)
                count += 1
    return count


def recover_at_start(out: Path, site_ids: list[str], client, me: str) -> None:
    """Before crawling: repair what this worker's id, crawls of one machine and workers
    gone left for these sites (their shared site locks are held, so no crawl of one
    machine runs)."""
    owners = {worker_of(path.name) for path in DataDir(out).warc.glob("*.warc.gz.open")}
    owners |= {part_worker(path.name) for site in site_ids for path in DataDir(out).partials(site)}
    live = cluster.alive(client, {owner for owner in owners if owner} - {me})
    for owner in owners:
        if owner in (None, me):
            repair_files_of(out, site_ids, owner)
        elif owner not in live:
            _repair_if_gone(out, site_ids, owner)


def _repair_if_gone(out: Path, site_ids: Iterable[str], worker: str) -> bool:
    lock = WorkerLock(out, worker)
    if not writes_here(out, worker) or not lock.take():
        return False
    try:
        repair_files_of(out, site_ids, worker)
    finally:
        lock.release()
    return True


def adopt_leftovers(crawler, out: Path, run) -> None:
    """Take over what the workers gone from `run` left: their files repaired, their
    articles not written extracted by this worker's pipeline (the state hands this worker
    the jobs of workers gone: archive.state.shared)."""
    gone = run.participants() - {run.worker}
    gone -= cluster.alive(run.client, gone)
    repaired = [worker for worker in sorted(gone) if _repair_if_gone(out, [run.site], worker)]
    if not repaired:
        return
    log.warning("site %s: taking over what workers %s left", run.site, ", ".join(repaired))
    crawler.stats.inc_value("archive/workers_taken_over", len(repaired))
    for pipeline in getattr(crawler.engine.scraper.itemproc, "middlewares", ()):
        resume = getattr(pipeline, "_resume", None)
        if resume is not None:
            resume(crawler.spider.site)
