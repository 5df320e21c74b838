"""Page furniture around the text (table layouts, link lists, widgets, fact boxes) and the
credits and counts printed beside it, each with what must and must not come out."""

from __future__ import annotations

from lxml import html as lxml_html

from archive.extract.bylines import outlet_before_date
from archive.extract.cleaning import clean_lines, trim_chrome_tail
from archive.extract.engines import _wrap_loose_inline, prepare_tree, trafilatura_lines
from archive.extract.headline import _dated_headline, heading_like, untagged
from archive.extract.labels import find_labels
from archive.extract.record import _editors
from archive.extract.titles import clean_title

_PARAGRAPH = "小城的早市天不亮就热闹起来，卖菜的、卖早点的、修鞋的挤满了整条街。"


def test_menu_and_breadcrumb_rows_of_a_table_layout_leave_the_text() -> None:
    lines = [
        "| 首页 机构概况 工作动态 政策法规 办事指南 互动交流 |",
        "| 江城 >> 走近示例委员会 >> 首页 >> 调研报告 |",
        "江城儿童阅读习惯调查报告",
        _PARAGRAPH,
    ]
    assert trim_chrome_tail(lines) == lines[2:]
    # a table row of the text's own data stays
    kept = [_PARAGRAPH, "| 2023年全市新增绿地面积与上年相比有较大增长，达到一百二十公顷以上 | 120公顷 |"]
    assert trim_chrome_tail(kept) == kept


def test_furniture_rows_after_a_table_layout_text_are_cut() -> None:
    lines = [
        _PARAGRAPH,
        "转自《示例科技报》",
        "| 相关报道： | ·旧城改造再提速，新区配套设施逐步完善的一年（2004-12-30） |",
        "| 第1页/共1页 << 上一页 \\| 下一页 >> |",
        "| ·示例公司公告称三名高管辞职，董事会将另行选举 | ·本周市场回顾：成交量创新高，板块轮动明显加快 |",
    ]
    assert trim_chrome_tail(lines) == lines[:2]
    # a data table closing the text has no such row
    table = [
        _PARAGRAPH,
        "| 年份 | 产量 |",
        "| 2023年全市粮食总产量比上年增长百分之三点五，创下有记录以来的历史新高 | 120万吨 |",
    ]
    assert trim_chrome_tail(table) == table


def test_list_of_other_posts_closing_the_text_is_cut() -> None:
    lines = [
        _PARAGRAPH,
        "[2005-08-21] 夏夜的星空",
        "[2005-08-17] 外婆家的井",
        "[2005-08-02] 一封旧信",
    ]
    assert trim_chrome_tail(lines) == lines[:1]
    references = [
        _PARAGRAPH,
        "- 1示例新区设立高新区的批复．示例省人民政府 [引用日期2024-01-12]",
        "- 2高新区正式启动运行．示例新闻．2024-05-09",
        "- 3高新区揭牌运行．示例网．2024-05-10",
    ]
    assert trim_chrome_tail(references) == references[:1]
    # two dated lines are no list, and a chronology without brackets is text
    assert trim_chrome_tail([_PARAGRAPH, "[2005-08-21] 夏夜的星空", "[2005-08-17] 外婆家的井"]) == [
        _PARAGRAPH,
        "[2005-08-21] 夏夜的星空",
        "[2005-08-17] 外婆家的井",
    ]
    chronology = [_PARAGRAPH, "2023年12月27日 批复设立", "2024年5月9日 揭牌启动", "2024年6月1日 首批企业入驻"]
    assert trim_chrome_tail(chronology) == chronology


def test_folding_widget_title_bars_leave_the_text() -> None:
    lines = [
        "《江城故事》第二季5月20日起每晚播出",
        "《江城故事》第二季5月20日起每晚播出收起",
        "《江城故事》第二季5月20日起每晚播出",
        "示例网讯 " + _PARAGRAPH,
    ]
    assert clean_lines(lines) == lines[-1:]
    # a sentence of the text ending with the word stays
    kept = ["会议结束后，各项工作随即全面展开", _PARAGRAPH]
    assert clean_lines(kept) == kept


def test_fact_box_beside_an_entry_is_no_text() -> None:
    page = lxml_html.fromstring(
        "<html><body><div class='entry'>"
        "<p>江城高新区位于江城东部，是省级高新技术产业开发区，规划面积九百多公顷，重点发展信息技术和生物医药产业。</p>"
        "<dl><dt>中文名</dt><dd>江城高新区</dd><dt>所属地区</dt><dd>江城市</dd><dt>批准时间</dt><dd>2023年12月</dd></dl>"
        "<p>园区内已有数十家企业入驻，配套的人才公寓、学校和医院也在加紧建设，预计明年全部投入使用，将带动就业上万人。</p>"
        "<p>当地政府表示，将继续优化营商环境，吸引更多优质项目落户，力争三年内产值翻一番，成为区域发展新引擎。</p>"
        "</div></body></html>"
    )
    prepare_tree(page)
    text = "\n".join(trafilatura_lines(page, None))
    assert "园区内已有数十家企业入驻" in text
    assert "所属地区" not in text and "中文名" not in text


