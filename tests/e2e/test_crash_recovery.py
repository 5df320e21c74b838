"""kill -9 a crawl at several points; the next normal run must give the uninterrupted result."""

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.dataset.files import open_dataset
from archive.demo import DemoServer
from tests.conftest import ARCHIVE, run_archive

WARCIO = str(Path(sys.executable).with_name("warcio"))


def dataset(out: Path) -> list[tuple[str, str]]:
    table = open_dataset(out / "articles").to_table(columns=["url", "content_sha1"])
    return sorted(zip(table.column("url").to_pylist(), table.column("content_sha1").to_pylist(), strict=True))


def assert_archive_sound(out: Path) -> None:
    assert not list((out / "warc").glob("*.open")), "an unfinished WARC file was left behind"
    for path in (out / "warc").glob("*.warc.gz"):
        check = subprocess.run([WARCIO, "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
        gzip.decompress(path.read_bytes())  # every member whole, to the last byte


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash")
    with DemoServer() as server:
        server.write_site_configs(root / "sites")
        baseline = root / "baseline"
        result = run_archive("crawl", "--all", "--sites", str(root / "sites"), "--out", str(baseline))
        assert result.returncode == 0, result.stderr[-2000:]
        yield server, root, dataset(baseline)


@pytest.mark.parametrize("after_requests", [3, 15, 40])
def test_kill_9_then_normal_run_gives_the_uninterrupted_dataset(demo, after_requests):
    server, root, expected = demo
    out = root / f"killed-{after_requests}"
    start = len(server.hits)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    crawl = subprocess.Popen([ARCHIVE, "crawl", "--all", "--sites", str(root / "sites"), "--out", str(out)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(server.hits) - start < after_requests and crawl.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert crawl.poll() is None, "the crawl ended before it could be killed; kill earlier"
    os.killpg(crawl.pid, signal.SIGKILL)  # the crawler and its extraction workers, at once
    crawl.wait()

    result = run_archive("crawl", "--all", "--sites", str(root / "sites"), "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert dataset(out) == expected
    assert_archive_sound(out)


def test_ctrl_c_ends_the_crawl_cleanly_saying_so_and_the_next_run_completes_it(demo):
    server, root, expected = demo
    out = root / "interrupted"
    start = len(server.hits)
    crawl = subprocess.Popen([ARCHIVE, "crawl", "--all", "--sites", str(root / "sites"), "--out", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(server.hits) - start < 15 and crawl.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert crawl.poll() is None, "the crawl ended before it could be interrupted"
    os.killpg(crawl.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    stdout, stderr = crawl.communicate(timeout=120)
    assert crawl.returncode == 1
    assert "interrupted; the next run goes on from there" in stderr.splitlines()[-1]
    assert "shutdown" in stdout
    assert_archive_sound(out)  # WARC files closed, nothing torn
    result = run_archive("crawl", "--all", "--sites", str(root / "sites"), "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert dataset(out) == expected
