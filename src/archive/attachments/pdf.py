"""PDF text through pdfium (pypdfium2: Chrome's PDF engine, Apache/BSD licensed).

pdfium reads the text layer of each page, CJK fonts with the standard CMaps included. A
page without text but with images is a scan: the file is "scanned" when no page has
text. A document that needs a password to open is "encrypted"; one with only an owner
password (printing or copying forbidden) opens and is read.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from archive.attachments.reading import FileText, ReadLimits, Unreadable, joined

# Imported as the module is (reading.reader_of, in the worker before it forks a reader):
# a child importing pdfium itself would spend 35 ms on it for every file.


def read_pdf(body: bytes, limits: ReadLimits) -> FileText:
    try:
        document = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise Unreadable("encrypted", "the PDF needs a password to open") from None
        raise Unreadable("corrupt", f"pdfium cannot open it ({exc})") from None
    try:
        pages = len(document)
        texts: list[str] = []
        size = 0
        image_pages = 0
        for number in range(pages):
            page = document[number]
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_bounded().strip()
                textpage.close()
                if not text and any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)):
                    image_pages += 1
            finally:
                page.close()
            if text:
                texts.append(text)
                size += len(text)
            if size >= limits.max_chars:
                break
    finally:
        document.close()
    text, _ = joined(texts, limits.max_chars)
    if not text and image_pages:
        return FileText("scanned", reason=f"{image_pages} of {pages} pages are images without a text layer",
                        page_count=pages)
    return FileText("ok", text or None, page_count=pages)
