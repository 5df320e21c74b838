"""Redis gone mid-crawl: every worker stops at once with one line naming it, its files whole."""

from __future__ import annotations

import gzip
import time

from tests.distributed.conftest import RedisServer
from tests.distributed.workers import start_worker, wait_or_kill
from tests.reliability.conftest import write_site
from tests.reliability.news_site import NewsSite


def test_workers_stop_with_one_line_when_redis_goes_away(redis_server, tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    try:
        with NewsSite(400, host="127.0.0.40") as site:
            write_site(tmp_path / "sites", "news", **site.site_values())
            out = tmp_path / "out"
            logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
            workers = [start_worker(tmp_path / "sites", out, log, server.url, name)
                       for log, name in zip(logs, ("w1", "w2"), strict=True)]
            deadline = time.monotonic() + 120
            while len(site.hits) < 100 and time.monotonic() < deadline:
                time.sleep(0.01)
            server.stop()
            codes = [wait_or_kill(worker, 120) for worker in workers]
    finally:
        server.stop()
    for code, log in zip(codes, logs, strict=True):
        output = log.read_text()
        assert code == 1, output[-3000:]
        errors = [line for line in output.splitlines() if line.startswith("Error: ")]
        assert errors, output[-3000:]
        assert all(f"{server.url}: the shared crawl state is unreachable (" in line for line in errors), errors
    assert not list((out / "warc").glob("*.open"))
    for path in (out / "warc").glob("*.warc.gz"):
        gzip.decompress(path.read_bytes())
