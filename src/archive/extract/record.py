"""Assembling an ArticleRecord from parsed pages: which source wins for each field."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime

from ..records import ArticleRecord, ExtractionRules, FetchedPage
from .agreement import EMPTY
from .bylines import (
    bare_credits,
    cited_source,
    editor_credit,
    header_byline,
    inline_authors,
    outlet_after_date,
    outlet_before_date,
    posted_by,
    signature_unit,
)
from .dates import parse_date
from .disclosure import read_disclosure
from .labels import clean_person_value, clean_plain_value, find_labels, labelled_values, parse_views
from .language import detect_language
from .metadata import meta_value
from .page import ParsedPage, read_page
from .published import early_info_lines, published_at

_EPAPER_PAGE = re.compile(r"第\s*[0-9A-Za-z]{1,4}\s*版\s*[:：]?\s*[^\s|｜]{0,12}")
_DIGIT = re.compile(r"\d")


_POSTED_BY_TAIL = 6
_WRITER_NAME = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
_OUTLET_WORD = re.compile(
    r"网|报|社|台|刊|新闻|杂志|客户端|中心|频道|电视|广播|传媒|在线|政府|委员会|部|局|厅|办"
    r"|網|報|臺|新聞|雜誌|客戶端|頻道|電視|廣播|傳媒|線上|政府|委員會|廳|辦"
)
# <meta> keys that name the writer or the posting account, most specific first
_NOT_A_WRITER = re.compile(
    r"https?:|www\.|\.com|@|\b(?:team|inc|ltd|powered|discuz|comsenz|phpwind|dedecms|wordpress|cms)\b|财经", re.I
)
_META_AUTHOR_KEYS = ("ld:author", "author", "article:author", "og:article:author", "dc.creator", "byline", "mediaid")


def _selected_date(parsed: ParsedPage) -> datetime | None:
    values = parsed.selected.get("published_at")
    return parse_date(" ".join(values), parsed.fetched_at) if values else None


def _writer_as_source(value: str | None, header_source: str) -> str | None:
    """'来源: 张三' under the text when the header named the outlet: the writer, misfiled as a source."""
    if not value:
        return None
    value = value.strip()
    if value == header_source or not _WRITER_NAME.match(value) or _OUTLET_WORD.search(value):
        return None
    return clean_person_value(value)


def _meta_author(meta: dict[str, str], editor: str | None) -> str | None:
    """The writer or posting account a <meta> tag names, when nothing on the page did."""
    for key in _META_AUTHOR_KEYS:
        value = meta.get(key)
        if not value or _NOT_A_WRITER.search(value) or _OUTLET_WORD.search(value):
            # an address, the software that made the page, or the outlet: nobody's byline
            continue
        value = clean_person_value(value)
        if value and value != editor and len(value) <= 30:
            return value
    return None


def _lone_view_count(lines: list[str]) -> str | None:
    """A view count printed away from the header, when the page prints exactly one."""
    # A count is digits (parse_views), so a line without any holds none: most lines of
    # a page, each spared the label patterns.
    counts = [
        value
        for line in lines
        if len(line) < 80 and _DIGIT.search(line)
        for name, value in find_labels(line)
        if name == "views" and parse_views(value) is not None
    ]
    return counts[0] if len(counts) == 1 else None


def _editors(labelled: str | None, closing: str | None) -> str | None:
    """The editor credited in the header and the one whose bracketed credit closes the text.

    Campus and portal templates print the page editor by the date and the text's own
    editor under it ("（编辑：…）"): both edited the article.
    """
    if labelled and closing and closing not in labelled.split():
        return f"{labelled} {closing}"
    return labelled or closing


def _selected_or(parsed: ParsedPage, name: str, fallback: str | None) -> str | None:
    values = parsed.selected.get(name)
    if values:
        text = " ".join(values)
        # a selector may pick the whole "作者：张三" line
        labelled = [value for field, value in find_labels(text) if field == name]
        return labelled[0] if labelled else text
    return fallback


def build_record(
    pages: Sequence[FetchedPage],
    *,
    site: str,
    rules: ExtractionRules,
    force: bool,
    version: str,
    parsed_pages: Sequence[ParsedPage | None] | None = None,
) -> ArticleRecord | None:
    """The record of an article; `parsed_pages` are the pages read already, if the caller has them."""
    first_page = pages[0]
    if parsed_pages is None:
        parsed_pages = [read_page(page, rules) for page in pages]
    first = parsed_pages[0]
    pointer = first_page.pointer
    record = ArticleRecord(
        url=first_page.url,
        site=site,
        fetched_at=first_page.fetched_at,
        warc_file=pointer.file if pointer else None,
        warc_offset=pointer.offset if pointer else None,
        warc_record_id=pointer.record_id if pointer else None,
        extractor_version=version,
        page_count=len(pages),
        kind=rules.kind if rules.kind != "auto" else None,
    )
    if first is None:
        if not force:
            return None
        record.content_sha1 = hashlib.sha1(b"").hexdigest()
        record.quality = EMPTY
        return record
    if not force and not first.looks_like_article():
        return None

    lines: list[str] = []
    for parsed in parsed_pages:
        if parsed is None:
            continue
        page_lines = parsed.body_lines
        # continuation pages may repeat the headline paragraph or the last line of the page before
        while lines and page_lines and page_lines[0] == lines[-1]:
            page_lines = page_lines[1:]
        lines.extend(page_lines)
    text = "\n".join(lines)

    labelled = labelled_values(first.header_lines)
    for name, value in labelled_values(first.above_lines).items():
        labelled.setdefault(name, value)
    tail_labelled = labelled_values(first.tail_lines)
    outlet = outlet_after_date(first.header_lines) or outlet_before_date(first.header_lines)
    if outlet and "source" not in labelled:
        closing = tail_labelled.get("source")
        if closing not in (None, outlet) and not _writer_as_source(closing, outlet):
            # "2019-05-17 · 某某报道" over a text closing "来源：某某交警": the name beside its
            # label is the outlet, the account printed by the date the one that posted it
            labelled.setdefault("publisher", outlet)
        else:
            labelled["source"] = outlet
    early_outlet = outlet_after_date(early_info_lines(first.body_lines)) if "source" not in labelled else None
    header_source = labelled.get("source")
    for name, value in tail_labelled.items():
        labelled.setdefault(name, value)
    bare = bare_credits(first.header_lines, first.links)

    record.title = _selected_or(first, "title", first.title) or None
    record.text = text or None
    record.quality = first.quality
    record.content_sha1 = hashlib.sha1(text.encode("utf-8")).hexdigest()
    record.kind = first.kind
    disclosure = read_disclosure(first.above_lines + first.header_lines + first.tail_lines)
    for name, value in disclosure.items():
        setattr(record, name, clean_plain_value(value))
    record.published_at = _selected_date(first) or published_at(
        header_lines=first.header_lines, above_lines=first.above_lines, tail_lines=first.tail_lines,
        body_lines=first.body_lines, meta=first.meta, enp=first.enp, scripts=first.scripts,
        url=first.page.url, fetched_at=first.fetched_at, document_date=record.document_date)

    # the e-paper's own record of the article outranks credits read off the page
    author = clean_person_value(_selected_or(first, "author", first.enp.get("author") or labelled.get("author")))
    if author is None and first.body_lines:
        author = inline_authors(first.body_lines)
    if author is None:
        author = header_byline(first.header_lines) or posted_by(
            first.header_lines + first.above_lines[-3:] + first.tail_lines[:_POSTED_BY_TAIL]
        )
    if author is None and labelled.get("author_after_source"):
        author = clean_person_value(labelled["author_after_source"])
    if author is None:
        author = clean_person_value(bare.get("author"))
    if author is None and header_source:
        author = _writer_as_source(tail_labelled.get("source"), header_source)
    record.editor = clean_person_value(
        _selected_or(
            first,
            "editor",
            _editors(labelled.get("editor"), editor_credit(first.tail_lines)) or meta_value(first.meta, "editor"),
        )
    )
    if author is None:
        author = _meta_author(first.meta, record.editor)
    record.author = author
    record.source = clean_plain_value(
        _selected_or(
            first,
            "source",
            labelled.get("source")
            or meta_value(first.meta, "source")
            or cited_source(first.body_lines)
            or early_outlet
            or bare.get("source"),
        )
    )
    publisher = labelled.get("publisher")
    if publisher is None and first.kind in ("campus", "gov") and first.body_lines:
        publisher = signature_unit(first.body_lines)
    record.publisher = clean_plain_value(_selected_or(first, "publisher", publisher))
    views_text = _selected_or(first, "views", labelled.get("views") or _lone_view_count(first.all_lines))
    if views_text:
        record.views = parse_views(views_text)
        if record.views is not None:
            record.views_observed_at = first_page.fetched_at
    record.subtitle = first.enp.get("subtitle") or meta_value(first.meta, "subtitle")
    record.column = clean_plain_value(meta_value(first.meta, "column") or labelled.get("column"))
    page_name = first.enp.get("nodename")
    if page_name is None and first.kind == "epaper":
        for line in first.header_lines + first.tail_lines:
            match = _EPAPER_PAGE.search(line)
            if match:
                page_name = match.group(0)
                break
    record.page = re.sub(r"\s+", "", page_name) if page_name else None
    record.language = detect_language(text or record.title or "", meta_value(first.meta, "language"))
    record.attachments = [item for parsed in parsed_pages if parsed for item in parsed.attachments]
    return record
