"""Two worker processes on one crawl, through a real redis-server: every article once, no
page fetched twice, each worker exiting 0 on its own, the same dataset as one machine's
crawl, a host's rate no higher than with one worker, a worker killed mid-crawl costing
nothing, and a second scheduled run fetching only what is new."""

from __future__ import annotations

import json
import os
import pickle
import signal
import time
from collections import Counter

import pytest
import redis

from archive.dataset.files import open_dataset
from tests.conftest import run_archive
from tests.distributed.workers import (
    CONTENT_FIELDS,
    GrowingNewsSite,
    TimedNewsSite,
    run_workers,
    start_worker,
    wait_all,
)
from tests.reliability.conftest import assert_archive_sound, rows, write_site
from tests.reliability.news_site import NewsSite
from tests.reliability.test_interrupted import article_urls, assert_site_complete

ARTICLES = 1000


def content(out) -> list[dict]:
    table = open_dataset(out / "articles").to_table(columns=CONTENT_FIELDS)
    return sorted(table.to_pylist(), key=lambda row: row["url"])


@pytest.fixture(scope="module")
def site():
    with NewsSite(ARTICLES) as server:
        yield server


def test_two_workers_share_a_crawl_as_one_machine_would_do_it(site, redis_url, tmp_path):
    sites = tmp_path / "sites"
    write_site(sites, "news", **site.site_values())
    alone = start_worker(sites, tmp_path / "alone", tmp_path / "alone.log", None)
    wait_all([alone], [tmp_path / "alone.log"])

    start = len(site.hits)
    logs = run_workers(sites, tmp_path / "shared", tmp_path, redis_url, ("w1", "w2"))

    hits = Counter(site.hits[start:])
    assert [path for path, count in hits.items() if count > 1] == []
    assert {site.base + path for path in hits if path.startswith("/a/")} == article_urls(site)
    assert_site_complete(site, tmp_path / "shared")
    assert_archive_sound(tmp_path / "shared")
    # both did their share, each into files of its own
    fetched = {name: int(next(line.split()[1] for line in log.read_text().splitlines() if line.startswith("news ")))
               for name, log in zip(("w1", "w2"), logs, strict=True)}
    assert min(fetched.values()) > 0.2 * sum(fetched.values()), fetched
    # the other worker read robots.txt back from the archive: a response, not a request
    assert sum(fetched.values()) == sum(hits.values()) + 1
    names = [path.name for path in (tmp_path / "shared" / "warc").glob("*.warc.gz")]
    assert {"w1", "w2"} == {name.split("-w.")[1].split("-")[0] for name in names}
    parts = [path.name for path in (tmp_path / "shared" / "articles").rglob("*.parquet")]
    assert all(".w.w1-" in name or ".w.w2-" in name for name in parts)
    # the merged dataset is the one-machine crawl's, row for row
    assert content(tmp_path / "shared") == content(tmp_path / "alone")

    # the run is over: nothing left in Redis but what status reports of the workers gone
    shown = run_archive("status", "--redis", redis_url, "--json")
    assert shown.returncode == 0, shown.stderr
    status = json.loads(shown.stdout)
    assert status["runs"] == []
    assert {(w["worker"], w["alive"]) for w in status["workers"]} == {("w1", False), ("w2", False)}
    assert list(status["hosts"]) == [site.base.removeprefix("http://")]


def test_a_hosts_rate_is_no_higher_with_two_workers(redis_url, tmp_path):
    rates = {}
    for count in (1, 2):
        with TimedNewsSite(60, host=f"127.0.0.{20 + count}") as site:
            sites = tmp_path / f"sites{count}"
            write_site(sites, "news", **{**site.site_values(), "delay": 0.2})
            logs = [tmp_path / f"{count}-{n}.log" for n in range(count)]
            workers = [start_worker(sites, tmp_path / f"out{count}", log, redis_url, f"r{count}_{n}")
                       for n, log in enumerate(logs)]
            wait_all(workers, logs)
            assert len(site.times) >= 60
            rates[count] = (len(site.times) - 1) / (site.times[-1] - site.times[0])
    # one worker keeps to the site's delay; a second one adds nothing to the host's load
    assert rates[1] <= 1 / 0.2 * 1.1, rates
    assert rates[2] <= rates[1] * 1.15, rates


