"""Pages made of anything at all: extraction neither fails nor makes up content.

extract_article catches every error of a page (one page must not take a crawl down) and,
forced, always returns a record, so "it returned" proves nothing. What a user would see
of a failure is the error it logs and the empty record it falls back on; of a record
made of noise, empty strings where the contract says null, or a digest that is not the
text's.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.extract import continuation_links, decode_html, extract_article
from archive.records import ArticleRecord, ExtractionRules, FetchedPage

CAPTURED = datetime(2024, 6, 1, tzinfo=UTC)


@contextlib.contextmanager
def errors_logged() -> Iterator[list[logging.LogRecord]]:
    """The errors archive.extract logs meanwhile: what it falls back on is logged there."""

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found.append(record)

    found: list[logging.LogRecord] = []
    handler, logger = Keep(logging.ERROR), logging.getLogger("archive.extract")
    logger.addHandler(handler)
    try:
        yield found
    finally:
        logger.removeHandler(handler)


def assert_sound(record: ArticleRecord, page: FetchedPage) -> None:
    """A record as the contract has it: null, never an empty string; the digest of its text."""
    assert record.url == page.url and record.fetched_at == page.fetched_at
    blank = [f.name for f in fields(record) if isinstance(getattr(record, f.name), str)
             and not getattr(record, f.name).strip()]
    assert blank == []
    assert record.content_sha1 == hashlib.sha1((record.text or "").encode("utf-8")).hexdigest()


def make_page(body: bytes | str) -> FetchedPage:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return FetchedPage(
        url="https://www.example.gov.cn/a/1.html", status=200, headers={}, body=data, fetched_at=CAPTURED
    )


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000))
def test_garbage_bytes_are_read_without_an_error(body: bytes) -> None:
    page = make_page(body)
    with errors_logged() as errors:
        extract_article([page], site="x")
        forced = extract_article([page], site="x", force=True)
        links = continuation_links(page)
    assert [e.getMessage() for e in errors] == []
    assert_sound(forced, page)
    assert forced.quality == "empty" if forced.text is None else forced.quality is not None
    assert links == []  # noise names no next page
    assert isinstance(decode_html(body, {"content-type": "text/html; charset=gb2312"}), str)


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=2000))
def test_garbage_text_is_read_without_an_error(text: str) -> None:
    page = make_page("<html><body><div>" + text + "</div></body></html>")
    with errors_logged() as errors:
        extract_article([page], site="x")
        forced = extract_article([page], site="x", force=True)
    assert [e.getMessage() for e in errors] == []
    assert_sound(forced, page)


def test_empty_and_binary_bodies(page_factory) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    for body in (b"", b"   ", png, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(200)):
        page = page_factory(body)
        assert extract_article([page], site="x") is None
        record = extract_article([page], site="x", force=True)
        assert record is not None and record.text is None and record.title is None
        assert record.quality == "empty"


def test_no_pages() -> None:
    assert extract_article([], site="x") is None


def test_error_status_is_not_an_article(page_factory) -> None:
    html = "<html><head><title>404 页面不存在</title></head><body><p>您访问的页面不存在，请返回首页。</p></body></html>"
    assert extract_article([page_factory(html, status=404)], site="x") is None


def test_an_unusable_selector_is_reported_and_the_page_still_read(page_factory, caplog) -> None:
    html = "<html><body><h1>标题文字示例</h1><p>" + "正文内容示例。" * 40 + "</p></body></html>"
    rules = ExtractionRules(selectors={"title": "h1[", "body": "xpath://*["})
    with caplog.at_level(logging.WARNING, logger="archive.extract"):
        record = extract_article([page_factory(html)], site="x", rules=rules, force=True)
    assert [(r.levelname, r.getMessage().split(":")[0]) for r in caplog.records] == [
        ("WARNING", "unusable selector 'h1['"), ("WARNING", "unusable selector 'xpath")]
    assert record.title == "标题文字示例"  # the headline found without the selector
