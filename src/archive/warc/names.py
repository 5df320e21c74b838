"""The names of the WARC files the crawler writes: made here, read back here.

``<site>-<UTC time, 20 digits>-<serial, 5 digits>-<host>-<pid>-<random>.warc.gz``: the
site first so a directory listing groups a site's files, the time so they sort in
capture order, then what keeps two processes (or two machines sharing a directory) from
ever choosing the same name. A file being written carries ``.open`` after that name.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"

# Matched whole (fullmatch): `$` would also match before a trailing newline.
_NAME = re.compile(r"(?P<site>.+)-(?P<stamp>\d{20})-(?P<serial>\d{5})-.+\.warc\.gz")


def warc_file_name(site: str, started: datetime, serial: int, host: str, pid: int, token: str) -> str:
    stamp = started.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"{site}-{stamp}-{serial:05d}-{host}-{pid}-{token}{SUFFIX}"


def site_of(name: str) -> str | None:
    """The site id a finished WARC file's name carries; None for a name not of this form."""
    match = _NAME.fullmatch(name)
    return match["site"] if match else None


def open_name(path: Path) -> Path:
    """Where a WARC file lives while it is being written."""
    return path.with_name(path.name + OPEN_SUFFIX)


def finished_name(path: Path) -> Path:
    """The name an unfinished (``.open``) WARC file takes once it is closed or repaired."""
    return path.with_name(path.name.removesuffix(OPEN_SUFFIX))


def is_unfinished_of(name: str, site: str) -> bool:
    """Whether `name` is an unfinished WARC file of `site`."""
    return name.endswith(SUFFIX + OPEN_SUFFIX) and site_of(name.removesuffix(OPEN_SUFFIX)) == site
