"""The extraction pipeline, built by Scrapy's get_crawler with the project's settings: its
rows land in a real dataset, its jobs in a real state store, its work in real workers."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.datadir import DataDir
from archive.dataset.files import open_dataset
from archive.dataset.writer import DatasetWriter
from archive.jobs.article import extract_job
from archive.records import ArticleJob, ExtractedArticle, WarcPointer
from archive.state.store import shared_state
from archive.warc.writer import HttpExchange, WarcFileWriter
from crawler.pipelines import ExtractionPipeline
from crawler.spiders.news import NewsSpider
from crawler.workers import WORKERS
from tests.conftest import SLOW_PAGE
from tests.crawler.conftest import crawler_for, loopback_site
from tests.test_cli import ARTICLE

BASE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def workers_stopped():
    """Each test starts the crawl's workers with its own settings; none outlives it."""
    yield
    while WORKERS.users:
        WORKERS.release()


def archived(out: Path, pages: dict[str, str]) -> dict[str, WarcPointer]:
    """`pages` (url: html) captured into WARC files under `out`, as the crawl captures them."""
    writer = WarcFileWriter(DataDir(out).warc, "site")
    pointers = {url: writer.write(HttpExchange(url, "GET", url.removeprefix(BASE), [("Host", "127.0.0.1:8000")], b"",
                                               200, "HTTP/1.1", [("Content-Type", "text/html; charset=utf-8")],
                                               html.encode()))
                for url, html in pages.items()}
    writer.close()
    return pointers


def article(n: int) -> str:
    return ARTICLE.replace("秋季农业生产推进会", f"第{n}次农业生产推进会")


def job(url: str, *pointers: WarcPointer) -> ArticleJob:
    return ArticleJob(url, "site", list(pointers), force=True)


def opened(reactor, out: Path, **settings) -> ExtractionPipeline:
    crawler = crawler_for(NewsSpider, loopback_site(BASE + "/", article=[r"/a/\d+\.html$"]), out, **settings)
    pipeline = ExtractionPipeline.from_crawler(crawler)
    reactor.call(pipeline.open_spider)
    return pipeline


def rows(out: Path) -> list[tuple[str, str, int]]:
    articles = DataDir(out).articles
    if not articles.exists():
        return []
    table = open_dataset(articles).to_table(columns=["url", "warc_record_id", "page_count"])
    return sorted(zip(*table.to_pydict().values(), strict=True))


def states(out: Path, *urls: str) -> list[str | None]:
    return [found.state if found else None for found in map(shared_state(out).article_state, urls)]


def test_a_record_counts_as_done_only_once_its_row_is_on_disk(reactor, tmp_path):
    url = BASE + "/a/1.html"
    pointer = archived(tmp_path, {url: article(1)})[url]
    pipeline = opened(reactor, tmp_path)
    reactor.call(pipeline.process_item, ExtractedArticle(job(url, pointer), extract_job(job(url, pointer))))
    # held in memory: a crash now must leave the job to the next run
    assert states(tmp_path, url) == ["pending"] and rows(tmp_path) == []
    reactor.run(pipeline.close_spider)
    assert rows(tmp_path) == [(url, pointer.record_id, 1)]
    assert states(tmp_path, url) == ["done"]


def test_past_the_held_rows_they_are_written_at_once(reactor, tmp_path):
    url = BASE + "/a/1.html"
    pointer = archived(tmp_path, {url: article(1)})[url]
    pipeline = opened(reactor, tmp_path, ARCHIVE_HELD_ROWS=1)
    reactor.call(pipeline.process_item, ExtractedArticle(job(url, pointer), extract_job(job(url, pointer))))
    assert rows(tmp_path) == [(url, pointer.record_id, 1)] and states(tmp_path, url) == ["done"]
    reactor.run(pipeline.close_spider)
    assert rows(tmp_path) == [(url, pointer.record_id, 1)]


