"""Progress bars on stderr for long commands, silent when stderr is not a terminal.

Logs and CI output stay clean: a bar only appears for a person watching. Work may be
counted from worker threads (the callbacks of a process pool), hence the lock.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import Any

import click


class Progress:
    """A bar whose total can grow while it runs (work discovered as it goes).

    `eta` only where the total is known before the work starts: an estimate made from a
    total that is still growing is wrong by hours.
    """

    def __init__(self, label: str, total: int | None = None, *, enabled: bool | None = None,
                 eta: bool = False) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.eta = eta
        self.label = label
        self.total = total or 0
        self.done = 0
        self._lock = threading.Lock()
        self._bar = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._bar = click.progressbar(length=self.total, label=self.label, file=sys.stderr,
                                          show_pos=True, show_eta=self.eta)
            self._bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
            self._bar = None

    def add_total(self, count: int) -> None:
        with self._lock:
            self.total += count
            if self._bar is not None:
                self._bar.length = self.total

    def advance(self, count: int = 1) -> None:
        with self._lock:
            self.done += count
            if self._bar is not None:
                self._bar.update(count)


class CountingPool(Executor):
    """An executor that counts the tasks given to another one on a progress bar."""

    def __init__(self, pool: Executor, progress: Progress) -> None:
        self.pool = pool
        self.progress = progress

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        self.progress.add_total(1)
        future = self.pool.submit(fn, *args, **kwargs)
        future.add_done_callback(lambda _: self.progress.advance())
        return future

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout: float | None = None,
            chunksize: int = 1, **kwargs: Any) -> Iterator[Any]:
        columns = [list(items) for items in iterables]
        self.progress.add_total(min(map(len, columns), default=0))
        results = self.pool.map(fn, *columns, timeout=timeout, chunksize=chunksize, **kwargs)
        return self._counted(results)

    def _counted(self, results: Iterator[Any]) -> Iterator[Any]:
        for result in results:
            self.progress.advance()
            yield result

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)
