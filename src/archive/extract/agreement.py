"""Choosing the body among candidates by how well they agree and by the checks a reader makes.

Candidates come from the general engines (trafilatura, readability) and, where a CMS
family's marker is in the page, from that family's content container. A candidate is
doubted for what any reader would see at a glance: it is empty, it is a lone disclaimer,
it is a comment section or a list of recommendations, most of it is links, most lines are
scraps, it is much shorter than an alternative that holds it. Among the undoubted, the
largest group that agrees wins; when every candidate is doubted the best one is kept and
the record says why (its `quality`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from lxml import html as lxml_html

from .kinds import LinkItems
from .lines import is_info_line, squash

OK = "ok"
# The checks, most damning first: a doubted record's `quality` names the one its body fails.
EMPTY, DISCLAIMER, COMMENTS = "empty", "disclaimer", "comments"
LINKS, SCRAPS, TRUNCATED = "links", "scraps", "truncated"
_FLAWS = (EMPTY, DISCLAIMER, COMMENTS, LINKS, SCRAPS, TRUNCATED)

# Headings of what surrounds an article on portals and platforms: comment sections,
# recommendation and ranking lists, "related" boxes. In a body they mean the engine took
# the wrong block.
_FURNITURE = re.compile(
    r"评论|跟贴|跟帖|网友|留言|回复|为您推荐|猜你喜欢|相关阅读|相关新闻|相关文章|相关推荐|推荐阅读|延伸阅读|热点|热门|热搜|"
    r"排行|精彩推荐|大家都在看|加载更多|查看更多|更多新闻|今日推荐|编辑推荐"
)
_FURNITURE_LINE_CHARS = 12
# Disclaimers that close reposts, the notes above comment sections, and advertisements.
_DISCLAIMER = re.compile(
    r"^广告|免责声明|声明[:：]|仅供其表达个人看法|不代表本(?:网|站|平台)(?:的)?(?:观点|立场)|并不(?:表明|代表).{0,8}立场|"
    r"版权归原作者|如有侵权|请联系(?:我们|本站)删除|转载请注明"
)
_PROSE_MARK = re.compile(r"[，。！？；：、,.!?;]")
_SENTENCE = re.compile(r"[。！？；]|[A-Za-z]{2,}[.!?](?:\s|$)")

_MIN_CHARS = 15
# a scrap: a line this short without a mark of prose (menu entries, tags, buttons)
_SCRAP_CHARS = 8
_SCRAP_SHARE_MAX = 0.6
_SCRAP_LINES_MIN = 5
_SCRAP_MEAN_CHARS = 30
_LINK_SHARE_MAX = 0.5
# furniture headings count when they are this share of the lines, or stand among scraps
_FURNITURE_SHARE = 0.1
_FURNITURE_AMONG_SCRAPS = 0.3
# a body this much shorter than an alternative that holds this share of it is a part of the text
_TRUNCATED_RATIO = 2.0
_HELD = 0.8
# candidates agree when each holds this share of the other's text
_AGREE = 0.6
# a line only one candidate has counts as text when it is a sentence at least this long
_SENTENCE_CHARS = 15
# an engine's text this long needs no second engine to confirm it
_SETTLED_CHARS = 200
# a text starting this many lines under the headline starts right under it
_NEAR_HEADLINE = 15


@dataclass
class Candidate:
    """One engine's body: its lines once trimmed, and what the trimming took off either end."""

    engine: str
    lines: list[str]
    head: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)
    # the family's content container (or the selector's scope): where attachments are read
    container: lxml_html.HtmlElement | None = None

    @property
    def text(self) -> str:
        return squash("".join(self.lines))


@dataclass(frozen=True)
class Reading:
    """What a reader sees in a candidate at a glance."""

    chars: int
    lines: int
    link_share: float  # of the characters: in lines that are items of a link list
    scrap_share: float  # of the lines: short and without a mark of prose
    furniture: int  # lines that head a comment section or a recommendation list
    disclaimer_only: bool


def read(candidate: Candidate, items: LinkItems) -> Reading:
    squashed = [squash(line) for line in candidate.lines]
    chars = sum(len(line) for line in squashed)
    linked = sum(len(line) for line in squashed if items.is_item(line))
    scraps = sum(1 for line in squashed if len(line) <= _SCRAP_CHARS and not _PROSE_MARK.search(line))
    furniture = sum(1 for line in squashed if len(line) <= _FURNITURE_LINE_CHARS and _FURNITURE.search(line))
    unclaimed = sum(len(line) for line in squashed if not _DISCLAIMER.search(line))
    return Reading(
        chars=chars,
        lines=len(squashed),
        link_share=linked / chars if chars else 0.0,
        scrap_share=scraps / len(squashed) if squashed else 0.0,
        furniture=furniture,
        disclaimer_only=chars > 0 and unclaimed < _MIN_CHARS,
    )


