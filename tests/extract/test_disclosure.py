"""The table of a government disclosure page, read into fields of its own."""

from __future__ import annotations

from archive.extract.disclosure import read_disclosure


def test_a_disclosure_table_laid_out_in_cells_gives_its_fields() -> None:
    lines = [
        "索 引 号： 11220000013544357T/2022-00426 分 类： 环境监测、保护与治理;通告",
        "发文机关： 江城市人民政府 成文日期： 2022年01月27日",
        "发文字号： 江政明电〔2022〕1号 发布日期： 2022年01月28日",
        "有 效 性： 有效",
    ]
    assert read_disclosure(lines) == {
        "index_number": "11220000013544357T/2022-00426",
        "topic": "环境监测、保护与治理;通告",
        "document_date": "2022-01-27",
        "document_number": "江政明电〔2022〕1号",
        "validity": "有效",
    }


def test_a_lone_category_label_is_no_disclosure_table() -> None:
    assert read_disclosure(["分类：随笔 | 发表于 2005-06-14 03:25"]) == {}
