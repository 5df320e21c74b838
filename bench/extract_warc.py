"""Pages per second of `archive extract` over a WARC of many real pages, 1 core and all cores.

    python bench/extract_warc.py [--pages 1500] [--rounds 3] [--corpus ../shared/corpus]

A WARC file of PAGES article and list pages is written first (the corpus pages and the
demo articles over and over at new addresses, plus generated list pages, as the crawler
records them). Then ROUNDS rounds, each of: `archive extract` held to one core (the
command and its worker share CPU 0), `archive extract` with one worker per core and
every core, trafilatura alone (`trafilatura.extract` with its defaults, in this
process) on the same pages, and trafilatura alone in one process per core.

This machine's speed drifts by tens of percent from minute to minute (other machines
share its cores), so each ratio is taken between the runs of one round, minutes apart,
and the median round's ratio is the figure.

Targets: all cores >= 1.8x one core (on 2 cores); one core >= 0.75x trafilatura alone;
`archive extract` on all cores >= 1.35x trafilatura alone in one process (on 2 cores), the
figure that says whether a second body engine is affordable on this kind of machine.
Also printed, as the baseline of the first: trafilatura alone in one process per core
(each on a share of the pages) against one process, which is what the machine itself
gives for the same kind of work.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import trafilatura
from measure import run
from pages import CORPUS, PER_LIST, article_bodies, list_page

from archive.warc.writer import HttpExchange, WarcFileWriter

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


def extract(warc_dir: Path, out: Path, cores: int, pages: int) -> float:
    """Seconds of `archive extract` with one worker per core, held to the first `cores` CPUs."""
    shutil.rmtree(out, ignore_errors=True)
    load = os.getloadavg()[0]
    result = run([ARCHIVE, "extract", str(warc_dir), "--out", str(out), "--workers", str(cores)], TIMEOUT,
                 cpus=set(sorted(os.sched_getaffinity(0))[:cores]))
    if result.returncode != 0:
        raise SystemExit(f"archive extract failed:\n{result.stderr[-3000:]}")
    # CPU main is the work no worker takes off the command (start, indexing, collecting,
    # writing Parquet); held to one core, the command's own process shares it with the worker.
    print(f"    archive extract, {cores} core(s): {result.seconds:6.1f} s; CPU main {result.cpu_main:5.2f} s, "
          f"workers {result.cpu_children:6.1f} s ({1000 * result.cpu_children / pages:5.1f} ms/page); "
          f"load average before {load:.2f}, after {os.getloadavg()[0]:.2f}; sampling {result.sampling_cpu:.2f} s")
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


def _listed(ratios: list[float]) -> str:
    return " ".join(f"{r:.2f}" for r in ratios)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    runs: dict[str, list[float]] = {"one": [], "many": [], "alone": [], "alone_many": []}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pages = write_warc(root / "warc", args.pages, args.corpus)
        megabytes = sum(len(d) for _, d in pages) / 1e6
        print(f"WARC: {len(pages)} HTML pages, {megabytes:.1f} MB of HTML; {cores} cores")
        for number in range(1, args.rounds + 1):
            print(f"round {number}:")
            runs["one"].append(extract(root / "warc", root / "out", 1, len(pages)))
            runs["many"].append(extract(root / "warc", root / "out", cores, len(pages)))
            runs["alone"].append(trafilatura_alone(pages))
            runs["alone_many"].append(trafilatura_on_cores(pages, cores) if cores > 1 else runs["alone"][-1])
            print(f"    trafilatura alone, 1 process: {runs['alone'][-1]:6.1f} s; "
                  f"{cores} processes: {runs['alone_many'][-1]:6.1f} s")
    # Each round's runs follow each other within minutes: ratios are taken within a round
    # and the median round is the figure (speed drifts between rounds more than within).
    count = len(pages)
    scalings = [o / m for o, m in zip(runs["one"], runs["many"], strict=True)]
    versuses = [a / o for a, o in zip(runs["alone"], runs["one"], strict=True)]
    overalls = [a / m for a, m in zip(runs["alone"], runs["many"], strict=True)]
    machines = [a / m for a, m in zip(runs["alone"], runs["alone_many"], strict=True)]
    scaling, versus, machine, overall = (statistics.median(r) for r in (scalings, versuses, machines, overalls))
    one, many, alone = (statistics.median(runs[key]) for key in ("one", "many", "alone"))
    print(f"median of {args.rounds} rounds:")
    print(f"archive extract, 1 core:       {count / one:7.1f} pages/s  ({one:6.1f} s, whole command)")
    print(f"archive extract, {cores} cores:      {count / many:7.1f} pages/s  ({many:6.1f} s, whole command)")
    print(f"trafilatura alone, 1 core:     {count / alone:7.1f} pages/s  ({alone:6.1f} s, extraction only)")
    scaling_ok, versus_ok, overall_ok = scaling >= 1.8 or cores < 2, versus >= 0.75, overall >= 1.35 or cores < 2
    print(f"{cores} cores / 1 core:             {scaling:5.2f}x  (target >= 1.80x on 2 cores)  "
          f"{'met' if scaling_ok else 'NOT MET'}   rounds: {_listed(scalings)}")
    print(f"1 core / trafilatura alone:    {versus:5.2f}x  (target >= 0.75x)  {'met' if versus_ok else 'NOT MET'}   "
          f"rounds: {_listed(versuses)}")
    print(f"{cores} cores / trafilatura alone:   {overall:5.2f}x  (target >= 1.35x on 2 cores)  "
          f"{'met' if overall_ok else 'NOT MET'}   rounds: {_listed(overalls)}")
    print(f"baseline: trafilatura alone in {cores} processes / in 1: {machine:5.2f}x  (how this machine scales the "
          f"same work; ours reaches {scaling / machine:4.0%} of it)   rounds: {_listed(machines)}")
    return 0 if scaling_ok and versus_ok and overall_ok else 1


if __name__ == "__main__":
    sys.exit(main())
