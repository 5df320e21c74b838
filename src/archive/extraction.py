"""Extraction jobs: captured pages in WARC files become article records, in worker processes.

Both the crawler (one job per captured article) and `archive extract` (every HTML
response of some WARC files) go through `extract_capture`, so a dataset built during a
crawl and one rebuilt later from the WARC files alone are made by the same code.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import queue
import re
import select
import signal
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from archive.counters import CounterCall, CustomCounter, find_counter, read_counter
from archive.errors import ConfigError, WarcReadError
from archive.records import ArticleJob, ArticleRecord, ExtractionRules, FetchedPage, WarcPointer
from archive.sites import ADHOC_ID_PATTERN, SiteConfig
from archive.warc_reader import OversizeBody, ResponseEntry, read_page, scan_responses

if TYPE_CHECKING:
    from archive.extract import PageTree
    from archive.parquet import ViewsRow

# The extractor (trafilatura, lxml, dictionaries) and the fingerprint (numpy) take about
# a second to import and only workers use them, so they are imported where they are used:
# the process starting the pool gets to start it at once, and the fork server imports
# them, once for every worker, while that process reads its WARC indexes. Not pyarrow:
# no worker writes Parquet. archive.extract.warm extracts one page as it is imported, so
# the extractor's lazy set-ups are done once in the fork server, not in every worker.
WORKER_MODULES = ("archive.extract", "archive.fingerprint", "archive.extract.warm", __name__)

# Pages per first-pass task. A task costs the parent a pickle and a pipe round trip, and
# the last task of a run leaves the other workers idle while it ends: at tens of
# milliseconds a page, a handful of pages keeps both costs small.
FIRST_PASS_CHUNK = 8

_UNSAFE = re.compile(r"[^a-z0-9_.:-]")

log = logging.getLogger(__name__)


def worker_pool(workers: int | None = None, preload: Sequence[str] = ()) -> Executor:
    """A process pool for extraction; `preload` names more modules its tasks use.

    forkserver, not fork: the crawler's process runs threads (the reactor's pool) and a
    forked child could inherit a lock held by one of them.
    """
    count = workers or os.cpu_count() or 1
    context = multiprocessing.get_context("forkserver")
    # The fork server imports the extraction code (trafilatura, dictionaries, patterns:
    # over a second) once; workers forked from it start at once and share those pages.
    context.set_forkserver_preload([*WORKER_MODULES, *preload])
    pool = _Pool(max_workers=count, mp_context=context, initializer=_end_with, initargs=(os.getpid(),))
    # Starting a worker waits for the fork server's imports; starting them now, aside,
    # lets that overlap with the caller's own start (reading WARC indexes, opening sites).
    threading.Thread(target=_start_workers, args=(pool, count), daemon=True).start()
    return pool


class _Pool(ProcessPoolExecutor):
    def __exit__(self, exc_type, exc, traceback) -> bool:
        # Left by an exception (Ctrl-C among them): drop the pages still queued instead of
        # extracting them all before the exception goes on (half a minute on a large WARC).
        # Waiting matters: the pool's thread cancels them only while the pool object lives.
        self.shutdown(wait=True, cancel_futures=exc_type is not None)
        return False


def _start_workers(pool: ProcessPoolExecutor, count: int) -> None:
    with contextlib.suppress(RuntimeError):  # the pool was shut down first
        for _ in range(count):
            pool.submit(_ready)


def _end_with(owner: int) -> None:
    """Worker start: end this worker when the process that made the pool ends, and leave
    Ctrl-C to that process.

    Workers wait on the pool's queue for good; a pool owner killed with -9 (no chance to
    shut its pool down) would leave them running, and the fork server with them. Ctrl-C
    reaches every process of the terminal's group: the owner drops the queued pages and
    waits for the few in hand, where interrupted workers would each print a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not hasattr(os, "pidfd_open"):  # Linux only; elsewhere workers end with a clean shutdown alone
        return
    try:
        owner_fd = os.pidfd_open(owner)
    except ProcessLookupError:
        os._exit(1)

    def wait_for_owner() -> None:
        select.select([owner_fd], [], [])  # readable once the owner has exited
        os._exit(1)

    threading.Thread(target=wait_for_owner, name="pool-owner", daemon=True).start()


def _ready() -> None:
    """A task that only makes the pool start one more worker."""


