"""Pages/s of a crawl shared through Redis by 1 and by 2 workers, against a crawl of one machine.

    python bench/workers.py [--articles 3000] [--hosts 20]

The same generated sites (bench/site_server.py: many loopback hosts, delay 0) are crawled
three times into fresh directories: by `archive crawl --all` alone (the baseline, no
Redis), by one `--redis` worker, and by two `--redis` workers started together, each
with a redis-server of its own on loopback (emptied between runs). Printed side by side:
pages/s, and CPU per page of the crawl's processes (crawlers and their extraction
workers), of redis-server and of the site server.

On a machine of C cores every worker starts C extraction processes; extraction is most
of the CPU a page costs, so once one worker keeps the cores busy a second one can only
share them: pages/s then stays where it was, and the CPU per page says what the
coordination costs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crawl_speed import html_pages, rows
from measure import CLOCK_TICKS, run
from pages import CORPUS, generated_sites
from site_server import SiteServer

ARCHIVE = str(Path(sys.executable).with_name("archive"))
TIMEOUT = 3600.0


def _cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def start_redis(directory: Path) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = directory / "redis.conf"
    config.write_text(f'bind 127.0.0.1\nport {port}\nsave ""\nappendonly no\ndir {directory}\n')
    server = subprocess.Popen([binary, str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("redis-server did not start")


def crawl(root: Path, configs: Path, workers: int, redis_url: str | None) -> tuple[float, float, int, int]:
    """(seconds, CPU seconds of the crawl's processes, HTML pages, rows)."""
    out = root / "data"
    base = f"{ARCHIVE} crawl --all --sites {configs} --out {out}"
    if redis_url is None:
        command = base
    else:
        command = " & ".join(f"{base} --redis {redis_url} --worker-id bench{n}" for n in range(workers)) + " & wait"
    result = run(["sh", "-c", command], TIMEOUT)
    if result.returncode != 0 or not (out / "warc").is_dir():
        raise SystemExit(f"crawl with {workers} workers failed:\n{result.stderr[-3000:]}")
    return result.seconds, result.cpu_main + result.cpu_children, html_pages(out / "warc"), rows(out / "articles")


RUNS = (("one machine, no Redis", 1, False), ("1 worker, Redis", 1, True), ("2 workers, Redis", 2, True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000, help="article pages over all sites")
    parser.add_argument("--hosts", type=int, default=20, help="sites, each on a loopback address of its own")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the three crawls, each in another order")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"{cores} cores; {args.articles} articles on {args.hosts} hosts; load average before: "
          f"{os.getloadavg()[0]:.2f} (figures of one run compare; two runs on a shared machine do not)")
    sites = generated_sites(args.articles, args.hosts)
    figures: dict[str, list[tuple[float, int, float, float]]] = {name: [] for name, _, _ in RUNS}
    print(f"\n{'run':<24}{'round':>6}{'pages':>7}{'rows':>7}{'seconds':>9}{'pages/s':>9}{'crawl CPU/page':>16}"
          f"{'Redis CPU/page':>16}")
    with tempfile.TemporaryDirectory() as tmp, SiteServer(sites, CORPUS) as server:
        configs = Path(tmp) / "sites"
        configs.mkdir()
        for site in sites:
            (configs / f"{site.id}.toml").write_text(site.config(server.port), encoding="utf-8")
        for round_ in range(args.rounds):
            # each round in another order: the machine's drift does not favour one kind of run
            for name, workers, shared in RUNS[round_ % 3:] + RUNS[:round_ % 3]:
                root = Path(tmp) / f"{round_}-{workers}-{shared}"
                root.mkdir()
                redis_process, redis_url = start_redis(root) if shared else (None, None)
                try:
                    seconds, cpu, pages, records = crawl(root, configs, workers, redis_url)
                    redis_cpu = _cpu_seconds(redis_process.pid) if redis_process else 0.0
                finally:
                    if redis_process is not None:
                        redis_process.terminate()
                        redis_process.wait(10)
                shutil.rmtree(root)
                figures[name].append((seconds, pages, cpu, redis_cpu))
                print(f"{name:<24}{round_ + 1:>6}{pages:>7}{records:>7}{seconds:>9.1f}{pages / seconds:>9.1f}"
                      f"{1000 * cpu / pages:>13.1f} ms{1000 * redis_cpu / pages:>13.2f} ms")
    print(f"\n{'best of the rounds':<24}{'pages/s':>9}{'vs baseline':>13}{'CPU/page':>11}{'cores / CPU per page':>22}")
    best = {name: max(pages / seconds for seconds, pages, _, _ in runs) for name, runs in figures.items()}
    baseline = best[RUNS[0][0]]
    for name, runs in figures.items():
        cpu_page = min((cpu + redis_cpu) / pages for _, pages, cpu, redis_cpu in runs)
        print(f"{name:<24}{best[name]:>9.1f}{best[name] / baseline:>12.2f}x{1000 * cpu_page:>8.1f} ms"
              f"{cores / cpu_page:>17.1f} pages/s")
    print(f"site server: {server.report.get('requests', 0)} requests, {server.report.get('cpu_seconds', 0):.1f} s CPU "
          f"over all crawls; load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
