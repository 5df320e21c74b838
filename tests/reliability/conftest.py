"""Helpers shared by the reliability tests: crawls and `archive` commands as real
processes against servers on loopback addresses, bounded in time."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from archive.dataset.files import open_dataset
from archive.warc.reader import scan_responses

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}
WARCIO = str(Path(sys.executable).with_name("warcio"))


def crawl_command(spec: dict, spec_path: Path) -> list[str]:
    spec_path.write_text(json.dumps(spec))
    return [sys.executable, "-m", "tests.reliability.crawl_child", str(spec_path)]


def run_crawl(tmp: Path, *, out: Path, sites: Path | None = None, start_url: str | None = None,
              overrides: dict | None = None, fsize_limit: int | None = None, timeout: int = 120,
              name: str = "crawl") -> tuple[subprocess.CompletedProcess, dict]:
    """Crawl in a child process; return it and the stats of each site."""
    stats_path = tmp / f"{name}-stats.json"
    spec = {"sites": str(sites) if sites else None, "start_url": start_url, "out": str(out),
            "overrides": {"LOG_LEVEL": "INFO", **(overrides or {})}, "stats": str(stats_path),
            "fsize_limit": fsize_limit}
    result = subprocess.run(crawl_command(spec, tmp / f"{name}-spec.json"), capture_output=True, text=True,
                            timeout=timeout, env=ENV, cwd=ROOT)
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    return result, stats


def write_site(directory: Path, site_id: str, **values) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    lines = [f"id = {json.dumps(site_id)}", f"name = {json.dumps(site_id)}"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    (directory / f"{site_id}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def rows(out: Path) -> list[dict]:
    if not (out / "articles").is_dir():
        return []
    return open_dataset(out / "articles").to_table(columns=["url", "content_sha1", "warc_record_id"]).to_pylist()


def captured_urls(out: Path) -> list[str]:
    return [e.url for path in sorted((out / "warc").glob("*.warc.gz")) for e in scan_responses(path)]


def assert_archive_sound(out: Path) -> None:
    """No unfinished file; every WARC passes warcio check and decompresses whole."""
    assert not list((out / "warc").glob("*.open")), "an unfinished WARC file was left behind"
    for path in (out / "warc").glob("*.warc.gz"):
        check = subprocess.run([WARCIO, "check", str(path)], capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, check.stdout
        gzip.decompress(path.read_bytes())  # warcio check alone misses a torn last member
        list(scan_responses(path))
    assert not list((out / "articles").rglob("*.tmp")), "a temporary Parquet file was left behind"
    open_dataset(out / "articles").to_table()  # every Parquet file readable to its end


def can_mount_tmpfs(target: Path) -> bool:
    """Whether a small tmpfs can be mounted here (as root): a disk that really fills up."""
    if os.geteuid() != 0:
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(target)], capture_output=True)
    if result.returncode == 0:
        subprocess.run(["umount", str(target)], check=True)
    return result.returncode == 0
