"""Cost per link of matching a site's `follow` and `article` patterns: the linear-time
matcher (archive.url_patterns, RE2) next to Python's `re`, which the spider used before.

Usage: python bench/url_patterns.py [--rounds N]

The links are every href of the demo sites' pages, made absolute, each matched against
its own site's patterns as the spider does (article patterns, then follow patterns); the
same links and patterns on both sides, several rounds, the best of each. Then one link
of n a's and a '!' against `(a+)+$`: the case that stalled a crawl.
"""

from __future__ import annotations

import argparse
import re
import time
import tomllib
from pathlib import Path
from urllib.parse import urljoin

from lxml import html

from archive.url_patterns import UrlPatterns

DEMO = Path(__file__).resolve().parent.parent / "src" / "archive" / "demo" / "sites"


def demo_links() -> list[tuple[dict, list[str]]]:
    """(site config, the absolute links of its pages) per demo site."""
    found = []
    for folder in sorted(p for p in DEMO.iterdir() if (p / "site.toml").is_file()):
        config = tomllib.loads((folder / "site.toml").read_text(encoding="utf-8"))
        base = "http://127.0.0.1:8000/"
        links = []
        for page in sorted((folder / "www").rglob("*.htm*")):
            here = urljoin(base, str(page.relative_to(folder / "www")))
            tree = html.fromstring(page.read_bytes())
            links += [urljoin(here, href) for href in tree.xpath("//a/@href")]
        found.append((config, links))
    return found


def with_re(sites: list[tuple[dict, list[str]]]) -> int:
    matched = 0
    for config, links in sites:
        article = [re.compile(p) for p in config.get("article", [])]
        follow = [re.compile(p) for p in config.get("follow", [])]
        for url in links:
            matched += any(p.search(url) for p in article) or any(p.search(url) for p in follow)
    return matched


def with_re2(sites: list[tuple[dict, list[str]]]) -> int:
    matched = 0
    for config, links in sites:
        article, follow = UrlPatterns(config.get("article", [])), UrlPatterns(config.get("follow", []))
        for url in links:
            matched += article.search(url) or follow.search(url)
    return matched


def best_of(rounds: int, work, sites) -> tuple[float, int]:
    times, result = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        result = work(sites)
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sites = demo_links()
    # enough links to time: the demo's links, repeated
    sites = [(config, links * max(1, 20_000 // max(len(links), 1))) for config, links in sites]
    count = sum(len(links) for _, links in sites)
    base, base_matched = best_of(args.rounds, with_re, sites)
    ours, ours_matched = best_of(args.rounds, with_re2, sites)
    assert base_matched == ours_matched, (base_matched, ours_matched)
    print(f"{count} links of {len(sites)} demo sites, {ours_matched} matched by both")
    print(f"  re (baseline)   {base / count * 1e9:8.0f} ns/link")
    print(f"  RE2 (ours)      {ours / count * 1e9:8.0f} ns/link   ratio {ours / base:.2f}  (target: at most 1.5)")
    print("a link of n a's and a '!' against (a+)+$ (re doubles per a: n=60 would take thousands of years):")
    catastrophic = re.compile("(a+)+$")
    linear = UrlPatterns(["(a+)+$"])
    for n in (18, 20, 22):
        url = "http://127.0.0.1/" + "a" * n + "!"
        started = time.perf_counter()
        catastrophic.search(url)
        slow = time.perf_counter() - started
        started = time.perf_counter()
        linear.search(url)
        fast = time.perf_counter() - started
        print(f"  n={n:<5} re {slow * 1e3:9.1f} ms   RE2 {fast * 1e3:7.3f} ms")
    url = "http://127.0.0.1/" + "a" * 100_000 + "!"
    started = time.perf_counter()
    linear.search(url)
    print(f"  n=100000 RE2 {(time.perf_counter() - started) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
