"""Which captures can stand in for a second request (crawler/settled.py)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from archive.records import WarcPointer
from archive.state.store import KnownCapture
from crawler.settled import has_links, is_settled, url_date

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
POINTER = WarcPointer("warc/epaper-1.warc.gz", 0, "<urn:uuid:1>")


def capture(url: str, fetched: datetime, status: int = 200, pointer: WarcPointer | None = POINTER) -> KnownCapture:
    return KnownCapture(url, status, None, None, None, pointer, None, fetched.isoformat())


@pytest.mark.parametrize(("url", "day"), [
    ("http://paper.example.cn/html/2026-10/19/node_2.htm", date(2026, 10, 19)),
    ("http://paper.example.cn/html/2026/10/19/node_2.htm", date(2026, 10, 19)),
    ("http://paper.example.cn/epaper/20261019/page_07.html", date(2026, 10, 19)),
    ("http://paper.example.cn/layout/2026-10-19/1.html", date(2026, 10, 19)),
    ("http://www.example.gov.cn/info/1022/2350.htm", None),
    ("http://www.example.gov.cn/list.html?date=2026-10-19", None),
    ("http://paper.example.cn/html/2026-13/40/node_2.htm", None),
    ("http://www.example.gov.cn/col/col20190101/index.html", None),
    ("http://paper.example.cn/html/2026-10/19.htm", None),
    ("http://news.example.cn/c1001-202610191234.html", None),
])
def test_dates_are_read_from_the_path(url, day):
    assert url_date(url) == day


def test_robots_txt_is_reused_for_a_day():
    url = "http://www.example.gov.cn/robots.txt"
    assert is_settled(url, capture(url, NOW - timedelta(hours=23)), 3, dated_list=False, now=NOW)
    assert is_settled(url, capture(url, NOW - timedelta(hours=23), status=404), 3, dated_list=False, now=NOW)
    assert not is_settled(url, capture(url, NOW - timedelta(hours=25)), 3, dated_list=False, now=NOW)
    assert not is_settled(url, capture(url, NOW - timedelta(hours=1), status=503), 3, dated_list=False, now=NOW)


def test_a_past_edition_fetched_after_it_settled_is_not_fetched_again():
    url = "http://paper.example.cn/html/2026-10/19/node_2.htm"
    settled = capture(url, datetime(2026, 10, 23, tzinfo=UTC))
    assert is_settled(url, settled, 3, dated_list=True, now=NOW)
    # A missing page is asked for again: the 404 may have been a passing fault.
    assert not is_settled(url, capture(url, datetime(2026, 10, 23, tzinfo=UTC), status=404), 3, dated_list=True)


def test_pages_still_open_to_change_are_fetched_again():
    url = "http://paper.example.cn/html/2026-10/19/node_2.htm"
    on_the_day = capture(url, datetime(2026, 10, 19, 6, tzinfo=UTC))
    assert not is_settled(url, on_the_day, 3, dated_list=True, now=NOW)  # fetched before it settled
    late = capture(url, datetime(2026, 10, 23, tzinfo=UTC))
    assert not is_settled(url, late, 3, dated_list=False, now=NOW)  # an article page: refresh_days decides
    assert not is_settled(url, late, 0, dated_list=True, now=NOW)  # settled_days = 0 turns it off
    assert not is_settled(url, capture(url, late_day := datetime(2026, 10, 23, tzinfo=UTC), status=500), 3,
                          dated_list=True, now=NOW)
    assert not is_settled(url, capture(url, late_day, pointer=None), 3, dated_list=True, now=NOW)
    assert not is_settled(url, None, 3, dated_list=True, now=NOW)
    undated = "http://www.example.gov.cn/zwgk/tzgg/index.html"
    assert not is_settled(undated, capture(undated, late_day), 3, dated_list=True, now=NOW)


def test_a_capture_with_next_to_no_links_is_no_page_plan():
    assert has_links(b'<div><a href="/1">1</a><A HREF="/2">2</A><area href="/3"></div>')
    assert not has_links(b"<html><body><script>location.reload()</script><a href='/'>home</a></body></html>")
