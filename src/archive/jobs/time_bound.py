"""A bound on the time a worker may spend on one page.

Some pages cost a worker minutes: justext, which trafilatura falls back on, revises its
paragraph classes in time quadratic in the short paragraphs of a page (4,000 of them
take 9 s, 20,000 nearly three minutes), and a regular expression can backtrack for
good. Each worker is a process of one thread, so a SIGALRM timer armed for the page
interrupts it at the bound, in Python code and in the regex engine alike (which checks
for signals as it goes); the page becomes a failure naming the bound and the worker
takes the next one. Code that never returns to the interpreter (a C routine looping
for ever: none is known here) is beyond the reach of the timer.

Arming and disarming the timer costs about a microsecond a page, against some 30 ms of
extraction (bench/time_bound.py).
"""

from __future__ import annotations

import functools
import signal
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from archive.errors import ArchiveError

# Long enough for the largest regular page (a 20 MB body, the crawl's size limit, of
# plain paragraphs takes about 10 s), short enough that a worker stuck on a trap is
# soon back at work.
DEFAULT_PAGE_SECONDS = 30.0

P = ParamSpec("P")
R = TypeVar("R")

# The bound in this process: none until a worker's start sets one (set_page_seconds).
_page_seconds = 0.0
# True while a bounded call runs: a bounded call within it keeps the outer bound.
_running = False


class PageTimeout(ArchiveError):
    """One page took longer than the bound; its message says so and names the bound."""


class _Expired(BaseException):
    """Raised by the timer. A BaseException, so that no `except Exception` on the way
    (extraction catches every Exception of a page to fall back on less) takes it for a
    fault of the page and goes on working."""


def _expire(signum, frame) -> None:
    if _running:  # a signal handled late, once the call is over, is no page's concern
        raise _Expired


def set_page_seconds(seconds: float) -> None:
    """Bound every later `bounded` call of this process (0: no bound). Called in the main
    thread: a worker's start, or a command extracting pages itself."""
    global _page_seconds
    if seconds > 0:
        signal.signal(signal.SIGALRM, _expire)
    _page_seconds = seconds


def page_seconds() -> float:
    """The bound in force in this process (0: none)."""
    return _page_seconds


def bounded(function: Callable[P, R]) -> Callable[P, R]:
    """`function`, given up with PageTimeout once it has run for the process's bound.

    Unbounded where no bound was set, outside the main thread (only it receives the
    signal) and within another bounded call.
    """

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        global _running
        seconds = _page_seconds
        if not seconds or _running or threading.current_thread() is not threading.main_thread():
            return function(*args, **kwargs)
        _running = True
        try:
            # One shot: once it has fired no second signal can come, so the way out
            # below cannot be interrupted again.
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                return function(*args, **kwargs)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except _Expired:
            raise PageTimeout(f"extraction took longer than {seconds:g} s and was given up") from None
        finally:
            _running = False

    return run
