"""The extraction pool's processes do not outlive the process that made the pool."""

import subprocess
import sys
import time
from pathlib import Path

OWNER = """
import os, signal, sys
from archive.extraction import worker_pool
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
