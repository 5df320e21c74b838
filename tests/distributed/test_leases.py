"""scrapy-redis's queue with leases: a request popped stays the run's until acknowledged."""

from __future__ import annotations

import time

import pytest
import redis
import scrapy

from crawler.distributed.queue import LEASE, LeasedQueue
from crawler.distributed.runs import SiteRun


class Spider(scrapy.Spider):
    name = "news"

    def parse(self, response):
        pass


@pytest.fixture
def queues(redis_url):
    """Two workers' views of one run's queue, with a lease of 200 ms."""
    made = []
    for worker in ("w1", "w2"):
        queue = LeasedQueue(redis.Redis.from_url(redis_url), Spider(), "archive:run:news:r1:requests")
        queue.worker, queue.lease_ms = worker, 200
        made.append(queue)
    return made


def request(n: int, priority: int = 0) -> scrapy.Request:
    return scrapy.Request(f"http://a/{n}", priority=priority)


def test_a_popped_request_is_leased_until_released(queues):
    first, second = queues
    first.push(request(1))
    popped = first.pop()
    assert popped.url == "http://a/1" and popped.meta[LEASE] == "w1:1"
    assert (len(first), first.leases()) == (0, 1)
    assert second.pop() is None
    first.release(popped.meta[LEASE])
    assert (len(first), first.leases()) == (0, 0)


def test_the_leases_of_a_worker_that_stops_go_back_to_the_queue_with_their_priority(queues):
    first, second = queues
    first.push(request(1, priority=5))
    first.push(request(2))
    assert first.pop().url == "http://a/1"
    assert second.reap() == 0
    time.sleep(0.3)
    assert second.reap() == 1
    assert second.pop().url == "http://a/1"  # before request 2, as its priority says


def test_a_live_worker_renews_its_leases(queues):
    first, second = queues
    first.push(request(1))
    first.pop()
    for _ in range(4):
        time.sleep(0.1)
        first.renew()
        assert second.reap() == 0
    assert first.leases() == 1


def test_a_request_not_fetched_is_put_back_at_once(queues):
    first, second = queues
    first.push(request(1))
    popped = first.pop()
    first.release(popped.meta[LEASE], back=True)
    assert second.pop().url == "http://a/1"


def test_a_run_is_drained_only_once_seeded_and_with_nothing_queued_or_leased(redis_url, queues):
    class State:
        def run_started(self, site):
            return 1

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.set("archive:worker:w1", "{}")
    run = SiteRun(client, "news", "w1")
    run.join(State())
    first = LeasedQueue(redis.Redis.from_url(redis_url), Spider(), run.part("requests"))
    assert not run.drained()  # not seeded yet: nothing queued proves nothing
    first.push(request(1))
    run.seeded()
    assert not run.drained()
    popped = first.pop()
    assert not run.drained()  # in flight
    first.release(popped.meta[LEASE])
    assert run.drained()


def test_a_run_of_checks_is_followed_by_its_joiners_and_drained_once_its_opener_gave_them(redis_url):
    """Only the opener asks for a run's checks: a joiner handing on no seed proves nothing."""
    class State:
        def __init__(self):
            self.finished = []

        def run_started(self, site):
            return 1

        def run_finished(self, run, outcome):
            self.finished.append(outcome)

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    for worker in ("w1", "w2"):
        client.set(f"archive:worker:{worker}", "{}")
    opener, joiner = SiteRun(client, "news", "w1"), SiteRun(client, "news", "w2")
    opener.join(State(), "only")
    joiner.join(State(), "due")  # started for the lists: follows the run it joined
    assert (opener.opened, opener.rechecks, joiner.opened, joiner.rechecks) == (True, "only", False, "only")
    joiner.seeded()
    assert not joiner.drained()  # the opener has not handed on its checks yet
    client.delete("archive:worker:w1")
    assert joiner.drained()  # gone before it did: nothing more will come
    state = State()
    assert joiner.leave(state, failed=False) == "rechecks"  # no success of the site's crawl: lists stay due
    assert state.finished == ["rechecks"]


def test_a_restarted_opener_takes_its_part_again(redis_url):
    """Its earlier process may have died before handing on its seeds: without it the run
    would wait for them for ever, its opener's id being alive."""
    class State:
        def run_started(self, site):
            return 1

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    for worker in ("w1", "w2"):
        client.set(f"archive:worker:{worker}", "{}")
    first, joiner = SiteRun(client, "news", "w1"), SiteRun(client, "news", "w2")
    first.join(State(), "only")
    joiner.join(State())
    joiner.seeded()
    again = SiteRun(client, "news", "w1")  # w1 killed before seeding, started again at once
    again.join(State())
    assert (again.run, again.opened, again.rechecks) == (first.run, True, "only")
    assert not joiner.drained()
    again.seeded()
    assert joiner.drained()
