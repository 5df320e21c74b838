"""How much an edit matters: metadata only, minor wording, substantive, or body replaced.

- metadata: only the publication time, source, author, editor, publisher, subtitle,
  attachments or the fields of a disclosure table changed; the title and text are as
  they were;
- replaced: the text shares less than half of its characters with the earlier one;
- minor: a few characters of the title or text changed (at most MINOR_CHARS, or
  MINOR_SHARE of the text when that is more), no paragraph came or went, and no digit,
  numeral or negation was touched (死亡3人 to 死亡5人 is one character, and substantive);
- substantive: every other change of the title or text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.changes.diff import FieldChange

METADATA = "metadata"
MINOR = "minor"
SUBSTANTIVE = "substantive"
REPLACED = "replaced"
CHANGE_CLASSES = (METADATA, MINOR, SUBSTANTIVE, REPLACED)

REPLACED_BELOW = 0.5
MINOR_CHARS = 10
MINOR_SHARE = 0.02
# Characters whose change alters a fact or its sense: digits, Chinese numerals, negations.
_WEIGHTY = re.compile(r"[0-9０-９零〇二三四五六七八九十百千万亿两%％不没未无非否勿莫]")


def classify(changes: Sequence[FieldChange], similarity: float, old_length: int, new_length: int) -> str:
    """The class of an edit made of `changes`; `similarity` is the share of the text kept,
    `old_length` and `new_length` the lengths of the two texts."""
    content = [c for c in changes if c.field in ("title", "text")]
    if not content:
        return METADATA
    text = next((c for c in content if c.field == "text"), None)
    if text is not None and old_length and new_length and similarity < REPLACED_BELOW:
        return REPLACED
    touched: list[str] = []
    for change in content:
        touched += [t for op, t in change.spans if op != "="]
        for part in change.parts:
            if part.op != "changed":
                return SUBSTANTIVE
            touched += [t for op, t in part.spans if op != "="]
    if any(_WEIGHTY.search(t) for t in touched):
        return SUBSTANTIVE
    changed = sum(len("".join(t.split())) for t in touched)
    return MINOR if changed <= max(MINOR_CHARS, MINOR_SHARE * old_length) else SUBSTANTIVE
