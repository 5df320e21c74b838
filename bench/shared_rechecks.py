"""What the page statuses of archived articles cost in the Redis of a shared crawl, against
the SQLite crawl state of one machine in the same run.

WATCHES articles of one site are adopted (`save`) into each store, every one of them due;
then the checks of a run are read (`due`, the youngest LIMIT) as a run's start does.
Prints the Redis memory each watch takes and the time of each step in both stores.

    python bench/shared_rechecks.py        # needs redis-server (Debian: apt-get install redis-server)

Targets: Redis memory at most 2 KB a watch (the README's sizing); reading a run's
checks within 5x of SQLite's time (one round trip per step, not per article).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive.changes.status import Watch
from archive.records import WarcPointer
from archive.state import cluster
from archive.state.rechecks import recheck_store
from archive.state.shared import RedisCrawlState
from archive.state.store import CrawlState

WATCHES, LIMIT = 20_000, 2_500
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def watches() -> list[tuple[Watch, datetime, datetime]]:
    made = []
    for n in range(WATCHES):
        url = f"https://www.example.gov.cn/xxgk/zwdt/202611/t20261101_{n:07d}.html"
        pointer = WarcPointer("/mnt/archive/warc/county-20261101000000000000-00001-w.host1-host1-123-abcdef.warc.gz",
                              123_456_789, f"<urn:uuid:12345678-1234-1234-1234-{n:012d}>")
        watch = Watch.first_capture(url, "county", pointer.record_id, pointer, T0 + timedelta(seconds=n),
                                    "县政府召开秋季安全生产工作会议暨第四季度工作部署会", T0 + timedelta(seconds=n))
        made.append((watch, T0 + timedelta(days=30, seconds=n), T0))
    return made


def timed(store, rows) -> tuple[float, float]:
    start = time.perf_counter()
    store.save(rows)
    saved = time.perf_counter() - start
    start = time.perf_counter()
    found = store.due("county", T0 + timedelta(days=31), LIMIT)
    read = time.perf_counter() - start
    assert len(found) == LIMIT and found[0].url == rows[-1][0].url
    return saved, read


def main() -> int:
    server = shutil.which("redis-server")
    if server is None:
        print("redis-server is not installed", file=sys.stderr)
        return 1
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    rows = watches()
    with tempfile.TemporaryDirectory() as tmp:
        redis = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL)
        try:
            url = f"redis://127.0.0.1:{port}/0"
            client = cluster.connect(url)
            for _ in range(100):
                try:
                    client.ping()
                    break
                except Exception:
                    time.sleep(0.05)
            cluster.beat(client, "bench", 600, {})
            before = int(client.info("memory")["used_memory"])
            shared = timed(recheck_store(RedisCrawlState(url, "bench")), rows)
            per_watch = (int(client.info("memory")["used_memory"]) - before) / WATCHES
        finally:
            redis.terminate()
            redis.wait(10)
        alone = timed(recheck_store(CrawlState(Path(tmp) / "state.sqlite")), rows)
    print(f"{WATCHES} watches of one site, all due; a run reads the youngest {LIMIT}")
    print(f"  Redis memory: {per_watch:.0f} bytes a watch")
    for step, redis_s, sqlite_s in zip(("save (adopt)", "due"), shared, alone, strict=True):
        print(f"  {step:<13} Redis {redis_s * 1e3:8.1f} ms   SQLite {sqlite_s * 1e3:8.1f} ms   "
              f"ratio {redis_s / sqlite_s:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