def flaw(reading: Reading) -> str | None:
    """The first check a body fails on its own, if any."""
    if reading.chars < _MIN_CHARS:
        return EMPTY
    if reading.disclaimer_only:
        return DISCLAIMER
    among_scraps = reading.scrap_share > _FURNITURE_AMONG_SCRAPS
    if reading.furniture >= 2 and (reading.furniture >= _FURNITURE_SHARE * reading.lines or among_scraps):
        return COMMENTS
    if reading.furniture and among_scraps:
        return COMMENTS
    if reading.link_share > _LINK_SHARE_MAX:
        return LINKS
    if (
        reading.scrap_share > _SCRAP_SHARE_MAX
        and reading.lines >= _SCRAP_LINES_MIN
        # a notice listing its signatories under long paragraphs is text
        and reading.chars < _SCRAP_MEAN_CHARS * reading.lines
    ):
        return SCRAPS
    return None


def bigrams(text: str) -> Counter[str]:
    return Counter(map("".join, zip(text, text[1:], strict=False)))


def overlap(first: Counter[str], second: Counter[str]) -> tuple[float, float]:
    """Shares of each bag's bigrams found in the other."""
    if not first or not second:
        return 0.0, 0.0
    shared = (first & second).total()
    return shared / first.total(), shared / second.total()


def _is_sentence(squashed: str) -> bool:
    """Whether a line reads as text: long enough, with a sentence's end, and no furniture."""
    return (
        len(squashed) >= _SENTENCE_CHARS
        and bool(_SENTENCE.search(squashed))
        and not _DISCLAIMER.search(squashed)
        and not is_info_line(squashed)
    )


class Placed(Protocol):
    """Where candidates sit on the page (archive.extract.placement)."""

    def distance(self, candidate: Candidate) -> int | None: ...

    def text_goes_on(self, candidate: Candidate) -> bool: ...


class Choice:
    """The candidates of one page as they are asked for, and the body chosen among them."""

    def __init__(self, items: LinkItems, placement: Placed) -> None:
        self.items = items
        self.placement = placement
        self.candidates: list[Candidate] = []
        self.readings: list[Reading] = []
        # the candidates' bigrams, counted once two candidates are to be compared
        self._bags: dict[int, Counter[str]] = {}

    def add(self, candidate: Candidate) -> None:
        self.candidates.append(candidate)
        self.readings.append(read(candidate, self.items))

    def settled(self) -> bool:
        """Whether the candidates so far are enough: the last one passes every check, starts
        under the headline, is no short text, and agrees with every other one."""
        if not self.candidates:
            return False
        last = len(self.candidates) - 1
        distance = self.placement.distance(self.candidates[last])
        return (
            self._flaws()[last] is None
            and distance is not None
            and 0 < distance <= _NEAR_HEADLINE
            and (self.candidates[last].container is not None or self.readings[last].chars >= _SETTLED_CHARS)
            and not self.placement.text_goes_on(self.candidates[last])
            and all(self._agree(last, other) for other in range(last))
        )

    def choose(self) -> tuple[Candidate, str]:
        """The body to keep, and OK or the check it fails."""
        flaws = self._flaws()
        sound = [index for index, found in enumerate(flaws) if found is None]
        if not sound:
            # every candidate is doubted: the least damning flaw, then the longest text
            best = min(
                range(len(self.candidates)),
                key=lambda index: (-_FLAWS.index(flaws[index] or EMPTY), -self.readings[index].chars),
            )
            return self.candidates[best], flaws[best] or EMPTY
        # the largest groups of sound candidates that agree with each other
        groups = [[other for other in sound if other == index or self._agree(index, other)] for index in sound]
        largest = max(len(group) for group in groups)
        groups = [group for group in groups if len(group) == largest]
        # groups that disagree: the text is the one right under the headline
        group = min(groups, key=lambda group: min(self._distance_rank(index) for index in group))
        families = [index for index in group if self.candidates[index].container is not None]
        if families:
            return self.candidates[families[0]], OK
        best = max(group, key=lambda index: (self._vouched_chars(index, group), -index))
        return self.candidates[best], OK

    def _flaws(self) -> list[str | None]:
        found = [flaw(reading) for reading in self.readings]
        for index, reading in enumerate(self.readings):
            if found[index] is not None:
                continue
            for other, other_reading in enumerate(self.readings):
                if other == index or found[other] is not None:
                    continue
                held, _ = overlap(self._bag(index), self._bag(other))
                if other_reading.chars >= _TRUNCATED_RATIO * reading.chars and held >= _HELD:
                    found[index] = TRUNCATED
                    break
        return found

    def _bag(self, index: int) -> Counter[str]:
        if index not in self._bags:
            self._bags[index] = bigrams(self.candidates[index].text)
        return self._bags[index]

    def _agree(self, first: int, second: int) -> bool:
        held, holds = overlap(self._bag(first), self._bag(second))
        return min(held, holds) >= _AGREE

    def _vouched_chars(self, index: int, group: list[int]) -> int:
        """Characters the rest of the group vouches for, plus those only this candidate has
        that read as sentences, less those only it has that do not (captions, credits, scraps)."""
        others = [self.candidates[other].text for other in group if other != index]
        total = 0
        for line in self.candidates[index].lines:
            squashed = squash(line)
            if any(squashed in other for other in others) or _is_sentence(squashed):
                total += len(squashed)
            else:
                total -= len(squashed)
        return total

    def _distance_rank(self, index: int) -> tuple[int, int]:
        distance = self.placement.distance(self.candidates[index])
        if distance is None or distance <= 0:
            return (1, -self.readings[index].chars)
        return (0, distance)
