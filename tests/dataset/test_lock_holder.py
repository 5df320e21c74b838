"""A site held by one command: the command refused says which one holds it."""

import os
import signal
import subprocess

from tests.conftest import ARCHIVE, run_archive
from tests.reliability.hostile import wait_for


def test_a_crawl_refused_during_a_reextraction_says_a_reextraction_holds_the_site(demo_copy):
    data, sites = demo_copy
    lock = data / "locks" / "gov.lock"
    rebuild = subprocess.Popen([ARCHIVE, "reextract", "--data", str(data), "--sites", str(sites), "--site", "gov"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        held = wait_for(lambda: lock.exists() and "re-extraction" in lock.read_text("utf-8", "replace"), 60, 0.002)
        os.killpg(rebuild.pid, signal.SIGSTOP)  # keep it holding the lock while the crawl tries
        assert held, f"the lock file does not name its holder: {lock.read_text() if lock.exists() else None!r}"
        crawl = run_archive("crawl", "gov", "--sites", str(sites), "--out", str(data))
    finally:
        os.killpg(rebuild.pid, signal.SIGCONT)
    _, rebuild_errors = rebuild.communicate(timeout=120)
    assert rebuild.returncode == 0, rebuild_errors[-2000:]
    assert crawl.returncode == 1
    assert crawl.stderr.splitlines()[-1] == (
        f"Error: site gov: a re-extraction is running (pid {rebuild.pid}: archive reextract --data {data} "
        f"--sites {sites} --site gov); lock {lock}")
