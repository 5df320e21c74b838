"""Extraction of whole WARC files: every captured HTML page, in the worker pool.

Every page is extracted on its own first; an article whose continuation pages were
captured is extracted again with them, and one whose view counter was captured gets its
count from the answer. Reading the files and extracting their pages overlap.
"""

from __future__ import annotations

import importlib
import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

from archive.errors import WarcReadError
from archive.jobs.article import PageFacts, apply_counter, extract_job, html_type, page_facts, views_row
from archive.jobs.attachments import rebuild_attachments
from archive.jobs.counters import CounterCall, read_counter
from archive.jobs.time_bound import PageTimeout, bounded
from archive.records import (
    ArticleJob,
    ArticleRecord,
    AttachmentRow,
    ExtractionRules,
    FetchedPage,
    ViewsRow,
    WarcPointer,
)
from archive.sites import SiteConfig, checked_site, site_for_url
from archive.warc.reader import OversizeBody, ResponseEntry, read_page, scan_responses

# Pages per first-pass task. A task costs the parent a pickle and a pipe round trip, and
# the last task of a run leaves the other workers idle while it ends: at tens of
# milliseconds a page, a handful of pages keeps both costs small.
FIRST_PASS_CHUNK = 8


log = logging.getLogger(__name__)


def is_html(entry: ResponseEntry) -> bool:
    return entry.status == 200 and html_type(entry.content_type)


def _first_pass(pointer: WarcPointer, site: str | None, config: SiteConfig | None) -> PageFacts:
    """Worker: extract a page on its own; list the pages that continue it and its counter.

    A record that cannot be read gives an error, not an exception: one bad record must
    not stop the extraction of every other one.
    """
    try:
        page = read_page(pointer)
    except OversizeBody as exc:
        # The crawler drops such bodies too (DOWNLOAD_MAXSIZE): not an article, not damage.
        log.warning("skipped: %s", exc)
        return PageFacts(None, [], None)
    except WarcReadError as exc:
        return PageFacts(None, [], None, error=str(exc))
    try:
        return bounded(page_facts)(page, site=site or site_for_url(page.url), rules=config.rules if config else None,
                                   force=config is not None and config.matches_article(page.url),
                                   counter=config.counter if config else None)
    except PageTimeout as exc:
        return PageFacts(None, [], None, error=f"{page.url}: {exc}")


def _follow_chain(start: str, links: dict[str, list[str]], captured: set[str]) -> list[str]:
    chain, seen = [start], {start}
    current = start
    while True:
        following = [u for u in links.get(current, []) if u in captured and u not in seen]
        if not following:
            return chain
        current = following[0]
        chain.append(current)
        seen.add(current)


