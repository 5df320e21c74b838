"""A check that declared an event and was killed before the event reached `changes/`:
the next run writes it, once. The article's page status moved on with the check, so
without the event kept beside it the edit would never be declared again."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from archive.changes.dataset import read_events
from archive.datadir import DataDir
from archive.state.rechecks import RecheckStore
from archive.state.store import CrawlState
from tests.changes.site import PARAGRAPHS, ChangingSite, stalled
from tests.changes.test_rechecks import EDITED_PARAGRAPH, archive, events
from tests.conftest import ARCHIVE
from tests.reliability.conftest import ENV, ROOT


def kill_once(process: subprocess.Popen, log: Path, ready: Callable[[], bool], settle: float = 0.0) -> None:
    """SIGKILL the process group of `process` `settle` seconds after `ready()` (within two
    minutes), failing if the process ends before."""
    deadline = time.monotonic() + 120
    while not ready():
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.05)
    time.sleep(settle)
    os.killpg(process.pid, signal.SIGKILL)
    assert process.wait(60) == -signal.SIGKILL


def test_an_edit_declared_by_a_killed_sweep_is_written_by_the_next_run(tmp_path: Path):
    out, sites, log = tmp_path / "data", tmp_path / "sites", tmp_path / "sweep.log"
    released = threading.Event()
    with ChangingSite(count=6) as site:
        site.config(sites)
        common = ["county", "--sites", str(sites), "--out", str(out)]
        archive("crawl", *common)
        site.edit(2, paragraphs=(PARAGRAPHS[0], EDITED_PARAGRAPH, *PARAGRAPHS[2:]))
        site.answer(5, stalled(released))  # the sweep goes on after the edit was declared
        with open(log, "w") as stream:
            sweep = subprocess.Popen([ARCHIVE, "crawl", *common, "--recheck"], stdout=stream,
                                     stderr=subprocess.STDOUT, env=ENV, cwd=ROOT, start_new_session=True)
        try:
            kill_once(sweep, log, lambda: f"edited: {site.url(2)}" in log.read_text())
        finally:
            released.set()
        assert events(out) == []  # the edit was held in memory when the sweep died
        site.answer(5, None)
        stdout = archive("crawl", *common, "--recheck")
        found = events(out)
        assert [(e["url"], e["kind"]) for e in found] == [(site.url(2), "edited")], stdout
        assert found[0]["fields"] == ["text"]
        archive("crawl", *common, "--recheck")  # and never again
        assert len(events(out)) == 1
        # a run killed after writing its events and before saying so leaves them pending
        state = CrawlState(DataDir(out).state_file)
        written = read_events(out)
        RecheckStore(state).scheduled(RecheckStore(state).watch(site.url(2)), [], timedelta(days=1), written)
        state.close()
        archive("crawl", *common, "--recheck")
        assert len(events(out)) == 1
