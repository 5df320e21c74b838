"""Faults of the machine: kill -9 during extraction and during a Parquet write, and a
disk that fills up. After each, the next normal run completes, every file is readable to
its end, and no capture or record is lost or doubled."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.reliability.conftest import (
    ENV,
    ROOT,
    assert_archive_sound,
    can_mount_tmpfs,
    crawl_command,
    rows,
    run_crawl,
    write_site,
)
from tests.reliability.hostile import HostileServer, bulk_routes, wait_for

ARTICLES = 80


def dataset(out: Path) -> list[tuple[str, str]]:
    return sorted((r["url"], r["content_sha1"]) for r in rows(out))


@pytest.fixture(scope="module")
def bulk(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bulk")
    with HostileServer(bulk_routes(ARTICLES, paragraphs=300)) as server:
        write_site(tmp / "sites", "bulk", start_urls=[server.base + "/"], allowed_domains=["127.0.0.1"],
                   allow_addresses=["127.0.0.1"], article=[r"/a/\d+\.html$"], delay=0.0, max_pages=1000)
        result, _ = run_crawl(tmp, out=tmp / "baseline", sites=tmp / "sites", name="baseline")
        assert result.returncode == 0, result.stderr[-3000:]
        expected = dataset(tmp / "baseline")
        assert len(expected) == ARTICLES
        yield tmp, expected


def start_crawl(tmp: Path, out: Path, name: str, **options) -> subprocess.Popen:
    spec = {"sites": str(tmp / "sites"), "out": str(out), "stats": str(tmp / f"{name}.json"),
            "overrides": {"LOG_LEVEL": "WARNING"}, **options}
    return subprocess.Popen(crawl_command(spec, tmp / f"{name}-spec.json"), env=ENV, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def kill_group(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)  # the crawler and its extraction workers at once
    process.wait(30)


def process_state(pid: int) -> str:
    """R, S, T (stopped), ... from /proc; '' once the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def pending_jobs(out: Path) -> int:
    try:
        with sqlite3.connect(f"file:{out / 'state.sqlite'}?mode=ro", uri=True, timeout=0.05) as db:
            return db.execute("SELECT count(*) FROM articles WHERE state = 'pending'").fetchone()[0]
    except sqlite3.Error:
        return 0


def finish_normally(tmp: Path, out: Path, expected) -> None:
    result, stats = run_crawl(tmp, out=out, sites=tmp / "sites", name=f"after-{out.name}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert stats["bulk"]["finish_reason"] == "finished"
    assert dataset(out) == expected  # nothing lost, nothing doubled
    assert_archive_sound(out)


def test_kill_9_while_articles_are_being_extracted(bulk):
    tmp, expected = bulk
    out = tmp / "killed-extracting"
    crawl = start_crawl(tmp, out, "extracting")
    try:
        assert wait_for(lambda: pending_jobs(out) >= 10, timeout=60), "extraction never got going"
        assert crawl.poll() is None
    finally:
        kill_group(crawl)
    assert not list((out / "articles").rglob("*.parquet")) if (out / "articles").exists() else True
    finish_normally(tmp, out, expected)


def test_kill_9_in_the_middle_of_a_parquet_write(bulk):
    tmp, expected = bulk
    out = tmp / "killed-writing"
    # The crawler stops itself between writing its first Parquet file and renaming it.
    crawl = start_crawl(tmp, out, "writing", freeze_before_parquet_rename=True)
    try:
        assert wait_for(lambda: process_state(crawl.pid) == "T", timeout=90), "never reached a Parquet write"
        leftovers = list((out / "articles").glob("site=*/*/.*.parquet.tmp"))
    finally:
        kill_group(crawl)
    assert leftovers, "no temporary Parquet file at the kill"
    assert not list((out / "articles").glob("site=*/*/part-*.parquet"))
    finish_normally(tmp, out, expected)


@pytest.mark.parametrize("size", ["300k", "2m"])
def test_disk_full_then_the_next_run_completes_with_nothing_lost(bulk, size):
    """A small tmpfs fills up mid-crawl (a real ENOSPC for every file: WARC, Parquet,
    state); after space is freed the next run completes the archive."""
    tmp, expected = bulk
    disk = tmp / f"disk-{uuid.uuid4().hex[:6]}"
    disk.mkdir()
    if not can_mount_tmpfs(disk):
        pytest.skip("needs root to mount a small tmpfs")
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)], check=True)
    try:
        out = disk / "out"
        full, _ = run_crawl(tmp, out=out, sites=tmp / "sites", name=f"full-{size}")
        assert "No space left on device" in full.stderr or "disk is full" in full.stderr
        assert len(dataset(out)) < ARTICLES
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)  # space freed
        finish_normally(tmp, out, expected)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (the workers' fork server and the workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def test_workers_killed_mid_crawl_the_crawl_goes_on_and_the_next_run_completes(bulk):
    """The extraction workers die (OOM killer, kill -9) while the crawl runs: the crawler
    reads links itself from then on, fetches every page, keeps each article as a pending
    job, and the next run extracts them."""
    tmp, expected = bulk
    out = tmp / "workers-killed"
    crawl = start_crawl(tmp, out, "workers-killed")
    try:
        assert wait_for(lambda: len(list((out / "warc").glob("*.open"))) > 0 and pending_jobs(out) >= 5,
                        timeout=60), "extraction never got going"
        workers = descendants(crawl.pid)
        assert workers, "no worker processes found"
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        assert crawl.wait(120) == 0
    finally:
        if crawl.poll() is None:
            kill_group(crawl)
    stats = json.loads((tmp / "workers-killed.json").read_text())["bulk"]
    baseline = json.loads((tmp / "baseline-stats.json").read_text())["bulk"]
    assert stats["finish_reason"] == "finished"
    assert stats.get("archive/page_reading_failed", 0) + stats.get("archive/extraction_failed", 0) > 0
    # every page was still fetched and archived: the links were read without the workers
    assert stats["downloader/response_count"] == baseline["downloader/response_count"]
    finish_normally(tmp, out, expected)


def test_rows_held_in_memory_are_bounded_across_the_crawl(bulk):
    """Past ARCHIVE_HELD_ROWS held rows, they are written: memory stays flat, and nothing
    is lost or doubled by the extra writes."""
    tmp, expected = bulk
    out = tmp / "held-rows"
    result, stats = run_crawl(tmp, out=out, sites=tmp / "sites", name="held-rows",
                              overrides={"ARCHIVE_HELD_ROWS": 10})
    assert result.returncode == 0, result.stderr[-3000:]
    assert stats["bulk"]["archive/parquet_files"] >= len(expected) // 10
    assert dataset(out) == expected
    assert_archive_sound(out)
