"""Where a body candidate sits on the page: how far under the headline its text starts,
and whether the page's text goes on past its end."""

from __future__ import annotations

import re

from .agreement import Candidate
from .lines import find_prefix, squash

# a line of running text: long, with a sentence's end
_SENTENCE_LINE = re.compile(r"[。！？]")
_SENTENCE_LINE_CHARS = 40
# lines read past a candidate's end, and how many of them must be running text it lacks
_AFTER_LINES = 3
_GOES_ON_LINES = 1


class Placement:
    """A candidate's place among the page's own lines (white space removed)."""

    def __init__(self, squashed_doc: list[str], title_index: int | None) -> None:
        self.squashed_doc = squashed_doc
        self.title_index = title_index

    def distance(self, candidate: Candidate) -> int | None:
        """How many lines below the headline the candidate's text starts (None: not found)."""
        if self.title_index is None or not candidate.lines:
            return None
        start = find_prefix(self.squashed_doc, squash(candidate.lines[0])[:20], self.title_index + 1)
        return None if start is None else start - self.title_index

    def text_goes_on(self, candidate: Candidate) -> bool:
        """Whether paragraphs of running text the candidate lacks follow right after its end:
        an engine that stopped at an advertisement or a picture within the text."""
        if not candidate.lines:
            return False
        end = find_prefix(self.squashed_doc, squash(candidate.lines[-1])[:20], self.title_index or 0)
        if end is None:
            return False
        text = candidate.text
        following = self.squashed_doc[end + 1 : end + 1 + _AFTER_LINES]
        missing = [
            line
            for line in following
            if len(line) >= _SENTENCE_LINE_CHARS and _SENTENCE_LINE.search(line) and line[:20] not in text
        ]
        return len(missing) >= _GOES_ON_LINES
