"""One article's job, as the crawl's workers run it: from the pages it carries, counted by
its counter's answer; WARC is read only for a job that carries no pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from archive.errors import WarcReadError
from archive.jobs.article import extract_job, observed_views, views_row, with_counter_answer
from archive.records import ArticleJob, CounterCapture, FetchedPage, ViewsObservation, ViewsRow, WarcPointer
from tests.extract.test_pagination import BASE, article

FETCHED = datetime(2026, 10, 19, 2, 0, tzinfo=UTC)
# Where a killed run's job says its pages are archived; no such file exists.
NOWHERE = WarcPointer("/nonexistent/warc/site-00000000000000000000-00001-h-1-x.warc.gz", 0, "<urn:uuid:none>")


def page(html: str, url: str, fetched_at: datetime = FETCHED) -> FetchedPage:
    return FetchedPage(url=url, status=200, headers={"content-type": "text/html; charset=utf-8"},
                       body=html.encode("utf-8"), fetched_at=fetched_at, pointer=NOWHERE)


def two_pages() -> tuple[FetchedPage, FetchedPage]:
    first = page(article("<a href='t20240301_777_2.html'>下一页</a>"), BASE + "t20240301_777.html")
    second = page(article("", paragraphs="<p>第二页的独有内容：项目将于年底前全部完工。</p>" * 2),
                  BASE + "t20240301_777_2.html")
    return first, second


def test_a_job_carrying_its_pages_is_extracted_without_reading_warc():
    pages = two_pages()
    job = ArticleJob(pages[0].url, "gov", [NOWHERE, NOWHERE], True, pages=pages)
    record = extract_job(job)
    assert record is not None and record.page_count == 2
    assert record.text.endswith("项目将于年底前全部完工。")
    assert record.simhash is not None


def test_a_job_without_pages_reads_them_from_warc():
    job = ArticleJob(BASE + "t20240301_777.html", "gov", [NOWHERE], True)
    with pytest.raises(WarcReadError):
        extract_job(job)


def test_the_pages_stay_out_of_the_jobs_identity():
    # What the crawl state keeps (and compares) is where the pages are archived.
    pages = two_pages()
    assert ArticleJob(pages[0].url, "gov", [NOWHERE], True, pages=pages) == ArticleJob(pages[0].url, "gov", [NOWHERE],
                                                                                      True)


def test_the_counter_answer_in_hand_sets_the_views():
    first, _ = two_pages()
    answered = FETCHED + timedelta(seconds=2)
    answer = FetchedPage(url="https://www.example.gov.cn/api/hits?id=777", status=200, headers={},
                         body=b'{"hits": 4321}', fetched_at=answered)
    counter = CounterCapture("custom", answer.url, NOWHERE, r'"hits":\s*(\d+)', answer=answer)
    record = extract_job(ArticleJob(first.url, "gov", [NOWHERE], True, counter, pages=(first,)))
    assert (record.views, record.views_observed_at) == (4321, answered)
    assert views_row(record) == ViewsRow(record.url, "gov", answered, 4321)
    again = with_counter_answer(record, CounterCapture("custom", answer.url, None, r'"hits":\s*(\d+)'))
    assert again.views == 4321  # no answer captured: the count stays


def test_a_later_reading_is_a_row_only_when_the_answer_shows_a_count():
    seen = ViewsObservation("https://www.example.gov.cn/a/1.html", "gov", "custom", b'{"hits": 12}', FETCHED)
    assert observed_views(seen, r'"hits":\s*(\d+)') == ViewsRow(seen.url, "gov", FETCHED, 12)
    blank = ViewsObservation(seen.url, "gov", "custom", b"<html>busy</html>", FETCHED)
    assert observed_views(blank, r'"hits":\s*(\d+)') is None
