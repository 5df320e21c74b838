"""Bylines printed without a label: lone names, stacked staff lines, bracketed names, filed places."""

from __future__ import annotations

from archive.extract.bylines import bare_credits, header_byline, inline_authors
from archive.extract.cleaning import trim_chrome_tail
from archive.extract.labels import find_labels

_PARAGRAPH = "小城的早市天不亮就热闹起来，卖菜的、卖早点的、修鞋的挤满了整条街。"


def test_lone_name_opening_an_essay_is_the_author() -> None:
    assert inline_authors(["林岫", "——关于旧城记忆的随想", _PARAGRAPH]) == "林岫"
    assert inline_authors(["欧阳青禾", _PARAGRAPH, _PARAGRAPH]) == "欧阳青禾"


def test_heading_word_or_short_lines_are_not_an_author() -> None:
    assert inline_authors(["摘要", _PARAGRAPH, _PARAGRAPH]) is None
    assert inline_authors(["编者按", _PARAGRAPH, _PARAGRAPH]) is None
    # a list of short items is no signed essay
    assert inline_authors(["北京", "上海", "广州"]) is None
    # a two-line text has no room for a signature
    assert inline_authors(["林岫", _PARAGRAPH]) is None


def test_stacked_staff_bylines_all_count() -> None:
    lines = ["旧城改造的账该谁来算", "本报实习生 林小舟 白一鸣", "本报记者 宋清 吴桐", "2003-5-6 示例晚报", _PARAGRAPH]
    assert inline_authors(lines) == "林小舟 白一鸣 宋清 吴桐"


def test_single_staff_byline_still_found() -> None:
    assert inline_authors(["本报记者 宋清", _PARAGRAPH, _PARAGRAPH]) == "宋清"


def test_filed_place_closes_a_single_name_credit() -> None:
    lines = [_PARAGRAPH, _PARAGRAPH, "他说，这件事还要再看看。（宋清 江城报道）"]
    assert inline_authors(lines) == "宋清"
    # a bracketed aside with one word is not a credit
    assert inline_authors([_PARAGRAPH, _PARAGRAPH, "这是一座古城（西京）"]) is None


def test_bracketed_name_after_the_time() -> None:
    assert header_byline(["EXAMPLE.COM 2004年3月2日08:19 [ 宋清 ] 来源：[ 示例金融报 ]"]) == "宋清"
    # page tools in brackets after a date are no byline
    assert header_byline(["2004年3月2日08:19 [查看评论]"]) is None
    assert header_byline(["2004年3月2日08:19 【打印】"]) is None


def test_section_furniture_is_no_bare_author() -> None:
    assert bare_credits(["2016年05月25日10:10 示例财经", "热点栏目"], set()) == {}
    assert bare_credits(["精彩专题"], set()) == {}


def test_region_after_source_is_dropped() -> None:
    pairs = find_labels("2024-05-13 09:16:04 来源: 示例网-示例晚报 广东 举报")
    assert ("source", "示例网-示例晚报") in pairs
    assert find_labels("来源：示例日报 江城") == [("source", "示例日报 江城")]


def test_platform_disclaimer_ends_the_text() -> None:
    lines = [
        _PARAGRAPH,
        "文/林岫",
        "编辑/宋清",
        "特别声明：以上内容(如有图片或视频亦包括在内)为自媒体平台用户上传并发布，本平台仅提供信息存储服务。",
        "Notice: The content above (including the pictures and videos if any) is uploaded by a user.",
    ]
    assert trim_chrome_tail(lines) == lines[:3]
    # the word in a sentence of the text does not cut it
    kept = [_PARAGRAPH, "发言人在声明中说，以上内容属实。", _PARAGRAPH]
    assert trim_chrome_tail(kept) == kept


def test_second_feed_article_is_cut() -> None:
    lines = [
        "【示例】城东新桥今日通车，沿线居民出行时间缩短一半。",
        "城东新桥今日通车播报文章",
        "一位老歌手的故事，很多人都不知道",
        _PARAGRAPH,
    ]
    assert trim_chrome_tail(lines) == lines[:1]
    # the words inside a sentence are text
    kept = [_PARAGRAPH, "她打开手机上的播报文章功能，边走边听。", _PARAGRAPH]
    assert trim_chrome_tail(kept) == kept


def test_video_player_controls_leave_the_text() -> None:
    from archive.extract.cleaning import clean_lines

    lines = [
        "倍速",
        "- 2.0X",
        "- 0.75X",
        "00:00",
        "很抱歉，当前视频播放失败",
        "错误代码：ABC.4100",
        "时长：01:45建议WIFI下打开",
        "示例网讯 5月20日起，节目将在晚间播出。",
        "会议于10:30开幕，持续两天。",
    ]
    assert clean_lines(lines) == lines[-2:]
