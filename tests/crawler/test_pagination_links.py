import pytest
from lxml import html

from crawler.links import page_links


@pytest.mark.parametrize(
    ("here", "there", "text", "expected"),
    [
        ("http://h/xwzx/xxyw.htm", "http://h/xwzx/xxyw/1.htm", "下页", True),
        ("http://h/xwzx/xxyw/3.htm", "http://h/xwzx/xxyw/4.htm", "4", True),
        ("http://h/zwgk/tzgg/index.html", "http://h/zwgk/tzgg/index_1.html", "下一页", True),
        ("http://h/news/list-3.html", "http://h/news/list-9.html", "尾页", True),
        # e-paper 版面 links look like pages of each other but lead elsewhere
        ("http://h/html/2026-10/19/node_1.htm", "http://h/html/2026-10/19/node_2.htm", "第02版:综合", False),
        ("http://h/xwzx/xxyw.htm", "http://h/xwzx/tzgg.htm", "下一页", False),
        ("http://h/xwzx/xxyw.htm", "http://h/index.htm", "首页", False),
    ],
)
def test_pager_links_need_both_address_and_text(here, there, text, expected):
    root = html.document_fromstring(f'<html><body><a href="{there}">{text}</a></body></html>')
    links = page_links(here, root, "utf-8")
    assert links.urls == [there]
    assert (there in links.pagers) is expected
