"""The file name a server sends with a file (Content-Disposition), as the user saw it.

Chinese servers send it every way there is: RFC 6266's `filename*=UTF-8''%E6%8A%A5…`,
`filename="%E6%8A%A5….docx"` percent-escaped in UTF-8 or GBK, raw UTF-8 or GBK bytes
between the quotes (which reach us as Latin-1 text, as every header does), or an RFC 2047
`=?UTF-8?B?…?=` word. Each is decoded to the name shown in a browser's download bar.
"""

from __future__ import annotations

import re
from email.header import decode_header
from urllib.parse import unquote_to_bytes

_EXTENDED = re.compile(r"filename\*\s*=\s*([A-Za-z0-9_-]+)'[^']*'([^;\s]+)", re.I)
_PLAIN = re.compile(r"""(?<![*\w])filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))""", re.I)
_ESCAPED = re.compile(r"%[0-9A-Fa-f]{2}")
# Separators a name must not carry into a path, and control characters.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def _text(raw: bytes, charset: str | None = None) -> str:
    """`raw` decoded as `charset`, else as UTF-8, else as GB18030 (GBK's superset)."""
    for encoding in (charset, "utf-8", "gb18030"):
        if not encoding:
            continue
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("latin-1")


def sent_filename(disposition: str | None) -> str | None:
    """The file name in a Content-Disposition header value (as the crawler stores headers:
    each byte one Latin-1 character), or None when it names none."""
    if not disposition:
        return None
    extended = _EXTENDED.search(disposition)
    if extended:
        name = _text(unquote_to_bytes(extended.group(2)), extended.group(1).lower())
    else:
        plain = _PLAIN.search(disposition)
        if not plain:
            return None
        value = plain.group(1) if plain.group(1) is not None else plain.group(2).strip()
        value = re.sub(r"\\(.)", r"\1", value)
        if any(ord(ch) > 0xFF for ch in value):  # decoded already (a reader took the bytes for UTF-8)
            name = value
        elif value.startswith("=?") and value.endswith("?="):
            name = "".join(part if isinstance(part, str) else _text(part, charset)
                           for part, charset in decode_header(value))
        else:
            raw = value.encode("latin-1", errors="replace")
            if _ESCAPED.search(value) and raw.isascii():
                raw = unquote_to_bytes(value)
            name = _text(raw)
    name = _UNSAFE.sub("", name).strip()
    return name or None
