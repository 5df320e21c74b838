"""A real crawl of the embedded demo sites over loopback, shared by the e2e tests."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive.demo import DemoServer

ARCHIVE = str(Path(sys.executable).with_name("archive"))


def run_archive(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([ARCHIVE, *args], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="session")
def demo_crawl(tmp_path_factory):
    """Serve the demo, crawl every site with `archive crawl --all`, return (server, out, result)."""
    root = tmp_path_factory.mktemp("demo")
    with DemoServer() as server:
        configs = root / "sites"
        configs.mkdir()
        server.write_site_configs(configs)
        out = root / "data"
        result = run_archive("crawl", "--all", "--sites", str(configs), "--out", str(out))
        yield server, out, result


# A page a worker needs long for, with the extractor as it is: both body engines and the
# page's own reading go over each of its 30,000 short blocks (some 4 s on this machine),
# while its links are read in a few hundredths of a second.
SLOW_PAGE = ("<html><body><a href='/a/2.html'>下一篇</a>"
             + "<div><p>段落文字内容示例。</p><span>发布时间：2024-01-01</span></div>" * 30000 + "</body></html>")
