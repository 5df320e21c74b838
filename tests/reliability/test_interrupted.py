"""A crawl killed, interrupted or stopped by a full disk finishes its site on the next runs:
every article once in the dataset, every captured article with its row, and a non-zero
exit status from every run that did not finish its work."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ARCHIVE
from tests.reliability.conftest import ENV, ROOT, assert_archive_sound, captured_urls, rows, write_site
from tests.reliability.news_site import NewsSite

ARTICLES = 1000


def crawl_process(sites: Path, out: Path, log: Path) -> subprocess.Popen:
    with open(log, "w") as stream:
        return subprocess.Popen([ARCHIVE, "crawl", "news", "--sites", str(sites), "--out", str(out)],
                                stdout=stream, stderr=subprocess.STDOUT, env=ENV, cwd=ROOT, start_new_session=True)


def crawl_to_the_end(sites: Path, out: Path, log: Path, timeout: int = 300) -> tuple[int, str]:
    process = crawl_process(sites, out, log)
    return process.wait(timeout), log.read_text()


def interrupt_after(process: subprocess.Popen, site: NewsSite, hits: int, how: signal.Signals) -> int | None:
    """Send `how` to the crawl's whole process group once the site had `hits` more requests;
    the exit status, or None if the crawl ended on its own first."""
    start, deadline = len(site.hits), time.monotonic() + 120
    while len(site.hits) - start < hits and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    if process.poll() is not None:
        return None
    os.killpg(process.pid, how)
    return process.wait(120)


def article_urls(site: NewsSite) -> set[str]:
    return {site.base + path for path in site.article_paths}


def assert_site_complete(site: NewsSite, out: Path) -> None:
    counts = Counter(row["url"] for row in rows(out))
    assert set(counts) == article_urls(site), f"{len(article_urls(site) - set(counts))} articles missing"
    assert [url for url, n in counts.items() if n > 1] == []
    # every captured article has its row
    assert {url for url in captured_urls(out) if "/a/" in url} <= set(counts)


@pytest.fixture(scope="module")
def site():
    with NewsSite(ARTICLES) as server:
        yield server


def test_killed_and_interrupted_crawls_finish_the_site(site, tmp_path):
    write_site(tmp_path / "sites", "news", **site.site_values())
    out, moments = tmp_path / "out", random.Random(20261207)
    for number, how in enumerate((signal.SIGKILL, signal.SIGKILL, signal.SIGINT, signal.SIGKILL)):
        log = tmp_path / f"run-{number}.log"
        status = interrupt_after(crawl_process(tmp_path / "sites", out, log), site, moments.randint(40, 600), how)
        if status is None:
            break  # the site was done before this moment came
        assert status != 0, log.read_text()[-2000:]
        if how == signal.SIGINT:
            assert status == 1 and "interrupted; the next run goes on from there" in log.read_text()
    status, output = crawl_to_the_end(tmp_path / "sites", out, tmp_path / "final.log")
    assert status == 0, output[-3000:]
    assert_site_complete(site, out)
    assert_archive_sound(out)
    # The walk was completed: the next run stops paging at the first list page.
    start = len(site.hits)
    status, output = crawl_to_the_end(tmp_path / "sites", out, tmp_path / "again.log")
    assert status == 0, output[-3000:]
    assert sorted(site.hits[start:]) == ["/", "/list/1.html"]


@pytest.fixture
def small_disk(tmp_path):
    """Mount a tmpfs at a directory: (mount, resize). Needs root, as CI and this machine have."""
    mounted: list[Path] = []

    def mount(where: Path, size: str) -> None:
        where.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"a small file system cannot be mounted here ({done.stderr.strip()})")
        mounted.append(where)

    def resize(where: Path, size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(where)], check=True)

    yield mount, resize
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.parametrize(("full", "size", "says"), [
    ("articles", "4k", "cannot write the dataset"),  # only the Parquet files find the disk full
    (".", "900k", "disk is full"),                    # WARC files, state and dataset share it
])
def test_a_full_disk_exits_1_and_the_next_run_recovers_everything(tmp_path, small_disk, full, size, says):
    mount, resize = small_disk
    with NewsSite(300, host="127.0.0.2") as site:
        write_site(tmp_path / "sites", "news", **site.site_values())
        out = tmp_path / "out"
        mount(out / full, size)
        status, output = crawl_to_the_end(tmp_path / "sites", out, tmp_path / "full.log")
        assert status == 1, output[-3000:]
        errors = [line for line in output.splitlines() if line.startswith("Error: ")]
        assert errors and any(says in line or "No space left on device" in line for line in errors), output[-3000:]
        resize(out / full, "256m")
        status, output = crawl_to_the_end(tmp_path / "sites", out, tmp_path / "freed.log")
        assert status == 0, output[-3000:]
        assert_site_complete(site, out)
        assert_archive_sound(out)
