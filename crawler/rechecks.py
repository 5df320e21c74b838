"""Checks of archived articles: the request side of edits and takedowns (archive.changes).

The spider asks again for the archived articles that are due (by the site's `recheck`
schedule, within a share of its page budget) or, in a sweep, for all of them. A check
is an ordinary conditional request: an unchanged page costs one request and a revisit
record. It is not redirected and not retried, so its one answer is what it saw: a
redirect, a 404, a 503 are judged as such, and a failure is retried by the schedule, not
at once. A changed page is judged and compared with the last live version in a worker
(archive.changes.assess); the reactor only moves the article's status
(archive.changes.status), keeps it in the crawl state and writes the events to
`changes/`. A live new version becomes a row of the dataset as any capture does.

A mixin of the spider, so that its callbacks are the spider's own methods (requests can
then be serialised, as a shared queue does).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future

from archive.changes.assess import Assessment, assess_page, check_task, redirect_of
from archive.changes.dataset import EventFilter, changes_writer, read_events
from archive.changes.events import ChangeEvent
from archive.changes.status import Observation, Watch, advance
from archive.changes.verdict import LIVE, UNKNOWN, UNREACHABLE, Verdict, status_verdict
from archive.datadir import DataDir
from archive.state.rechecks import adopt_articles, recheck_store
from crawler.settled import FROM_ARCHIVE

# ARCHIVE_RECHECK: what a crawl checks. due: the articles due, beside the site's lists
# (a normal crawl); only: the articles due and nothing else (`archive crawl --due` for a
# site whose lists are not due); all: every archived article now (`--recheck`).
MODES = ("due", "only", "all")
# Events wait in memory at most this long before they are written.
FLUSH_SECONDS = 300.0
# request.meta key of a check: the article's URL
RECHECK = "recheck"
# request.meta key the capture sets on a failed check: the record saying so, its time and reason
FAILURE_RECORD = "failure_record"


def failure_reason(error: BaseException) -> str:
    """Why a check got no answer, on one line, as the crawl and its WARC record say it."""
    return f"{type(error).__name__}: {' '.join(str(error).split())}"[:300]


def dropped_from_list(before: list[str], after: list[str]) -> list[str]:
    """Links gone from the middle of a list page: their neighbours on both sides are still
    there, so they were not pushed off its end by newer ones. A sign of a takedown,
    never a verdict: such an article is checked at once."""
    present = set(after)
    return [url for n, url in enumerate(before) if 0 < n < len(before) - 1 and url not in present
            and before[n - 1] in present and before[n + 1] in present]


class RecheckMixin:
    """The spider's side of re-checks; `recheck_requests` is called once at its start."""

    def recheck_requests(self) -> list[scrapy.Request]:
        settings = self.settings
        self.recheck_mode = settings.get("ARCHIVE_RECHECK")
        self.recheck_writer = None
        if self.recheck_mode not in MODES:
            raise ValueError(f"ARCHIVE_RECHECK: {self.recheck_mode!r} is not one of {', '.join(MODES)}")
        self.rechecks = recheck_store(self.state)
        out = Path(settings.get("ARCHIVE_OUT"))
        self.recheck_writer = changes_writer(DataDir(out).changes, worker=settings.get("ARCHIVE_WORKER_ID") or None)
        self._recheck_flushed = time.monotonic()
        self.crawler.signals.connect(self._rechecks_closed, signal=signals.spider_closed)
        site = self.site
        self._write_pending_events(out)
        run = getattr(self.crawler, "archive_run", None)
        if run is not None and not run.opened:
            # A worker that joined a shared run (crawler.distributed): the one that opened
            # it asks for the run's checks, once; this one fetches its share of them from
            # the shared queue and judges what it fetched.
            self.crawler.stats.set_value("archive/rechecks/requested", 0)
            return []
        adopt_articles(self.rechecks, out, site.id, site.recheck, site.removal_after)
        now = datetime.now(UTC)
        if self.recheck_mode == "all":
            watches = self.rechecks.every(site.id, site.max_pages)
        else:
            share = site.max_pages if self.recheck_mode == "only" else \
                max(1, int(site.max_pages * settings.getfloat("ARCHIVE_RECHECK_SHARE")))
            fresh = now - timedelta(days=site.refresh_days) if site.refresh_days else None
            watches = self.rechecks.due(site.id, now, share, seen_since=fresh)
        self.crawler.stats.set_value("archive/rechecks/requested", len(watches))
        return [scrapy.Request(w.url, callback=self.parse_recheck, errback=self.recheck_failed,
                               meta={RECHECK: w.url, "dont_redirect": True, "dont_retry": True,
                                     "handle_httpstatus_all": True}) for w in watches]

    @property
    def rechecks_only(self) -> bool:
        return self.recheck_mode != "due"

    def links_listed(self, url: str, links: list[str]) -> None:
        """A list page was read again: articles dropped from its middle are checked next."""
        known = self.state.hub(url)
        if known is None:
            return
        dropped = [link for link in dropped_from_list(known[0], links) if self.is_article(link) or self.auto]
        if dropped:
            self.crawler.stats.inc_value("archive/rechecks/dropped_from_lists", len(dropped))
            self.rechecks.bring_forward(dropped, datetime.now(UTC))

    async def parse_recheck(self, response: Response):
        url = response.meta[RECHECK]
        watch = self.rechecks.watch(url)
        if watch is None or FROM_ARCHIVE in response.flags:
            return
        pointer = response.meta.get("warc_pointer")
        record_id = pointer.record_id if pointer is not None else None
        at = response.meta.get("fetched_at") or datetime.now(UTC)
        judged: Assessment | None = None
        if response.meta.get("unchanged"):
            seen = Observation(at, Verdict(watch.last_verdict, watch.last_reason or ""), record_id)
        elif 300 <= response.status < 400:
            location = response.headers.get("Location")
            verdict = redirect_of(self.site, url, response.status, location.decode("latin-1") if location else None)
            seen = Observation(at, verdict, record_id, full=True)
        elif response.status == 200 and pointer is not None:
            judged = await self._assessed(response, watch)
            if judged.error is not None:
                # the last version unreadable (a WARC file moved or damaged): an edit would go unseen
                self.crawler.stats.inc_value("archive/rechecks/not_compared")
                self.logger.error("%s: not compared with its last version: %s", url, judged.error)
            record = judged.facts.record
            seen = Observation(at, judged.verdict, record_id, full=True, diff=judged.diff, pointer=pointer,
                               title=record.title if record is not None else None)
        else:
            seen = Observation(at, status_verdict(response.status), record_id, full=pointer is not None)
        if response.status >= 400:
            # what the check found, not a failure of the crawl (the summary leaves it out)
            self.crawler.stats.inc_value("archive/rechecks/error_answers")
        self._observed(watch, seen)
        if judged is not None and judged.verdict.kind == LIVE and judged.facts.record is not None:
            # a version not archived before: a row of the dataset, as every capture
            from crawler.spiders.news import _fetched_page

            for output in self._article_outputs(url, pointer, _fetched_page(response), judged.facts):
                yield output

    async def _assessed(self, response: Response, watch: Watch) -> Assessment:
        from crawler.spiders.news import _fetched_page

        task = check_task(self.site, self.site.id, response.url, watch.live_pointer)
        try:
            return await maybe_deferred_to_future(self.workers.submit(assess_page, _fetched_page(response), task))
        except Exception as exc:  # the workers failed: the check says nothing this time
            self.crawler.stats.inc_value("archive/page_reading_failed")
            self.logger.error("a worker could not judge %s (%s)", response.url, exc)
            from archive.jobs.article import PageFacts

            return Assessment(Verdict(UNKNOWN, "not judged"), PageFacts(None, [], None, error=str(exc)))

    def recheck_failed(self, failure) -> None:
        request = failure.request
        watch = self.rechecks.watch(request.meta[RECHECK])
        error = failure.value
        if watch is None or (isinstance(error, IgnoreRequest) and "crawl is stopping" in str(error)):
            return  # never asked: the next run asks
        record_id, at, reason = request.meta.get(FAILURE_RECORD) or (None, None, failure_reason(error))
        if isinstance(error, IgnoreRequest):
            # refused by rule (robots.txt, the address guard): nothing seen of the page
            verdict = Verdict(UNKNOWN, f"not fetched ({error})")
        else:
            verdict = Verdict(UNREACHABLE, reason)
        seen = Observation(datetime.fromisoformat(at) if at else datetime.now(UTC), verdict, record_id)
        self._observed(watch, seen)

    def _observed(self, watch: Watch, seen: Observation) -> None:
        site = self.site
        events = advance(watch, seen, site.removal_after)
        self.rechecks.scheduled(watch, site.recheck, site.removal_after, events)
        stats = self.crawler.stats
        stats.inc_value(f"archive/rechecks/{seen.verdict.kind}")
        for event in events:
            stats.inc_value(f"archive/changes/{event.kind}")
            self.logger.info("%s: %s (%s)", event.kind, event.url, event.reason or event.change_class)
            self._events_on_disk(self.recheck_writer.add(event))
        if events and time.monotonic() - self._recheck_flushed > FLUSH_SECONDS:
            self._events_on_disk(self.recheck_writer.flush())
            self._recheck_flushed = time.monotonic()

    def _events_on_disk(self, events: list[ChangeEvent]) -> None:
        if events:
            self.rechecks.events_written(events)

    def _write_pending_events(self, out: Path) -> None:
        """Events an earlier run declared and was stopped before writing; one it wrote and
        was stopped before saying so is on disk already and not written twice."""
        pending = self.rechecks.pending_events(self.site.id)
        if not pending:
            return
        on_disk = {event.key for event in read_events(out, EventFilter(sites=(self.site.id,)))}
        missing = [event for event in pending if event.key not in on_disk]
        for event in missing:
            self.recheck_writer.add(event)
        self.recheck_writer.flush()
        self.rechecks.events_written(pending)
        self.logger.info("%d change events an interrupted run declared are written now", len(missing))

    def _rechecks_closed(self, spider) -> None:
        if self.recheck_writer is None:
            return
        self._events_on_disk(self.recheck_writer.close())
        self.crawler.stats.set_value("archive/changes_files", len(self.recheck_writer.files))
