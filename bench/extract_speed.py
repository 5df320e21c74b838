"""Pages per second of `extract_article` next to trafilatura alone on the same pages.

Usage: python bench/extract_speed.py [PAGES_DIR_OR_CORPUS] [--repeat N]

Pages are *.html files (a corpus folder with cases.jsonl works too: its pages are used).
Both sides get the raw bytes; trafilatura runs as `trafilatura.extract` with its defaults,
our side runs the whole extraction (charset, repair, metadata, body, cleaning).
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

from archive.extract import extract_article
from archive.records import FetchedPage

DEFAULT_PAGES = Path(__file__).resolve().parent.parent / "tests" / "extract" / "fixtures"


def load_pages(root: Path) -> list[FetchedPage]:
    captured = datetime(2024, 1, 1, tzinfo=UTC)
    cases = root / "cases.jsonl"
    if cases.exists():
        entries = [json.loads(line) for line in cases.read_text(encoding="utf-8").splitlines() if line.strip()]
        items = [(root / entry["html"], entry.get("url", ""), entry.get("charset")) for entry in entries]
    else:
        items = [
            (path, f"https://bench.invalid/{path.parent.name}/{path.name}", None)
            for path in sorted(root.rglob("*.html"))
        ]
    pages = []
    for path, url, charset in items:
        content_type = "text/html" + (f"; charset={charset}" if charset else "")
        pages.append(
            FetchedPage(
                url=url, status=200, headers={"content-type": content_type}, body=path.read_bytes(), fetched_at=captured
            )
        )
    return pages


def timed(function, pages: list[FetchedPage], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        for page in pages:
            function(page)
    return time.perf_counter() - start


def parsed_pages(parser: argparse.ArgumentParser) -> tuple[argparse.Namespace, list[FetchedPage]]:
    """The command line's arguments, and the pages its PAGES_DIR_OR_CORPUS names."""
    parser.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    args = parser.parse_args()
    pages = load_pages(args.pages)
    if not pages:
        raise SystemExit(f"no pages under {args.pages}")
    return args, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args, pages = parsed_pages(parser)

    def ours(page: FetchedPage) -> None:
        extract_article([page], site="bench", force=True)

    def trafilatura_alone(page: FetchedPage) -> None:
        trafilatura.extract(page.body, url=page.url)

    # Warm-up over every page: one-time costs (dictionaries, compiled patterns, justext's
    # stop lists on the first page that needs them) must not land on either side.
    timed(ours, pages, 1)
    timed(trafilatura_alone, pages, 1)
    ours_seconds = timed(ours, pages, args.repeat)
    baseline_seconds = timed(trafilatura_alone, pages, args.repeat)
    count = len(pages) * args.repeat
    print(f"pages: {len(pages)} x {args.repeat}")
    print(f"archive.extract:   {count / ours_seconds:8.1f} pages/s  ({1000 * ours_seconds / count:6.1f} ms/page)")
    print(
        f"trafilatura alone: {count / baseline_seconds:8.1f} pages/s  ({1000 * baseline_seconds / count:6.1f} ms/page)"
    )
    print(f"time ratio (ours / trafilatura): {ours_seconds / baseline_seconds:.2f}")


if __name__ == "__main__":
    main()
