"""Times and days of the dataset as their site's zone shows them, a whole column at once.

The text is exactly what Python's `datetime.isoformat` gives for the same instant in
the same zone (archive.zones.local_iso), which `archive extract` prints: fractions only
when the time has any, the offset as +08:00. pc.strftime takes about 2 us a value and
writes +0800; a cast of the local wall-clock time to text takes a tenth of that.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from archive.dataset.arrays import micros, string_scalar, utf8_array
from archive.zones import DEFAULT_ZONE, SiteZones, local_iso

# Rows of one zone: the zone and where its rows are (None: every row).
ZoneRows = Sequence[tuple[ZoneInfo, pa.BooleanArray | None]]

# Where Arrow's local times are Python's: four-digit years (the cast to text writes
# others otherwise), and before 2038, past which Arrow's copy of the zone rules has no
# daylight saving time (it reads their 32-bit part).
_FAST_RANGE = (micros(datetime(1000, 1, 2, tzinfo=UTC)), micros(datetime(2037, 12, 31, tzinfo=UTC)))


def _zoned(column: pa.Array, zone: ZoneInfo) -> pa.Array:
    return column.cast(pa.timestamp("us", zone.key))


def local_days(column: pa.Array | pa.ChunkedArray, zone: ZoneInfo = DEFAULT_ZONE) -> pa.Array:
    """The day of each instant in `zone`, as date32."""
    return pc.local_timestamp(_zoned(column, zone)).cast(pa.date32())


def zone_rows(sites: pa.Array | pa.ChunkedArray | None, zones: SiteZones | None) -> ZoneRows:
    """The rows of each zone among `sites` (a site column; None or no resolver: all in
    Beijing time)."""
    if sites is None or zones is None:
        return [(DEFAULT_ZONE, None)]
    names = pc.unique(sites).to_pylist()
    by_zone: dict[ZoneInfo, list[str]] = {}
    for name in names:
        by_zone.setdefault(zones(name), []).append(name)
    if len(by_zone) == 1:
        return [(next(iter(by_zone)), None)]
    # a null site is among the names too (Beijing time), and is_in matches it there
    return [(zone, pc.is_in(sites, value_set=utf8_array(members))) for zone, members in by_zone.items()]


def _offset_text(offset_us: int) -> str:
    return datetime(2000, 1, 1, tzinfo=timezone(timedelta(microseconds=offset_us))).isoformat()[19:]


def iso_text(column: pa.Array | pa.ChunkedArray, zones: ZoneRows = ((DEFAULT_ZONE, None),)) -> pa.Array:
    """Each instant of a UTC microsecond column as ISO 8601 text in its row's zone."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if column.null_count == len(column):
        return pa.nulls(len(column), pa.string())
    stamps = column.cast(pa.int64())
    extremes = pc.min_max(stamps)
    if not (_FAST_RANGE[0] <= extremes["min"].as_py() and extremes["max"].as_py() <= _FAST_RANGE[1]):
        return _iso_text_slowly(column, zones)
    local = None
    for zone, rows in zones:
        here = pc.local_timestamp(_zoned(column, zone))
        local = here if local is None or rows is None else pc.if_else(rows, here, local)
    offsets = pc.subtract(local.cast(pa.int64()), stamps)
    known = pc.unique(offsets.drop_null())
    offset_text = pc.take(utf8_array([_offset_text(o) for o in known.to_pylist()]),
                          pc.index_in(offsets, value_set=known))
    text = local.cast(pa.string())                                 # 2026-10-19 00:00:00.000000
    text = pc.binary_replace_slice(text, start=10, stop=11, replacement="T")
    text = pc.replace_substring(text, ".000000", "", max_replacements=1)
    return pc.binary_join_element_wise(text, offset_text, string_scalar(""))


def _iso_text_slowly(column: pa.Array, zones: ZoneRows) -> pa.Array:
    """Times outside the range where Arrow's local times can be trusted: through Python."""
    zone_of_row = [DEFAULT_ZONE] * len(column)
    for zone, rows in zones:
        if rows is None:
            zone_of_row = [zone] * len(column)
        else:
            for position, chosen in enumerate(rows.to_pylist()):
                if chosen:
                    zone_of_row[position] = zone
    try:
        values = column.to_pylist()
    except OverflowError:  # past what Python's datetime holds: only a hand-made file has such times
        return pc.strftime(column, format="%Y-%m-%dT%H:%M:%S%z")
    return utf8_array([None if value is None else local_iso(value, zone)
                       for value, zone in zip(values, zone_of_row, strict=True)])
