"""The names of the WARC files the crawler writes: made here, read back here.

``<site>-<UTC time, 20 digits>-<serial, 5 digits>-<host>-<pid>-<random>.warc.gz``: the
site first so a directory listing groups a site's files, the time so they sort in
capture order, then what keeps two processes (or two machines sharing a directory) from
ever choosing the same name. A file being written carries ``.open`` after that name.

A worker of a crawl shared by many machines (``archive crawl --redis``) puts its id in
after the serial, ``<site>-<time>-<serial>-w.<worker>-<host>-<pid>-<random>.warc.gz``, so
the files of every worker can share one directory and each says whose it is: whose
unfinished file may be repaired once that worker is gone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"

# Matched whole (fullmatch): `$` would also match before a trailing newline.
_NAME = re.compile(r"(?P<site>.+)-(?P<stamp>\d{20})-(?P<serial>\d{5})-(?:w\.(?P<worker>[A-Za-z0-9_]+)-)?.+\.warc\.gz")
# What a worker id may hold: it goes into file names on any file system.
WORKER_ID = re.compile(r"[A-Za-z0-9_]{1,64}")


def warc_file_name(site: str, started: datetime, serial: int, host: str, pid: int, token: str,
                   worker: str | None = None) -> str:
    stamp = started.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    if worker is not None and not WORKER_ID.fullmatch(worker):
        raise ValueError(f"worker id {worker!r}: letters, digits and _ only, at most 64")
    owner = f"w.{worker}-" if worker else ""
    return f"{site}-{stamp}-{serial:05d}-{owner}{host}-{pid}-{token}{SUFFIX}"


def site_of(name: str) -> str | None:
    """The site id a finished WARC file's name carries; None for a name not of this form."""
    match = _NAME.fullmatch(name)
    return match["site"] if match else None


def worker_of(name: str) -> str | None:
    """The id of the worker that wrote a WARC file (finished or not); None for a file
    written by a crawl of one machine, or a name not of this form."""
    match = _NAME.fullmatch(name.removesuffix(OPEN_SUFFIX))
    return match["worker"] if match else None


def open_name(path: Path) -> Path:
    """Where a WARC file lives while it is being written."""
    return path.with_name(path.name + OPEN_SUFFIX)


def finished_name(path: Path) -> Path:
    """The name an unfinished (``.open``) WARC file takes once it is closed or repaired."""
    return path.with_name(path.name.removesuffix(OPEN_SUFFIX))


def is_unfinished_of(name: str, site: str) -> bool:
    """Whether `name` is an unfinished WARC file of `site`."""
    return name.endswith(SUFFIX + OPEN_SUFFIX) and site_of(name.removesuffix(OPEN_SUFFIX)) == site
