"""ZIP archives, read member by member within bounds: no zip bomb gets through.

Before a byte is inflated, the sizes the archive declares are added up against the
bound (`zip_bytes`), and each member is then inflated a megabyte at a time, never past
its declared size: a member lying about it is damage, found once one byte too many
comes out. (Python's zipfile alone inflates up to 2 GB in one step before it checks.)
The readers of DOCX and XLSX files read their parts through their libraries, within
the memory bound of bounds.py. Members are read as files of their own type (a ZIP of a PDF and two DOCX files is
common), archives within archives down to `zip_depth`, at most `zip_members` of them.
Names are decoded as Chinese tools write them: UTF-8 when flagged so, else GBK.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from archive.attachments.filetypes import detect_type
from archive.attachments.reading import FileText, ReadLimits, Unreadable, read_file

# Bytes inflated at a time.
_STEP = 1 << 20
# General purpose flag bits of a ZIP entry: encrypted, and name in UTF-8.
_ENCRYPTED = 0x1
_UTF8_NAME = 0x800


def opened(body: bytes, what: str, limit: int) -> zipfile.ZipFile:
    """`body` opened as a ZIP package (a ZIP, DOCX, XLSX, OFD), once its declared sizes
    are found within `limit`; Unreadable naming `what` it should be when it is none."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as exc:
        raise Unreadable("corrupt", f"not a readable {what} ({exc})") from None
    try:
        check_inflated_size(archive, limit)
    except Unreadable:
        archive.close()
        raise
    return archive


def check_inflated_size(archive: zipfile.ZipFile, limit: int) -> None:
    """Unreadable("too_large") when the members of `archive` would inflate past `limit`
    bytes together (a zip bomb), before any of them is inflated."""
    declared = sum(member.file_size for member in archive.infolist())
    if declared > limit:
        raise Unreadable("too_large", f"its members would inflate to {declared:,} bytes (bound: {limit:,})")


def inflated(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """The member's bytes, inflated a step at a time and never past its declared size."""
    chunks, size = [], 0
    with archive.open(member) as stream:
        while chunk := stream.read(_STEP):
            size += len(chunk)
            if size > member.file_size:
                raise Unreadable("corrupt", f"{member_name(member)} inflates past the size it declares")
            chunks.append(chunk)
    return b"".join(chunks)


def member_name(member: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it: zipfile decodes names not flagged UTF-8
    as CP437, but Chinese archivers write them in GBK."""
    if member.flag_bits & _UTF8_NAME:
        return member.filename
    raw = member.filename.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return member.filename


def read_zip(body: bytes, limits: ReadLimits, depth: int = 0) -> FileText:
    with opened(body, "ZIP archive", limits.zip_bytes) as archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not _is_clutter(member_name(m))]
        parts: list[str] = []
        notes: list[str] = []
        statuses: list[str] = []
        budget = limits.max_chars
        for member in members[:limits.zip_members]:
            name = member_name(member)
            found = _read_member(archive, member, name, limits, depth)
            statuses.append(found.status)
            if found.text:
                parts.append(f"【{name}】\n{found.text}")
                budget -= len(parts[-1])
            if found.status != "ok":
                notes.append(f"{name}: {found.status}" + (f" ({found.reason})" if found.reason else ""))
            if budget <= 0:
                notes.append("text budget reached")
                break
        if len(members) > limits.zip_members:
            notes.append(f"{len(members) - limits.zip_members} members beyond the first {limits.zip_members} not read")
    reason = "; ".join(notes)[:1000] or None
    if parts:
        return FileText("ok", "\n\n".join(parts), reason)
    if members and all(m.flag_bits & _ENCRYPTED for m in members):
        raise Unreadable("encrypted", "every member needs a password")
    # no member gave text: the archive is what kept the first one from giving any
    status = next((status for status in statuses if status not in ("ok", "empty")), "empty")
    return FileText(status, None, reason or "no member holds text")


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, limits: ReadLimits,
                 depth: int) -> FileText:
    if member.flag_bits & _ENCRYPTED:
        return FileText("encrypted", reason="needs a password")
    try:
        data = inflated(archive, member)
    except Unreadable as exc:
        return FileText(exc.status, reason=exc.reason)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error) as exc:
        return FileText("corrupt", reason=str(exc)[:200])
    if not data:
        return FileText("empty", reason="an empty file")
    file_type = detect_type(data, names=[name])
    if file_type is None:
        return FileText("unsupported", reason="a web page")
    if file_type == "zip":
        if depth + 1 >= limits.zip_depth:
            return FileText("unsupported", reason=f"an archive nested deeper than {limits.zip_depth}")
        try:
            return read_zip(data, limits, depth + 1)
        except Unreadable as exc:
            return FileText(exc.status, reason=exc.reason)
    return read_file(data, file_type, limits)


def _is_clutter(name: str) -> bool:
    """macOS resource forks and hidden files archivers add."""
    return name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1].startswith(".") or name.endswith("Thumbs.db")
