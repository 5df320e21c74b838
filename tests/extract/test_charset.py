from __future__ import annotations

import codecs

from archive.extract import decode_html, extract_article
from archive.records import FetchedPage

TEXT = "示例县召开防汛工作会议，部署汛期各项准备工作。"


def page_html(charset_meta: str | None, body: str = TEXT) -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    return f"<html><head>{meta}<title>防汛会议</title></head><body><p>{body}</p></body></html>"


def test_header_gbk_means_gb18030() -> None:
    body = page_html("gbk", TEXT + "䶮").encode("gb18030")  # a character outside GBK
    assert TEXT + "䶮" in decode_html(body, {"content-type": "text/html; charset=GBK"})


def test_browser_saved_utf8_declaring_gb2312() -> None:
    body = page_html("gb2312").encode("utf-8")
    assert TEXT in decode_html(body, {"content-type": "text/html"})


def test_bom_beats_meta() -> None:
    body = codecs.BOM_UTF8 + page_html("gb2312").encode("utf-8")
    decoded = decode_html(body, {})
    assert TEXT in decoded and not decoded.startswith("\ufeff")


def test_unset_charset_and_no_declaration() -> None:
    for meta in ("unset", None):
        body = page_html(meta).encode("gb18030")
        assert TEXT in decode_html(body, {"content-type": "text/html; charset=unset"})


def test_decision_uses_whole_document() -> None:
    # the first multibyte character comes after 20 kB of ASCII markup
    body = page_html("gb2312", "<!--" + "x" * 20000 + "-->" + TEXT).encode("gb18030")
    assert TEXT in decode_html(body, {})


def test_wrong_header_is_overruled_when_it_cannot_decode() -> None:
    body = page_html(None).encode("gb18030")
    assert TEXT in decode_html(body, {"content-type": "text/html; charset=utf-8"})


def test_utf16_with_bom() -> None:
    body = page_html(None).encode("utf-16")
    assert TEXT in decode_html(body, {})


def test_no_mojibake_in_records(page_factory) -> None:
    html = page_html("gb2312", TEXT * 6)
    page: FetchedPage = page_factory(html.encode("gb18030"), headers={"content-type": "text/html; charset=gb2312"})
    record = extract_article([page], site="x", force=True)
    assert record is not None and TEXT in record.text
    assert "\ufffd" not in record.text
