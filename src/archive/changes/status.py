"""Each archived article's page status, a state machine driven by its checks.

The status is live, removed or unreachable. An observation (archive.changes.verdict)
moves it:

- live: an edit is declared at once when the version differs from the last live one
  (the difference comes with the observation); after a declared removal or unreachable
  spell the page is restored.
- gone (404, 410, a redirect to the home or a list page, a "not found" template):
  nothing is declared at the first check that sees it. A removal is declared when a
  later check sees it gone again at least `removal_after` after the first one, with no
  check in between finding it live. A challenge page, a 5xx, a timeout between them
  neither confirm nor undo it.
- unreachable (a challenge page, a 5xx, a timeout, a connection refused): never a
  removal. Seen on two checks `removal_after` apart, with nothing live or gone in
  between, it is declared an unreachable spell, once.
- unknown (a page with no article, a redirect elsewhere): says nothing; changes nothing.

The same function runs in a crawl (the status kept in the crawl state between checks)
and in `archive reextract` (the status of each article made again from its WARC
records), so both find the same events.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from archive.changes.diff import RecordDiff
from archive.changes.events import EDITED, REMOVED, RESTORED, UNREACHABLE, ChangeEvent
from archive.changes.verdict import GONE, LIVE, Verdict
from archive.changes.verdict import UNREACHABLE as UNREACHABLE_PAGE
from archive.records import WarcPointer

# Page statuses (a removal and an unreachable spell are declared as events of the same names).
STATUSES = (LIVE, REMOVED, UNREACHABLE)
DEFAULT_REMOVAL_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class Observation:
    """What one check found."""

    at: datetime
    verdict: Verdict
    # the capture showing what was seen: a response record, or for a revisit the capture it repeats
    record_id: str | None
    # a capture of new content (not a revisit, not a failed fetch)
    full: bool = False
    # live and full: what changed since the last live version (None: nothing compared differs)
    diff: RecordDiff | None = None
    title: str | None = None
    # live and full: where that capture is, to compare the next version with
    pointer: WarcPointer | None = None


@dataclass
class Watch:
    """What is known of one article's page between checks."""

    url: str
    site: str
    # the last live version: its capture, when it was first captured, its title
    live_record_id: str | None
    live_pointer: WarcPointer | None
    changed_at: datetime
    title: str | None
    # the publication time (or the first capture): re-checks are scheduled from it
    anchor: datetime
    last_live_at: datetime
    last_check_at: datetime
    status: str = LIVE
    # since when, and why, a declared removal or unreachable spell
    status_since: datetime | None = None
    status_reason: str | None = None
    # a streak of gone (or unreachable) checks not declared yet
    pending: str | None = None
    pending_since: datetime | None = None
    pending_reason: str | None = None
    # the verdict of the latest full capture: what a revisit (an unchanged answer) repeats
    last_verdict: str = LIVE
    last_reason: str | None = None

    @classmethod
    def first_capture(cls, url: str, site: str, record_id: str | None, pointer: WarcPointer | None,
                      captured_at: datetime, title: str | None, published_at: datetime | None) -> Watch:
        """An article as first archived: live, scheduled from its publication."""
        anchor = captured_at if published_at is None or published_at > captured_at else published_at
        return cls(url, site, record_id, pointer, captured_at, title, anchor, captured_at, captured_at)

    def to_json(self) -> str:
        values = dataclasses.asdict(self)
        for name, value in values.items():
            if isinstance(value, datetime):
                values[name] = value.isoformat()
        if self.live_pointer is not None:
            values["live_pointer"] = dataclasses.astuple(self.live_pointer)
        return json.dumps(values, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Watch:
        values = json.loads(text)
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in values.items() if k in names}
        for name in ("changed_at", "anchor", "last_live_at", "last_check_at", "status_since", "pending_since"):
            if values.get(name):
                values[name] = datetime.fromisoformat(values[name])
        if values.get("live_pointer"):
            values["live_pointer"] = WarcPointer(*values["live_pointer"])
        return cls(**values)


def advance(watch: Watch, seen: Observation, removal_after: timedelta = DEFAULT_REMOVAL_AFTER) -> list[ChangeEvent]:
    """Move `watch` by the observation `seen`; the events it declares (none, most often)."""
    events: list[ChangeEvent] = []
    watch.last_check_at = max(watch.last_check_at, seen.at)
    if seen.full:
        watch.last_verdict, watch.last_reason = seen.verdict.kind, seen.verdict.reason
    kind = seen.verdict.kind
    if kind == LIVE:
        if watch.status != LIVE:
            events.append(_event(watch, RESTORED, seen, first_seen_gone=watch.status_since,
                                 reason=f"back after being {watch.status}: {watch.status_reason}"))
        if seen.diff is not None:
            events.append(_event(watch, EDITED, seen, diff=seen.diff))
            watch.changed_at = seen.at
        if seen.full and seen.record_id is not None:
            watch.live_record_id, watch.live_pointer = seen.record_id, seen.pointer or watch.live_pointer
        watch.title = seen.title or watch.title
        watch.status, watch.status_since, watch.status_reason = LIVE, None, None
        watch.pending = watch.pending_since = watch.pending_reason = None
        watch.last_live_at = seen.at
    elif kind == GONE and watch.status != REMOVED:
        events += _streak(watch, GONE, REMOVED, seen, removal_after)
    elif kind == UNREACHABLE_PAGE and watch.status == LIVE and watch.pending != GONE:
        events += _streak(watch, UNREACHABLE_PAGE, UNREACHABLE, seen, removal_after)
    return events


def _streak(watch: Watch, kind: str, declared: str, seen: Observation, removal_after: timedelta) -> list[ChangeEvent]:
    """A gone (or unreachable) check: the first of a streak, or the one that confirms it."""
    if watch.pending != kind:
        watch.pending, watch.pending_since, watch.pending_reason = kind, seen.at, seen.verdict.reason
        return []
    if seen.at - watch.pending_since < removal_after:
        return []
    reason = watch.pending_reason
    if seen.verdict.reason != reason:
        reason = f"{reason}, then {seen.verdict.reason}"
    event = _event(watch, declared, seen, first_seen_gone=watch.pending_since, reason=reason)
    watch.status, watch.status_since, watch.status_reason = declared, watch.pending_since, reason
    watch.pending = watch.pending_since = watch.pending_reason = None
    return [event]


def _event(watch: Watch, kind: str, seen: Observation, *, first_seen_gone: datetime | None = None,
           reason: str | None = None, diff: RecordDiff | None = None) -> ChangeEvent:
    return ChangeEvent(url=watch.url, site=watch.site, kind=kind, detected_at=seen.at, first_seen_gone=first_seen_gone,
                       last_seen_live=watch.last_live_at, previous_record_id=watch.live_record_id,
                       new_record_id=seen.record_id, diff=diff, reason=reason,
                       title=seen.title if kind == EDITED and seen.title else watch.title)
