"""Repair of a WARC file a killed writer left unfinished."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from archive.errors import WarcReadError
from archive.warc.names import finished_name
from archive.warc.reader import scan_record_ends

log = logging.getLogger(__name__)


def repair_warc(path: Path) -> tuple[Path, int]:
    """Cut an unfinished (``.open``) WARC file back to its last whole record and give it its
    final name. Returns the final path and the number of bytes dropped."""
    size = path.stat().st_size
    end = 0
    try:
        for record_end in scan_record_ends(path):
            end = record_end
    except WarcReadError as exc:
        log.warning("%s", exc)
    if end < size:
        with open(path, "r+b") as fh:
            fh.truncate(end)
            os.fsync(fh.fileno())
    final = finished_name(path)
    if end == 0:
        # Not even the warcinfo record survived: there is nothing to keep.
        path.unlink()
    else:
        os.replace(path, final)
    return final, size - end
