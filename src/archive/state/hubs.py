"""How often a hub page (a list, an index, an "about us" page) is fetched again.

A news crawler's re-visit policy: the longer a page's links have stayed the same, the
longer it waits before the next poll, and any change brings it back to every run.

- A list (a hub that links to articles) waits a quarter of the time its links have been
  stable, at most LIST_LONGEST: polled on every run while it changes, less and less once
  it stops (an old column, a list of past years).
- A hub that links to no article at all (about, contact, profile pages; their links only
  lead to other hubs) waits at least HUB_FIRST, else half the time its links have been
  stable, at most HUB_LONGEST.

A hub that is not due is read back from the archive, links and all, so the walk through
it goes on as if it had been fetched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

HUB_FIRST = timedelta(hours=1)
HUB_LONGEST = timedelta(days=30)
LIST_LONGEST = timedelta(days=7)


def links_digest(links: Sequence[str]) -> str:
    """What a hub's links are, order aside (a list re-sorted is the same list)."""
    return hashlib.sha1("\n".join(sorted(set(links))).encode("utf-8")).hexdigest()


def hub_wait(stable_for: timedelta, *, lists_articles: bool) -> timedelta:
    """How long after its last poll a hub is due again, its links the same for `stable_for` then."""
    if lists_articles:
        return min(LIST_LONGEST, stable_for / 4)
    return min(HUB_LONGEST, max(HUB_FIRST, stable_for / 2))


def hub_due(last_polled: datetime, last_changed: datetime, links: Sequence[str], now: datetime,
            lists_articles: Callable[[Sequence[str]], bool]) -> bool:
    """Whether a hub is to be fetched now; `lists_articles` says whether any of some links
    is (or may be) an article of the site, and is asked only when the answer matters."""
    waited, stable_for = now - last_polled, last_polled - last_changed
    if waited >= hub_wait(stable_for, lists_articles=False):
        return True
    return waited >= hub_wait(stable_for, lists_articles=True) and lists_articles(links)
