"""Which language and script a body is written in (BCP 47)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import opencc

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_SAMPLE = 20000


@lru_cache(maxsize=1)
def _script_only_characters() -> tuple[frozenset[str], frozenset[str]]:
    """Characters written only in simplified, and only in traditional script, per OpenCC's tables.

    A character that a conversion table maps to a different one exists in one script only;
    counting them is as exact as converting the text and far cheaper.
    """
    folder = Path(opencc.__file__).parent / "dictionary"

    def changed(name: str) -> set[str]:
        found = set()
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            source, _, targets = line.partition("\t")
            if len(source) == 1 and targets and source not in targets.split():
                found.add(source)
        return found

    simplified_only = changed("STCharacters.txt")
    traditional_only = changed("TSCharacters.txt")
    return frozenset(simplified_only - traditional_only), frozenset(traditional_only - simplified_only)


def detect_language(text: str, declared: str | None = None) -> str | None:
    """zh-Hans, zh-Hant or en from the text itself; the declared tag only breaks ties."""
    if not text:
        return None
    sample = text[:_SAMPLE]
    han = _HAN.findall(sample)
    if len(han) < 10 and len(_LATIN_WORD.findall(sample)) >= 5:
        return "en"
    if not han:
        return None
    simplified_only, traditional_only = _script_only_characters()
    simplified = sum(1 for char in han if char in simplified_only)
    traditional = sum(1 for char in han if char in traditional_only)
    if traditional > simplified:
        return "zh-Hant"
    if simplified > traditional:
        return "zh-Hans"
    if declared and declared.lower().replace("_", "-") in ("zh-tw", "zh-hk", "zh-hant", "zh-mo"):
        return "zh-Hant"
    return "zh-Hans"
