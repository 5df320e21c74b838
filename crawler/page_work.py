"""What an extraction worker does with a page the crawler fetched.

One decode and one parse per page serve both jobs: the page's links for the spider to
follow, and, for an article candidate, its record, the pages that continue it and the
view counter it calls. The reactor's process then only fetches, records and schedules.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from archive.jobs.article import PageFacts, page_facts
from archive.jobs.counters import CustomCounter
from archive.jobs.time_bound import PageTimeout, bounded
from archive.records import ExtractionRules, FetchedPage
from crawler.links import PageLinks, SiteDomains, page_links

# archive.extract (trafilatura, dictionaries) is imported where it is used: the workers'
# fork server has it loaded, and the crawler's own process needs it only should the
# workers fail.


@dataclass(frozen=True)
class PageTask:
    """How to read one page: as a list (links only) or as an article candidate too."""

    site: str
    rules: ExtractionRules
    # the site's domains: the links to other sites stay in the worker
    domains: tuple[str, ...]
    # an article candidate not already archived unchanged
    extract: bool = False
    # the site's article patterns matched: a record even where the heuristics doubt it
    force: bool = False
    counter: CustomCounter | None = None


@dataclass(frozen=True)
class PageOutcome:
    links: PageLinks
    # what extraction learnt for an article candidate: a record of None without an
    # error means the page is no article
    facts: PageFacts | None = None


def read_crawled_page(page: FetchedPage, task: PageTask) -> PageOutcome:
    """Runs in a worker: the page's links on the site and, when asked, its one-page record.

    A page that takes longer than the workers' bound keeps the links read by then; an
    article candidate's facts carry the reason, and the article goes to the pipeline as
    a job, whose failure is counted and which stays pending.
    """
    read: list[PageLinks] = []
    try:
        return bounded(_read_crawled_page)(page, task, read)
    except PageTimeout as exc:
        links = read[0] if read else PageLinks()
        return PageOutcome(links, PageFacts(None, [], None, error=str(exc)) if task.extract else None)


def _read_crawled_page(page: FetchedPage, task: PageTask, read: list[PageLinks]) -> PageOutcome:
    tree, links = _tree_and_links(page, task)
    read.append(links)
    if not task.extract:
        return PageOutcome(links)
    return PageOutcome(links, page_facts(page, site=task.site, rules=task.rules, force=task.force,
                                         counter=task.counter, tree=tree))


def read_links_only(page: FetchedPage, task: PageTask, error: str) -> PageOutcome:
    """The page's links, and for an article candidate the pages that continue it, without
    extraction (the facts carry `error`): what the crawler reads itself when the workers
    fail."""
    from archive.extract import continuation_links

    tree, links = _tree_and_links(page, task)
    if not task.extract:
        return PageOutcome(links)
    return PageOutcome(links, PageFacts(None, continuation_links(page, tree.root), None, error=error))


def continuation_pages(page: FetchedPage) -> list[str]:
    """Runs in a worker: the pages following `page` in its multi-page article (none
    found when reading it takes longer than the workers' bound)."""
    from archive.extract import continuation_links

    try:
        return bounded(continuation_links)(page)
    except PageTimeout:
        return []


def _tree_and_links(page: FetchedPage, task: PageTask):
    from archive.extract import page_tree

    tree = page_tree(page)
    if tree.root is None:
        return tree, PageLinks()
    return tree, _site_domains(task.domains).links_of(page_links(page.url, tree.root, tree.charset))


@lru_cache(maxsize=256)
def _site_domains(domains: tuple[str, ...]) -> SiteDomains:
    """One per site in each worker, so what it learnt about hosts serves the site's next pages."""
    return SiteDomains(domains)
