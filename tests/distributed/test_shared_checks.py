"""Two workers of a shared crawl check archived articles as one machine does: each check
asked once per run, judged by whichever worker fetched it, each edit and takedown one
event in the workers' own `changes/` files."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from tests.changes.site import PARAGRAPHS, ChangingSite, gone, stalled
from tests.changes.test_killed_sweep import kill_once
from tests.changes.test_rechecks import EDITED_PARAGRAPH, events
from tests.distributed.workers import run_workers, start_worker

REMOVAL_AFTER = 6.0
ARTICLES = 16


def checked(logs: list[Path]) -> list[int]:
    """Archived articles each worker checked again, as its summary says."""
    return [sum(int(line.split(": ")[1].split()[0]) for line in log.read_text().splitlines()
                if line.startswith("county: ") and "archived articles checked again" in line) for log in logs]


def article_hits(site: ChangingSite, since: int) -> Counter:
    """The requests since `since`, by article number: no list page is walked in a run of checks."""
    paths = {site.articles[n].path: n for n in site.articles}
    return Counter(paths.get(path, path) for path in site.server.hits[since:])


def phase(logs: Path, name: str) -> Path:
    (logs / name).mkdir(parents=True)
    return logs / name


def test_two_workers_check_each_due_article_once_and_declare_each_change_once(redis_url, tmp_path):
    out, sites, logs = tmp_path / "data", tmp_path / "sites", tmp_path / "logs"
    with ChangingSite(count=ARTICLES, published=None) as site:
        site.config(sites, recheck=["3s", "1d"], removal_after=f"{REMOVAL_AFTER:.0f}s")
        run_workers(sites, out, phase(logs, "crawl"), redis_url, ("w1", "w2"), "county")
        captured = time.monotonic()
        site.edit(1, title="第1号通知：县政府召开冬季安全生产工作会议")
        site.answer(2, gone(404))
        time.sleep(max(0.0, captured + 3.5 - time.monotonic()))

        # every article is due its 3 s check: each fetched once, by one of the two workers
        # (slow answers: the opener of the run is still at it when the other joins)
        site.answer_after = 0.5
        start = len(site.server.hits)
        first = run_workers(sites, out, phase(logs, "checks"), redis_url, ("w1", "w2"), "--due")
        assert article_hits(site, start) == Counter(list(site.articles)), site.server.hits[start:]
        assert sum(checked(first)) == ARTICLES and min(checked(first)) > 0, checked(first)
        site.answer_after = 0.0

        # only the article seen gone is due again, to confirm its removal
        time.sleep(REMOVAL_AFTER + 0.5)
        start = len(site.server.hits)
        confirm = run_workers(sites, out, phase(logs, "confirm"), redis_url, ("w1", "w2"), "--due")
        assert article_hits(site, start) == Counter({2: 1}), site.server.hits[start:]
        assert sum(checked(confirm)) == 1

    found = events(out)
    assert sorted((e["url"], e["kind"]) for e in found) == [(site.url(1), "edited"), (site.url(2), "removed")]
    # written by the workers that judged them, each into files of its own
    parts = [path.name for path in (out / "changes").rglob("*.parquet")]
    assert parts and all(".w.w1-" in name or ".w.w2-" in name for name in parts), parts


def test_a_sweep_is_shared_and_an_edit_a_killed_worker_declared_is_written_once(redis_url, tmp_path):
    """`--recheck` with `--redis`: every article checked once over the workers; an event
    declared by a worker killed before writing it is written by a worker of the next run."""
    out, sites, logs = tmp_path / "data", tmp_path / "sites", tmp_path / "logs"
    released = threading.Event()
    with ChangingSite(count=6) as site:
        site.config(sites)
        run_workers(sites, out, phase(logs, "crawl"), redis_url, ("w1", "w2"), "county")
        site.edit(2, paragraphs=(PARAGRAPHS[0], EDITED_PARAGRAPH, *PARAGRAPHS[2:]))
        site.answer(5, stalled(released))  # the sweep goes on after the edit was declared
        log = phase(logs, "killed") / "w1.log"
        start = len(site.server.hits)
        sweep = start_worker(sites, out, log, redis_url, "w1", "county", "--recheck", lease=2)
        try:
            # killed once the edit is declared and every other check answered: only the
            # stalled one holds a connection slot of the host (one held by a worker killed
            # mid-request is freed by the gate after DOWNLOAD_TIMEOUT + 30 s only)
            kill_once(sweep, log, lambda: f"edited: {site.url(2)}" in log.read_text()
                      and set(site.articles) <= set(article_hits(site, start)), settle=0.5)
        finally:
            released.set()
        assert events(out) == []  # the edit was held in memory when the worker died
        site.answer(5, None)
        time.sleep(2.5)  # w1's beat has expired: gone

        start = len(site.server.hits)
        run_workers(sites, out, phase(logs, "sweep"), redis_url, ("w2", "w3"), "county", "--recheck", lease=2)
        assert article_hits(site, start) == Counter(list(site.articles)), site.server.hits[start:]
        found = events(out)
        assert [(e["url"], e["kind"]) for e in found] == [(site.url(2), "edited")]
        assert found[0]["fields"] == ["text"]