def test_word_processor_runs_between_paragraphs_are_text() -> None:
    # unclosed <font> tags hold the paragraphs; a sentence sits between them in inline tags only
    page = lxml_html.fromstring(
        "<html><body><div id='main'>"
        "<font color='#008080'><font color='#008080'><p align='center'><img src='a.jpg'></p></font>"
        "<font size='2'><strong>示例网江城频道 记者 宋清</strong></font>"
        "<p class='MsoNormal'><b><span>个人简介：</span></b></p>"
        "<span><p class='MsoNormal'><br><font>林岫同志现任江城示例农机公司董事长。</font></p></span>"
        "<font color='#0000ff'><span>2006</span>"
        "<span>年起每台农机最多可以补贴三成，农民购机的积极性明显提高，合作社也多了起来。</span></font>"
        "<p class='MsoNormal'><strong>记者：请您谈谈今年农机补贴政策带来的变化，农民的反应怎么样？</strong></p>"
        "<p class='MsoNormal'><span><strong>林岫：</strong>今年的补贴覆盖面更大了，政策的宣传也更到位，"
        "很多农民专门来公司咨询新机型，订单比去年多了一倍。</span></p>"
        "<p class='MsoNormal'><strong>记者：接下来还有哪些打算？今后的重点会放在哪些方面？</strong></p>"
        "<p class='MsoNormal'>我们准备把维修服务站开到每个乡镇，让农民买得起也用得好，少跑路、少花钱。</p>"
        "</font></div></body></html>"
    )
    prepare_tree(page)
    assert "每台农机最多可以补贴三成" in "\n".join(trafilatura_lines(page, None))


def test_inline_run_without_a_sentence_stays_as_it_is() -> None:
    page = lxml_html.fromstring(
        "<div><p>江城的早市天不亮就热闹起来，卖菜的、卖早点的挤满了整条街。</p>"
        "<span>[示例博客]个人类别</span><a href='/a'>存档目录</a><span>最新文章列表与评论</span>"
        "<p>返回首页</p></div>"
    )
    _wrap_loose_inline(page)
    assert [child.tag for child in page] == ["p", "span", "a", "span", "p"]


def test_photo_caption_stays_with_the_text() -> None:
    page = lxml_html.fromstring(
        "<html><body><article><h1>Old bridge reopens</h1>"
        "<figure><img src='a.jpg'>"
        "<figcaption>The old stone bridge seen on May 16. [Photo by Lin Xiao]</figcaption></figure>"
        "<p>The old stone bridge over the river reopened to pedestrians on Monday after two years of careful repair "
        "work by local craftsmen, who used traditional methods and materials.</p>"
        "<p>Residents gathered at both ends of the bridge to celebrate, and many said they had missed walking across "
        "it on their way to the morning market.</p></article></body></html>"
    )
    prepare_tree(page)
    assert "[Photo by Lin Xiao]" in "\n".join(trafilatura_lines(page, None))


def test_headline_row_carrying_the_post_time() -> None:
    assert _dated_headline("老街的早点铺 (图) 2005-06-14 03:25:55", set()) == "老街的早点铺 (图)"
    # an outlet or a poster before the date is no headline
    assert _dated_headline("示例晚报 2005-06-14", set()) is None
    assert _dated_headline("竹林听雨 发表于 2005-9-15 11:46:00", set()) is None
    assert _dated_headline("来源：示例网 2005-06-14", set()) is None


def test_menu_word_row_is_no_headline() -> None:
    assert not heading_like("控制面板 发表文章 文章编辑 评论管理 更新资料", set())
    assert heading_like("老街的早点铺 香飘三十年", set())


def test_category_tag_before_a_headline_repeated_in_the_text() -> None:
    assert untagged("[乡土文化]老街的早点铺", "老街的早点铺") == "老街的早点铺"
    # a tag the text does not drop is part of the headline
    assert untagged("【学在江大】我怎样当助教", _PARAGRAPH) == "【学在江大】我怎样当助教"


def test_leading_marks_leave_the_title() -> None:
    assert clean_title("*第一编 古代") == "第一编 古代"
    assert clean_title("★关于假期安排的通知") == "关于假期安排的通知"
    assert clean_title("【学在江大】我怎样当助教") == "【学在江大】我怎样当助教"
    assert clean_title("#春日赏花# 江城樱花进入盛花期") == "#春日赏花# 江城樱花进入盛花期"


def test_outlet_in_brackets_before_the_time() -> None:
    assert outlet_before_date(["(Example Daily Online) 11:35, November 23, 2022"]) == "Example Daily Online"
    assert outlet_before_date(["（示例日报）2024-05-01 08:00"]) == "示例日报"
    # a reporter's credit in brackets is no outlet
    assert outlet_before_date(["（记者 宋清）2024-05-01"]) is None
    assert outlet_before_date(["(Example Daily Online) reported on the bridge"]) is None


def test_view_count_phrases() -> None:
    assert ("views", "178") in find_labels("(本文发表于首页, 已被阅读178次)")
    assert ("views", "736") in find_labels("阅读全文(736) | 回复(0) | 引用(1)")
    assert ("views", "1,024") in find_labels("1,024次浏览")
    assert not any(name == "views" for name, _ in find_labels("这本书我们一起阅读了3次。"))


def test_closing_credits_without_colons() -> None:
    assert find_labels("编辑 宋清 ｜ 排版 林岫") == [("editor", "宋清"), ("designer", "林岫")]
    assert find_labels("本报实习生 林小舟 白一鸣") == [("author", "林小舟 白一鸣")]
    # the word opening a sentence is no credit
    assert find_labels("编辑部收到了很多来信。") == []


def test_platform_disclaimer_in_quotes_ends_the_text() -> None:
    lines = [_PARAGRAPH, "作者 林岫", "“特别声明：以上作品内容(包括在内的视频、图片或音频)为平台用户上传并发布。"]
    assert trim_chrome_tail(lines) == lines[:2]


def test_header_editor_and_closing_editor_both_count() -> None:
    assert _editors("宋清", "林岫") == "宋清 林岫"
    assert _editors("宋清", "宋清") == "宋清"
    assert _editors(None, "林岫") == "林岫"
    assert _editors("宋清", None) == "宋清"
