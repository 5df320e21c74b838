"""What one check of an archived article found, from the answer alone."""

from datetime import UTC, datetime

import pytest

from archive.changes.verdict import GONE, LIVE, UNKNOWN, UNREACHABLE, page_verdict, redirect_verdict, status_verdict
from archive.jobs.article import page_facts
from archive.records import ArticleRecord, FetchedPage
from tests.changes.site import CHALLENGE, NOT_FOUND, Article

URL = "http://www.example.gov.cn/art/2026/11/20/art_1_2.html"


def page(body: str, encoding: str = "utf-8") -> FetchedPage:
    return FetchedPage(URL, 200, {"content-type": "text/html"}, body.encode(encoding), datetime.now(UTC))


def record(title: str | None, text: str | None) -> ArticleRecord:
    return ArticleRecord(url=URL, site="s", title=title, text=text)


@pytest.mark.parametrize(("status", "kind"), [(404, GONE), (410, GONE), (451, GONE), (500, UNREACHABLE),
                                              (503, UNREACHABLE), (403, UNREACHABLE), (429, UNREACHABLE),
                                              (521, UNREACHABLE), (400, UNKNOWN), (204, UNKNOWN)])
def test_statuses(status, kind):
    assert status_verdict(status).kind == kind


@pytest.mark.parametrize(("location", "kind"), [
    ("/", GONE), ("http://www.example.gov.cn/index.html", GONE), ("/xwzx/", GONE), ("/col/col12/index.shtml", GONE),
    ("/404.html", GONE), ("/error/notfound.jsp", GONE), ("/waf/verify?u=1", UNREACHABLE),
    ("https://www.example.gov.cn/art/2026/11/20/art_1_2.html", UNKNOWN), ("/art/2026/11/21/art_1_3.html", UNKNOWN),
    (None, UNKNOWN)])
def test_redirects(location, kind):
    assert redirect_verdict(URL, 302, location).kind == kind


def test_a_redirect_to_a_list_page_the_site_follows_is_gone():
    verdict = redirect_verdict(URL, 301, "/col/col1234.html", is_list=lambda url: "/col/" in url)
    assert (verdict.kind, verdict.reason) == (GONE, "redirect to a list page (http://www.example.gov.cn/col/col1234.html)")


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_not_found_template_is_gone_in_either_encoding(encoding):
    body = NOT_FOUND.replace("charset='utf-8'", f"charset='{encoding}'")
    verdict = page_verdict(page(body, encoding), None)
    assert verdict.kind == GONE and "页面不存在" in verdict.reason


def test_a_not_found_template_extracted_as_a_record_is_gone():
    assert page_verdict(page("<html></html>"), record("提示信息", "该信息已删除。")).kind == GONE
    assert page_verdict(page("<html></html>"), record("页面不存在", None)).kind == GONE


def test_an_article_that_mentions_a_deletion_is_live():
    text = "针对网上流传的不实信息，相关平台已删除有关帖子。" + "我县将依法依规严肃处理造谣传谣行为。" * 20
    assert page_verdict(page("<html></html>"), record("关于网络谣言的情况通报", text)).kind == LIVE


def test_a_site_script_naming_an_error_page_does_not_make_an_article_gone():
    body = "<html><script>var msg = '页面不存在';</script><body><p>正文</p></body></html>"
    assert page_verdict(page(body), record("通知", "正文内容。" * 10)).kind == LIVE


def test_a_challenge_page_is_unreachable_never_gone():
    verdict = page_verdict(page(CHALLENGE), None)
    assert verdict.kind == UNREACHABLE and "__jsl_clearance" in verdict.reason


def test_a_protected_site_serving_the_article_is_live():
    """瑞数 and similar put their script into every page they let through."""
    body = "<html><script>$_ts=window['$_ts'];</script><body></body></html>"
    assert page_verdict(page(body), record("通知", "正文内容。" * 50)).kind == LIVE


def test_a_page_without_an_article_is_unknown():
    assert page_verdict(page("<html><body><a href='/'>首页</a></body></html>"), None).kind == UNKNOWN


def test_extraction_gives_no_record_for_a_template_or_a_challenge_even_when_forced():
    for body in (NOT_FOUND, CHALLENGE):
        facts = page_facts(page(body), site="s", rules=None, force=True, counter=None)
        assert facts.record is None and facts.verdict.kind in (GONE, UNREACHABLE)
    facts = page_facts(page(Article(1, "县政府召开秋季安全生产工作会议").html()), site="s", rules=None, force=True,
                       counter=None)
    assert facts.record is not None and facts.verdict.kind == LIVE
