from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.extract import continuation_links, decode_html, extract_article
from archive.records import ExtractionRules, FetchedPage

CAPTURED = datetime(2024, 6, 1, tzinfo=UTC)


def make_page(body: bytes | str) -> FetchedPage:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return FetchedPage(
        url="https://www.example.gov.cn/a/1.html", status=200, headers={}, body=data, fetched_at=CAPTURED
    )


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000))
def test_garbage_bytes_never_raise(body: bytes) -> None:
    page = make_page(body)
    extract_article([page], site="x")
    forced = extract_article([page], site="x", force=True)
    assert forced is not None and forced.url == page.url
    assert forced.quality == "empty" if forced.text is None else forced.quality is not None
    assert isinstance(continuation_links(page), list)
    decode_html(body, {"content-type": "text/html; charset=gb2312"})


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=2000))
def test_garbage_text_never_raises(text: str) -> None:
    page = make_page("<html><body><div>" + text + "</div></body></html>")
    extract_article([page], site="x")
    assert extract_article([page], site="x", force=True) is not None


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


def test_bad_selector_is_ignored(page_factory) -> None:
    html = "<html><body><h1>标题文字示例</h1><p>" + "正文内容示例。" * 40 + "</p></body></html>"
    rules = ExtractionRules(selectors={"title": "h1[", "body": "xpath://*[", "author": "xpath:string(//h1)"})
    record = extract_article([page_factory(html)], site="x", rules=rules, force=True)
    assert record is not None