def site_for_url(url: str) -> str:
    """The site id of an ad-hoc capture: its host, with the port when it is not the default."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "unknown").lower(), parts.port
    except ValueError:  # a WARC from elsewhere may hold any string as its target URI
        return "unknown"
    site = host if port is None else f"{host}-{port}"
    # The id names a partition directory: nothing from a URL may steer where it goes.
    return site if ADHOC_ID_PATTERN.match(site) else _UNSAFE.sub("_", site).lstrip(".") or "unknown"


def checked_site(site: str | None) -> str | None:
    """A site id given by the user, refused when it could lead a path out of the dataset."""
    if site is not None and not ADHOC_ID_PATTERN.match(site):
        raise ConfigError(f"--site: {site!r} is not a site id (letters, digits, '.', '_', '-', ':')")
    return site


def extract_job(job: ArticleJob, rules: ExtractionRules | None = None) -> ArticleRecord | None:
    """Read the pages of one article (and its counter answer) from WARC; extract its record.

    Runs in a worker process.
    """
    from archive.extract import extract_article

    pages = [read_page(pointer) for pointer in job.pointers]
    record = with_fingerprint(extract_article(pages, site=job.site, rules=rules, force=job.force))
    if record is not None and job.counter is not None and job.counter.pointer is not None:
        apply_counter(record, job.counter.family, read_page(job.counter.pointer), job.counter.read_pattern)
    return record


def with_fingerprint(record: ArticleRecord | None) -> ArticleRecord | None:
    """The record with its SimHash: computed here, in the worker, not in the process writing Parquet."""
    if record is not None and record.simhash is None:
        from archive.fingerprint import simhash

        record.simhash = simhash(record.text)
    return record


def apply_counter(record: ArticleRecord, family: str, answer: FetchedPage, read_pattern: str | None = None) -> None:
    """Views from a counter endpoint are the live number: they win over one printed in the page."""
    views = read_counter(family, answer.body, read_pattern) if answer.status == 200 else None
    if views is not None:
        record.views = views
        record.views_observed_at = answer.fetched_at


def is_html(entry: ResponseEntry) -> bool:
    ctype = entry.content_type.lower()
    return entry.status == 200 and ("html" in ctype or ctype == "")


@dataclass(frozen=True)
class PageFacts:
    """What the first pass learns about one captured HTML page."""

    record: ArticleRecord | None
    continuations: list[str]
    counter: CounterCall | None
    error: str | None = None


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
    return page_facts(page, site=site or site_for_url(page.url), rules=config.rules if config else None,
                      force=config is not None and config.matches_article(page.url),
                      counter=config.counter if config else None)


def page_facts(page: FetchedPage, *, site: str, rules: ExtractionRules | None, force: bool,
               counter: CustomCounter | None, tree: PageTree | None = None) -> PageFacts:
    """A page's record on its own, the pages that continue it and its view counter: what
    both `archive extract` and the crawl's workers learn from one page. `tree` is the page
    already parsed by the caller (extraction changes it)."""
    from archive.extract import decode_html, extract_page

    # One parse gives the record and the continuation links (a second one doubled the cost).
    found = extract_page(page, site=site, rules=rules, force=force, tree=tree)
    record = with_fingerprint(found.record)
    if record is None:
        return PageFacts(None, [], None)
    document = found.document if found.document is not None else decode_html(page.body, page.headers)
    return PageFacts(record, found.continuations, find_counter(document, page.url, counter))


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


def _successful(paths: Sequence[Path], errors: list[str], stop: threading.Event | None = None,
                ) -> Iterator[ResponseEntry]:
    """The status 200 responses of the files in file order; one error per damaged file goes to `errors`."""
    for path in paths:
        try:
            for entry in scan_responses(path):
                if stop is not None and stop.is_set():
                    return
                if entry.status == 200:
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
            for entry in _successful(self._paths, self.errors, self._stop):
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
    every answer becomes a row of the views history. A damaged file is reported and the
    records read before the damage are kept.
    """
    site = checked_site(site)
    # The caller writes the records with pyarrow, whose import takes a fifth of a second
    # of this process: made now, aside, it falls in the time this process waits for the
    # fork server's imports, not in the time the workers need both cores.
    arrow_ready = threading.Thread(target=importlib.import_module, args=("archive.parquet",), name="arrow-import",
                                   daemon=True)
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
    from archive.parquet import ViewsRow

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
    joined = {
        pointer: pool.submit(extract_job, ArticleJob(chain[0], site or site_for_url(chain[0]),
                                                     [pointer] + [by_url[u][-1].pointer for u in chain[1:]], True),
                             rules)
        for pointer, chain in chains.items()
    }
    result = WarcExtraction(errors=errors + [f.error for f in facts if f.error])
    observed: set[str] = set()
    for page, fact in zip(pages, facts, strict=True):
        if page.url in continued:
            continue
        record = fact.record
        if page.pointer in joined:
            try:
                record = joined[page.pointer].result()
            except WarcReadError as exc:  # a continuation page is unreadable: keep the first page alone
                result.errors.append(str(exc))
        if record is None:
            continue
        answers = _readable([a.pointer for a in by_url.get(fact.counter.url, [])], result.errors) \
            if fact.counter else []
        for answer in answers:
            views = read_counter(fact.counter.family, answer.body, fact.counter.read_pattern)
            if views is not None and answer.pointer.record_id not in observed:
                observed.add(answer.pointer.record_id)
                result.views.append(ViewsRow(record.url, record.site, answer.fetched_at, views))
        if answers:
            # The crawl read the counter right after the article: the first answer since then.
            later = [a for a in answers if record.fetched_at is None or a.fetched_at >= record.fetched_at]
            apply_counter(record, fact.counter.family, later[0] if later else answers[-1], fact.counter.read_pattern)
        elif record.views is not None:
            result.views.append(ViewsRow(record.url, record.site, record.views_observed_at, record.views))
        result.records.append(record)
    return result


def _readable(pointers: list[WarcPointer], errors: list[str]) -> list[FetchedPage]:
    pages = []
    for pointer in pointers:
        try:
            pages.append(read_page(pointer))
        except WarcReadError as exc:
            errors.append(str(exc))
    return pages


def extract_html_file(path: Path, url: str, site: str | None = None) -> ArticleRecord | None:
    """A saved HTML page: the user says it is an article, so it always gives a record."""
    from datetime import UTC, datetime

    from archive.extract import extract_article

    site = checked_site(site)
    try:
        body = path.read_bytes()
        fetched = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        raise WarcReadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    page = FetchedPage(url=url, status=200, headers={}, body=body, fetched_at=fetched)
    return extract_article([page], site=site or site_for_url(url), force=True)


def looks_like_warc(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz"))


def iter_inputs(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named on the command line; directories are searched for WARC files."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and looks_like_warc(p))
        else:
            yield path
