"""Two versions of an article compared field by field, on their records, never their HTML.

Compared: the title, the text paragraph by paragraph (paragraphs added, removed, and
changed with a diff of their characters), the publication time, source, author,
editor, publisher, subtitle, attachments and a disclosure page's table (索引号, 发文字号,
成文日期, 主题分类, 有效性). Moving parts never make a difference: view
counts and capture times are not compared, and a count printed inside the text
("浏览次数：1234", "您是第1234位访问者") is masked, as are differences of spacing and of
full- and half-width forms (NFKC). Characters are compared one by one, so a diff works
for Chinese, which puts no spaces between words; runs of Latin letters and digits are
compared whole, so "2025" to "2026" reads as one changed number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher

from archive.changes.classify import classify
from archive.records import ArticleRecord

# Changes of these are metadata; of the others, of the content. The text fields of a
# record compared as they are (a new one is compared once it is named here).
TEXT_METADATA = ("source", "author", "editor", "publisher", "subtitle",
                 # a disclosure page's table (政府信息公开): 有效性 turning 失效 is news
                 "index_number", "document_number", "document_date", "topic", "validity")
METADATA_FIELDS = ("published_at", *TEXT_METADATA, "attachments")
CONTENT_FIELDS = ("title", "text")
COMPARED_FIELDS = (*CONTENT_FIELDS, *METADATA_FIELDS)

# Paragraphs at least this alike (difflib's ratio) are one paragraph changed; less alike,
# one removed and another added.
SAME_PARAGRAPH = 0.5
# Texts longer than this many tokens are first compared sentence by sentence: difflib
# takes time quadratic in the length of what it compares.
LONG_TEXT_TOKENS = 2000
# Publication times this close are the same (a page printing minutes only).
SAME_TIME = timedelta(minutes=1)

_MOVING = re.compile(
    r"(?:浏览|阅读|点击|访问|查看|点阅)(?:量|次数|数|人次|次)?\s*[:：]?\s*\d[\d,]*\s*次?"
    r"|您是第\s*\d+\s*位访问者|\d[\d,]*\s*(?:人|次)(?:浏览|阅读|点击|访问)")
_TOKEN = re.compile(r"[A-Za-z0-9]+|\s+|.", re.DOTALL)
_SENTENCE = re.compile(r"[^。！？；!?;\n]*[。！？；!?;\n]?")

Span = tuple[str, str]  # ("=", unchanged), ("-", removed) or ("+", added) text


@dataclass(frozen=True)
class ParagraphChange:
    """A paragraph (or an attachment) changed, added or removed; indexes count from 1."""

    op: str  # changed | added | removed
    before_index: int | None
    after_index: int | None
    before: str | None
    after: str | None
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str | None
    after: str | None
    # the characters of a short field, changed
    spans: tuple[Span, ...] = ()
    # text and attachments: what changed, part by part
    parts: tuple[ParagraphChange, ...] = ()


@dataclass(frozen=True)
class RecordDiff:
    """What differs between two versions, and how much it matters (archive.changes.classify)."""

    changes: tuple[FieldChange, ...]
    change_class: str
    # 0..1: how much of the text the two versions share
    similarity: float

    @property
    def fields(self) -> list[str]:
        return [change.field for change in self.changes]

    def to_json(self) -> dict:
        return {"class": self.change_class, "similarity": round(self.similarity, 4),
                "changes": [_change_json(change) for change in self.changes]}

    @classmethod
    def from_json(cls, data: dict) -> RecordDiff:
        return cls(tuple(_change_from_json(c) for c in data["changes"]), data["class"], data["similarity"])


def _change_json(change: FieldChange) -> dict:
    out: dict = {"field": change.field, "before": change.before, "after": change.after}
    if change.spans:
        out["spans"] = [list(span) for span in change.spans]
    if change.parts:
        out["parts"] = [{"op": p.op, "before_index": p.before_index, "after_index": p.after_index,
                         "before": p.before, "after": p.after, "spans": [list(s) for s in p.spans]}
                        for p in change.parts]
    return out


def _change_from_json(data: dict) -> FieldChange:
    parts = tuple(ParagraphChange(p["op"], p["before_index"], p["after_index"], p["before"], p["after"],
                                  tuple(tuple(s) for s in p.get("spans", ()))) for p in data.get("parts", ()))
    return FieldChange(data["field"], data["before"], data["after"], tuple(tuple(s) for s in data.get("spans", ())),
                       parts)


def normalized(text: str | None) -> str:
    """A text as compared: NFKC, counts masked, white space left out (Chinese puts none
    between words, and a page's spacing comes and goes with its template)."""
    if not text:
        return ""
    return "".join(_MOVING.sub("#", unicodedata.normalize("NFKC", text)).split())


def compare(old: ArticleRecord, new: ArticleRecord) -> RecordDiff | None:
    """What changed from `old` to `new`, or None when nothing compared differs."""
    changes: list[FieldChange] = []
    if normalized(old.title) != normalized(new.title):
        changes.append(FieldChange("title", old.title, new.title, char_spans(old.title or "", new.title or "")))
    text = _text_change(old.text, new.text)
    if text is not None:
        changes.append(text[0])
    if _times_differ(old.published_at, new.published_at):
        changes.append(FieldChange("published_at", _iso(old.published_at), _iso(new.published_at)))
    for name in TEXT_METADATA:
        before, after = getattr(old, name), getattr(new, name)
        if normalized(before) != normalized(after):
            changes.append(FieldChange(name, before, after, char_spans(before or "", after or "")))
    attachments = _attachments_change(old, new)
    if attachments is not None:
        changes.append(attachments)
    if not changes:
        return None
    similarity = text[1] if text is not None else 1.0
    change_class = classify(changes, similarity, len(normalized(old.text)), len(normalized(new.text)))
    return RecordDiff(tuple(changes), change_class, similarity)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _times_differ(before: datetime | None, after: datetime | None) -> bool:
    if before is None or after is None:
        return (before is None) != (after is None)
    return abs(before - after) >= SAME_TIME


def _paragraphs(text: str | None) -> list[str]:
    return [p for p in (text or "").split("\n") if normalized(p)]


def _text_change(before: str | None, after: str | None) -> tuple[FieldChange, float] | None:
    """The text's change paragraph by paragraph, and the share of characters kept."""
    old, new = _paragraphs(before), _paragraphs(after)
    old_keys, new_keys = [normalized(p) for p in old], [normalized(p) for p in new]
    if old_keys == new_keys:
        return None
    parts: list[ParagraphChange] = []
    kept = 0
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            kept += sum(len(k) for k in old_keys[i1:i2])
            continue
        for part in _paired(list(range(i1, i2)), list(range(j1, j2)), old, new):
            parts.append(part)
            kept += sum(len(normalized(t)) for op, t in part.spans if op == "=")
    total = sum(map(len, old_keys)) + sum(map(len, new_keys))
    similarity = 2 * kept / total if total else 1.0
    # the paragraphs that differ say it all; both texts whole are in the dataset's rows
    return FieldChange("text", None, None, parts=tuple(parts)), similarity


def _paired(old_at: list[int], new_at: list[int], old: list[str], new: list[str]) -> list[ParagraphChange]:
    """A block of paragraphs replaced by another: each old one paired, in order, with the
    first new one alike enough (changed); the others removed or added."""
    parts: list[ParagraphChange] = []
    start = 0
    for i in old_at:
        match = next((k for k in range(start, len(new_at)) if _alike(old[i], new[new_at[k]])), None)
        if match is None:
            parts.append(ParagraphChange("removed", i + 1, None, old[i], None))
            continue
        for k in range(start, match):
            parts.append(ParagraphChange("added", None, new_at[k] + 1, None, new[new_at[k]]))
        j = new_at[match]
        parts.append(ParagraphChange("changed", i + 1, j + 1, old[i], new[j], char_spans(old[i], new[j])))
        start = match + 1
    for k in range(start, len(new_at)):
        parts.append(ParagraphChange("added", None, new_at[k] + 1, None, new[new_at[k]]))
    return parts


def _alike(before: str, after: str) -> bool:
    a, b = normalized(before), normalized(after)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SAME_PARAGRAPH or matcher.quick_ratio() < SAME_PARAGRAPH:
        return False
    if len(a) + len(b) > 2 * LONG_TEXT_TOKENS:
        return True  # alike by their characters; the exact ratio of long ones costs too much
    return matcher.ratio() >= SAME_PARAGRAPH


def char_spans(before: str, after: str) -> tuple[Span, ...]:
    """The difference of two texts as spans of kept, removed and added text."""
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    if len(old) + len(new) > 2 * LONG_TEXT_TOKENS:
        return _sentence_spans(before, after)
    spans: list[Span] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            _add(spans, "=", "".join(old[i1:i2]))
        else:
            _add(spans, "-", "".join(old[i1:i2]))
            _add(spans, "+", "".join(new[j1:j2]))
    return tuple(spans)


def _sentence_spans(before: str, after: str) -> tuple[Span, ...]:
    """Long texts: sentences compared first, then the characters of the sentences changed."""
    old = [s for s in _SENTENCE.findall(before) if s]
    new = [s for s in _SENTENCE.findall(after) if s]
    spans: list[Span] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if tag == "equal":
            _add(spans, "=", removed)
        elif tag == "replace" and len(removed) + len(added) <= 2 * LONG_TEXT_TOKENS:
            for op, text in char_spans(removed, added):
                _add(spans, op, text)
        else:
            _add(spans, "-", removed)
            _add(spans, "+", added)
    return tuple(spans)


def _add(spans: list[Span], op: str, text: str) -> None:
    if not text:
        return
    if spans and spans[-1][0] == op:
        spans[-1] = (op, spans[-1][1] + text)
    else:
        spans.append((op, text))


def _attachments_change(old: ArticleRecord, new: ArticleRecord) -> FieldChange | None:
    def listed(record: ArticleRecord) -> list[str]:
        return [f"{normalized(a.title) or '(untitled)'} <{a.url}>" for a in record.attachments]

    before, after = listed(old), listed(new)
    if sorted(before) == sorted(after):
        return None
    parts = [ParagraphChange("removed", n + 1, None, item, None) for n, item in enumerate(before) if item not in after]
    parts += [ParagraphChange("added", None, n + 1, None, item) for n, item in enumerate(after) if item not in before]
    return FieldChange("attachments", "\n".join(before) or None, "\n".join(after) or None, parts=tuple(parts))
