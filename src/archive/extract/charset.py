"""Charset decision for served HTML: declared labels checked against the whole document."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

from charset_normalizer import from_bytes

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# GB2312 and GBK are subsets of GB18030; servers label GB18030 text as either.
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "hz-gb-2312": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
}
# Share of undecodable bytes tolerated in a declared charset: real pages carry a few
# broken sequences (truncated titles, pasted fragments) without being in another charset.
_TOLERATED_ERRORS = 0.002


def _normalise(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None  # "unset", "none", typos


def declared_charsets(body: bytes, headers: Mapping[str, str]) -> list[str]:
    """Candidate charsets in order of authority: HTTP header, BOM, <meta>."""
    found: list[str | None] = []
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    match = _HEADER_CHARSET.search(content_type or "")
    if match:
        found.append(_normalise(match.group(1)))
    for bom, name in _BOMS:
        if body.startswith(bom):
            found.append(name)
            break
    match = _META_CHARSET.search(body[:8192])
    if match:
        found.append(_normalise(match.group(1).decode("ascii", "ignore")))
    ordered: list[str] = []
    for name in found:
        if name and name not in ordered:
            ordered.append(name)
    return ordered


def _error_share(body: bytes, encoding: str) -> float:
    try:
        body.decode(encoding)
        return 0.0
    except UnicodeDecodeError:
        pass
    except LookupError:
        return 1.0
    text = body.decode(encoding, errors="replace")
    return text.count("\ufffd") / max(len(text), 1)


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def decode_html(body: bytes, headers: Mapping[str, str]) -> str:
    """Decode an HTML body to text without mojibake.

    Declared labels are trusted in the order HTTP header, BOM, <meta>, but each is checked
    against the whole document. Text that is valid UTF-8 with non-ASCII content is UTF-8
    whatever the label says (browsers save UTF-8 pages keeping their old gb2312 <meta>);
    undeclared or wrongly declared bodies go to charset-normalizer.
    """
    return decode_html_as(body, headers)[0]


def decode_html_as(body: bytes, headers: Mapping[str, str]) -> tuple[str, str]:
    """decode_html's text and the charset it was decoded from."""
    if not body:
        return "", "utf-8"
    declared = declared_charsets(body, headers)
    if any(name.startswith("utf-16") or name.startswith("utf-32") for name in declared[:2]):
        for name in declared:
            if _error_share(body, name) == 0.0:
                return _strip_bom(body.decode(name)), name
    try:
        return _strip_bom(body.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    for name in declared:
        if name == "utf-8":
            continue
        if _error_share(body, name) <= _TOLERATED_ERRORS:
            return _strip_bom(body.decode(name, errors="replace")), name
    utf8_errors = _error_share(body, "utf-8")
    gb_errors = _error_share(body, "gb18030")
    best = "utf-8" if utf8_errors <= gb_errors else "gb18030"
    if min(utf8_errors, gb_errors) <= _TOLERATED_ERRORS:
        return _strip_bom(body.decode(best, errors="replace")), best
    guess = from_bytes(body).best()
    if guess is not None and guess.encoding:
        return _strip_bom(str(guess)), guess.encoding
    return _strip_bom(body.decode(best, errors="replace")), best
