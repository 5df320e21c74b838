"""A file's text, and what kept it from being read: one reader per format.

Every reader takes the file's bytes and the limits, and returns a FileText or raises
Unreadable with the status and a one-line reason. Nothing a file holds may crash the
caller: any other error of a reader is the file's damage ("corrupt"), and running out
of the memory bound is "too_large" (see bounds.py for the bound itself).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from archive.attachments.filetypes import FILE_TYPES
from archive.errors import one_line

# The `status` column: what came of reading a file.
STATUSES = {
    "ok": "text read",
    "empty": "read, but the file holds no text",
    "scanned": "images with no text layer (a scan): the text needs OCR",
    "encrypted": "needs a password",
    "unsupported": "a format not read here (or needing a tool not installed here)",
    "too_large": "larger than the site's size limit, or than what reading it may take",
    "corrupt": "damaged, or not the file its type says",
    "timed_out": "reading took longer than the time bound",
}
# Bumped when a reader changes what it gives for the same file (the `reader_version` column).
READER_VERSION = "2026.12.1"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class ReadLimits:
    """How far reading one file may go."""

    # wall-clock seconds for one file, and memory (MB) its reading may add to the worker
    seconds: float = 60.0
    memory_mb: int = 1024
    # characters of text kept of one file: a spreadsheet of a million rows is data, not text
    max_chars: int = 5_000_000
    # a ZIP: members read, bytes they may inflate to together, archives within archives
    zip_members: int = 200
    zip_bytes: int = 256 * 1024 * 1024
    zip_depth: int = 2


DEFAULT_LIMITS = ReadLimits()


@dataclass(frozen=True)
class FileText:
    """What reading a file gave: a status of STATUSES, the text, a reason when it is not
    plainly "ok", and its pages (PDF, OFD, DOCX when it says) or sheets (spreadsheets)."""

    status: str
    text: str | None = None
    reason: str | None = None
    page_count: int | None = None
    sheet_count: int | None = None


class Unreadable(Exception):
    """A file a reader cannot give text of; `status` is one of STATUSES."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


# type -> "module:function" reading it; imported on first use (pdfium is a large library)
_READERS = {
    "pdf": "archive.attachments.pdf:read_pdf",
    "docx": "archive.attachments.office:read_docx",
    "xlsx": "archive.attachments.sheets:read_sheets",
    "xls": "archive.attachments.sheets:read_sheets",
    "et": "archive.attachments.sheets:read_sheets",
    "ods": "archive.attachments.sheets:read_sheets",
    "ofd": "archive.attachments.ofd:read_ofd",
    "zip": "archive.attachments.archives:read_zip",
    "doc": "archive.attachments.legacy:read_word97",
    "wps": "archive.attachments.legacy:read_word97",
    "txt": "archive.attachments.office:read_plain_text",
    "csv": "archive.attachments.office:read_plain_text",
}
_NOT_READ = {
    "image": ("scanned", "an image: its text needs OCR"),
    "rar": ("unsupported", "RAR archives are not read (no permissively licensed reader)"),
    "7z": ("unsupported", "7-Zip archives are not read"),
}


def reader_of(file_type: str) -> Callable[[bytes, ReadLimits], FileText] | None:
    """The reader of a type (importing its module), or None for a type not read here."""
    target = _READERS.get(file_type)
    if target is None:
        return None
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


def read_file(body: bytes, file_type: str, limits: ReadLimits = DEFAULT_LIMITS) -> FileText:
    """The text of a file of `file_type`, in this process (bounds.read_bounded runs it in a
    child with a time and memory bound). Never raises for what the file holds."""
    if file_type in ("docx", "xlsx", "pptx") and body.startswith(_OLE):
        return FileText("encrypted", reason="a password-protected Office file (an encrypted package)")
    reader = reader_of(file_type)
    if reader is None:
        status, reason = _NOT_READ.get(file_type, ("unsupported", f"{FILE_TYPES.get(file_type, file_type)}: "
                                                                  "not read here"))
        return FileText(status, reason=reason)
    try:
        found = reader(body, limits)
    except Unreadable as exc:
        return FileText(exc.status, reason=exc.reason)
    except MemoryError:
        return FileText("too_large", reason=f"reading it needs more than {limits.memory_mb} MB")
    except RecursionError:
        return FileText("corrupt", reason="nested too deeply to read")
    except Exception as exc:  # a reader library's complaint about the bytes it was given
        return FileText("corrupt", reason=f"{type(exc).__name__}: {one_line(exc)}"[:300])
    return _bounded_text(found, limits)


def _bounded_text(found: FileText, limits: ReadLimits) -> FileText:
    text = found.text
    if text is None:
        return found
    text = "\n".join(line.rstrip() for line in text.replace("\x00", "").replace("\r\n", "\n").split("\n")).strip()
    reason = found.reason
    if len(text) > limits.max_chars:
        text = text[:limits.max_chars]
        reason = f"text cut at {limits.max_chars:,} characters" + (f"; {reason}" if reason else "")
    status = found.status
    if status == "ok" and not text:
        status = "empty"
    return FileText(status, text or None, reason, found.page_count, found.sheet_count)


def joined(parts: list[str], budget: int) -> tuple[str, bool]:
    """`parts` joined by blank lines, stopped once `budget` characters are reached; and
    whether some were left out."""
    out, size = [], 0
    for part in parts:
        if size >= budget:
            return "\n\n".join(out), True
        out.append(part)
        size += len(part) + 2
    return "\n\n".join(out), False
