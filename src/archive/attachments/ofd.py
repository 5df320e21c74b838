"""OFD (开放版式文档, GB/T 33190), the fixed-layout format of Chinese government
documents: a ZIP of XML files, read here directly.

`OFD.xml` names each document's `Document.xml`, which lists its pages; a page's
`Content.xml` holds TextObjects, each a box with TextCode runs placed in it. The runs
are read in document order (the order the producing software laid the text out in), a
new line starting wherever a run sits lower or higher than the one before it.
"""

from __future__ import annotations

import posixpath
import zipfile

from lxml import etree

from archive.attachments.archives import opened
from archive.attachments.reading import FileText, ReadLimits, Unreadable, joined


def _parser() -> etree.XMLParser:
    # no DTDs, no entities, no network: the XML comes from whoever made the file
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _xml(archive: zipfile.ZipFile, path: str):
    name = _member(archive, path)
    if name is None:
        raise Unreadable("corrupt", f"the OFD package lacks {path}")
    try:
        return etree.fromstring(archive.read(name), _parser())
    except etree.XMLSyntaxError as exc:
        raise Unreadable("corrupt", f"{path}: not well-formed XML ({exc})") from None


def _member(archive: zipfile.ZipFile, path: str) -> str | None:
    """The member at `path`, matched without regard to case or a leading slash (producers differ)."""
    wanted = path.lstrip("/").lower()
    return next((name for name in archive.namelist() if name.lower() == wanted), None)


def _numbers(value: str | None) -> list[float]:
    try:
        return [float(part) for part in (value or "").split()]
    except ValueError:
        return []


def _resolve(base_dir: str, location: str) -> str:
    location = location.strip()
    if location.startswith("/"):
        return location.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, location))


def read_ofd(body: bytes, limits: ReadLimits) -> FileText:
    with opened(body, "OFD package", limits.zip_bytes) as archive:
        root = _xml(archive, "OFD.xml")
        pages: list[str] = []
        for doc_root in root.iter("{*}DocRoot"):
            document_path = _resolve("", doc_root.text or "")
            document = _xml(archive, document_path)
            base = posixpath.dirname(document_path)
            for page in document.iter("{*}Page"):
                location = page.get("BaseLoc")
                if location:
                    pages.append(_page_text(_xml(archive, _resolve(base, location))))
                if sum(map(len, pages)) >= limits.max_chars:
                    break
    if not pages and not any(True for _ in root.iter("{*}DocRoot")):
        raise Unreadable("corrupt", "OFD.xml names no document")
    text, _ = joined([page for page in pages if page], limits.max_chars)
    return FileText("ok", text or None, page_count=len(pages))


def _page_text(page) -> str:
    lines: list[str] = []
    current: list[str] = []
    last_y: float | None = None
    for text_object in page.iter("{*}TextObject"):
        box = _numbers(text_object.get("Boundary"))
        size = (_numbers(text_object.get("Size")) or [3.0])[0]
        for code in text_object.iter("{*}TextCode"):
            offset = _numbers(code.get("Y"))
            y = (box[1] if len(box) > 1 else 0.0) + (offset[0] if offset else 0.0)
            if last_y is not None and abs(y - last_y) > size / 2 and current:
                lines.append("".join(current))
                current = []
            current.append(code.text or "")
            last_y = y
    if current:
        lines.append("".join(current))
    return "\n".join(line.strip() for line in lines if line.strip())
