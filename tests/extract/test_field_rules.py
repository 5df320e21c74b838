"""Small rules for dates, credits and text edges, each with what must and must not come out."""

from __future__ import annotations

from datetime import datetime

import pytest

from archive.extract.bylines import bare_credits, cited_source, header_byline, posted_by
from archive.extract.cleaning import trim_chrome_tail
from archive.extract.dates import SHANGHAI, parse_date
from archive.extract.fragments import mend_fragments
from archive.extract.labels import clean_person_value, find_labels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布日期： 7/5/2005 9:23:57 PM", datetime(2005, 7, 5, 21, 23, 57, tzinfo=SHANGHAI)),
        ("Saturday, September 10th, 2005 10:56 am", datetime(2005, 9, 10, 10, 56, tzinfo=SHANGHAI)),
        ("(Example Daily) 11:35, November 23, 2022", datetime(2022, 11, 23, 11, 35, tzinfo=SHANGHAI)),
        ("发表时间： 25/02/2022 - 13:48", datetime(2022, 2, 25, tzinfo=SHANGHAI)),
    ],
)
def test_foreign_date_forms(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


def test_day_month_order_is_not_guessed() -> None:
    # 06/02/2022 is June in one convention and February in the other
    assert parse_date("发表时间： 06/02/2022 - 13:48") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("支全明 SF099", "支全明"),
        ("李曦_NN2587", "李曦"),
        ("彭冲 山东冠县报道", "彭冲"),
        ("周敏 摄", "周敏"),
        ("赵 培：北京物资学院", "赵 培"),
        ("严玉洁 王辉 严玉洁", "严玉洁 王辉"),
        ('size="20"', None),
        ("发表评论", None),
        ("佚名", None),
    ],
)
def test_person_values(value: str, expected: str | None) -> None:
    assert clean_person_value(value) == expected


def test_bracketed_label_value() -> None:
    assert ("source", "国际金融报") in find_labels("2004年7月16日08:19 来源：[ 国际金融报 ]")


def test_placeholder_source_stops_before_page_tools() -> None:
    assert ("source", "转载文章") in find_labels("2005-02-06 13:26更新 来源：转载文章 发表评论")


def test_selection_credit_is_an_editor() -> None:
    pairs = find_labels("2024-05-20 16:25:01 来源:东湖发布 选稿：马小川")
    assert ("source", "东湖发布") in pairs and ("editor", "马小川") in pairs


def test_posted_by_line() -> None:
    assert posted_by(["竹林听雨 发表于 2006-3-5 10:00:00"]) == "竹林听雨"
    assert posted_by(["竹林听雨 于 2024-05-06 15:47:53 发布"]) == "竹林听雨"
    # a recommendation line is about other posts
    assert posted_by(["最新推荐文章于 2024-05-07 22:12:13 发布"]) is None


def test_bare_credits_under_headline() -> None:
    assert bare_credits(["河湾新闻网", "2025-01-02 08:00"], set()) == {"source": "河湾新闻网"}
    assert bare_credits(["竹影清风", "+关注"], set()) == {"author": "竹影清风"}
    assert bare_credits(["林小溪", "——一个时代的侧影"], set()) == {"author": "林小溪"}
    assert bare_credits(["点击阅读更多精彩财经新闻"], set()) == {}


def test_byline_with_role_after_marker() -> None:
    assert header_byline(["文丨示例特约评论员 韩小明"]) == "韩小明"


def test_cited_publication_closing_a_reprint() -> None:
    assert cited_source(["正文最后一段。", "——《江湖评论》1999年4月号"]) == "江湖评论"
    assert cited_source(["转自《科技周刊》"]) == "科技周刊"
    assert cited_source(["他读过《红楼梦》和《水浒传》，很喜欢。"]) is None


def test_fragments_join_cut_sentences() -> None:
    lines = mend_fragments([["1、今年全县新建农田"], ["2、两万亩。下一步"], ["3、。继续推进。"]])
    assert lines == ["今年全县新建农田两万亩。下一步。继续推进。"]


def test_footer_and_layout_rows_leave_the_text() -> None:
    lines = ["第一段正文内容。", "第二段正文内容。", "查看更多", "制作单位：示例网 版权所有：示例网", "|  | 广告 |"]
    assert trim_chrome_tail(lines) == ["第一段正文内容。", "第二段正文内容。"]
