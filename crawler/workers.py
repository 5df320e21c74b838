"""The extraction workers of a crawl process, shared by every site it crawls at once.

The spider hands each fetched page to them (links, and an article's record) and the
pipeline hands them multi-page articles; results come back as Deferreds fired in the
reactor's thread, so callbacks never block the reactor while a page is parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from twisted.internet import defer

from archive.jobs.pool import worker_pool

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

# Imported by the fork server once, for every worker: the crawl's own worker code.
CRAWL_WORKER_MODULES = ("crawler.page_work",)


class SharedPool:
    """One process pool for the crawl process: the first user starts it, the last one stops it."""

    def __init__(self) -> None:
        self.pool: Executor | None = None
        self.users = 0

    def acquire(self, settings: BaseSettings) -> SharedPool:
        """Use the pool; the first user starts it with the crawl's settings
        (ARCHIVE_EXTRACT_WORKERS workers, ARCHIVE_EXTRACT_TIMEOUT seconds a page)."""
        if self.pool is None:
            self.pool = worker_pool(settings.getint("ARCHIVE_EXTRACT_WORKERS") or None, preload=CRAWL_WORKER_MODULES,
                                    page_seconds=settings.getfloat("ARCHIVE_EXTRACT_TIMEOUT"))
        self.users += 1
        return self

    def release(self) -> None:
        self.users -= 1
        if self.users == 0 and self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None

    def submit(self, function: Callable[..., Any], *args: Any) -> defer.Deferred:
        """Run `function(*args)` in a worker; the Deferred fires in the reactor with its result or error."""
        from twisted.internet import reactor  # the one Scrapy installed, not a default

        done: defer.Deferred = defer.Deferred()

        def finished(future) -> None:
            error = future.exception()
            if error is not None:
                done.errback(error)
            else:
                done.callback(future.result())

        try:
            future = self.pool.submit(function, *args)
        except Exception as exc:  # a broken pool (a worker was killed) refuses work at once
            return defer.fail(exc)
        # The future's callback runs in the pool's thread: hand the result to the reactor.
        future.add_done_callback(lambda f: reactor.callFromThread(finished, f))
        return done


WORKERS = SharedPool()
