"""Small documents of every kind a notice attaches, made from text: the demo sites'
attachments, and the files tests and benchmarks read.

Each is a real file of its format, written the way the usual producers write it: a PDF
with a CJK text layer (the STSong-Light font and the UniGB-UCS2-H CMap every PDF reader
knows), a DOCX by python-docx, an XLSX and an OFD package by hand (both are ZIPs of
XML), a ZIP with GBK or UTF-8 member names. Output is deterministic: the same text
always gives the same bytes (ZIP entries carry a fixed date).

    python -m archive.demo.documents     # writes the demo sites' attachment files again
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Sequence
from xml.sax.saxutils import escape

# The date stamped on every ZIP entry, so that a document's bytes depend on its text only.
ZIP_DATE = (2026, 10, 19, 9, 0, 0)

CJK_FONT = (b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts"
            b" [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe)"
            b" /Ordering (GB1) /Supplement 4 >> /FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light"
            b" /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880"
            b" /StemV 93 >> >>] >>")


# -- PDF -----------------------------------------------------------------------------

def pdf_file(objects: Sequence[bytes], root: int, trailer_extra: bytes = b"") -> bytes:
    """A PDF of `objects` (object n is objects[n-1], without its `n 0 obj` frame), with a
    cross-reference table; `root` is the catalog's number."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root,
                                                                                  trailer_extra, table)
    return bytes(out)


def pdf_stream(data: bytes, compress: bool = True) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def text_operators(lines: Sequence[str]) -> bytes:
    """A content stream showing `lines` top down in the CJK font (resource /F1)."""
    shown = [b"<" + line.encode("utf-16-be").hex().encode() + b"> Tj T*" for line in lines]
    return b"\n".join([b"BT /F1 12 Tf 72 780 Td 18 TL", *shown, b"ET"])


def pdf_pages(contents: Sequence[bytes], resources: bytes = b"<< /Font << /F1 1 0 R >> >>",
              extra: Sequence[bytes] = ()) -> tuple[list[bytes], int]:
    """Objects of an A4 document with one page per content stream (already framed as
    streams); object 1 is the CJK font, `extra` objects follow it. Returns (objects, root)."""
    objects: list[bytes] = [CJK_FONT, *extra]
    count = len(contents)
    pages_number = len(objects) + 2 * count + 1
    kids = []
    for content in contents:
        objects.append(content)
        objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources %s >>"
                       % (pages_number, len(objects), resources))
        kids.append(len(objects))
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), count))
    objects.append(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_number)
    return objects, len(objects)


def pdf_document(pages: Sequence[Sequence[str]]) -> bytes:
    """A PDF with a text layer: one page per list of lines."""
    objects, root = pdf_pages([pdf_stream(text_operators(lines)) for lines in pages])
    return pdf_file(objects, root)


# -- DOCX, XLSX ------------------------------------------------------------------------

def docx_document(paragraphs: Sequence[str], table: Sequence[Sequence[str]] = ()) -> bytes:
    """A Word document of `paragraphs`, then `table` (rows of cells) when given."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for cells, row in zip(grid.rows, table, strict=True):
            for cell, value in zip(cells.cells, row, strict=False):
                cell.text = value
    document.core_properties.created = document.core_properties.modified = _zip_datetime()
    out = io.BytesIO()
    document.save(out)
    return _fixed_dates(out.getvalue())


_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def xlsx_workbook(sheets: dict[str, Sequence[Sequence[str | int | float]]]) -> bytes:
    """An Excel workbook: one sheet per name, its rows of text and numbers (inline strings)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
                      f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      for n in range(1, len(sheets) + 1))
            + "</Types>"),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_SHEET_NS}" '
            f'xmlns:r="{_REL_NS}"><sheets>'
            + "".join(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
                      for n, name in enumerate(sheets, 1))
            + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{n}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                      for n in range(1, len(sheets) + 1))
            + "</Relationships>"),
    }
    for n, rows in enumerate(sheets.values(), 1):
        parts[f"xl/worksheets/sheet{n}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_SHEET_NS}"><sheetData>'
            + "".join(f'<row r="{r}">' + "".join(_xlsx_cell(r, c, value) for c, value in enumerate(row)) + "</row>"
                      for r, row in enumerate(rows, 1))
            + "</sheetData></worksheet>")
    return zip_archive({name: text.encode("utf-8") for name, text in parts.items()})