def leased_by(redis_url: str, worker: str) -> list[str]:
    """The URLs of the requests `worker` popped and has not finished."""
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter("archive:run:news:*:leased"))
    return [pickle.loads(data)["url"] for key in keys for lease, data in client.hgetall(key).items()
            if lease.startswith(f"{worker}:".encode()) and not lease.endswith(b"|score")]


def test_a_worker_killed_mid_crawl_costs_nothing(site, redis_url, tmp_path):
    sites = tmp_path / "sites"
    write_site(sites, "news", **site.site_values())
    out, start = tmp_path / "out", len(site.hits)
    logs = [tmp_path / "doomed.log", tmp_path / "survivor.log"]
    doomed = start_worker(sites, out, logs[0], redis_url, "doomed", lease=5)
    survivor = start_worker(sites, out, logs[1], redis_url, "survivor", lease=5)
    try:
        deadline = time.monotonic() + 120
        while len(site.hits) - start < 400 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert doomed.poll() is None and survivor.poll() is None
        # stopped while it holds a lease, so the lease is still its own when it dies
        held: list[str] = []
        while not held and time.monotonic() < deadline:
            os.killpg(doomed.pid, signal.SIGSTOP)
            held = leased_by(redis_url, "doomed")
            if not held:
                os.killpg(doomed.pid, signal.SIGCONT)
                time.sleep(0.005)
        assert held, "the killed worker never held a lease"
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(30)
        killed_at = len(site.hits)
        wait_all([survivor], logs[1:])
    finally:
        # a failure above must not leave a worker crawling the site of the next tests
        for process in (doomed, survivor):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(30)

    later = set(site.hits[killed_at:])
    assert {url.removeprefix(site.base) for url in held} <= later
    assert_site_complete(site, out)
    assert_archive_sound(out)
    assert "taking over what workers doomed left" in logs[1].read_text()


def test_a_second_scheduled_run_repolls_the_lists_and_fetches_only_what_is_new(redis_url, tmp_path):
    with GrowingNewsSite(100, host="127.0.0.30") as site:
        sites = tmp_path / "sites"
        write_site(sites, "news", **site.site_values(), every="1s")
        out = tmp_path / "out"
        run_workers(sites, out, tmp_path, redis_url, ("a1", "a2"), "--due")
        assert len(rows(out)) == 100
        site.articles = 110
        time.sleep(1.1)
        start = len(site.hits)
        run_workers(sites, out, tmp_path, redis_url, ("b1", "b2"), "--due")
        new = [f"/a/{n}.html" for n in range(101, 111)]
        assert sorted(site.hits[start:]) == sorted(["/", "/list/1.html", *new])
        assert Counter(row["url"] for row in rows(out)) == {f"{site.base}/a/{n}.html": 1 for n in range(1, 111)}


def test_without_redis_a_worker_id_is_refused(tmp_path):
    result = run_archive("crawl", "news", "--worker-id", "w1", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "--worker-id and --lease-seconds are for a crawl shared through --redis" in result.stderr


def test_the_page_budget_is_the_runs_over_all_workers(site, redis_url, tmp_path):
    sites = tmp_path / "sites"
    write_site(sites, "news", **{**site.site_values(), "max_pages": 60})
    start = len(site.hits)
    logs = run_workers(sites, tmp_path / "out", tmp_path, redis_url, ("p1", "p2"))
    # each worker stops at the run's budget; what both had on the wire then still lands
    assert 60 <= len(site.hits) - start <= 60 + 2 * 4
    for log in logs:
        assert "closespider_pagecount" in log.read_text()
