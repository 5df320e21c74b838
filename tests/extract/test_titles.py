"""Headlines by agreement between headings, title metas and the <title> less its site and
column names; never a breadcrumb, a site or column name, or a sidebar's headline."""

from __future__ import annotations

from archive.extract import extract_article
from archive.extract.titles import clean_title, headline_of_title
from tests.extract.conftest import STORY as STORY_LINES
from tests.extract.conftest import make_page

HEADLINE = "江城召开全市安全生产工作会议"
STORY = "".join(f"<p>{line}</p>" for line in STORY_LINES)
NAV = ("<div class='nav'><a href='/'>首页</a> <a href='/xw/'>新闻中心</a> <a href='/zwgk/'>政务公开</a> "
       "<a href='/hd/'>互动交流</a></div>")
SIDEBAR = ("<div class='side'><h3 class='title'><a href='/a/2.html'>江城地铁三号线开通运营首日客流创新高</a></h3>"
           "<h3 class='title'><a href='/a/3.html'>江城夜市烟火气十足吸引大批游客前来</a></h3></div>")


def title_of(head: str, body: str, url: str = "https://www.jiangcheng.gov.cn/xw/202610/t20261019_1.html") -> str | None:
    html = f"<html><head><meta charset='utf-8'>{head}</head><body>{NAV}{body}</body></html>"
    record = extract_article([make_page(html, url)], site="s")
    assert record is not None
    return record.title


def test_site_name_before_the_headline_in_the_title_is_no_part_of_it() -> None:
    body = (f"<div class='top'><h1><a href='/'>江城市人民政府</a></h1></div>{SIDEBAR}"
            f"<div class='art'><div class='hd'>{HEADLINE}</div><div class='info'>2026-10-19 来源：江城日报</div>"
            f"<div class='bd'>{STORY}</div></div>")
    assert title_of(f"<title>江城市人民政府——{HEADLINE}</title>", body) == HEADLINE
    assert headline_of_title(f"{HEADLINE} - 江城新闻网", set()) == HEADLINE
    # a headline with a dash subtitle keeps it
    dashed = "为高质量发展凝聚力量——热烈祝贺市政协会议开幕"
    assert headline_of_title(f"{dashed}_江城市人民政府网", set()) == dashed


def test_a_breadcrumb_or_a_column_heading_is_never_the_headline() -> None:
    body = (f"<div class='title'>当前位置：<a href='/'>首页</a> &gt; <a href='/xw/'>新闻中心</a> &gt; 正文</div>"
            f"<h2 class='lm-title'><a href='/xw/'>新闻中心</a></h2>{SIDEBAR}"
            f"<div class='art'><div class='hd'>{HEADLINE}</div><div class='info'>2026-10-19 来源：江城日报</div>"
            f"<div class='bd'>{STORY}</div></div>")
    assert title_of("<title>新闻中心_江城市人民政府</title>", body) == HEADLINE


def test_a_headline_is_repaired_as_its_text_is() -> None:
    assert clean_title("中國共產黨(dang)第二十次全國代表大會在京開幕") == "中國共產黨第二十次全國代表大會在京開幕"
    assert clean_title("关于做好秋季防火工作的通知,，请各单位执行") == "关于做好秋季防火工作的通知，请各单位执行"


def test_a_shared_document_is_named_without_its_file_extension() -> None:
    assert clean_title("2025年秋季学期学生工作总结.docx") == "2025年秋季学期学生工作总结"
    assert clean_title("江城市2024年政府工作报告.PDF") == "江城市2024年政府工作报告"


def test_names_come_off_the_ends_of_a_title_only_when_they_read_as_names() -> None:
    # a site's name may be longer than the headline after it
    assert headline_of_title("江城市人民政府——江城召开会议", set()) == "江城召开会议"
    # a headline may end like a site's name; an English one like "News"
    assert headline_of_title("编织安全网_江城网", set()) == "编织安全网"
    assert headline_of_title("Good News_ChinaDaily", set()) == "Good News"
    # a column's page names the column and the site only
    assert headline_of_title("新闻中心_江城市人民政府", set()) is None
