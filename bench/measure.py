"""Running a command for a benchmark: wall time and the peak RSS of its process tree."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
POLL_SECONDS = 0.05


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


def tree_rss(pid: int, cpu: dict[int, float] | None = None) -> tuple[int, int]:
    """(RSS, PSS) in bytes of `pid` and all its descendants now; `cpu` gets each one's CPU seconds so far."""
    children = _children()
    rss = pss = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            fields = Path(f"/proc/{current}/statm").read_text().split()
            stat = Path(f"/proc/{current}/stat").read_text()
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
        except OSError:
            continue
        rss += int(fields[1]) * PAGE_SIZE
        pss += next((int(line.split()[1]) * 1024 for line in rollup.splitlines() if line.startswith("Pss:")), 0)
        if cpu is not None:
            times = stat[stat.rindex(")") + 2:].split()
            cpu[current] = (int(times[11]) + int(times[12])) / CLOCK_TICKS  # utime, stime
    return rss, pss


def run(command: list[str], timeout: float, env: dict | None = None) -> Run:
    """Run `command` to its end (killed after `timeout` seconds), sampling its tree's RSS."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **(env or {})})
    peak = peak_pss = 0
    cpu: dict[int, float] = {}
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.append(process.stderr.read()), daemon=True)
    reader.start()
    deadline = start + timeout
    while process.poll() is None and time.perf_counter() < deadline:
        rss, pss = tree_rss(process.pid, cpu)
        peak, peak_pss = max(peak, rss), max(peak_pss, pss)
        time.sleep(POLL_SECONDS)
    if process.poll() is None:
        process.kill()
    process.wait()
    seconds = time.perf_counter() - start
    reader.join(10)
    # CPU time is read while the processes live: the last sample misses at most one interval.
    main_cpu = cpu.pop(process.pid, 0.0)
    return Run(seconds, peak, process.returncode, "".join(stderr), peak_pss, main_cpu,
               sum(cpu.values()))