def _xlsx_cell(row: int, column: int, value: str | int | float) -> str:
    where = f"{chr(ord('A') + column)}{row}"
    if isinstance(value, int | float):
        return f'<c r="{where}"><v>{value}</v></c>'
    return f'<c r="{where}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


# -- OFD -------------------------------------------------------------------------------

_OFD_NS = "http://www.ofdspec.org/2016"


def ofd_document(pages: Sequence[Sequence[str]], title: str = "") -> bytes:
    """An OFD package: one page per list of lines, each line a TextObject 5 mm below the last."""
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    parts = {
        "OFD.xml": (f'{head}<ofd:OFD xmlns:ofd="{_OFD_NS}" Version="1.0" DocType="OFD"><ofd:DocBody>'
                    f'<ofd:DocInfo><ofd:DocID>0d4f8b0c9a7e4f3c8a1b2c3d4e5f6a7b</ofd:DocID>'
                    f'<ofd:Title>{escape(title)}</ofd:Title></ofd:DocInfo>'
                    f'<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'),
        "Doc_0/Document.xml": (
            f'{head}<ofd:Document xmlns:ofd="{_OFD_NS}"><ofd:CommonData><ofd:MaxUnitID>{100 + 10 * len(pages)}'
            f'</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
            f'<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>'
            + "".join(f'<ofd:Page ID="{10 + n}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages)))
            + "</ofd:Pages></ofd:Document>"),
        "Doc_0/PublicRes.xml": (f'{head}<ofd:Res xmlns:ofd="{_OFD_NS}" BaseLoc="Res"><ofd:Fonts>'
                                f'<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'),
    }
    for n, lines in enumerate(pages):
        objects = "".join(
            f'<ofd:TextObject ID="{100 + n * 10 + i}" Boundary="25 {30 + 7 * i} 160 6" Font="2" Size="4.2">'
            f'<ofd:TextCode X="0" Y="4.2">{escape(line)}</ofd:TextCode></ofd:TextObject>'
            for i, line in enumerate(lines))
        parts[f"Doc_0/Pages/Page_{n}/Content.xml"] = (
            f'{head}<ofd:Page xmlns:ofd="{_OFD_NS}"><ofd:Content><ofd:Layer ID="{50 + n}">{objects}'
            f'</ofd:Layer></ofd:Content></ofd:Page>')
    return zip_archive({name: text.encode("utf-8") for name, text in parts.items()})


# -- ZIP -------------------------------------------------------------------------------

def zip_archive(members: dict[str, bytes], *, gbk_names: bool = False) -> bytes:
    """A ZIP of `members` (name: bytes), deflated; names in GBK without the UTF-8 flag,
    as Chinese archivers on Windows write them, when `gbk_names`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = _GbkNamed(name, ZIP_DATE) if gbk_names else zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


class _GbkNamed(zipfile.ZipInfo):
    """An entry whose name is written in GBK with no UTF-8 flag (zipfile would write a
    name it cannot write in ASCII as flagged UTF-8)."""

    __slots__ = ()

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's own name
        return self.filename.encode("gbk"), self.flag_bits


def _zip_datetime():
    from datetime import UTC, datetime

    return datetime(*ZIP_DATE, tzinfo=UTC)


def _fixed_dates(package: bytes) -> bytes:
    """The ZIP `package` written again with ZIP_DATE on every entry."""
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        return zip_archive({info.filename: source.read(info) for info in source.infolist()})
