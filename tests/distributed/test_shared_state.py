"""The crawl state in Redis answers as the SQLite one does, and hands over only what is left over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from archive.errors import StateError
from archive.records import ArticleJob, CounterCapture, WarcPointer
from archive.sites import SiteConfig
from archive.state import cluster
from archive.state.shared import RedisCrawlState

POINTER = WarcPointer("/data/warc/news-1.warc.gz", 1234, "<urn:uuid:1>")


def job(url: str, counter: bool = False) -> ArticleJob:
    return ArticleJob(url=url, site="news", pointers=[POINTER], force=True,
                      counter=CounterCapture("dede", url + "?count", None, None) if counter else None)


def test_both_stores_answer_alike(stores):
    """The same calls, the same answers: the crawler needs no change to run on either."""
    state = stores()
    assert state.known("http://a/1") is None
    state.record_capture("http://a/1", "news", 200, etag='"e"', last_modified=None, payload_digest="sha1:X",
                         pointer=POINTER, warc_date="2026-12-01T00:00:00Z", candidate=True)
    known = state.known("http://a/1")
    assert (known.status, known.etag, known.last_modified, known.pointer) == (200, '"e"', None, POINTER)
    assert state.capture_statuses(["http://a/1", "http://a/2"]) == {"http://a/1": 200}
    # what a process killed before it handed the page to extraction left to the next one
    state = stores()
    assert state.unextracted("news") == [("http://a/1", POINTER)]
    state.article_submitted(job("http://a/1", counter=True))
    assert state.unextracted("news") == []
    assert state.article_state("http://a/1").state == "pending"
    state.articles_done([("http://a/1", "done")])
    assert state.article_states(["http://a/1"])["http://a/1"].confirmed is False
    state.confirm_articles("news")
    assert state.article_state("http://a/1").confirmed is True
    assert state.counters_to_refresh("news", timedelta(days=1)) == [("http://a/1", "dede", "http://a/1?count")]
    state.counter_read("http://a/1", datetime.now(UTC))
    assert state.counters_to_refresh("news", timedelta(days=1), timedelta(hours=1)) == []
    state.hub_polled("http://a/list", "news", ["http://a/1"], "d1")
    links, polled, changed = state.hub("http://a/list")
    assert links == ["http://a/1"] and polled == changed
    state.hub_polled("http://a/list", "news", ["http://a/1"], "d1")
    assert state.hub("http://a/list")[2] == changed
    site = SiteConfig(id="news", name="news", kind="gov", start_urls=["http://a/"], allowed_domains=["a"],
                      every=timedelta(hours=1))
    assert state.due([site]) == [site]
    state.run_finished(state.run_started("news"), "finished")
    assert state.due([site]) == []
    assert state.last_success("news") is not None


def test_a_worker_takes_over_the_jobs_of_workers_gone_and_never_those_of_live_ones(redis_url):
    client = cluster.connect(redis_url)
    for worker in ("alive", "taker"):
        cluster.beat(client, worker, 60, {})
    gone, alive = RedisCrawlState(redis_url, "gone"), RedisCrawlState(redis_url, "alive")
    taker, earlier_self = RedisCrawlState(redis_url, "taker"), RedisCrawlState(redis_url, "taker")
    gone.article_submitted(job("http://a/gone"))
    alive.article_submitted(job("http://a/alive"))
    earlier_self.article_submitted(job("http://a/earlier"))
    taker.article_submitted(job("http://a/mine"))
    # its own rows in flight are not "left over"; an earlier process of its id left its own
    assert sorted(j.url for j in taker.pending_jobs("news")) == ["http://a/earlier", "http://a/gone"]
    # taken once: a second worker finds them taken by a live one
    cluster.beat(client, "second", 60, {})
    assert RedisCrawlState(redis_url, "second").pending_jobs("news") == []


def test_an_unreachable_redis_is_one_line_naming_it_without_its_password():
    state = RedisCrawlState("redis://user:secret@127.0.0.1:1/0", "w1")
    with pytest.raises(StateError) as caught:
        state.check()
    message = str(caught.value)
    assert message.startswith("redis://user:***@127.0.0.1:1/0: the shared crawl state is unreachable (")
    assert "secret" not in message and "\n" not in message


def test_the_shared_state_is_not_rebuilt_from_warc_files(redis_url):
    with pytest.raises(StateError, match="not rebuilt from WARC files"):
        RedisCrawlState(redis_url, "w1").restore_captures([])
