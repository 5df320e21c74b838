from __future__ import annotations

from datetime import datetime

from archive.extract import extract_article
from archive.records import ExtractionRules

HTML = """<html><head><meta charset="utf-8"><title>错误的页面标题</title></head><body>
<h1>侧栏里的大标题</h1>
<div id="art"><h2 class="tt">真正的文章标题</h2>
<span class="when">刊发于 2020年01月02日</span><span class="who">撰文者 王一</span>
<span class="ed">本篇编辑 李二</span><span class="hits">阅读 987 次</span><span class="org">示例局办公室</span>
<div class="txt"><p>选择器指定的正文第一段，内容足够长以便成为正文。</p><p>选择器指定的正文第二段。</p></div></div>
<div class="other"><p>不应出现的其他文字内容，这里有很多很多字，比正文还要长得多得多得多得多得多得多得多。</p></div>
</body></html>"""


def test_site_selectors_override_heuristics(page_factory) -> None:
    rules = ExtractionRules(
        kind="gov",
        selectors={
            "title": "h2.tt",
            "body": "div.txt",
            "published_at": "xpath://span[@class='when']",
            "author": "span.who",
            "editor": "span.ed",
            "views": "span.hits",
            "publisher": "span.org",
            "source": "xpath://span[@class='org']/text()",
        },
    )
    record = extract_article([page_factory(HTML)], site="x", rules=rules, force=True)
    assert record is not None
    assert record.title == "真正的文章标题"
    assert record.text == "选择器指定的正文第一段，内容足够长以便成为正文。\n选择器指定的正文第二段。"
    assert record.published_at is not None and record.published_at.date() == datetime(2020, 1, 2).date()
    assert record.author == "撰文者 王一"
    assert record.views == 987
    assert record.publisher == "示例局办公室"
    assert record.source == "示例局办公室"
    assert record.kind == "gov"


def test_a_view_count_no_page_can_have_is_none_and_the_record_is_written(page_factory, tmp_path) -> None:
    from archive.dataset.writer import DatasetWriter

    absurd = HTML.replace("阅读 987 次", "阅读 123456789012345678901234 次")
    record = extract_article([page_factory(absurd)], site="x", rules=ExtractionRules(selectors={"views": "span.hits"}),
                             force=True)
    assert record is not None and record.views is None and record.views_observed_at is None
    writer = DatasetWriter(tmp_path)
    writer.add(record)
    writer.close()
    assert writer.rows_written == 1
