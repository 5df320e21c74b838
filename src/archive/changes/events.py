"""The events of the `changes/` dataset: one row per edit, removal, restoration or
unreachable spell of an archived article (archive.changes.dataset writes and reads them)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from archive.changes.diff import RecordDiff

EDITED = "edited"
REMOVED = "removed"
RESTORED = "restored"
UNREACHABLE = "unreachable"
# in the order one check may find them: back, then edited
EVENT_KINDS = (RESTORED, EDITED, REMOVED, UNREACHABLE)


@dataclass(frozen=True)
class ChangeEvent:
    url: str
    site: str
    kind: str
    # the check that found it
    detected_at: datetime
    # removed and unreachable: the first check that saw it so; restored: when the spell began
    first_seen_gone: datetime | None = None
    # the last check before the event that found the article live
    last_seen_live: datetime | None = None
    # the capture of the last live version, and the capture (or the one a revisit repeats) showing the event
    previous_record_id: str | None = None
    new_record_id: str | None = None
    # edited: what differs and how much it matters
    diff: RecordDiff | None = field(default=None, compare=False)
    # what the checks saw: "HTTP 404", "a page saying 页面不存在", "a challenge page (…)"
    reason: str | None = None
    # the title of the last live version (of the new one, for an edit)
    title: str | None = None

    @property
    def fields(self) -> list[str]:
        return self.diff.fields if self.diff is not None else []

    @property
    def change_class(self) -> str | None:
        return self.diff.change_class if self.diff is not None else None

    @property
    def fetched_at(self) -> datetime:
        """The moment that places the row in its capture_date partition (the dataset writer's key)."""
        return self.detected_at

    @property
    def key(self) -> tuple[str, str, str]:
        """What tells one event from every other: an article, a kind, the check that found it."""
        return self.url, self.kind, self.detected_at.astimezone(UTC).isoformat()

    def to_json(self) -> str:
        """The event as the crawl state holds it until its row is on disk."""
        values = {name: getattr(self, name) for name in _PLAIN}
        for name in _TIMES:
            moment = getattr(self, name)
            values[name] = moment.isoformat() if moment is not None else None
        values["diff"] = self.diff.to_json() if self.diff is not None else None
        return json.dumps(values, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ChangeEvent:
        values = json.loads(text)
        for name in _TIMES:
            if values.get(name):
                values[name] = datetime.fromisoformat(values[name])
        diff = values.pop("diff")
        return cls(**values, diff=RecordDiff.from_json(diff) if diff is not None else None)


_TIMES = ("detected_at", "first_seen_gone", "last_seen_live")
_PLAIN = ("url", "site", "kind", "previous_record_id", "new_record_id", "reason", "title")


def event_from_row(row: dict) -> ChangeEvent:
    """An event read back from the dataset (a row as pyarrow's to_pylist gives it)."""
    diff = RecordDiff.from_json(json.loads(row["diff_json"])) if row.get("diff_json") else None
    return ChangeEvent(url=row["url"], site=row["site"], kind=row["kind"], detected_at=row["detected_at"],
                       first_seen_gone=row.get("first_seen_gone"), last_seen_live=row.get("last_seen_live"),
                       previous_record_id=row.get("previous_record_id"), new_record_id=row.get("new_record_id"),
                       diff=diff, reason=row.get("reason"), title=row.get("title"))
