import gzip
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from archive.state.locks import SiteBusy, SiteLock
from archive.state.recovery import recover_data_dir
from archive.warc.names import open_name
from archive.warc.reader import scan_responses
from archive.warc.repair import repair_warc
from archive.warc.writer import HttpExchange, WarcFileWriter


def unfinished_warc(directory, records=3):
    writer = WarcFileWriter(directory, "campus")
    for i in range(records):
        body = random.Random(i).randbytes(3000)  # incompressible: every record spans real gzip data
        writer.write(HttpExchange(f"http://127.0.0.1/{i}", "GET", f"/{i}", [("Host", "127.0.0.1")], b"", 200,
                                  "HTTP/1.1", [("Content-Type", "application/octet-stream")], body))
    # What a killed run leaves: the file under its .open name, never renamed.
    writer._fh.close()
    writer._fh = None
    return open_name(writer.files[0])


# The last record is the ~350-byte request record of /2; its response is ~3 kB before it.
@pytest.mark.parametrize(("cut", "kept"), [(1, 3), (9, 3), (500, 2), (2000, 2)])
def test_torn_last_record_is_cut_away(tmp_path, cut, kept):
    path = unfinished_warc(tmp_path)
    whole = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.truncate(whole - cut)
    final, dropped = repair_warc(path)
    assert not path.exists() and final.name.endswith(".warc.gz")
    assert dropped > 0
    gzip.decompress(final.read_bytes())
    urls = [e.url for e in scan_responses(final)]
    assert urls == [f"http://127.0.0.1/{i}" for i in range(kept)]


def test_whole_unfinished_file_is_kept_whole(tmp_path):
    path = unfinished_warc(tmp_path)
    final, dropped = repair_warc(path)
    assert dropped == 0
    assert len(list(scan_responses(final))) == 3


def test_recovery_only_touches_the_sites_it_was_given(tmp_path):
    path = unfinished_warc(tmp_path / "warc")
    recover_data_dir(tmp_path, ["gov"])
    assert path.exists()
    recover_data_dir(tmp_path, ["campus"])
    assert not path.exists()


def test_second_lock_is_refused_with_the_holder_pid(tmp_path):
    first = SiteLock(tmp_path, "campus").acquire()
    with pytest.raises(SiteBusy, match=rf"site campus: another crawl is running \(pid {os.getpid()}: "):
        SiteLock(tmp_path, "campus").acquire()
    first.release()
    SiteLock(tmp_path, "campus").acquire().release()


def test_lock_of_a_killed_holder_is_taken_over(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from archive.state.locks import SiteLock; from pathlib import Path;"
         f"SiteLock(Path({str(tmp_path)!r}), 'campus').acquire(); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(SiteBusy):
        SiteLock(tmp_path, "campus").acquire()
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    holder.stdout.close()
    deadline = time.monotonic() + 5
    while True:
        try:
            SiteLock(tmp_path, "campus").acquire().release()
            break
        except SiteBusy:
            assert time.monotonic() < deadline
            time.sleep(0.05)
