"""Which rows of a dataset fall in a range of days: for articles the day the page prints
(`published_date`), for view readings the Beijing day of the reading.

Files written before `published_date` existed lack it; their rows' printed day is then
the Beijing day of `published_at`, where extraction reads the pages of Chinese sites.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from archive.dataset.arrays import date_array, micros
from archive.dataset.schema import TIMESTAMP
from archive.dataset.times import local_days
from archive.zones import DEFAULT_ZONE, DEFAULT_ZONE_NAME

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_start(day: date) -> datetime:
    """Midnight of `day` in Beijing time, as a UTC instant."""
    return datetime.combine(day, time(0), DEFAULT_ZONE).astimezone(UTC)


def printed_day_expression() -> pc.Expression:
    """The printed day of a dataset scan's rows: `published_date`, or for rows of files
    written before it existed the Beijing day of `published_at`."""
    return DayRange.of(None, None, views=False).day_expression()


def with_printed_days(table: pa.Table, zone: ZoneInfo = DEFAULT_ZONE) -> pa.Table:
    """An article table with `published_date` filled where a row lacks it (a file written
    before the column existed): the day of `published_at` in the site's `zone`."""
    derived = local_days(table.column("published_at").cast(TIMESTAMP), zone)
    if "published_date" not in table.column_names:
        return table.add_column(table.schema.get_field_index("published_at") + 1, "published_date", derived)
    where = table.schema.get_field_index("published_date")
    return table.set_column(where, "published_date", pc.coalesce(table.column("published_date"), derived))


@dataclass(frozen=True)
class DayRange:
    """The days `since` .. `until` (either may be open) of the instants in `instant`, or,
    with `printed`, of that date column where a row has it."""

    since: date | None
    until: date | None
    instant: str
    printed: str | None = None

    @classmethod
    def of(cls, since: date | None, until: date | None, *, views: bool) -> DayRange:
        if views:
            return cls(since, until, "observed_at")
        return cls(since, until, "published_at", "published_date")

    @property
    def bounded(self) -> bool:
        return self.since is not None or self.until is not None

    def days(self, table: pa.Table) -> pa.ChunkedArray | pa.Array | None:
        """The day of each row of `table` (read with `columns`); None when it has neither column."""
        printed = table.column(self.printed) if self.printed and self.printed in table.column_names else None
        if printed is not None and printed.null_count == 0:
            return printed
        if self.instant not in table.column_names:
            return printed
        derived = local_days(table.column(self.instant).cast(TIMESTAMP))
        return derived if printed is None else pc.coalesce(printed, derived)

    def columns(self, present: set[str]) -> list[str]:
        return [name for name in (self.printed, self.instant) if name and name in present]

    def mask(self, table: pa.Table) -> pa.ChunkedArray | None:
        """Whether each row's day is in range (null: no day); None when `table` has no day column."""
        days = self.days(table)
        if days is None:
            return None
        # scalars from buffers: pa.scalar of a Python date imports pandas (arrays.py)
        low, high = (None if d is None else date_array([d])[0] for d in (self.since, self.until))
        if low is not None and high is not None:
            return pc.and_kleene(pc.greater_equal(days, low), pc.less_equal(days, high))
        return pc.greater_equal(days, low) if low is not None else pc.less_equal(days, high)

    def day_expression(self) -> pc.Expression:
        """The day of each row as an expression of a pyarrow dataset scan."""
        beijing = pc.field(self.instant).cast(pa.timestamp("us", DEFAULT_ZONE_NAME))
        derived = pc.local_timestamp(beijing).cast(pa.date32())
        return derived if self.printed is None else pc.coalesce(pc.field(self.printed), derived)

    def expression(self) -> pc.Expression | None:
        """The range as a filter of a pyarrow dataset scan."""
        days = self.day_expression()
        low = None if self.since is None else days >= pa.scalar(self.since, pa.date32())
        high = None if self.until is None else days <= pa.scalar(self.until, pa.date32())
        return high if low is None else low if high is None else low & high

    def outside(self, metadata: pq.FileMetaData) -> Callable[[int], bool]:
        """Whether a row group of the file is shown by its statistics to hold no day in range."""
        printed = _leaf(metadata, self.printed, "Date") if self.printed else None
        instant = _leaf(metadata, self.instant, "Timestamp")

        def outside(group: int) -> bool:
            if not self.bounded:
                return False
            if printed is not None:
                stats = metadata.row_group(group).column(printed).statistics
                # a row without the date may still have an instant (a file another tool wrote)
                if stats is not None and stats.has_min_max and stats.has_null_count and stats.null_count == 0:
                    return self._beyond(stats.min_raw, stats.max_raw, self._day_numbers())
            if instant is None:
                return False
            stats = metadata.row_group(group).column(instant).statistics
            if stats is None or not stats.has_min_max:
                return False
            return self._beyond(stats.min_raw, stats.max_raw, self._instant_bounds())

        return outside

    def _day_numbers(self) -> tuple[int | None, int | None]:
        return tuple(None if d is None else d.toordinal() - _EPOCH_ORDINAL for d in (self.since, self.until))

    def _instant_bounds(self) -> tuple[int | None, int | None]:
        """The first and last microsecond of the range in Beijing time; a day wider on both
        sides for printed days, which a site's own zone may put a day on either side."""
        margin = timedelta(days=1) if self.printed else timedelta(0)
        low = None if self.since is None else micros(day_start(self.since) - margin)
        high = None if self.until is None else micros(day_start(self.until + timedelta(days=1)) + margin) - 1
        return low, high

    @staticmethod
    def _beyond(smallest: int, largest: int, bounds: tuple[int | None, int | None]) -> bool:
        low, high = bounds
        return (low is not None and largest < low) or (high is not None and smallest > high)


def _leaf(metadata: pq.FileMetaData, column: str, logical: str) -> int | None:
    """The Parquet column of `column` when its logical type is `logical` (and, for a
    timestamp, in microseconds): its statistics are then comparable with our bounds."""
    for leaf in range(metadata.num_columns):
        described = metadata.schema.column(leaf)
        if described.path == column:
            kind = json.loads(described.logical_type.to_json())
            if kind.get("Type") != logical:
                return None
            return leaf if logical != "Timestamp" or kind.get("timeUnit") == "microseconds" else None
    return None
