"""The `changes/` events of a site made again from its WARC files alone (`archive reextract`).

Each article's visits (archive.warc.visits) are taken in time order from its first
capture that made a row of the dataset; every later visit is an observation, judged as
a crawl's check judges it (archive.changes.assess) and fed to the same state machine
(archive.changes.status). An article visited once, or found unchanged (a revisit) on
every later visit, has no history: only the others cost work, done in the worker pool,
one task per article.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from archive.changes.assess import CheckTask, assess_page, check_task, redirect_of
from archive.changes.events import ChangeEvent
from archive.changes.status import DEFAULT_REMOVAL_AFTER, Observation, Watch, advance
from archive.changes.verdict import LIVE, UNKNOWN, UNREACHABLE, Verdict, status_verdict
from archive.errors import WarcReadError
from archive.warc.reader import parse_warc_date, read_page
from archive.warc.visits import FAILURE, REVISIT, Visit, scan_visits

if TYPE_CHECKING:
    from archive.records import ArticleRecord
    from archive.sites import SiteConfig


@dataclass
class DerivedChanges:
    events: list[ChangeEvent] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def derive_changes(warcs: Sequence[Path], records: Sequence[ArticleRecord], pool: Executor, *, site: str,
                   config: SiteConfig | None = None) -> DerivedChanges:
    """The events of the articles `records` came from, found in `warcs`."""
    found = DerivedChanges()
    visits: dict[str, list[Visit]] = {}
    for path in warcs:
        try:
            for visit in scan_visits(path):
                visits.setdefault(visit.url, []).append(visit)
        except WarcReadError as exc:
            found.errors.append(str(exc))
    rows = {r.warc_record_id: r for r in records if r.warc_record_id}
    removal_after = config.removal_after if config is not None else DEFAULT_REMOVAL_AFTER
    tasks = []
    for url, seen in visits.items():
        seen.sort(key=lambda v: parse_warc_date(v.date) if v.date else datetime.min)
        start = next((n for n, v in enumerate(seen) if v.kind == "response" and v.pointer.record_id in rows), None)
        if start is None or all(v.kind == REVISIT for v in seen[start + 1:]):
            continue  # visited once, or only ever found unchanged since: no history to make
        first = rows[seen[start].pointer.record_id]
        task = check_task(config, site, url, seen[start].pointer)
        tasks.append(pool.submit(article_history, first, seen[start], seen[start + 1:], task, config, removal_after))
    for task in tasks:
        events, errors = task.result()
        found.events += events
        found.errors += errors
    found.events.sort(key=lambda e: (e.detected_at, e.url))
    return found


def article_history(first: ArticleRecord, start: Visit, later: Sequence[Visit], task: CheckTask,
                    config: SiteConfig | None, removal_after: timedelta = DEFAULT_REMOVAL_AFTER,
                    ) -> tuple[list[ChangeEvent], list[str]]:
    """Worker: the events of one article, from its first capture and its later visits."""
    watch = Watch.first_capture(first.url, first.site, start.pointer.record_id, start.pointer,
                                parse_warc_date(start.date), first.title, first.published_at)
    # The last live version's page alone, to compare the next with: the row itself for a
    # one-page article (its views aside, which are never compared), else read when needed.
    live = [first if first.page_count == 1 else None]
    events: list[ChangeEvent] = []
    errors: list[str] = []
    for visit in later:
        seen = _observation(visit, watch, task, config, errors, live)
        if seen is not None:
            events += advance(watch, seen, removal_after)
    return events, errors


def _observation(visit: Visit, watch: Watch, task: CheckTask, config: SiteConfig | None,
                 errors: list[str], live: list[ArticleRecord | None]) -> Observation | None:
    at = parse_warc_date(visit.date)
    if visit.kind == FAILURE:
        return Observation(at, Verdict(UNREACHABLE, visit.reason or "no answer"), visit.pointer.record_id)
    if visit.kind == REVISIT:
        # unchanged since the capture it refers to: it shows what that one showed
        return Observation(at, Verdict(watch.last_verdict, watch.last_reason or ""),
                           visit.refers_to or visit.pointer.record_id)
    record_id = visit.pointer.record_id
    if 300 <= visit.status < 400:
        return Observation(at, redirect_of(config, visit.url, visit.status, visit.location), record_id, full=True)
    if visit.status != 200:
        return Observation(at, status_verdict(visit.status), record_id, full=True)
    try:
        page = read_page(visit.pointer)
    except WarcReadError as exc:
        errors.append(str(exc))
        return Observation(at, Verdict(UNKNOWN, "capture unreadable"), record_id)
    judged = assess_page(page, CheckTask(task.site, task.rules, task.force, task.counter, watch.live_pointer),
                         live[0])
    if judged.error is not None:
        errors.append(judged.error)
    record = judged.facts.record
    if judged.verdict.kind == LIVE and record is not None:
        live[0] = record
    return Observation(at, judged.verdict, record_id, full=True, diff=judged.diff,
                       title=record.title if record is not None else None, pointer=visit.pointer)
