"""Extraction jobs: captured pages in WARC files become article records, in worker processes.

Both the crawler (one job per captured article) and `archive extract` (every HTML
response of some WARC files) go through `extract_capture`, so a dataset built during a
crawl and one rebuilt later from the WARC files alone are made by the same code.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from archive.counters import CounterCall, find_counter, read_counter
from archive.errors import WarcReadError
from archive.extract import continuation_links, decode_html, extract_article
from archive.records import ArticleRecord, ExtractionRules, FetchedPage, WarcPointer
from archive.sites import SiteConfig
from archive.warc import ResponseEntry, read_page, scan_responses

log = logging.getLogger(__name__)


def worker_pool(workers: int | None = None) -> Executor:
    """A process pool for extraction.

    forkserver, not fork: the crawler's process runs threads (the reactor's pool) and a
    forked child could inherit a lock held by one of them.
    """
    count = workers or os.cpu_count() or 1
    return ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("forkserver"))


def site_for_url(url: str) -> str:
    """The site id of an ad-hoc capture: its host, with the port when it is not the default."""
    parts = urlsplit(url)
    host = (parts.hostname or "unknown").lower()
    return host if parts.port is None else f"{host}-{parts.port}"


def extract_capture(
    pointers: Sequence[WarcPointer],
    site: str,
    rules: ExtractionRules | None = None,
    force: bool = False,
    counter: tuple[str, WarcPointer] | None = None,
) -> ArticleRecord | None:
    """Read the pages of one article (and its counter answer) from WARC and extract its record.

    Runs in a worker process.
    """
    pages = [read_page(pointer) for pointer in pointers]
    record = extract_article(pages, site=site, rules=rules, force=force)
    if record is not None and counter is not None:
        family, pointer = counter
        apply_counter(record, family, read_page(pointer))
    return record


def apply_counter(record: ArticleRecord, family: str, answer: FetchedPage) -> None:
    """Views from a counter endpoint are the live number: they win over one printed in the page."""
    views = read_counter(family, answer.body) if answer.status == 200 else None
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


def _first_pass(pointer: WarcPointer, site: str | None, config: SiteConfig | None) -> PageFacts:
    """Worker: extract a page on its own; list the pages that continue it and its counter."""
    page = read_page(pointer)
    force = config is not None and config.matches_article(page.url)
    rules = config.rules if config else None
    record = extract_article([page], site=site or site_for_url(page.url), rules=rules, force=force)
    counter = find_counter(decode_html(page.body, page.headers), page.url) if record else None
    return PageFacts(record, continuation_links(page), counter)


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


def extract_warc(
    path: Path,
    pool: Executor,
    *,
    site: str | None = None,
    config: SiteConfig | None = None,
) -> Iterator[ArticleRecord]:
    """Records of the article pages captured in one WARC file, as the crawl made them.

    Every HTML page is extracted once on its own; an article whose continuation pages
    were captured too is extracted again with them (those pages give no record of their
    own), and an article whose view counter was captured gets its views from it.
    """
    responses = {}
    for entry in scan_responses(path):
        if entry.status == 200:
            responses.setdefault(entry.url, entry)
    pages = [e for e in responses.values() if is_html(e)]
    count = len(pages)
    facts = list(pool.map(_first_pass, [p.pointer for p in pages], [site] * count, [config] * count,
                          chunksize=8))
    links = {p.url: f.continuations for p, f in zip(pages, facts, strict=True)}
    html_urls = set(links)
    chains = {}
    for page, fact in zip(pages, facts, strict=True):
        if fact.record is not None:
            chain = _follow_chain(page.url, links, html_urls)
            if len(chain) > 1:
                chains[page.url] = chain
    continued = {url for chain in chains.values() for url in chain[1:]}
    rules = config.rules if config else None
    joined = {
        url: pool.submit(extract_capture, [responses[u].pointer for u in chain], site or site_for_url(url),
                         rules, True)
        for url, chain in chains.items()
    }
    for page, fact in zip(pages, facts, strict=True):
        if page.url in continued:
            continue
        record = joined[page.url].result() if page.url in joined else fact.record
        if record is None:
            continue
        answer = responses.get(fact.counter.url) if fact.counter else None
        if answer is not None:
            apply_counter(record, fact.counter.family, read_page(answer.pointer))
        yield record


def extract_html_file(path: Path, url: str, site: str | None = None) -> ArticleRecord | None:
    """A saved HTML page: the user says it is an article, so it always gives a record."""
    from datetime import UTC, datetime

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
