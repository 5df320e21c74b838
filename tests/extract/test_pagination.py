from __future__ import annotations

from archive.extract import continuation_links, extract_article

PARAGRAPH = (
    "<p>示例市持续推进老旧小区改造，今年计划完成改造项目三十个，"
    "惠及居民一万两千户，改造内容包括管网更新和加装电梯。</p>"
)


def article(pager: str, extra: str = "", paragraphs: str = PARAGRAPH * 3) -> str:
    return (
        "<html><head><meta charset='utf-8'><title>老旧小区改造提速_示例网</title></head><body>"
        "<h1>老旧小区改造提速</h1><div class='info'>发布时间：2024-03-01 09:00 来源：示例网</div>"
        f"<div class='TRS_Editor'>{paragraphs}{extra}</div>"
        f"<div class='page'>{pager}</div>"
        "<p>下一篇：<a href='t20240302_778.html'>示例市启动春季植树</a></p>"
        "</body></html>"
    )


BASE = "https://www.example.gov.cn/zwdt/202403/"


def test_numbered_pages_in_order(page_factory) -> None:
    pager = (
        "<a href='t20240301_777.html'>1</a> <a href='t20240301_777_2.html'>2</a> "
        "<a href='t20240301_777_3.html'>3</a> <a href='t20240301_777_2.html'>下一页</a>"
    )
    page = page_factory(article(pager), BASE + "t20240301_777.html")
    assert continuation_links(page) == [BASE + "t20240301_777_2.html", BASE + "t20240301_777_3.html"]


def test_middle_page_links_only_following_pages(page_factory) -> None:
    pager = (
        "<a href='t20240301_777.html'>1</a> <a href='t20240301_777_2.html'>2</a> <a href='t20240301_777_3.html'>3</a>"
    )
    page = page_factory(article(pager), BASE + "t20240301_777_2.html")
    assert continuation_links(page) == [BASE + "t20240301_777_3.html"]


def test_next_article_link_is_not_a_continuation(page_factory) -> None:
    page = page_factory(article(""), BASE + "t20240301_777.html")
    assert continuation_links(page) == []


def test_pages_are_joined_into_one_record(page_factory) -> None:
    first = page_factory(article("<a href='t20240301_777_2.html'>下一页</a>"), BASE + "t20240301_777.html")
    second = page_factory(
        article("", paragraphs="<p>第二页的独有内容：项目将于年底前全部完工。</p>" * 2), BASE + "t20240301_777_2.html"
    )
    record = extract_article([first, second], site="x")
    assert record is not None
    assert record.page_count == 2
    assert record.url == first.url
    assert record.text.endswith("项目将于年底前全部完工。")
    assert record.text.count("惠及居民一万两千户") == 3


def test_list_pagination_is_not_followed(page_factory) -> None:
    items = "".join(
        f"<li><a href='./t2024030{i}_{i}.html'>示例市第{i}条新闻标题文字</a><span>2024-03-0{i}</span></li>"
        for i in range(1, 10)
    )
    html = (
        f"<html><head><meta charset='utf-8'><title>新闻列表</title></head><body><ul>{items}</ul>"
        "<a href='index_1.html'>下一页</a><a href='index_2.html'>3</a></body></html>"
    )
    assert continuation_links(page_factory(html, BASE + "index.html")) == []
