"""The pool of extraction worker processes, shared by crawls, `extract` and `reextract`."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

from archive.jobs.time_bound import DEFAULT_PAGE_SECONDS, set_page_seconds

# The extractor (trafilatura, lxml, dictionaries) and the fingerprint (numpy) take about
# a second to import and only workers use them, so they are imported where they are used:
# the process starting the pool gets to start it at once, and the fork server imports
# them, once for every worker, while that process reads its WARC indexes. Not pyarrow:
# no worker writes Parquet. archive.extract.warm extracts one page as it is imported, so
# the extractor's lazy set-ups are done once in the fork server, not in every worker.
WORKER_MODULES = ("archive.extract", "archive.dataset.fingerprint", "archive.extract.warm",
                  "archive.jobs.article", "archive.jobs.warc_batch")


def worker_pool(workers: int | None = None, preload: Sequence[str] = (),
                page_seconds: float = DEFAULT_PAGE_SECONDS) -> Executor:
    """A process pool for extraction; `preload` names more modules its tasks use, and
    `page_seconds` bounds the time its workers spend on one page (0: no bound).

    forkserver, not fork: the crawler's process runs threads (the reactor's pool) and a
    forked child could inherit a lock held by one of them.
    """
    count = workers or os.cpu_count() or 1
    context = multiprocessing.get_context("forkserver")
    # The fork server imports the extraction code (trafilatura, dictionaries, patterns:
    # over a second) once; workers forked from it start at once and share those pages.
    context.set_forkserver_preload([*WORKER_MODULES, *preload])
    pool = _Pool(max_workers=count, mp_context=context, initializer=_start_worker,
                 initargs=(os.getpid(), page_seconds))
    # Starting a worker waits for the fork server's imports; starting them now, aside,
    # lets that overlap with the caller's own start (reading WARC indexes, opening sites).
    threading.Thread(target=_start_workers, args=(pool, count), daemon=True).start()
    return pool


class _Pool(ProcessPoolExecutor):
    def __exit__(self, exc_type, exc, traceback) -> bool:
        # Left by an exception (Ctrl-C among them): drop the pages still queued instead of
        # extracting them all before the exception goes on (half a minute on a large WARC).
        # Waiting matters: the pool's thread cancels them only while the pool object lives.
        self.shutdown(wait=True, cancel_futures=exc_type is not None)
        return False


def _start_workers(pool: ProcessPoolExecutor, count: int) -> None:
    with contextlib.suppress(RuntimeError):  # the pool was shut down first
        for _ in range(count):
            pool.submit(_ready)


def _start_worker(owner: int, page_seconds: float) -> None:
    """Worker start: bound the time spent on one page, end this worker when the process
    that made the pool ends, and leave Ctrl-C to that process.

    Workers wait on the pool's queue for good; a pool owner killed with -9 (no chance to
    shut its pool down) would leave them running, and the fork server with them. Ctrl-C
    reaches every process of the terminal's group: the owner drops the queued pages and
    waits for the few in hand, where interrupted workers would each print a traceback.
    """
    set_page_seconds(page_seconds)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not hasattr(os, "pidfd_open"):  # Linux only; elsewhere workers end with a clean shutdown alone
        return
    try:
        owner_fd = os.pidfd_open(owner)
    except ProcessLookupError:
        os._exit(1)

    def wait_for_owner() -> None:
        select.select([owner_fd], [], [])  # readable once the owner has exited
        os._exit(1)

    threading.Thread(target=wait_for_owner, name="pool-owner", daemon=True).start()


def _ready() -> None:
    """A task that only makes the pool start one more worker."""
