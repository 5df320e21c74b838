"""Word documents (python-docx) and plain text files.

A DOCX is read in document order, paragraphs and tables alike (a table row is one line,
its cells separated by tabs), as notices put their lists of names and dates in tables.
The page count is the one Word saved in docProps/app.xml, when it did.
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
from charset_normalizer import from_bytes
from docx.table import Table

from archive.attachments.archives import opened
from archive.attachments.reading import FileText, ReadLimits

_PAGES = re.compile(rb"<(?:\w+:)?Pages>(\d{1,6})</(?:\w+:)?Pages>")


def read_docx(body: bytes, limits: ReadLimits) -> FileText:
    with opened(body, "Word document", limits.zip_bytes) as archive:
        pages = _saved_pages(archive)
    document = docx.Document(io.BytesIO(body))
    lines: list[str] = []
    size = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = ["\t".join(_cell_text(cell) for cell in _distinct_cells(row)) for row in block.rows]
            lines.extend(row for row in rows if row.strip())
        else:
            lines.append(block.text)
        size += len(lines[-1]) if lines else 0
        if size >= limits.max_chars:
            break
    return FileText("ok", "\n".join(lines), page_count=pages)


def _distinct_cells(row):
    """The cells of a table row, a merged cell once (python-docx repeats it per grid column)."""
    seen = []
    for cell in row.cells:
        if not seen or cell._tc is not seen[-1]._tc:
            seen.append(cell)
    return seen


def _cell_text(cell) -> str:
    return " ".join(paragraph.text.strip() for paragraph in cell.paragraphs if paragraph.text.strip())


def _saved_pages(archive: zipfile.ZipFile) -> int | None:
    try:
        found = _PAGES.search(archive.read("docProps/app.xml")[:65536])
    except KeyError:
        return None
    return int(found.group(1)) if found else None


def read_plain_text(body: bytes, limits: ReadLimits) -> FileText:
    """A .txt or .csv file, in the encoding it is written in (UTF-8, GBK, UTF-16 with a BOM)."""
    head = body[: limits.max_chars * 4]
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if head.startswith(bom):
            return FileText("ok", head.decode(encoding, errors="replace"))
    try:
        return FileText("ok", head.decode("utf-8"))
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the budget
            return FileText("ok", head.decode("utf-8", errors="ignore"))
    try:
        # the encoding of Chinese text files that are not UTF-8, whatever a detector
        # guesses for a short one
        return FileText("ok", head.decode("gb18030"))
    except UnicodeDecodeError:
        pass
    best = from_bytes(head[:1_000_000]).best()
    return FileText("ok", head.decode(best.encoding if best is not None else "gb18030", errors="replace"))
