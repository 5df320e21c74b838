"""What checks of archived articles cost: a sweep against the first crawl, and the
changes derived by `archive reextract` against a rebuild without them.

The generated news site of bench/recrawl.py (LISTS list pages of PER_LIST articles) is
served on loopback and crawled once; then swept (`archive crawl news --recheck`) while
unchanged, and again after EDITED articles had a paragraph edited and GONE were deleted.
Last, the site's WARC files are re-extracted ROUNDS times each way, alternately: as
`archive reextract` does (changes included) and with the changes left out, in this
process, the same pool size.

    python bench/rechecks.py

Targets: an unchanged sweep sends one request per article and receives at most 5% of
the bytes of the first crawl; the sweep after the changes finds exactly the EDITED
edits (and the GONE removals pending); deriving the changes adds at most 1 ms per
article to a rebuild. (The generated pages extract in about 1.5 ms each, a twentieth of
a real page, so the share of a rebuild this bench shows is far above a real archive's.)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

from recrawl import LISTS, PARAGRAPH, PER_LIST, generate_site  # noqa: E402

from archive.demo import DemoServer  # noqa: E402

ARCHIVE = str(Path(sys.executable).with_name("archive"))
EDITED, GONE, ROUNDS = 10, 10, 3


def run(*args: str) -> float:
    started = time.monotonic()
    result = subprocess.run([ARCHIVE, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    return time.monotonic() - started


def received(out: Path, before: set[Path]) -> int:
    from warcio.archiveiterator import ArchiveIterator

    total = 0
    for path in sorted(set((out / "warc").glob("*.warc.gz")) - before):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit") and record.http_headers:
                    total += len(record.content_stream().read())
    return total


def crawl(server: DemoServer, args: list[str], out: Path) -> dict:
    hits, before = len(server.hits), set((out / "warc").glob("*.warc.gz")) if (out / "warc").exists() else set()
    seconds = run("crawl", "news", *args)
    return {"requests": len(server.hits) - hits, "bytes": received(out, before), "seconds": seconds}


def rebuild_seconds(out: Path, sites: Path, with_changes: bool) -> float:
    from archive.changes.derive import DerivedChanges
    from archive.jobs.rebuild import reextract
    from archive.sites import load_sites

    configs = {s.id: s for s in load_sites(sites)[0]}
    started = time.monotonic()
    if with_changes:
        reextract(out, ["news"], configs=configs, progress=False)
    else:
        with mock.patch("archive.jobs.rebuild.derive_changes", lambda *a, **k: DerivedChanges()):
            reextract(out, ["news"], configs=configs, progress=False)
    return time.monotonic() - started


def verdict_share(root: Path) -> float:
    """What judging a fetched page (archive.changes.verdict) costs against extracting it."""
    from datetime import UTC, datetime

    from archive.changes.verdict import page_verdict
    from archive.extract import extract_page
    from archive.records import FetchedPage

    pages = [FetchedPage(f"http://127.0.0.1/a/{p.name}", 200, {"content-type": "text/html"}, p.read_bytes(),
                         datetime.now(UTC)) for p in sorted((root / "news" / "www" / "a").glob("*.html"))]
    started = time.perf_counter()
    records = [extract_page(page, site="news", force=True).record for page in pages]
    extracting = time.perf_counter() - started
    started = time.perf_counter()
    for page, record in zip(pages, records, strict=True):
        page_verdict(page, record)
    return (time.perf_counter() - started) / extracting


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = generate_site(Path(tmp) / "site")
        judging = verdict_share(root)
        out, sites = Path(tmp) / "data", Path(tmp) / "sites"
        articles = LISTS * PER_LIST
        with DemoServer(root=root) as server:
            server.write_site_configs(sites)
            common = ["--sites", str(sites), "--out", str(out)]
            first = crawl(server, common, out)
            unchanged = crawl(server, [*common, "--recheck"], out)
            www = root / "news" / "www" / "a"
            for n in range(1, EDITED + 1):
                page = www / f"{n}.html"
                page.write_text(page.read_text(encoding="utf-8").replace(PARAGRAPH, PARAGRAPH + "（有改动）", 1),
                                encoding="utf-8")
            for n in range(EDITED + 1, EDITED + GONE + 1):
                (www / f"{n}.html").unlink()
            changed = crawl(server, [*common, "--recheck"], out)
        listed = subprocess.run([ARCHIVE, "changes", "--data", str(out), "--format", "jsonl"], capture_output=True,
                                text=True).stdout.splitlines()
        edits = sum('"kind": "edited"' in line for line in listed)
        copy = Path(tmp) / "copy"
        shutil.copytree(out, copy)
        timings = {True: [], False: []}
        for _ in range(ROUNDS):
            for with_changes in (False, True):
                timings[with_changes].append(rebuild_seconds(copy, sites, with_changes))
    request_share = unchanged["requests"] / articles
    byte_share = unchanged["bytes"] / first["bytes"]
    without, with_ = min(timings[False]), min(timings[True])
    print(f"generated news site: {articles} articles on {LISTS} list pages")
    print(f"  first crawl:       {first['requests']:5d} requests {first['bytes']:10,d} bytes {first['seconds']:6.1f} s")
    print(f"  unchanged sweep:   {unchanged['requests']:5d} requests {unchanged['bytes']:10,d} bytes "
          f"{unchanged['seconds']:6.1f} s   requests per article {request_share:.2f} (target 1.00), "
          f"bytes {byte_share:.3f} of the first crawl (target <= 0.05)")
    print(f"  sweep, {EDITED} edited and {GONE} deleted: {changed['requests']:5d} requests {changed['seconds']:6.1f} s"
          f"   edits found {edits} (target {EDITED})")
    print(f"  judging a page (challenge, 'not found' template): {judging:.4f} of extracting it")
    added = (with_ - without) / articles * 1000
    print(f"  reextract, best of {ROUNDS}: {without:.2f} s without changes, {with_:.2f} s with them: "
          f"ratio {with_ / without:.2f}, {added:.2f} ms more per article (target <= 1 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
