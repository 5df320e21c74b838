"""The publication time: labelled shown times, then structured sources, then the byline zone;
never a date from the text, a sidebar or a list of other articles."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from archive.extract import extract_article
from tests.extract.conftest import STORY as STORY_LINES
from tests.extract.conftest import make_page

SHANGHAI = ZoneInfo("Asia/Shanghai")
STORY = "".join(f"<p>{line}</p>" for line in STORY_LINES)
OTHERS = "".join(f"<li><a href='/a/{n}.html'>江城第{n}批重点项目开工</a> 2019-0{n}-1{n}</li>" for n in range(1, 6))


def published(head: str, body: str, url: str = "https://news.example.com/a/12345.html") -> datetime | None:
    html = (f"<html><head><meta charset='utf-8'><title>江城召开安全生产工作会议_江城新闻网</title>{head}</head>"
            f"<body><h1>江城召开安全生产工作会议</h1>{body}</body></html>")
    record = extract_article([make_page(html, url)], site="s", force=True)
    assert record is not None
    return record.published_at


def test_hidden_times_count_only_when_the_page_prints_none() -> None:
    head = "<meta name='PubDate' content='2025-02-25 16:52'>"
    body = f"<div class='info'>发布时间：2013-12-06 18:03 来源：江城日报</div><div class='text'>{STORY}</div>"
    assert published(head, body) == datetime(2013, 12, 6, 18, 3, tzinfo=SHANGHAI)
    shown_none = f"<div class='info'>来源：江城日报</div><div class='text'>{STORY}</div>"
    assert published(head, shown_none) == datetime(2025, 2, 25, 16, 52, tzinfo=SHANGHAI)
    # a time filled in by script data
    body = (f"<div class='info'><span id='time'></span> 来源：江城日报</div><div class='text'>{STORY}</div>"
            "<script>var pubtime = \"2024-05-20 10:06:00\"; show('time', pubtime);</script>")
    assert published("", body) == datetime(2024, 5, 20, 10, 6, tzinfo=SHANGHAI)
    # script data listing other articles, each with its own time, names no single one
    listed = body.replace("</script>", "var items = [{\"pubtime\": \"2024-05-18 08:00\"}];</script>")
    assert published("", listed) is None


def test_a_list_of_other_articles_below_the_text_gives_no_date() -> None:
    body = f"<div class='text'>{STORY}</div><div class='more'><ul>{OTHERS}</ul></div>"
    assert published("", body) is None


def test_an_entry_that_states_no_publication_is_dated_by_its_last_change() -> None:
    head = "<meta itemprop='dateUpdate' content='2024-05-10 23:21:16'>"
    assert published(head, f"<div class='text'>{STORY}</div>") == datetime(2024, 5, 10, 23, 21, 16, tzinfo=SHANGHAI)
