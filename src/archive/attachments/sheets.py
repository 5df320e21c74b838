"""Spreadsheets through calamine (python-calamine, MIT): XLSX, XLS, ODS, and WPS's .et
files, which are XLS inside.

Each sheet becomes a block headed by its name, a row a line, cells separated by tabs;
whole numbers show without ".0", dates as ISO dates, empty trailing cells are dropped.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from archive.attachments.archives import opened
from archive.attachments.reading import FileText, ReadLimits, Unreadable, joined


def read_sheets(body: bytes, limits: ReadLimits) -> FileText:
    if body.startswith(b"PK"):  # XLSX, ODS: their parts are inflated within the bound
        opened(body, "workbook", limits.zip_bytes).close()
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(body))
    except PasswordError:
        raise Unreadable("encrypted", "the workbook needs a password") from None
    except CalamineError as exc:
        raise Unreadable("corrupt", f"calamine cannot open it ({exc})") from None
    blocks: list[str] = []
    size = 0
    try:
        for name in workbook.sheet_names:
            lines = [name]
            for row in workbook.get_sheet_by_name(name).iter_rows():
                cells = [_cell(value) for value in row]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    lines.append("\t".join(cells))
                    size += len(lines[-1])
                if size >= limits.max_chars:
                    break
            if len(lines) > 1:
                blocks.append("\n".join(lines))
            if size >= limits.max_chars:
                break
        sheets = len(workbook.sheet_names)
    except PasswordError:
        raise Unreadable("encrypted", "the workbook needs a password") from None
    finally:
        workbook.close()
    text, _ = joined(blocks, limits.max_chars)
    return FileText("ok", text or None, sheet_count=sheets)


def _cell(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return " ".join(str(value).split())
