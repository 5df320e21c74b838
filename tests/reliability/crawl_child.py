"""Run one crawl in this (child) process and write every site's crawl stats as JSON.

    python -m tests.reliability.crawl_child SPEC.json

SPEC: {"sites": DIR, "ids": [...] | null, "start_url": URL | null, "out": DIR,
       "overrides": {...}, "stats": FILE, "fsize_limit": BYTES | null,
       "freeze_before_parquet_rename": bool}
The product's own entry point (crawler.run.crawl_sites) runs the crawl; the child only
adds a way to read the stats back, for the disk-full tests a file-size limit, and for
the kill tests a stop (SIGSTOP to itself) once a Parquet file is written but not yet
renamed into place, so the kill lands inside that window on any machine.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
from pathlib import Path

import crawler.run
from archive.sites import adhoc_site, load_sites


def main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    if spec.get("fsize_limit"):
        # A write past the limit fails with EFBIG instead of killing the process, as a
        # full disk fails with ENOSPC.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (spec["fsize_limit"], spec["fsize_limit"]))
    if spec.get("freeze_before_parquet_rename"):
        rename = os.replace

        def freezing_rename(source, target):
            if str(source).endswith(".parquet.tmp"):
                os.kill(os.getpid(), signal.SIGSTOP)
            rename(source, target)

        os.replace = freezing_rename
    if spec.get("start_url"):
        sites = [adhoc_site(spec["start_url"])]
    else:
        sites, errors = load_sites(Path(spec["sites"]))
        assert not errors, errors
        if spec.get("ids"):
            sites = [s for s in sites if s.id in spec["ids"]]
    stats: dict[str, dict] = {}
    outcome = crawler.run._outcome

    def keep_stats(site, crawler_):
        stats[site.id] = {k: (v if isinstance(v, int | float | str) else str(v))
                          for k, v in crawler_.stats.get_stats().items()}
        return outcome(site, crawler_)

    crawler.run._outcome = keep_stats
    crawler.run.crawl_sites(sites, Path(spec["out"]), spec.get("overrides") or {})
    Path(spec["stats"]).write_text(json.dumps(stats, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
