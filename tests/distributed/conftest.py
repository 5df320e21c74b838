"""A real redis-server on loopback, started for the tests with a configuration of their own."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """redis-server on 127.0.0.1 and a free port, nothing saved to disk."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self.directory / "redis.conf"
        config.write_text(f"bind 127.0.0.1\nport {self.port}\nsave \"\"\nappendonly no\ndir {self.directory}\n"
                          "protected-mode yes\ndaemonize no\nlogfile \"\"\n")
        self.process = subprocess.Popen([REDIS_SERVER, str(config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushdb()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server): the shared crawl needs it")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    """The server's URL, its database emptied for each test."""
    redis_server.flush()
    return redis_server.url


@pytest.fixture(params=["sqlite", "redis"])
def stores(request, tmp_path):
    """A function giving the store of each new process of one data directory."""
    from archive.state import cluster
    from archive.state.shared import RedisCrawlState
    from archive.state.store import CrawlState

    if request.param == "sqlite":
        return lambda: CrawlState(tmp_path / "state.sqlite")
    url = request.getfixturevalue("redis_url")
    cluster.beat(cluster.connect(url), "w1", 60, {})
    return lambda: RedisCrawlState(url, "w1")
