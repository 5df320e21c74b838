"""What kind of file an attachment is.

A file's own first bytes decide first: a campus `download.jsp?wbfileid=…` or a portal's
`DownFile.aspx?id=…` has no extension, and servers send `application/octet-stream` for
everything. Containers are looked into (a zip holding `word/document.xml` is a DOCX, one
holding `OFD.xml` an OFD; an OLE file with a `Workbook` stream a spreadsheet). The names
(the file name sent, the URL, the link's text) only tell apart what the bytes cannot:
WPS's .wps and .et files are Word and Excel files inside. A body that is a web page (a
login wall, an error page answered to a download link) is no file at all.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

# Every type an attachment is recorded as (the `file_type` column), with what it is.
FILE_TYPES = {
    "pdf": "PDF",
    "docx": "Word document",
    "doc": "Word 97-2003 document",
    "wps": "WPS Writer document",
    "xlsx": "Excel workbook",
    "xls": "Excel 97-2003 workbook",
    "et": "WPS Spreadsheets workbook",
    "ods": "OpenDocument spreadsheet",
    "odt": "OpenDocument text",
    "pptx": "PowerPoint presentation",
    "ppt": "PowerPoint 97-2003 presentation",
    "dps": "WPS Presentation",
    "ofd": "OFD (the Chinese fixed-layout format, GB/T 33190)",
    "zip": "ZIP archive",
    "rar": "RAR archive",
    "7z": "7-Zip archive",
    "rtf": "Rich Text Format",
    "txt": "plain text",
    "csv": "comma-separated values",
    "ceb": "Apabi CEB document",
    "image": "an image (a scan or a photo)",
    "unknown": "a file of no type known here",
}
# What a link or a file name may end in, for each type it hints at.
EXTENSIONS = {
    "pdf": "pdf", "docx": "docx", "doc": "doc", "dot": "doc", "wps": "wps", "xlsx": "xlsx", "xls": "xls",
    "et": "et", "ods": "ods", "odt": "odt", "pptx": "pptx", "ppt": "ppt", "dps": "dps", "ofd": "ofd",
    "zip": "zip", "rar": "rar", "7z": "7z", "rtf": "rtf", "txt": "txt", "csv": "csv", "ceb": "ceb",
    "tif": "image", "tiff": "image", "jpg": "image", "jpeg": "image", "png": "image", "gif": "image",
    "bmp": "image",
}

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Entries of a ZIP listed to tell what it is: an Office or OFD package has a few dozen.
MAX_LOOKED_INTO = 5000
_MAGIC = (
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"{\\rtf", "rtf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
    (b"BM", "image"),
)
# Stream names in an OLE file's directory (UTF-16LE), and the family each one marks.
_OLE_STREAMS = (
    ("EncryptedPackage".encode("utf-16-le"), "encrypted"),  # a password-protected DOCX or XLSX
    ("WordDocument".encode("utf-16-le"), "word"),
    ("Workbook".encode("utf-16-le"), "sheet"),
    ("Book".encode("utf-16-le") + b"\x00\x00", "sheet"),
    ("PowerPoint Document".encode("utf-16-le"), "slides"),
)
_OLE_TYPES = {"word": ("doc", ("doc", "wps")), "sheet": ("xls", ("xls", "et")), "slides": ("ppt", ("ppt", "dps"))}
_ODF = {b"application/vnd.oasis.opendocument.text": "odt",
        b"application/vnd.oasis.opendocument.spreadsheet": "ods"}
_PAGE_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|script|div|p|table"
                         rb"|frameset|iframe|form|link|style|center|h\d)[\s>/]", re.I | re.S)
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{2,5})\s*$")
# Content-Types that say "a document" even where the bytes say nothing known.
_DOCUMENT_TYPES = ("application/", "image/", "text/plain", "text/csv", "text/rtf")
_NOT_DOCUMENTS = ("application/xhtml", "application/json", "application/javascript", "application/xml",
                  "application/rss", "application/atom")


def hinted_type(names: Iterable[str | None]) -> str | None:
    """The type the first of `names` with a known extension hints at (a file name sent, a
    URL, a link's text), or None."""
    for name in names:
        if not name:
            continue
        if "://" in name:
            parts = urlsplit(name)
            # the path's file name, or a file name carried in the query (download.jsp?filename=a.pdf)
            candidates = [unquote(parts.path)] + [unquote(v) for v in re.split(r"[&=]", parts.query)]
        else:
            candidates = [name]
        for candidate in candidates:
            found = _EXTENSION.search(candidate)
            if found and found.group(1).lower() in EXTENSIONS:
                return EXTENSIONS[found.group(1).lower()]
    return None


def looks_like_web_page(body: bytes, content_type: str = "") -> bool:
    """Whether `body` is an HTML page rather than a file (what a download link answers
    when it wants a login, or when the file is gone)."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf")
    if _PAGE_START.match(head):
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("text/html", "application/xhtml+xml") and b"<" in head[:512]


def detect_type(body: bytes, *, content_type: str = "", disposition: str | None = None,
                names: Iterable[str | None] = ()) -> str | None:
    """The type of the file in `body` (a key of FILE_TYPES), or None when it is a web page
    (or an XML or JSON answer): no file at all.

    `names` are the file name sent, the URL and the link's text, in that order: they only
    decide between types whose bytes are alike.
    """
    names = list(names)
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_type(body, hinted_type(names))
    if head.startswith(_OLE):
        return _ole_type(body, hinted_type(names))
    for magic, file_type in _MAGIC:
        if head.startswith(magic):
            return file_type
    if looks_like_web_page(body, content_type):
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    hint = hinted_type(names)
    sent_as_file = (disposition or "").strip().lower().startswith("attachment")
    if b"\x00" not in head:
        if hint in ("txt", "csv") or media in ("text/plain", "text/csv"):
            return hint if hint in ("txt", "csv") else ("csv" if media == "text/csv" else "txt")
        if media.startswith(("text/", *_NOT_DOCUMENTS)) and not sent_as_file:
            return None
    if hint == "ceb":
        return "ceb"
    if hint is not None or sent_as_file or media.startswith(_DOCUMENT_TYPES):
        return "unknown"
    return None


def _zip_type(body: bytes, hint: str | None) -> str:
    if _entries(body) > MAX_LOOKED_INTO:
        # Listing them would cost the worker, outside the reading's bounds: the reader of
        # a ZIP (in its bounded child) says what it is.
        return hint if hint in ("docx", "xlsx", "pptx", "ofd", "ods", "odt") else "zip"
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = archive.namelist()
            lowered = {name.lower() for name in names}
            if "ofd.xml" in lowered:
                return "ofd"
            if "[content_types].xml" in lowered:
                if "word/document.xml" in lowered:
                    return "docx"
                if "xl/workbook.xml" in lowered:
                    return "xlsx"
                if "ppt/presentation.xml" in lowered:
                    return "pptx"
            if "mimetype" in lowered:
                kind = archive.read(next(n for n in names if n.lower() == "mimetype"))[:100].strip()
                if kind in _ODF:
                    return _ODF[kind]
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, RuntimeError, NotImplementedError, EOFError):
        # damaged: what the names say it should be, so the reader of that type says what is wrong
        return hint if hint in ("docx", "xlsx", "pptx", "ofd", "ods", "odt") else "zip"
    return "zip"


def _entries(body: bytes) -> int:
    """The entry count a ZIP's end record declares (ZIP64 and unreadable: a very large number)."""
    end = body.rfind(b"PK\x05\x06", max(0, len(body) - 65_557))
    if end < 0 or end + 12 > len(body):
        return 1 << 62
    count = int.from_bytes(body[end + 10:end + 12], "little")
    return 1 << 62 if count == 0xFFFF else count


def _ole_type(body: bytes, hint: str | None) -> str:
    """Word, Excel or PowerPoint 97-2003 (or WPS's own names for them), or an encrypted
    DOCX/XLSX, which Office stores as an OLE file holding the encrypted package."""
    for stream, family in _OLE_STREAMS:
        if stream in body:
            if family == "encrypted":
                return hint if hint in ("docx", "xlsx", "pptx") else "docx"
            default, names = _OLE_TYPES[family]
            return hint if hint in names else default
    return hint if hint in ("doc", "wps", "xls", "et", "ppt", "dps") else "unknown"
