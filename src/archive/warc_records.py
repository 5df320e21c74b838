"""warcio's record iterator, with its complaints about stray bytes counted rather than printed."""

from __future__ import annotations

from warcio.archiveiterator import ArchiveIterator


class WarcRecords(ArchiveIterator):
    """Iterates the records of a WARC (or ARC) file, as warcio's ArchiveIterator does.

    Bytes other than blank lines after a record mean its Content-Length is wrong; warcio
    skips them and writes several lines to stderr, raw bytes included. Here only its
    count (`err_count`) grows, and the readers report one line of their own.
    """

    INC_RECORD = ""
