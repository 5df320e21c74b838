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

from archive.errors import WarcReadError
from archive.extract import continuation_links, extract_article
from archive.records import ArticleRecord, ExtractionRules, FetchedPage, WarcPointer
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
) -> ArticleRecord | None:
    """Read the pages of one article from WARC and extract its record (worker side)."""
    pages = [read_page(pointer) for pointer in pointers]
    return extract_article(pages, site=site, rules=rules, force=force)


@dataclass(frozen=True)
class HtmlCapture:
    """An HTML response found in a WARC file, before extraction."""

    pointer: WarcPointer
    url: str


def is_html(entry: ResponseEntry) -> bool:
    ctype = entry.content_type.lower()
    return entry.status == 200 and ("html" in ctype or ctype == "")


def scan_html_captures(path: Path) -> list[HtmlCapture]:
    """The successful HTML responses of one WARC file, located but not yet parsed."""
    return [HtmlCapture(e.pointer, e.url) for e in scan_responses(path) if is_html(e)]


def _first_pass(capture: HtmlCapture, site: str | None, rules: ExtractionRules | None):
    """Worker: extract a page on its own and list the pages that continue it."""
    page = read_page(capture.pointer)
    record = extract_article([page], site=site or site_for_url(page.url), rules=rules)
    return record, continuation_links(page)


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


def extract_captures(
    captures: Sequence[HtmlCapture],
    pool: Executor,
    *,
    site: str | None = None,
    rules: ExtractionRules | None = None,
) -> Iterator[ArticleRecord]:
    """Records of the article pages among `captures`, multi-page articles joined.

    Every page is extracted once on its own; an article whose continuation pages are
    among the captures is extracted again with them, and those pages give no record of
    their own.
    """
    results = list(pool.map(_first_pass, captures, [site] * len(captures), [rules] * len(captures), chunksize=8))
    by_url = {c.url: c for c in captures}
    links = {c.url: result[1] for c, result in zip(captures, results, strict=True)}
    chains = {}
    for capture, (record, _) in zip(captures, results, strict=True):
        if record is not None:
            chain = _follow_chain(capture.url, links, set(by_url))
            if len(chain) > 1:
                chains[capture.url] = chain
    continued = {url for chain in chains.values() for url in chain[1:]}
    joined = {
        url: pool.submit(extract_capture, [by_url[u].pointer for u in chain], site or site_for_url(url), rules, True)
        for url, chain in chains.items()
    }
    for capture, (record, _) in zip(captures, results, strict=True):
        if capture.url in continued:
            continue
        if capture.url in joined:
            record = joined[capture.url].result()
        if record is not None:
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
