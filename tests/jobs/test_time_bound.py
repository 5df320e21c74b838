"""The bound on one page's time in a worker: a page that would hold a worker for long is
given up with its reason, and the worker goes on with the next one."""

from __future__ import annotations

import signal

import pytest

from archive.datadir import DataDir
from archive.jobs.article import extract_job
from archive.jobs.pool import worker_pool
from archive.jobs.time_bound import PageTimeout
from archive.records import ArticleJob
from archive.warc.writer import HttpExchange, WarcFileWriter
from tests.conftest import SLOW_PAGE
from tests.test_cli import ARTICLE


def archived_jobs(out, pages: dict[str, str]) -> list[ArticleJob]:
    writer = WarcFileWriter(DataDir(out).warc, "site")
    jobs = [ArticleJob(url, "site", [writer.write(HttpExchange(
        url, "GET", "/", [("Host", "127.0.0.1")], b"", 200, "HTTP/1.1",
        [("Content-Type", "text/html; charset=utf-8")], html.encode()))], force=True) for url, html in pages.items()]
    writer.close()
    return jobs


def test_a_page_past_the_bound_is_given_up_and_the_worker_takes_the_next(tmp_path):
    slow, good = archived_jobs(tmp_path, {"http://127.0.0.1/a/1.html": SLOW_PAGE, "http://127.0.0.1/a/2.html": ARTICLE})
    with worker_pool(1, page_seconds=1) as pool:
        # the page is forced (its site's patterns say article): a failure inside extraction
        # would give an empty record instead; the bound is no such failure
        with pytest.raises(PageTimeout, match=r"^extraction took longer than 1 s and was given up$"):
            pool.submit(extract_job, slow).result(timeout=60)
        assert pool.submit(extract_job, good).result(timeout=60).title == "县里召开秋季农业生产推进会"
        assert pool.submit(signal.getitimer, signal.ITIMER_REAL).result() == (0.0, 0.0)  # no timer left armed