def test_an_article_of_several_pages_is_extracted_by_the_workers(reactor, tmp_path):
    first, second = BASE + "/a/1.html", BASE + "/a/1_2.html"
    pointers = archived(tmp_path, {first: article(1), second: article(1).replace("确保粮食", "第二页确保粮食")})
    pipeline = opened(reactor, tmp_path)
    reactor.call(pipeline.process_item, job(first, pointers[first], pointers[second]))
    reactor.run(pipeline.close_spider)
    assert rows(tmp_path) == [(first, pointers[first].record_id, 2)]
    assert states(tmp_path, first) == ["done"]


def test_the_jobs_an_interrupted_run_left_are_finished(reactor, tmp_path):
    written, lost = BASE + "/a/1.html", BASE + "/a/2.html"
    pointers = archived(tmp_path, {written: article(1), lost: article(2)})
    state = shared_state(tmp_path)
    for url in (written, lost):
        state.article_submitted(job(url, pointers[url]))
    # the run was killed after the first row reached a file, before it was marked done
    earlier = DatasetWriter(DataDir(tmp_path).articles)
    earlier.add(extract_job(job(written, pointers[written])))
    earlier.close()
    pipeline = opened(reactor, tmp_path)
    reactor.run(pipeline.close_spider)
    assert pipeline.stats.get_value("archive/resumed_jobs") == 1  # only the one not on disk
    assert rows(tmp_path) == [(written, pointers[written].record_id, 1), (lost, pointers[lost].record_id, 1)]
    assert states(tmp_path, written, lost) == ["done", "done"]


def test_a_job_the_workers_fail_is_counted_and_left_for_the_next_run(reactor, tmp_path, caplog):
    good, bad = BASE + "/a/1.html", BASE + "/a/2.html"
    pointers = archived(tmp_path, {good: article(1)})
    missing = WarcPointer(str(DataDir(tmp_path).warc / "gone.warc.gz"), 0, "<urn:uuid:gone>")
    pipeline = opened(reactor, tmp_path)
    reactor.call(pipeline.process_item, job(bad, missing))
    reactor.call(pipeline.process_item, job(good, pointers[good]))
    reactor.run(pipeline.close_spider)
    assert pipeline.stats.get_value("archive/extraction_failed") == 1
    assert rows(tmp_path) == [(good, pointers[good].record_id, 1)]  # the crawl went on
    assert states(tmp_path, bad, good) == ["pending", "done"]
    [error] = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert error.startswith(f"extraction failed for {bad}: ") and "gone.warc.gz" in error


def test_a_page_past_the_time_bound_is_a_failure_and_the_others_go_on(reactor, tmp_path, caplog):
    slow, good = BASE + "/a/1.html", BASE + "/a/2.html"
    pointers = archived(tmp_path, {slow: SLOW_PAGE, good: article(2)})
    pipeline = opened(reactor, tmp_path, ARCHIVE_EXTRACT_TIMEOUT=1)
    for url in (slow, good):
        reactor.call(pipeline.process_item, job(url, pointers[url]))
    reactor.run(pipeline.close_spider)
    assert pipeline.stats.get_value("archive/extraction_timed_out") == 1
    assert pipeline.stats.get_value("archive/extraction_failed") == 1
    assert rows(tmp_path) == [(good, pointers[good].record_id, 1)]
    assert states(tmp_path, slow, good) == ["pending", "done"]
    [error] = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert error == f"extraction failed for {slow}: extraction took longer than 1 s and was given up"


def test_a_capture_never_handed_over_is_extracted_once_even_if_the_spider_meets_it_again(reactor, tmp_path):
    url = BASE + "/a/1.html"
    pointer = archived(tmp_path, {url: article(1)})[url]
    state = shared_state(tmp_path)
    # what a run killed between the capture and the hand-over leaves
    state.record_capture(url, "site", 200, etag=None, last_modified=None, payload_digest=None, pointer=pointer,
                         warc_date=None, candidate=True)
    pipeline = opened(reactor, tmp_path)
    # known at once, before the worker answers: the spider skips its link
    assert states(tmp_path, url) == ["pending"]
    # and should the same capture reach the pipeline again in this run, it is one row
    reactor.call(pipeline.process_item, ExtractedArticle(job(url, pointer), extract_job(job(url, pointer))))
    reactor.run(pipeline.close_spider)
    assert rows(tmp_path) == [(url, pointer.record_id, 1)]
    assert states(tmp_path, url) == ["done"]
