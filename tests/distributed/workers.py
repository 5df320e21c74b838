"""Workers of a shared crawl as real `archive crawl --redis` processes, and a news site that grows."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import ARCHIVE
from tests.reliability.conftest import ENV, ROOT
from tests.reliability.hostile import HostileServer, Page
from tests.reliability.news_site import PER_LIST, NewsSite, _article, _list

# The record's fields that do not depend on which capture made it.
CONTENT_FIELDS = ["url", "site", "title", "text", "published_at", "published_date", "publisher", "source", "author",
                  "editor", "views", "page", "language", "content_sha1", "subtitle", "column", "kind", "page_count",
                  "attachments", "simhash"]


def start_worker(sites: Path, out: Path, log: Path, redis_url: str | None, worker: str | None = None,
                 *extra: str, lease: float = 60) -> subprocess.Popen:
    """`archive crawl news` in its own process group; shared through `redis_url` unless None."""
    command = [ARCHIVE, "crawl", *(extra or ("news",)), "--sites", str(sites), "--out", str(out)]
    if redis_url is not None:
        command += ["--redis", redis_url, "--worker-id", worker, "--lease-seconds", str(lease)]
    with open(log, "w") as stream:
        return subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT, env=ENV, cwd=ROOT,
                                start_new_session=True)


def run_workers(sites: Path, out: Path, logs: Path, redis_url: str, names: tuple[str, ...], *extra: str,
                timeout: float = 300, lease: float = 60) -> list[Path]:
    """Start a worker per name at once, wait for them all to exit 0; their logs."""
    paths = [logs / f"{name}.log" for name in names]
    wait_all([start_worker(sites, out, path, redis_url, name, *extra, lease=lease)
              for path, name in zip(paths, names, strict=True)],
             paths, timeout)
    return paths


def wait_or_kill(process: subprocess.Popen, timeout: float) -> int | None:
    """The exit status; None (the process group killed) if it did not end in time."""
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
        return None


def wait_all(processes: list[subprocess.Popen], logs: list[Path], timeout: float = 300) -> list[int]:
    deadline = time.monotonic() + timeout
    codes = [wait_or_kill(process, max(1.0, deadline - time.monotonic())) for process in processes]
    for code, log in zip(codes, logs, strict=True):
        assert code == 0, log.read_text()[-3000:]
    return codes


class TimedNewsSite(NewsSite):
    """NewsSite that also notes when each request came."""

    def __init__(self, articles: int, host: str = "127.0.0.1") -> None:
        super().__init__(articles, host)
        self.times: list[float] = []
        answer = self.routes

        def timed(server, path):
            self.times.append(time.monotonic())
            return answer(server, path)

        self.routes = timed


class GrowingNewsSite(HostileServer):
    """A NewsSite whose number of articles can grow between crawls: the newest on list page 1."""

    def __init__(self, articles: int, host: str = "127.0.0.1") -> None:
        self.articles = articles
        self.host = host
        super().__init__(self._route, host)

    def _route(self, server, path: str) -> Page | None:
        last = -(-self.articles // PER_LIST)
        if path == "/":
            return Page(200, "<html><body><a href='/list/1.html'>工作动态</a></body></html>")
        if path == "/robots.txt":
            return Page(200, "User-agent: *\nDisallow:\n", {"Content-Type": "text/plain"})
        if path.startswith("/list/") and path.endswith(".html"):
            page = int(path[6:-5])
            numbers = list(range(self.articles - (page - 1) * PER_LIST, max(0, self.articles - page * PER_LIST), -1))
            return Page(200, _list(page, numbers, last)) if 1 <= page <= last else None
        if path.startswith("/a/") and path.endswith(".html"):
            number = int(path[3:-5])
            return Page(200, _article(number)) if 1 <= number <= self.articles else None
        return None

    def site_values(self) -> dict:
        return {"start_urls": [self.base + "/"], "allowed_domains": [self.host], "allow_addresses": [self.host],
                "follow": [r"/list/\d+\.html$"], "article": [r"/a/\d+\.html$"], "max_pages": 5000, "delay": 0.0}
