"""Credits and dates read from less usual places: meta tags, blog footers, bracketed
signatures, early info lines, outlets flush against labels, blog names above posts."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import html as lxml_html

from archive.extract import extract_article
from archive.extract.bylines import editor_credit, inline_authors, outlet_after_date, posted_by
from archive.extract.labels import find_labels, labelled_values
from archive.extract.published import early_info_lines
from archive.extract.record import _meta_author, _writer_as_source
from archive.extract.titles import find_headline
from archive.records import FetchedPage

CAPTURED = datetime(2024, 6, 1, 4, 0, tzinfo=UTC)



def make_page(html: str, url: str = "https://news.example.cn/a/t20240101_1.html") -> FetchedPage:
    headers = {"content-type": "text/html"}
    return FetchedPage(url=url, status=200, headers=headers, body=html.encode(), fetched_at=CAPTURED)


_PARAGRAPH = "小城的早市天不亮就热闹起来，卖菜的、卖早点的、修鞋的挤满了整条街，吆喝声此起彼伏。"


def _article(head: str, top: str, tail: str = "", title: str = "河畔新建的图书馆开放了") -> str:
    paragraphs = "".join(f"<p>第{index}段：{_PARAGRAPH}</p>" for index in range(8))
    return (
        f"<html><head><title>{title}_示例新闻网</title>{head}</head><body>"
        f"<div class='nav'><a href='/'>首页</a> <a href='/n'>新闻</a></div>"
        f"<h1>{title}</h1><div class='info'>{top}</div>"
        f"<div class='content'>{paragraphs}</div><div class='foot'>{tail}</div></body></html>"
    )


def test_meta_author_is_the_last_fallback() -> None:
    page = make_page(_article("<meta name='author' content='林小舟'>", "2024-05-06 10:00"))
    record = extract_article([page], site="example")
    assert record is not None and record.author == "林小舟"
    # a platform names the posting account in its own key
    assert _meta_author({"mediaid": "江城体育观察"}, None) == "江城体育观察"


def test_meta_author_that_is_the_editor_or_a_link_is_not_taken() -> None:
    assert _meta_author({"author": "宋清"}, "宋清") is None
    assert _meta_author({"author": "https://www.example.com/people/1"}, None) is None


def test_blog_footer_posted_by_line() -> None:
    assert posted_by(["[打印]", "由海边的小舟张贴 @ 2005-06-14 03:25:55 (120) 共 3 篇评论"]) == "海边的小舟"
    # a "由…发布" sentence without a date is text, not a footer
    assert posted_by(["由市文化局发布的通知称，图书馆下月开放。"]) is None


def test_blog_footer_below_the_text_names_the_author() -> None:
    page = make_page(_article("", "2005-06-14", "<p>由海边的小舟张贴 @ 2005-06-14 03:25:55</p>"))
    record = extract_article([page], site="example")
    assert record is not None and record.author == "海边的小舟"


def test_tail_source_that_is_a_name_becomes_the_author() -> None:
    assert _writer_as_source("宋清", "示例周刊") == "宋清"
    assert _writer_as_source("江城晚报", "示例周刊") is None
    assert _writer_as_source("示例周刊", "示例周刊") is None
    page = make_page(_article("", "2005年03月21日 11:21 《示例周刊》", "<p>来源: 宋清</p>"))
    record = extract_article([page], site="example")
    assert record is not None
    assert record.author == "宋清" and record.source == "示例周刊"


def test_bracketed_name_after_the_last_sentence_signs_a_commentary() -> None:
    last = "各方要坚持开放合作，反对人为割裂市场，共同把蛋糕做大，实现互利共赢，这是唯一正确的道路。（林岫）"
    assert inline_authors([_PARAGRAPH, _PARAGRAPH, last]) == "林岫"
    # the end of a serial or an outlet in brackets is nobody's name
    assert inline_authors([_PARAGRAPH, _PARAGRAPH, last.replace("（林岫）", "（待续）")]) is None
    assert inline_authors([_PARAGRAPH, _PARAGRAPH, last.replace("（林岫）", "（江城晚报）")]) is None
    # a bracketed word inside a sentence is no signature
    aside = "这座古城（西京）的城墙修缮工程已经接近尾声，游客可以上城墙步行了"
    assert inline_authors([_PARAGRAPH, _PARAGRAPH, aside]) is None


def test_dated_info_line_among_the_first_lines_of_text() -> None:
    lines = ["旧城改造的账该谁来算", "本报记者 宋清", "2003-7-24 示例晚报", _PARAGRAPH]
    assert early_info_lines(lines) == ["2003-7-24 示例晚报"]
    assert outlet_after_date(early_info_lines(lines)) == "示例晚报"
    # a dated sentence of text is no info line
    assert early_info_lines(["2003年7月24日，示例市图书馆新馆正式向市民开放，首日接待读者三千余人。"]) == []


def test_outlet_flush_against_a_label() -> None:
    assert ("author", "示例晚报") in find_labels("2024年05月16日 17:02 示例晚报作者：示例晚报")
    assert outlet_after_date(["2024年05月16日 17:02 示例晚报作者：示例晚报"]) == "示例晚报"
    # "工作者：" is a word, not a label after an outlet
    assert not any(name == "author" for name, _ in find_labels("新闻工作者：要讲好故事"))


def test_posting_region_is_not_a_source() -> None:
    assert not any(name == "source" for name, _ in find_labels("2024年01月25日 18:03:35 来自内蒙古自治区"))
    assert outlet_after_date(["2024年01月25日 18:03:35 来自内蒙古自治区"]) is None
    assert ("source", "示例晚报") in find_labels("来源：示例晚报")


def test_original_outlet_before_the_reposting_site() -> None:
    reposted = labelled_values(["发稿时间：2024-05-20 13:15:00 来源：示例新闻客户端 示例青年网"])
    assert reposted["source"] == "示例新闻客户端"
    labelled = labelled_values(["来源：示例新闻网 宋清"])
    assert labelled["source"] == "示例新闻网" and labelled["author_after_source"] == "宋清"


def test_original_label_names_the_outlet() -> None:
    assert ("source", "示例健康网") in find_labels("原创：示例健康网2024-04-23 12:27:25")


def test_editor_credit_at_the_top_of_a_long_tail() -> None:
    tail = ["《示例日报》（ 2022年02月13日 02版）", "（示例网编辑 宋清）", "反侵权公告："] + ["相关新闻"] * 10
    assert editor_credit(tail) == "宋清"


def test_blog_name_is_not_the_headline() -> None:
    root = lxml_html.fromstring(
        "<html><body><h1>海边小舟的博客</h1><div>谁来修好那座桥？- -</div><p>正文</p></body></html>"
    )
    assert find_headline(root, {}) == (None, None)


def test_headline_below_a_kicker_and_shown_above_the_text() -> None:
    paragraphs = "".join(f"<p>第{index}段：{_PARAGRAPH}</p>" for index in range(8))
    html = (
        "<html><head></head><body><h1>海边小舟的博客</h1><div>回首页 | 2005年索引</div>"
        "<div>谁来修好那座桥？- -</div>"
        f"<div class='content'><p>旧桥屡出险情 维修无人过问</p><p>谁来修好那座桥？</p>"
        f"<p>本报记者 宋清</p><p>2003-7-24 示例晚报</p>{paragraphs}</div></body></html>"
    )
    record = extract_article([make_page(html, "http://blog.example.com/u/1.html")], site="example", force=True)
    assert record is not None
    assert record.title == "谁来修好那座桥？"
    assert record.published_at is not None and record.published_at.date().isoformat() == "2003-07-24"
    assert record.source == "示例晚报"
    assert record.text is not None and "海边小舟的博客" not in record.text


def test_the_writer_linked_data_names_is_read_and_an_organisation_is_not() -> None:
    from archive.extract.metadata import read_meta_tags

    def meta(author: str) -> dict[str, str]:
        block = '{"@context": "https://schema.org", "@graph": [{"@type": "NewsArticle", "author": ' + author + "}]}"
        return read_meta_tags(lxml_html.fromstring(f"<html><head><script type='application/ld+json'>{block}</script>"
                                                   "</head><body><p>正文</p></body></html>"))

    assert _meta_author(meta('[{"@type": "Person", "name": "陈明"}, {"@type": "Person", "name": "李华"}]'), None) == (
        "陈明 李华")
    assert _meta_author(meta('{"@type": "Organization", "name": "江城日报社"}'), None) is None
    assert _meta_author(meta('{"@type": "Person", "name": "江城新闻网"}'), None) is None
