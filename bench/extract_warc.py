"""Pages per second of `archive extract` over a WARC of many real pages, 1 core and all cores.

    python bench/extract_warc.py [--pages 1500] [--corpus ../shared/corpus]

A WARC file of PAGES article and list pages is written first (the corpus pages and the
demo articles over and over at new addresses, plus generated list pages, as the crawler
records them). Then, in this one run: `archive extract --workers 1`, `archive extract`
with one worker per core, and trafilatura alone (`trafilatura.extract` with its
defaults, one core, in this process) on the same pages.

Targets: all cores >= 1.8x one core (on 2 cores); one core >= 0.75x trafilatura alone.
Also printed, as the baseline of the first: trafilatura alone in one process per core
(each on a share of the pages) against one process, which is what the machine itself
gives for the same kind of work.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import trafilatura
from measure import run
from pages import CORPUS, PER_LIST, article_bodies, list_page

from archive.warc import HttpExchange, WarcFileWriter

ARCHIVE = str(Path(sys.executable).with_name("archive"))
TIMEOUT = 3600.0


def write_warc(directory: Path, count: int, corpus: Path) -> list[tuple[str, bytes]]:
    """A WARC of `count` HTML pages (one list page per PER_LIST articles); returns (url, body) of each."""
    bodies = article_bodies(corpus)
    writer = WarcFileWriter(directory, "bench")
    written = []
    moment = datetime(2026, 10, 19, tzinfo=UTC)
    for n in range(count):
        if n % (PER_LIST + 1) == 0:
            number = n // (PER_LIST + 1) + 1
            url = f"http://127.0.0.10/list/{number}.html"
            data = list_page("bench", number, count // PER_LIST + 1, range(n + 1, n + PER_LIST + 1))
            content_type = "text/html; charset=utf-8"
        else:
            body = bodies[n % len(bodies)]
            url, data, content_type = f"http://127.0.0.10/a/{n}.html", body.data, body.content_type
        writer.write(HttpExchange(
            url=url, method="GET", request_target=url.split("127.0.0.10", 1)[1],
            request_headers=[("Host", "127.0.0.10")], request_body=b"", status=200, protocol="HTTP/1.1",
            response_headers=[("Content-Type", content_type), ("Content-Length", str(len(data)))],
            response_body=data, ip_address="127.0.0.10"), moment)
        written.append((url, data))
    writer.close()
    return written


def extract(warc_dir: Path, out: Path, workers: int, pages: int) -> float:
    load = os.getloadavg()[0]
    result = run([ARCHIVE, "extract", str(warc_dir), "--out", str(out), "--workers", str(workers)], TIMEOUT)
    if result.returncode != 0:
        raise SystemExit(f"archive extract failed:\n{result.stderr[-3000:]}")
    # Other jobs on the machine skew wall time far more than CPU time: the load average
    # around the run says how far to trust the first. CPU main is the work no worker
    # takes off the command (start, indexing, collecting, writing Parquet).
    print(f"    {workers} worker(s): CPU main {result.cpu_main:5.2f} s, workers {result.cpu_children:6.1f} s "
          f"({1000 * result.cpu_children / pages:5.1f} ms/page); load average before {load:.2f}, "
          f"after {os.getloadavg()[0]:.2f}")
    return result.seconds


def trafilatura_alone(pages: list[tuple[str, bytes]]) -> float:
    # The same imports and warm-up the extract command pays for, outside the timing.
    for url, data in pages[:50]:
        trafilatura.extract(data, url=url)
    start = time.perf_counter()
    for url, data in pages:
        trafilatura.extract(data, url=url)
    return time.perf_counter() - start


def _trafilatura_share(pages: list[tuple[str, bytes]], start_together, times) -> None:
    for url, data in pages[:20]:
        trafilatura.extract(data, url=url)
    start_together.wait()
    start = time.perf_counter()
    for url, data in pages:
        trafilatura.extract(data, url=url)
    times.put((start, time.perf_counter()))


def trafilatura_on_cores(pages: list[tuple[str, bytes]], cores: int) -> float:
    """Seconds for `cores` processes, started together, to run trafilatura over a share
    of the pages each: how this machine scales the same work with no code of ours."""
    context = multiprocessing.get_context("fork")
    start_together, times = context.Barrier(cores), context.Queue()
    processes = [context.Process(target=_trafilatura_share, args=(pages[i::cores], start_together, times))
                 for i in range(cores)]
    for process in processes:
        process.start()
    spans = [times.get() for _ in processes]
    for process in processes:
        process.join()
    return max(end for _, end in spans) - min(start for start, _ in spans)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1500)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pages = write_warc(root / "warc", args.pages, args.corpus)
        megabytes = sum(len(d) for _, d in pages) / 1e6
        print(f"WARC: {len(pages)} HTML pages, {megabytes:.1f} MB of HTML; {cores} cores")
        one = extract(root / "warc", root / "one", 1, len(pages))
        many = extract(root / "warc", root / "many", cores, len(pages))
        alone = trafilatura_alone(pages)
        alone_many = trafilatura_on_cores(pages, cores) if cores > 1 else alone
    count = len(pages)
    speed_one, speed_many, speed_alone = count / one, count / many, count / alone
    scaling, versus = speed_many / speed_one, speed_one / speed_alone
    print(f"archive extract, 1 worker:     {speed_one:7.1f} pages/s  ({one:6.1f} s, whole command)")
    print(f"archive extract, {cores} workers:    {speed_many:7.1f} pages/s  ({many:6.1f} s, whole command)")
    print(f"trafilatura alone, 1 core:     {speed_alone:7.1f} pages/s  ({alone:6.1f} s, extraction only)")
    scaling_ok, versus_ok = scaling >= 1.8 or cores < 2, versus >= 0.75
    print(f"{cores} workers / 1 worker:         {scaling:5.2f}x  (target >= 1.80x on 2 cores)  "
          f"{'met' if scaling_ok else 'NOT MET'}")
    print(f"1 worker / trafilatura alone:  {versus:5.2f}x  (target >= 0.75x)  {'met' if versus_ok else 'NOT MET'}")
    machine = alone / alone_many
    print(f"baseline: trafilatura alone in {cores} processes / in 1: {machine:5.2f}x  (how this machine scales the "
          f"same work; ours reaches {scaling / machine:4.0%} of it)")
    return 0 if scaling_ok and versus_ok else 1


if __name__ == "__main__":
    sys.exit(main())
