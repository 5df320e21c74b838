"""The crawl's shared worker pool: real worker processes, results handed to the reactor."""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime

import pytest
from scrapy.settings import Settings

from archive.jobs.time_bound import page_seconds
from archive.records import ExtractionRules, FetchedPage
from crawler.page_work import PageTask, read_crawled_page
from crawler.workers import SharedPool
from tests.conftest import SLOW_PAGE
from tests.crawler.conftest import project_settings

CAPTURED = datetime(2026, 10, 19, tzinfo=UTC)


@pytest.fixture
def shared():
    pool = SharedPool().acquire(Settings(project_settings(ARCHIVE_EXTRACT_WORKERS=1, ARCHIVE_EXTRACT_TIMEOUT=1)))
    yield pool
    while pool.users:
        pool.release()


def in_reactor(reactor, shared: SharedPool, function, *args):
    """What `shared.submit(function, *args)` fires with, and the thread it fires in."""

    def submit():
        done = shared.submit(function, *args)
        done.addBoth(lambda outcome: (outcome, threading.current_thread().name))
        return done

    return reactor.call(submit)


def test_results_and_errors_fire_in_the_reactor_thread(reactor, shared):
    pid, thread = in_reactor(reactor, shared, os.getpid)
    assert pid != os.getpid() and thread == "reactor"
    failure, thread = in_reactor(reactor, shared, int, "not a number")
    assert failure.check(ValueError) and "not a number" in str(failure.value) and thread == "reactor"


def test_the_pool_takes_its_size_and_time_bound_from_the_settings(shared):
    assert shared.pool._max_workers == 1
    assert shared.pool.submit(page_seconds).result() == 1


def test_a_broken_pool_refuses_work_at_once(reactor, shared):
    os.kill(shared.pool.submit(os.getpid).result(), signal.SIGKILL)  # the OOM killer, say
    with pytest.raises(BrokenProcessPool):
        shared.pool.submit(os.getpid).result(timeout=30)

    def submit_to_broken_pool():
        done = shared.submit(os.getpid)
        failures: list = []
        done.addErrback(failures.append)
        return done.called, failures

    fired_at_once, [failure] = reactor.call(submit_to_broken_pool)
    assert fired_at_once and failure.check(BrokenProcessPool)


def test_the_first_user_starts_the_pool_and_the_last_one_stops_it():
    shared = SharedPool()
    settings = Settings(project_settings(ARCHIVE_EXTRACT_WORKERS=1))
    pool = shared.acquire(settings).pool
    assert shared.acquire(settings).pool is pool
    shared.release()
    assert pool.submit(os.getpid).result() != os.getpid()  # still serving the other user
    shared.release()
    assert shared.pool is None
    with pytest.raises(RuntimeError):
        pool.submit(os.getpid)


def test_a_page_past_the_time_bound_keeps_the_links_read_before(shared):
    page = FetchedPage("http://127.0.0.1:8000/a/1.html", 200, {"content-type": "text/html; charset=utf-8"},
                       SLOW_PAGE.encode(), CAPTURED)
    task = PageTask("site", ExtractionRules(), ("127.0.0.1",), extract=True, force=True)
    outcome = shared.pool.submit(read_crawled_page, page, task).result(timeout=60)
    assert outcome.links.urls == ["http://127.0.0.1:8000/a/2.html"]
    assert outcome.facts.record is None
    assert outcome.facts.error == "extraction took longer than 1 s and was given up"
