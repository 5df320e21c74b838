"""What the bound on one page's extraction costs: the same pages with and without it.

Usage: python bench/time_bound.py [PAGES_DIR_OR_CORPUS] [--rounds N]

Both sides run in this process, as a worker runs them: `extract_article` on each page,
alone or wrapped by archive.jobs.time_bound (a timer armed and disarmed per page). The
rounds alternate between the two sides, so drift of a shared machine hits both.
"""

from __future__ import annotations

import argparse
import time

from extract_speed import parsed_pages, timed

from archive.extract import extract_article
from archive.jobs.time_bound import DEFAULT_PAGE_SECONDS, bounded, set_page_seconds


def _extract(page) -> None:
    extract_article([page], site="bench")


def _timer_only(count: int) -> float:
    """The timer alone, around a call that does nothing: its own cost per page."""
    noop = bounded(lambda: None)
    start = time.perf_counter()
    for _ in range(count):
        noop()
    return (time.perf_counter() - start) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args, pages = parsed_pages(parser)
    set_page_seconds(DEFAULT_PAGE_SECONDS)
    with_bound = bounded(_extract)
    timed(_extract, pages, 1)  # one-time costs of the extractor, outside the rounds
    plain = bound = 0.0
    for _ in range(args.rounds):
        plain += timed(_extract, pages, 1)
        bound += timed(with_bound, pages, 1)
    count = len(pages) * args.rounds
    print(f"{len(pages)} pages x {args.rounds} rounds")
    print(f"extraction alone        {plain / count * 1e3:8.2f} ms a page")
    print(f"extraction, bounded     {bound / count * 1e3:8.2f} ms a page   ratio {bound / plain:.3f}")
    print(f"the timer alone         {_timer_only(100_000) * 1e6:8.2f} us a page")


if __name__ == "__main__":
    main()