@dataclass
class WarcExtraction:
    """The outcome of extracting a set of WARC files."""

    records: list[ArticleRecord] = field(default_factory=list)
    views: list[ViewsRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    attachments: list[AttachmentRow] = field(default_factory=list)


def _successful(paths: Sequence[Path], errors: list[str], stop: threading.Event | None = None,
                revisits: dict[str, list[ResponseEntry]] | None = None) -> Iterator[ResponseEntry]:
    """The status 200 responses of the files in file order; one error per damaged file
    goes to `errors`, and the revisit records to `revisits` (by URL) when given."""
    for path in paths:
        try:
            for entry in scan_responses(path, revisits=revisits is not None):
                if stop is not None and stop.is_set():
                    return
                if entry.refers_to is not None:
                    revisits.setdefault(entry.url, []).append(entry)
                elif entry.status == 200:
                    yield entry
        except WarcReadError as exc:
            errors.append(str(exc))


_END = object()


class _BackgroundIndex:
    """Every successful response of the files, by URL in capture order (`by_url`), read by a
    thread that hands out the HTML pages in chunks as it meets them.

    Workers get their first pages while the rest of the files is still being read, and
    the caller may block submitting them (a pool blocks its first submissions until the
    fork server has done its imports) without holding up the reading.
    """

    def __init__(self, paths: Sequence[Path], chunk: int) -> None:
        self.by_url: dict[str, list[ResponseEntry]] = {}
        # revisit records by URL: an attachment archived as a revisit of an identical file
        self.revisits: dict[str, list[ResponseEntry]] = {}
        self.errors: list[str] = []
        self._paths = list(paths)
        self._chunk = chunk
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="warc-index", daemon=True)

    def __enter__(self) -> _BackgroundIndex:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # A caller that gives up early (a broken pool, Ctrl-C) must not leave the thread
        # reading the remaining files.
        self._stop.set()
        self._thread.join()

    def chunks(self) -> Iterator[list[ResponseEntry]]:
        """The HTML pages in file order; `by_url` and `errors` are complete once this is exhausted."""
        while (item := self._queue.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item

    def _read(self) -> None:
        chunk: list[ResponseEntry] = []
        try:
            for entry in _successful(self._paths, self.errors, self._stop, self.revisits):
                self.by_url.setdefault(entry.url, []).append(entry)
                if is_html(entry):
                    chunk.append(entry)
                    if len(chunk) == self._chunk:
                        self._queue.put(chunk)
                        chunk = []
            if chunk:
                self._queue.put(chunk)
            self._queue.put(_END)
        except BaseException as exc:  # handed to the caller's thread, raised there
            self._queue.put(exc)


def extract_warcs(
    paths: Sequence[Path],
    pool: Executor,
    *,
    site: str | None = None,
    config: SiteConfig | None = None,
) -> WarcExtraction:
    """Article records and view observations from WARC files alone, as the crawls made them.

    Every HTML capture is extracted on its own; an article whose continuation pages were
    captured is extracted again with them (those pages give no record of their own); an
    article whose view counter was captured gets its views from the latest answer, and
    every answer becomes a row of the views history; every archived attachment an
    article links becomes a row of the attachments (archive.jobs.attachments). A damaged
    file is reported and the records read before the damage are kept.
    """
    site = checked_site(site)
    # The caller writes the records with pyarrow, whose import takes a fifth of a second
    # of this process: made now, aside, it falls in the time this process waits for the
    # fork server's imports, not in the time the workers need both cores.
    arrow_ready = threading.Thread(target=importlib.import_module, args=("archive.dataset.writer",),
                                   name="arrow-import", daemon=True)
    arrow_ready.start()
    submitted: list[tuple[list[ResponseEntry], Iterator[PageFacts]]] = []
    with _BackgroundIndex(paths, FIRST_PASS_CHUNK) as index:
        for chunk in index.chunks():
            count = len(chunk)
            # One task per chunk (map with chunksize), submitted as soon as it is read.
            results = pool.map(_first_pass, [e.pointer for e in chunk], [site] * count, [config] * count,
                               chunksize=count)
            submitted.append((chunk, results))
    arrow_ready.join()

    by_url, errors = index.by_url, index.errors
    position = {id(entry): n for n, entry in enumerate(e for chunk, _ in submitted for e in chunk)}
    in_file_order = [fact for _, results in submitted for fact in results]
    # The order of the records and errors is that of the index (by URL, then capture),
    # whatever order the pages were read and extracted in.
    pages = [entry for entries in by_url.values() for entry in entries if is_html(entry)]
    facts = [in_file_order[position[id(page)]] for page in pages]
    # Continuations are found among the latest capture of each URL.
    links = {p.url: f.continuations for p, f in zip(pages, facts, strict=True)}
    chains = {}
    for page, fact in zip(pages, facts, strict=True):
        if fact.record is not None:
            chain = _follow_chain(page.url, links, set(links))
            if len(chain) > 1:
                chains[page.pointer] = chain
    continued = {url for chain in chains.values() for url in chain[1:]}
    rules = config.rules if config else None
    # Articles with more to them (pages that continue them, counter answers) are finished
    # by the workers, like every extraction.
    finishing = {}
    for page, fact in zip(pages, facts, strict=True):
        if fact.record is None or page.url in continued:
            continue
        chain = chains.get(page.pointer)
        if chain is None and fact.counter is None:
            continue
        job = ArticleJob(chain[0], site or site_for_url(chain[0]),
                         [page.pointer] + [by_url[u][-1].pointer for u in chain[1:]], True) if chain else None
        answers = [a.pointer for a in by_url.get(fact.counter.url, [])] if fact.counter else []
        finishing[page.pointer] = pool.submit(finish_article, fact.record, job, rules, fact.counter, answers)
    result = WarcExtraction(errors=errors + [f.error for f in facts if f.error])
    observed: set[str] = set()
    for page, fact in zip(pages, facts, strict=True):
        if page.url in continued or fact.record is None:
            continue
        if page.pointer in finishing:
            finished = finishing[page.pointer].result()
            record, readings = finished.record, finished.readings
            result.errors += finished.errors
        else:
            record, readings = fact.record, [(None, views_row(fact.record))]
        for answer_id, row in readings:
            # an answer shared by several captures of one article is one reading
            if row is not None and (answer_id is None or answer_id not in observed):
                observed.add(answer_id)
                result.views.append(row)
        result.records.append(record)
    rows, unread = rebuild_attachments(result.records, by_url, index.revisits, pool, site)
    result.attachments, result.errors = rows, result.errors + unread
    return result


@dataclass(frozen=True)
class FinishedArticle:
    """An article joined with its continuation pages and counted by its counter answers."""

    record: ArticleRecord
    # (record id of the counter answer, or None for a count the page printed; the reading)
    readings: list[tuple[str | None, ViewsRow | None]]
    errors: list[str]


def finish_article(record: ArticleRecord, job: ArticleJob | None, rules: ExtractionRules | None,
                   counter: CounterCall | None, answers: list[WarcPointer]) -> FinishedArticle:
    """Worker: the record of a page that has more to it. With `job`, extracted again with
    the pages that continue it; with `counter`, counted by every captured answer, the
    first since the page was fetched setting its views (the crawl reads the counter right
    after the article). A page that cannot be read leaves the record as it was, with an error.
    """
    errors: list[str] = []
    if job is not None:
        try:
            record = extract_job(job, rules) or record
        except WarcReadError as exc:  # a continuation page is unreadable: keep the first page alone
            errors.append(str(exc))
        except PageTimeout as exc:  # so are the pages together
            errors.append(f"{job.url}: {exc}")
    pages = _readable(answers, errors) if counter is not None else []
    readings: list[tuple[str | None, ViewsRow | None]] = []
    for answer in pages:
        views = read_counter(counter.family, answer.body, counter.read_pattern)
        if views is not None:
            readings.append((answer.pointer.record_id, ViewsRow(record.url, record.site, answer.fetched_at, views)))
    if pages:
        later = [a for a in pages if record.fetched_at is None or a.fetched_at >= record.fetched_at]
        apply_counter(record, counter.family, later[0] if later else pages[-1], counter.read_pattern)
    else:
        readings.append((None, views_row(record)))
    return FinishedArticle(record, readings, errors)


def _readable(pointers: list[WarcPointer], errors: list[str]) -> list[FetchedPage]:
    pages = []
    for pointer in pointers:
        try:
            pages.append(read_page(pointer))
        except WarcReadError as exc:
            errors.append(str(exc))
    return pages
