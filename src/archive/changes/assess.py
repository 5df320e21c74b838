"""One check of an archived article judged, in a worker process: the page's verdict and,
when it is live, how it differs from the last live version.

Both versions are extracted on their own (the first page of a multi-page article
alone), so like is compared with like; the last live version is read back from its
WARC record, which is the truth, rather than from the dataset. The crawl's checks and
`archive reextract` (archive.changes.derive) go through the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.changes.diff import RecordDiff, compare
from archive.changes.verdict import LIVE, UNKNOWN, Verdict, redirect_verdict
from archive.errors import WarcReadError
from archive.jobs.article import PageFacts, page_facts
from archive.jobs.time_bound import PageTimeout, bounded
from archive.records import ArticleRecord, ExtractionRules, FetchedPage, WarcPointer
from archive.url_patterns import url_patterns
from archive.warc.reader import read_page

if TYPE_CHECKING:
    from archive.jobs.counters import CustomCounter
    from archive.sites import SiteConfig


@dataclass(frozen=True)
class CheckTask:
    """How to read a page answered to a check, and the capture to compare it with."""

    site: str
    rules: ExtractionRules | None
    force: bool
    counter: CustomCounter | None
    previous: WarcPointer | None


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    # the page's record (a new version of the article when live), continuations, counter
    facts: PageFacts
    diff: RecordDiff | None = None
    # the last live version could not be read back: nothing was compared
    error: str | None = None


def check_task(config: SiteConfig | None, site: str, url: str, previous: WarcPointer | None) -> CheckTask:
    """The task of a check of `url` on a site (with its config when it has one)."""
    if config is None:
        return CheckTask(site, None, False, None, previous)
    return CheckTask(site, config.rules, config.matches_article(url), config.counter, previous)


def assess_page(page: FetchedPage, task: CheckTask, before: ArticleRecord | None = None) -> Assessment:
    """Worker: the verdict of a page answered with 200 and, when live, its difference
    from the last live version (`before` when the caller has its record already, else
    read from `task.previous`). A page past the workers' time bound is unknown."""
    try:
        return bounded(_assess)(page, task, before)
    except PageTimeout as exc:
        error = f"{page.url}: {exc}"
        return Assessment(Verdict(UNKNOWN, str(exc)), PageFacts(None, [], None, error=error), error=error)


def _assess(page: FetchedPage, task: CheckTask, before: ArticleRecord | None) -> Assessment:
    facts = page_facts(page, site=task.site, rules=task.rules, force=task.force, counter=task.counter)
    verdict = facts.verdict or Verdict(UNKNOWN, "not read")
    if verdict.kind != LIVE or (before is None and task.previous is None) or facts.record is None:
        return Assessment(verdict, facts)
    try:
        before = before or version_at(task.previous, task)
    except WarcReadError as exc:
        return Assessment(verdict, facts, error=str(exc))
    return Assessment(verdict, facts, compare(before, facts.record) if before is not None else None)


def version_at(pointer: WarcPointer, task: CheckTask) -> ArticleRecord | None:
    """The record of the capture at `pointer`, its page alone."""
    page = read_page(pointer)
    return page_facts(page, site=task.site, rules=task.rules, force=task.force, counter=None).record


def redirect_of(config: SiteConfig | None, url: str, status: int, location: str | None) -> Verdict:
    """The verdict of a redirect answered for `url`: the site's start pages and the pages
    its `follow` patterns match are its home and list pages."""
    if config is None:
        return redirect_verdict(url, status, location)
    lists = url_patterns(config.follow) if config.follow else None
    return redirect_verdict(url, status, location, home_urls=config.start_urls,
                            is_list=lists.search if lists is not None else None)
