"""When an archived article is checked again.

Densely while it is young, less as it ages: at each of the site's `recheck` offsets
after its publication (default 1 h, 6 h, 1 d, 3 d, 7 d and 30 d), skipping those that
passed before the last check; after the last offset, again after as long as its
current version has stood (at least the last offset, at most MAX_WAIT), so a page
unchanged for a year is checked about once a year. A check that finds the page gone
or unreachable brings the next one forward to `removal_after` after the first such
check, where a removal (or an unreachable spell) can be confirmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.changes.status import Watch

MAX_WAIT = timedelta(days=365)


def scheduled_check(anchor: datetime, last_check: datetime, changed_at: datetime,
                    offsets: Sequence[timedelta]) -> datetime | None:
    """The next check by the schedule alone; None when the site re-checks nothing."""
    if not offsets:
        return None
    for offset in offsets:
        if anchor + offset > last_check:
            return anchor + offset
    return last_check + min(max(offsets[-1], last_check - changed_at), MAX_WAIT)


def next_check(watch: Watch, offsets: Sequence[timedelta], removal_after: timedelta) -> datetime | None:
    """The next check of `watch`: by the schedule, or sooner to confirm a streak."""
    due = scheduled_check(watch.anchor, watch.last_check_at, watch.changed_at, offsets)
    if watch.pending_since is not None:
        confirm = watch.pending_since + removal_after
        if confirm <= watch.last_check_at:
            confirm = watch.last_check_at + removal_after
        due = confirm if due is None else min(due, confirm)
    return due
