"""Change events written as a table for people, JSON Lines, CSV, Parquet or an Atom feed.

CSV and JSON Lines show times in each site's zone, as `archive export` does (CSV cells
guarded against spreadsheet formulas by the same code); Parquet keeps UTC.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import BinaryIO
from zoneinfo import ZoneInfo

from archive.changes.dataset import events_table
from archive.changes.events import ChangeEvent
from archive.changes.feed import atom_feed
from archive.changes.render import Style, diff_lines, diff_text, marked
from archive.dataset.arrays import utf8_array
from archive.dataset.export import write_export
from archive.dataset.selection import Rows
from archive.zones import DEFAULT_ZONE, SiteZones, local_iso

FORMATS = ("table", "jsonl", "csv", "parquet", "atom")


def write_events(events: Sequence[ChangeEvent], fmt: str, out: BinaryIO, *, zones: SiteZones | None = None,
                 bom: bool = False) -> int:
    """Write `events` to `out` in `fmt` (not `table`: see `event_lines`); return how many."""
    zone_of = zones or (lambda _site: DEFAULT_ZONE)
    if fmt == "atom":
        out.write(atom_feed(events))
        return len(events)
    if fmt == "jsonl":
        for event in events:
            out.write((json.dumps(event_json(event, zone_of(event.site)), ensure_ascii=False) + "\n").encode("utf-8"))
        return len(events)
    table = events_table(events)
    table = table.add_column(1, "site", utf8_array([e.site for e in events]))
    rows = Rows(table.schema, iter(table.to_batches()), lambda: len(events))
    return write_export(rows, fmt, out, bom=bom, zones=zones)


def event_json(event: ChangeEvent, zone: ZoneInfo = DEFAULT_ZONE) -> dict:
    def when(moment: datetime | None) -> str | None:
        return local_iso(moment, zone) if moment is not None else None

    diff = event.diff
    return {"url": event.url, "site": event.site, "kind": event.kind, "detected_at": when(event.detected_at),
            "first_seen_gone": when(event.first_seen_gone), "last_seen_live": when(event.last_seen_live),
            "previous_record_id": event.previous_record_id, "new_record_id": event.new_record_id,
            "fields": event.fields, "change_class": event.change_class, "reason": event.reason, "title": event.title,
            "diff": diff_text(diff) if diff is not None else None,
            "diff_json": diff.to_json() if diff is not None else None}


def _minute(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return "?"
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M ") + local.isoformat()[-6:]


def event_lines(events: Sequence[ChangeEvent], zone_of: Callable[[str], ZoneInfo]) -> list[str]:
    """The table of events people read in a terminal, one line an event."""
    header = f"{'found':<24}{'site':<14}{'kind':<13}{'class':<13}title / url"
    lines = [header, "-" * len(header)]
    for e in events:
        what = e.change_class or ""
        lines.append(f"{_minute(e.detected_at, zone_of(e.site)):<24}{e.site:<14}{e.kind:<13}{what:<13}"
                     f"{e.title or ''}  {e.url}")
    return lines


def history_lines(events: Sequence[ChangeEvent], zone: ZoneInfo, style: Style = marked) -> list[str]:
    """One article's history: each event with its reason or its difference, shown by `style`."""
    lines = []
    for e in events:
        head = f"{_minute(e.detected_at, zone)}  {e.kind}"
        if e.change_class:
            head += f" ({e.change_class}: {', '.join(e.fields)})"
        lines.append(head)
        if e.kind in ("removed", "unreachable", "restored"):
            lines.append(f"    {e.reason or ''}")
            since = f"; gone since {_minute(e.first_seen_gone, zone)}" if e.first_seen_gone else ""
            lines.append(f"    last seen live {_minute(e.last_seen_live, zone)}{since}")
        if e.diff is not None:
            lines += [f"    {line}" for line in diff_lines(e.diff, style)]
    return lines

