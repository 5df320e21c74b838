"""A site's URL patterns (`follow`, `article`), matched in time linear in the URL; and
its counter patterns (`counter.find`, `counter.read`), matched likewise in pages.

The spider matches every link of every page against them, in the reactor's thread.
Python's `re` backtracks: `(a+)+$` takes 2^n steps on a run of n a's, and a match
running in C cannot be interrupted, not even by SIGTERM or Ctrl-C. RE2 matches any
pattern it accepts in one pass over the text, and refuses the constructs that need
backtracking (lookaround, backreferences), so a pattern accepted here cannot stall a
crawl. All of a list's patterns are matched together, in one pass per URL.

RE2 reads Python's syntax (named groups, `(?i)`, classes, counted repeats) with a few
differences, which the config check reports: no lookaround or backreferences, no
possessive or atomic groups, no `(?x)`; `\\Z` is RE2's `\\z` and is translated.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import re2

# The largest compiled pattern accepted (RE2 instructions): `\d{5000}` compiles, but a
# pattern that size is a mistake, and it would crowd the matcher's state cache.
MAX_PROGRAM_SIZE = 5000


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # RE2 would log refusals on stderr; they are reported here
    return options


def _as_re2(pattern: str) -> str:
    r"""`pattern` in RE2's spelling: Python's end-of-text `\Z` is RE2's `\z`."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            out.append("\\z" if pattern[i + 1] == "Z" else pattern[i:i + 2])
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def check_url_pattern(pattern: str, where: str) -> str:
    """`pattern` if it is a regular expression RE2 can match in linear time (and Python can
    compile, for the callers that need its groups); a ValueError
    naming `where` and saying why not otherwise."""
    try:
        compiled = re2.compile(_as_re2(pattern), _options())
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        try:
            re.compile(pattern)
        except re.error as python_error:
            raise ValueError(f"{where}: {pattern!r} is not a valid regular expression ({python_error})") from None
        raise ValueError(f"{where}: {pattern!r} cannot be matched in linear time ({reason}); site patterns may "
                         "not use lookaround, backreferences, atomic groups, (?x) or repeats over {1000}") from None
    if compiled.programsize > MAX_PROGRAM_SIZE:
        raise ValueError(f"{where}: {pattern!r} is too large a pattern for a URL")
    return pattern


class UrlPatterns:
    """Whether a URL matches any of `patterns` (each searched anywhere in it, as
    `re.search` does); patterns must have passed `check_url_pattern`."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self._set: re2.Set | None = None
        if self.patterns:
            self._set = re2.Set.SearchSet(_options())
            for pattern in self.patterns:
                self._set.Add(_as_re2(pattern))
            self._set.Compile()

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def search(self, url: str) -> bool:
        return self._set is not None and self._set.Match(url.encode("utf-8", "surrogatepass")) is not None


@functools.lru_cache(maxsize=256)
def url_patterns(patterns: tuple[str, ...]) -> UrlPatterns:
    """The matcher of `patterns`, compiled once per process."""
    return UrlPatterns(patterns)


@functools.lru_cache(maxsize=256)
def linear_regex(pattern: str) -> re2._Regexp:
    """`pattern` compiled by RE2 (search, groups, as `re` has them); it must have passed
    `check_url_pattern`."""
    return re2.compile(_as_re2(pattern), _options())
