"""Which links of an article page lead to its attachments (附件).

A link names a document by its extension (`/u/cms/plan.pdf`, TRS's `./P020….docx`), by
being a download script (VSB's `download.jsp?urltype=news.DownloadAttachUrl&…&wbfileid=…`,
`DownFile.aspx?id=`, `attachment.php?aid=`), or by its text (`2026年申报表.xlsx`). What the
file really is, only fetching it tells (archive.attachments.filetypes); these are the
links worth fetching. Campus CMSs list attachments below the text, outside its
container, under a 附件 label: such a list counts too.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

DOCUMENT_EXTENSIONS = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|7z|wps|et|dps|ofd|txt|csv|tif|ceb|odt|ods)(?:$|[?#])", re.I)
# A link's text naming a file: "附件1：报名表.xlsx", "申报书.pdf（256KB）"
_NAMED_FILE = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|7z|wps|et|ofd|ceb)\b", re.I)
_DOWNLOAD_SCRIPT = re.compile(
    r"(?:down(?:load)?(?:_?file|attach\w*)?|getfile|showfile|attach(?:ment)?|fujian|fileview)[\w-]*"
    r"\.(?:jsp|aspx?|php|do|action|ashx|cgi)(?:$|[?#])"
    r"|[?&](?:wbfileid|fileid|file_id|attachid|attach_id|attachmentid|fjid)=", re.I)
_LABEL = "附件"


def is_attachment_link(href: str, text: str = "") -> bool:
    """Whether a link (its href, and its text) leads to a document rather than a page."""
    return bool(DOCUMENT_EXTENSIONS.search(href) or _DOWNLOAD_SCRIPT.search(href) or _NAMED_FILE.search(text))


def labelled_attachment(anchor: lxml_html.HtmlElement) -> bool:
    """Whether the link sits under a 附件 label: in its own text, in the text before it
    in its parent ("附件【<a>…</a>】", "附件1：<a>"), or in its list's heading."""
    parent = anchor.getparent()
    if parent is None:
        return False
    before = (parent.text or "") + "".join(_text(sibling) + (sibling.tail or "")
                                           for sibling in anchor.itersiblings(preceding=True))
    if _LABEL in anchor.text_content() or _LABEL in before:
        return True
    holder = parent.getparent() if parent.tag == "li" else None
    heading = holder.getprevious() if holder is not None else None
    return heading is not None and _LABEL in _text(heading)


def _text(element) -> str:
    """An element's text; none for comments and processing instructions."""
    return element.text_content() if isinstance(element.tag, str) else ""
