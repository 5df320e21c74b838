"""Page links: the shortcuts give what urljoin and safe_url_string give; only the site's links leave a worker."""

import string
from datetime import UTC, datetime
from urllib.parse import urljoin

from hypothesis import given, settings
from hypothesis import strategies as st
from w3lib.url import safe_url_string

from archive.extract import page_tree
from archive.records import ExtractionRules, FetchedPage
from crawler.links import _SAFE_URL, SiteDomains, _Joiner, page_links
from crawler.page_work import PageTask, read_crawled_page, read_links_only

HOSTS = st.sampled_from(["news.example.cn", "127.0.0.1", "a.example.cn:8080", "A.example.cn", "user@x.cn",
                         "x.cn:99999", "127.0.0.1:32835", "x.cn:65535", "x.cn:65536", "x.cn:70000",
                         "xn--fiq228c.cn", "a.example.cn:080", "a.example.cn:0"])
TAILS = st.text(alphabet=string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=% \"<>|^`{}\\中%", max_size=20)


@settings(max_examples=3000, deadline=None)
@given(scheme=st.sampled_from(["http://", "https://", "HTTP://"]), host=HOSTS,
       joint=st.sampled_from(["/", "", "?", "/./", "/../"]), tail=TAILS)
def test_plain_addresses_are_left_as_safe_url_string_would_leave_them(scheme, host, joint, tail):
    url = (scheme + host + joint + tail).split("#", 1)[0]
    if _SAFE_URL.match(url):
        assert safe_url_string(url) == url


PIECES = st.sampled_from(["a", "b.html", "/", "//", ".", "..", "./", "../", "?", "?x=1", "#f", "%20", ";p", ":", "中",
                          " ", "\\", "http://h.cn", "HTTP://H.cn", "https://o.cn:8080", "x:y", "&", "=", "~", "@"])
BASES = st.sampled_from(["http://news.cn/dir/index.html", "http://news.cn", "http://news.cn/", "https://n.cn:8443/a/b/",
                         "http://news.cn/a/./b.html", "http://news.cn/a//b/c.html", "http://news.cn/d/x.html?q=1",
                         "http:///x", "http://news.cn/%E4%B8%AD/", "http://news.cn/a;p/b"])


@settings(max_examples=5000, deadline=None)
@given(base=BASES, href=st.lists(PIECES, max_size=6).map("".join))
def test_the_join_shortcuts_give_what_urljoin_gives(base, href):
    assert _Joiner(base)(href) == urljoin(base, href)


def test_links_are_resolved_escaped_and_deduplicated():
    body = ('<html><body><a href="/a/1.html#top">1</a><a href="/a/1.html">again</a>'
            '<a href="/列表/2.html">2</a><a href="b c.html?x=1">3</a><a href="javascript:void(0)">js</a>'
            '<a href="/x.JPG">photo</a><area href="https://other.example.cn/y?">map</area></body></html>')
    tree = page_tree(_page("http://news.example.cn/dir/index.html", body.encode()))
    urls = page_links("http://news.example.cn/dir/index.html", tree.root, tree.charset, ["jpg"]).urls
    assert urls == ["http://news.example.cn/a/1.html",
                    "http://news.example.cn/%E5%88%97%E8%A1%A8/2.html",
                    "http://news.example.cn/dir/b%20c.html?x=1",
                    "https://other.example.cn/y"]


def test_links_are_escaped_in_the_charset_the_page_was_decoded_from():
    # A UTF-8 page still declaring gb2312 (as browsers save them): its links are UTF-8.
    body = ('<html><head><meta charset="gb2312"></head><body><a href="/搜索?kw=中文">搜</a>'
            '<a href="/x">1</a></body></html>').encode()
    tree = page_tree(_page("http://news.example.cn/", body))
    assert tree.charset == "utf-8"
    urls = page_links("http://news.example.cn/", tree.root, tree.charset).urls
    assert urls[0] == "http://news.example.cn/%E6%90%9C%E7%B4%A2?kw=%E4%B8%AD%E6%96%87"


def test_a_base_element_is_honoured():
    body = b'<html><head><base href="http://news.example.cn/sub/"></head><body><a href="a.html">a</a></body></html>'
    tree = page_tree(_page("http://news.example.cn/x/index.html", body))
    links = page_links("http://news.example.cn/x/index.html", tree.root, tree.charset)
    assert links.urls == ["http://news.example.cn/sub/a.html"]


def _page(url: str, body: bytes) -> FetchedPage:
    return FetchedPage(url=url, status=200, headers={"content-type": "text/html"}, body=body,
                       fetched_at=datetime.now(UTC))


def test_addresses_on_any_valid_port_take_the_shortcut():
    for url in ("http://127.0.0.1:32835/a/1.html", "http://news.example.cn:65535/", "http://news.example.cn:8080/x"):
        assert _SAFE_URL.match(url), url
    for url in ("http://news.example.cn:65536/", "http://news.example.cn:08080/", "http://news.example.cn:0/"):
        assert not _SAFE_URL.match(url), url


def test_site_domains_hold_the_domains_and_the_hosts_below_them():
    domains = SiteDomains(["News.Example.cn", "127.0.0.1"])
    for url in ("http://news.example.cn/a.html", "https://www.news.example.cn:8443/x", "http://NEWS.example.cn",
                "http://127.0.0.1:8000/list/1.html", "http://user@news.example.cn/"):
        assert url in domains, url
        assert url in domains, url  # the remembered verdict is the same
    for url in ("http://example.cn/", "http://othernews.example.cn/", "http://news.example.cn.evil.cn/",
                "mailto:a@news.example.cn", "http://[news.example.cn/", "http://127.0.0.10/"):
        assert url not in domains, url


def test_workers_hand_back_only_the_links_on_the_site():
    body = ('<html><body><a href="/list/2.html">下一页</a><a href="/a/1.html">1</a>'
            '<a href="http://www.gov.cn/">中国政府网</a><a href="https://m.news.example.cn/a/2.html">2</a>'
            '<a href="http://other.example.cn/list/3.html">3</a></body></html>').encode()
    page = _page("http://news.example.cn/list/1.html", body)
    task = PageTask("news", ExtractionRules(), ("news.example.cn",))
    for outcome in (read_crawled_page(page, task), read_links_only(page, task, error="workers gone")):
        assert outcome.links.urls == ["http://news.example.cn/list/2.html", "http://news.example.cn/a/1.html",
                                      "https://m.news.example.cn/a/2.html"]
        assert outcome.links.pagers == {"http://news.example.cn/list/2.html"}
