"""Two workers of a shared crawl check archived articles as one machine does: each check
asked once per run, judged by whichever worker fetched it, each edit and takedown one
event in the workers' own `changes/` files."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from tests.changes.site import ChangingSite, gone
from tests.conftest import run_archive
from tests.distributed.workers import run_workers

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

    listed = run_archive("changes", "--data", str(out), "--format", "jsonl")
    assert listed.returncode == 0, listed.stderr
    found = [json.loads(line) for line in listed.stdout.splitlines()]
    assert sorted((e["url"], e["kind"]) for e in found) == [(site.url(1), "edited"), (site.url(2), "removed")]
    # written by the workers that judged them, each into files of its own
    parts = [path.name for path in (out / "changes").rglob("*.parquet")]
    assert parts and all(".w.w1-" in name or ".w.w2-" in name for name in parts), parts
