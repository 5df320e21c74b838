"""The `changes/` dataset on disk: its schema, its writer, its reader.

Partitioned like the other datasets, by site and by `capture_date`, here the UTC day of
the check that found the event; times are UTC (`timestamp[us, tz=UTC]`). Rows are only
ever added by crawls, and made again whole for a site by `archive reextract`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from archive.changes.events import EVENT_KINDS, ChangeEvent, event_from_row
from archive.changes.render import diff_text
from archive.datadir import DataDir
from archive.dataset.arrays import list_array, timestamp_array, utf8_array
from archive.dataset.files import dataset_files, open_dataset
from archive.dataset.schema import PARTITION_SCHEMA, TIMESTAMP
from archive.dataset.writer import DatasetWriter
from archive.errors import InputError
from archive.zones import DEFAULT_ZONE

CHANGES_SCHEMA = pa.schema([
    pa.field("url", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("detected_at", TIMESTAMP, nullable=False),
    pa.field("first_seen_gone", TIMESTAMP),
    pa.field("last_seen_live", TIMESTAMP),
    pa.field("previous_record_id", pa.string()),
    pa.field("new_record_id", pa.string()),
    pa.field("fields", pa.list_(pa.string())),
    pa.field("change_class", pa.string()),
    # the difference as text, with [-removed-] and {+added+} marks
    pa.field("diff", pa.string()),
    # the same as JSON: every field, paragraph and span (archive.changes.diff.RecordDiff)
    pa.field("diff_json", pa.string()),
    pa.field("reason", pa.string()),
    pa.field("title", pa.string()),
])
CHANGES_DATASET_SCHEMA = pa.unify_schemas([CHANGES_SCHEMA, PARTITION_SCHEMA])


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


def events_table(events: Sequence[ChangeEvent]) -> pa.Table:
    """The rows of `events` with the dataset's schema."""
    fields = [name for e in events for name in e.fields]
    columns = [
        utf8_array([e.url for e in events]),
        utf8_array([e.kind for e in events]),
        timestamp_array([_utc(e.detected_at) for e in events], TIMESTAMP),
        timestamp_array([_utc(e.first_seen_gone) for e in events], TIMESTAMP),
        timestamp_array([_utc(e.last_seen_live) for e in events], TIMESTAMP),
        utf8_array([e.previous_record_id for e in events]),
        utf8_array([e.new_record_id for e in events]),
        list_array([len(e.fields) for e in events], utf8_array(fields)),
        utf8_array([e.change_class for e in events]),
        utf8_array([diff_text(e.diff) if e.diff is not None else None for e in events]),
        utf8_array([json.dumps(e.diff.to_json(), ensure_ascii=False) if e.diff is not None else None
                    for e in events]),
        utf8_array([e.reason for e in events]),
        utf8_array([e.title for e in events]),
    ]
    return pa.Table.from_arrays(columns, schema=CHANGES_SCHEMA)


def changes_writer(root: Path, batch_size: int = 5000, worker: str | None = None) -> DatasetWriter:
    """A writer of events into the dataset under `root` (new files only, as every writer;
    `worker`'s id in their names in a crawl shared by many machines)."""
    return DatasetWriter(root, batch_size=batch_size, table_of=events_table, worker=worker)


@dataclass(frozen=True)
class EventFilter:
    """Which events to read: by site, kind, URL, and the day they were found on (in
    their site's zone, `zone_of`)."""

    sites: Sequence[str] = ()
    kinds: Sequence[str] = ()
    url: str | None = None
    since: date | None = None
    until: date | None = None
    zone_of: Callable[[str], ZoneInfo] = lambda _site: DEFAULT_ZONE

    def keeps(self, event: ChangeEvent) -> bool:
        if self.kinds and event.kind not in self.kinds:
            return False
        if self.url is not None and event.url != self.url:
            return False
        day = event.detected_at.astimezone(self.zone_of(event.site)).date()
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


def read_events(data_dir: Path, chosen: EventFilter = EventFilter()) -> list[ChangeEvent]:
    """The events of the data directory that `chosen` keeps, oldest first."""
    for kind in chosen.kinds:
        if kind not in EVENT_KINDS:
            raise InputError(f"--kind: {kind!r} is not one of {', '.join(EVENT_KINDS)}")
    root = DataDir(data_dir).changes
    files = dataset_files(root, list(chosen.sites) or None)
    if not files:
        return []
    table = open_dataset(root, schema=CHANGES_DATASET_SCHEMA).to_table()
    if chosen.sites:
        table = table.filter(pc.is_in(table.column("site"), value_set=pa.array(list(chosen.sites))))
    if chosen.url is not None:
        table = table.filter(pc.equal(table.column("url"), chosen.url))
    events = [event_from_row(row) for row in table.to_pylist()]
    # one check may find an article back and edited: back first
    return sorted((e for e in events if chosen.keeps(e)),
                  key=lambda e: (e.detected_at, e.url, EVENT_KINDS.index(e.kind) if e.kind in EVENT_KINDS else 9))
