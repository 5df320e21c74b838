from urllib.parse import urljoin

import pytest

from archive.jobs.counters import find_counter, read_counter

PAGE = "http://127.0.0.1:8000/info/1021/2345.htm"


@pytest.mark.parametrize(
    ("html", "family", "url"),
    [
        ('浏览量：<script>_showDynClicks("wbnews", 1234567890, 2345)</script>', "vsb",
         "http://127.0.0.1:8000/system/resource/code/news/click/dynclicks.jsp?clickid=2345&owner=1234567890"
         "&clicktype=wbnews"),
        ('<script src="/plus/count.php?aid=77&mid=1"></script>', "dedecms",
         "http://127.0.0.1:8000/plus/count.php?aid=77&mid=1&view=yes"),
        ('<script src="/plus/count.php?view=yes&amp;aid=77&amp;mid=1"></script>', "dedecms",
         "http://127.0.0.1:8000/plus/count.php?aid=77&mid=1&view=yes"),
        ('<script language="javascript" src="/api.php?op=count&id=9&modelid=1"></script>', "phpcms",
         "http://127.0.0.1:8000/api.php?op=count&id=9&modelid=1"),
        ("<script src='/e/public/ViewClick/?classid=3&id=41&addclick=1'></script>", "empire",
         "http://127.0.0.1:8000/e/public/ViewClick/?classid=3&id=41"),
        ('$.get("/content_view.jspx?contentId=512", function(d){})', "jeecms",
         "http://127.0.0.1:8000/content_view.jspx?contentId=512"),
    ],
)
def test_counter_calls_become_read_only_requests(html, family, url):
    call = find_counter(html, PAGE)
    assert call is not None and call.family == family and call.url == url


def test_pages_without_counter():
    assert find_counter("<p>浏览量：35</p><script src='/js/jquery.js'></script>", PAGE) is None


@pytest.mark.parametrize(
    ("family", "answer", "views"),
    [
        ("vsb", b"1523", 1523),
        ("vsb", b" 88\r\n", 88),
        ("dedecms", b"document.write('4021');", 4021),
        ("phpcms", b"$('#todaydown').html('3');$('#hits').html('1207');", 1207),
        ("empire", b"document.write(' 56');", 56),
        ("jeecms", b"[310,2,0,5]", 310),
        ("vsb", b"<html>error</html>", None),
        ("jeecms", b"not json", None),
        ("unknown", b"12", None),
        # digits no count can be (and no int64 column holds)
        ("vsb", b"123456789012345678901234", None),
    ],
)
def test_counter_answers(family, answer, views):
    assert read_counter(family, answer) == views


def test_custom_counter_from_a_site_config():
    from archive.jobs.counters import CustomCounter

    custom = CustomCounter(find=r"loadHits\((\d+),\s*'(\w+)'\)", url="/api/hits?id={1}&ch={2}", read=r'"hits":\s*(\d+)')
    call = find_counter("<script>loadHits(77, 'news')</script>", PAGE, custom)
    assert call.family == "custom" and call.url == "http://127.0.0.1:8000/api/hits?id=77&ch=news"
    assert read_counter(call.family, b'{"ok": true, "hits": 512}', call.read_pattern) == 512
    # pages the custom rule does not match still get the known families
    assert find_counter('<script>_showDynClicks("wbnews", 1, 2)</script>', PAGE, custom).family == "vsb"


@pytest.mark.parametrize(("html", "address"), [
    ('<script>$.get("/content_view.jspx?contentId=123", f)</script>', "/content_view.jspx?contentId=123"),
    ("x='/a/content_view.jspx?contentId=9' y", "/a/content_view.jspx?contentId=9"),
    ('"content_view.jspx?contentId=5&x=1" and "/z/content_view.jspx?contentId=77"',
     "/z/content_view.jspx?contentId=77"),
    ("no opening quote content_view.jspx?contentId=5'", None),
    ('"a\'/content_view.jspx?contentId=5"', "/content_view.jspx?contentId=5"),
    ("<p>content_view.jspx?contentId= is how JEECMS counts</p>", None),
])
def test_jeecms_counter_address_is_the_quoted_string_around_it(html, address):
    page = "http://www.example.gov.cn/news/1.htm"
    found = find_counter(html, page)
    assert (found and (found.family, found.url)) == ((("jeecms", urljoin(page, address))) if address else None)
