"""warcio as the readers use it: its record iterator with the complaints about stray bytes
counted rather than printed, and its errors put on one line."""

from __future__ import annotations

from warcio.archiveiterator import ArchiveIterator

from archive.errors import one_line


class WarcRecords(ArchiveIterator):
    """Iterates the records of a WARC (or ARC) file, as warcio's ArchiveIterator does.

    Bytes other than blank lines after a record mean its Content-Length is wrong; warcio
    skips them and writes several lines to stderr, raw bytes included. Here only its
    count (`err_count`) grows, and the readers report one line of their own.
    """

    INC_RECORD = ""


def damage_reason(exc: BaseException) -> str:
    """What a reader found wrong, on one short printable line.

    warcio quotes the raw bytes it could not parse (binary, with line breaks), and a
    Python error from inside warcio names its own internals rather than the file's fault.
    """
    if isinstance(exc, (AttributeError, TypeError, KeyError, IndexError)):
        return "malformed WARC headers"
    text = one_line(exc).encode("unicode_escape").decode("ascii")
    return text if len(text) <= 120 else text[:117] + "..."
