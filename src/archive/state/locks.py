"""One crawl of a site at a time, per data directory.

An advisory lock (flock) on ``<out>/locks/<site>.lock``: the kernel releases it when the
holder exits in any way, kill -9 included, so a lock left by a dead run is simply free
again and the next run takes it over. The file names its holder (pid, what it does, its
command line), so the process refused can say what it waits for.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from archive.datadir import DataDir
from archive.errors import ArchiveError

# Longest command line written into a lock file: enough to recognise the command.
MAX_COMMAND = 300


class SiteBusy(ArchiveError):
    """Another process holds this site of the same data directory: a crawl or a re-extraction."""


def _command_line() -> str:
    """This process's command line, on one line, as a shell would take it."""
    words = [os.path.basename(sys.argv[0]) or "python", *sys.argv[1:]]
    line = shlex.join(words)
    line = "".join(ch if ch.isprintable() else "?" for ch in line)
    return line if len(line) <= MAX_COMMAND else line[:MAX_COMMAND - 1] + "…"


def _holder(text: str) -> str:
    """What a lock file says of its holder, as a phrase: 'a re-extraction is running (pid
    4242: archive reextract --data d)'."""
    pid, purpose, command = ([*text.splitlines(), "", "", ""])[:3]
    pid = pid.strip() or "?"
    if not purpose:  # written by an older version: the pid alone
        return f"another process (pid {pid}) holds it"
    article = "another" if purpose == "crawl" else "a"
    who = f"pid {pid}: {command}" if command else f"pid {pid}"
    return f"{article} {purpose} is running ({who})"


class SiteLock:
    """`purpose` says what the holder does ("crawl", "re-extraction"), for whoever is refused."""

    def __init__(self, data_dir: Path, site_id: str, purpose: str = "crawl") -> None:
        self.path = DataDir(data_dir).lock_file(site_id)
        self.site_id = site_id
        self.purpose = purpose
        self._fd: int | None = None

    def acquire(self) -> SiteLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(os.pread(fd, 4 * MAX_COMMAND, 0).decode("utf-8", "replace"))
            os.close(fd)
            raise SiteBusy(f"site {self.site_id}: {holder}; lock {self.path}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n{self.purpose}\n{_command_line()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


@contextlib.contextmanager
def holding_sites(data_dir: Path, sites: Iterable[str], purpose: str, needs: str) -> Iterator[None]:
    """Every lock of `sites` held for `purpose`; SiteBusy says `needs` (why it must be all of them)."""
    locks: list[SiteLock] = []
    try:
        for site in sites:
            locks.append(SiteLock(data_dir, site, purpose).acquire())
    except SiteBusy as exc:
        for lock in locks:
            lock.release()
        raise SiteBusy(f"{exc} ({needs})") from None
    try:
        yield
    finally:
        for lock in locks:
            lock.release()
