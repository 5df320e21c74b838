"""The extraction pool's processes do not outlive the process that made the pool."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from archive.warc.writer import HttpExchange, WarcFileWriter
from tests.conftest import ARCHIVE
from tests.test_cli import ARTICLE

OWNER = """
import os, signal, sys
from archive.jobs.pool import worker_pool
pool = worker_pool(2)
workers = {pool.submit(os.getpid).result() for _ in range(20)}
print(*workers, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no chance to shut the pool down
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_workers_and_fork_server_end_when_the_owner_is_killed():
    with subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True) as owner:
        workers = [int(pid) for pid in owner.stdout.readline().split()]
        fork_server = parent_of(workers[0])
        owner.wait(30)
    assert workers and fork_server != owner.pid
    deadline = time.monotonic() + 20
    while any(map(alive, [*workers, fork_server])) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in [*workers, fork_server] if alive(pid)]


def test_ctrl_c_stops_an_extraction_without_working_through_its_queue(tmp_path):
    """Ctrl-C reaches the terminal's whole process group; the pages still queued are
    dropped rather than extracted first (about 30 s of work here on two cores)."""
    writer = WarcFileWriter(tmp_path, "big")
    for n in range(6000):
        body = ARTICLE.replace("秋季", f"第{n}次").encode()
        writer.write(HttpExchange(f"http://127.0.0.1/a/{n}.html", "GET", f"/a/{n}.html", [("Host", "127.0.0.1")],
                                  b"", 200, "HTTP/1.1", [("Content-Type", "text/html; charset=utf-8")], body))
    writer.close()
    with subprocess.Popen([ARCHIVE, "extract", *map(str, writer.files)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, start_new_session=True) as extract:
        time.sleep(4)  # workers started and busy; records are printed only at the end
        os.killpg(extract.pid, signal.SIGINT)
        started = time.monotonic()
        stdout, stderr = extract.communicate(timeout=120)
        waited = time.monotonic() - started
    assert extract.returncode == 1 and stderr.decode().strip().splitlines() == ["Aborted!"]
    assert stdout == b""  # interrupted before the end
    assert waited < 8, f"{waited:.1f} s after Ctrl-C"
