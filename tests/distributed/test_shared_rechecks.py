"""The re-check bookkeeping in Redis answers as the SQLite one does, and hands the events
a process declared and never wrote only to one worker, and only once that process is gone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from archive.changes.events import ChangeEvent
from archive.changes.schedule import next_check
from archive.changes.status import Watch
from archive.records import ArticleJob, WarcPointer
from archive.state import cluster
from archive.state.rechecks import recheck_store
from archive.state.shared import RedisCrawlState

T0 = datetime(2026, 11, 20, tzinfo=UTC)
HOUR = timedelta(hours=1)
POINTER = WarcPointer("/data/warc/news-1.warc.gz", 1234, "<urn:uuid:1>")


def url(n: int) -> str:
    return f"http://a/{n}.htm"


def watch(n: int, published: datetime) -> Watch:
    return Watch.first_capture(url(n), "news", f"<urn:uuid:{n}>", POINTER, T0, f"第{n}号", published)


def archived(state, *numbers: int) -> None:
    for n in numbers:
        state.article_submitted(ArticleJob(url=url(n), site="news", pointers=[POINTER], force=True))
    state.articles_done([(url(n), "done") for n in numbers])


def removed(n: int, hours: float) -> ChangeEvent:
    return ChangeEvent(url(n), "news", "removed", T0 + timedelta(hours=hours), reason="HTTP 404")


def test_both_stores_keep_rechecks_alike(stores):
    state = stores()
    store = recheck_store(state)
    archived(state, 1, 2, 3, 4)
    state.article_submitted(ArticleJob(url=url(5), site="news", pointers=[POINTER], force=True))
    state.articles_done([(url(5), "not_article")])
    assert sorted(u for u, _, _ in store.unwatched("news")) == [url(1), url(2), url(3), url(4)]
    (_, job, first_seen), *_ = sorted(store.unwatched("news"))
    assert '"pointers"' in job and first_seen == state.article_state(url(1)).first_seen

    # article 1 the oldest, 3 the youngest; 2 is checked by sweeps only
    w1, w2, w3 = watch(1, T0 - 30 * HOUR), watch(2, T0 - 20 * HOUR), watch(3, T0 - 10 * HOUR)
    store.save([(w1, T0 + HOUR, T0), (w2, None, T0), (w3, T0 + 2 * HOUR, T0 + HOUR)])
    assert [u for u, _, _ in store.unwatched("news")] == [url(4)]
    assert store.watch(url(1)) == w1 and store.watch(url(9)) is None
    # an article with a watch keeps it: a check may have moved it since the adopter looked
    store.save([(replace(w1, status="removed"), T0, T0)])
    assert store.watch(url(1)) == w1

    assert store.due("news", T0, 10) == []
    assert store.due("news", T0 + HOUR, 10) == [w1]
    assert store.due("news", T0 + 3 * HOUR, 10) == [w3, w1]  # the youngest first
    assert store.due("news", T0 + 3 * HOUR, 1) == [w3]
    assert store.due("news", T0, 10, seen_since=T0) == [w3, w2, w1]
    assert store.due("news", T0, 10, seen_since=T0 + HOUR) == [w3]
    assert store.due("other", T0 + 3 * HOUR, 10) == []
    assert (store.due_count("news", T0), store.due_count("news", T0 + HOUR), store.due_count("news", T0 + 5 * HOUR)) \
        == (0, 1, 2)
    assert store.every("news", 10) == [w3, w2, w1] and store.every("news", 2) == [w3, w2]

    # dropped from a list page: checked at once, never later than planned
    store.bring_forward([url(2), url(3), url(9)], T0 + HOUR / 2)
    assert store.due("news", T0 + HOUR / 2, 10) == [w3, w2]
    store.bring_forward([url(2)], T0 + 5 * HOUR)
    assert store.due_count("news", T0 + HOUR / 2) == 2

    # a check moves the watch and declares an event: both kept together
    w1.last_check_at, w1.pending, w1.pending_since = T0 + 2 * HOUR, "gone", T0 + 2 * HOUR
    store.scheduled(w1, [HOUR, timedelta(days=30)], 6 * HOUR, [removed(1, 2)])
    assert store.watch(url(1)) == w1
    assert store.due("news", T0 + 7 * HOUR, 10) == [w3, w2]
    assert store.due("news", T0 + 8 * HOUR, 10) == [w3, w2, w1]
    assert next_check(w1, [HOUR, timedelta(days=30)], 6 * HOUR) == T0 + 8 * HOUR
    # a check with no schedule left takes the article out of the due ones, not out of sweeps
    store.scheduled(w3, [], 6 * HOUR)
    assert store.due_count("news", T0 + 100 * HOUR) == 2 and store.every("news", 10) == [w3, w2, w1]

    # the event waits for the next process until it is written
    assert recheck_store(stores()).pending_events("news") == [removed(1, 2)]
    later = stores()
    assert recheck_store(later).pending_events("other") == []
    recheck_store(later).events_written([removed(1, 2)])
    assert recheck_store(stores()).pending_events("news") == []


def test_the_store_of_each_state(tmp_path):
    from archive.state.rechecks import RecheckStore
    from archive.state.store import CrawlState

    assert isinstance(recheck_store(CrawlState(tmp_path / "state.sqlite")), RecheckStore)
    with pytest.raises(TypeError):
        recheck_store(object())


def test_a_worker_writes_the_events_of_workers_gone_and_never_those_of_live_ones(redis_url):
    client = cluster.connect(redis_url)
    for worker in ("w1", "w2"):
        cluster.beat(client, worker, 60, {})
    w2 = recheck_store(RedisCrawlState(redis_url, "w2"))
    w2.scheduled(watch(1, T0), [], HOUR, [removed(1, 3)])
    assert recheck_store(RedisCrawlState(redis_url, "w1")).pending_events("news") == []  # w2 is alive
    # one of the same process: about to write it
    assert w2.pending_events("news") == []
    client.delete(cluster.worker_key("w2"))  # its beat expired: gone
    taker = RedisCrawlState(redis_url, "w1")
    assert recheck_store(taker).pending_events("news") == [removed(1, 3)]
    cluster.beat(client, "w3", 60, {})
    assert recheck_store(RedisCrawlState(redis_url, "w3")).pending_events("news") == []  # taken by w1, alive


def test_articles_archived_before_the_redis_store_kept_rechecks_are_adopted(redis_url):
    """A shared crawl state written before it kept a set of each site's archived articles."""
    cluster.beat(cluster.connect(redis_url), "w1", 60, {})
    state = RedisCrawlState(redis_url, "w1")
    archived(state, 1, 2)
    client = cluster.connect(redis_url)
    state.article_submitted(ArticleJob(url="http://b/1.htm", site="gov", pointers=[POINTER], force=True))
    state.articles_done([("http://b/1.htm", "done")])
    client.delete(*client.keys("*archived*"))
    assert sorted(u for u, _, _ in recheck_store(state).unwatched("news")) == [url(1), url(2)]
    assert client.smembers("archive:state:site:gov:archived") == {"http://b/1.htm"}  # in the same pass
    assert [u for u, _, _ in recheck_store(state).unwatched("gov")] == ["http://b/1.htm"]
    archived(state, 3)
    assert sorted(u for u, _, _ in recheck_store(state).unwatched("news")) == [url(1), url(2), url(3)]
