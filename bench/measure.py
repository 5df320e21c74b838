"""Running a command for a benchmark: wall time, CPU time and the peak memory of its process tree.

The sampling runs in the benchmark's own process, on the same cores as the command: it
must cost the command little. Listing a tree's processes means reading every process's
/proc entry and PSS means walking page tables (smaps_rollup), about 10 ms for a crawler
and its workers; both are done once a second. RSS and CPU time come from two small
files per process, read four times a second. `Run.sampling_cpu` says what it all cost.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
POLL_SECONDS = 0.25
# Every this many polls, the process tree is listed again and PSS is read.
FULL_EVERY = 4


@dataclass
class Run:
    seconds: float
    peak_rss: int  # bytes, the whole tree (the crawler and its extraction workers) at one moment
    returncode: int
    stderr: str
    # the same, each page shared between processes (the workers' copy-on-write pages
    # from the fork server) counted once: what the tree really takes
    peak_pss: int = 0
    cpu_main: float = 0.0  # CPU seconds of the command's own process
    cpu_children: float = 0.0  # ... and of its descendants (fork server, extraction workers)
    sampling_cpu: float = 0.0  # CPU seconds the sampling took in the benchmark's process


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        # the command name may hold spaces and parentheses: fields start after the last ")"
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants now."""
    children = _children()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def sample(pids: list[int], cpu: dict[int, float], pss: bool) -> tuple[int, int]:
    """(RSS, PSS or 0) in bytes of the processes `pids` now; `cpu` gets each one's CPU seconds so far."""
    rss = total_pss = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/statm").read_text().split()
            stat = Path(f"/proc/{pid}/stat").read_text()
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text() if pss else ""
        except OSError:  # ended meanwhile
            continue
        rss += int(fields[1]) * PAGE_SIZE
        total_pss += next((int(line.split()[1]) * 1024 for line in rollup.splitlines() if line.startswith("Pss:")), 0)
        times = stat[stat.rindex(")") + 2:].split()
        cpu[pid] = (int(times[11]) + int(times[12])) / CLOCK_TICKS  # utime, stime
    return rss, total_pss


def run(command: list[str], timeout: float, env: dict | None = None, cpus: set[int] | None = None) -> Run:
    """Run `command` to its end (killed after `timeout` seconds), sampling its tree's memory and CPU.

    With `cpus`, the command and every process it starts run on those CPUs only.
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **(env or {})},
                               preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None)
    peak = peak_pss = 0
    cpu: dict[int, float] = {}
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.append(process.stderr.read()), daemon=True)
    reader.start()
    deadline = start + timeout
    sampling = 0.0
    pids: list[int] = []
    polls = 0
    while process.poll() is None and time.perf_counter() < deadline:
        began = time.thread_time()
        full = polls % FULL_EVERY == 0
        if full:
            pids = tree(process.pid)
        rss, pss = sample(pids, cpu, pss=full)
        peak, peak_pss = max(peak, rss), max(peak_pss, pss)
        polls += 1
        sampling += time.thread_time() - began
        time.sleep(POLL_SECONDS)
    if process.poll() is None:
        process.kill()
    process.wait()
    seconds = time.perf_counter() - start
    reader.join(10)
    # CPU time is read while the processes live: the last sample misses at most one interval.
    main_cpu = cpu.pop(process.pid, 0.0)
    return Run(seconds, peak, process.returncode, "".join(stderr), peak_pss, main_cpu, sum(cpu.values()), sampling)
