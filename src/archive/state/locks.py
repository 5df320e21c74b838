"""One crawl of a site at a time, per data directory.

An advisory lock (flock) on ``<out>/locks/<site>.lock``: the kernel releases it when the
holder exits in any way, kill -9 included, so a lock left by a dead run is simply free
again and the next run takes it over.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from archive.datadir import DataDir
from archive.errors import ArchiveError


class SiteBusy(ArchiveError):
    """Another process is crawling this site into the same data directory."""


class SiteLock:
    def __init__(self, data_dir: Path, site_id: str) -> None:
        self.path = DataDir(data_dir).lock_file(site_id)
        self.site_id = site_id
        self._fd: int | None = None

    def acquire(self) -> SiteLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise SiteBusy(f"site {self.site_id}: another crawl (pid {holder}) is running; "
                           f"lock {self.path}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
