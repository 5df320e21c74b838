"""No file stalls or exhausts the process reading it: each is read in a child bounded in
time and memory, and what went wrong comes back as the file's status."""

import os
import time
from pathlib import Path

import pytest

from archive.attachments.bounds import read_bounded
from archive.attachments.filetypes import detect_type
from archive.attachments.reading import ReadLimits
from archive.demo.documents import pdf_document, zip_archive
from tests.attachments.hostile import BOMB_MB, form_bomb, zip_bomb


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {"honest": zip_bomb(), "lying": zip_bomb(lying=True),
            "docx": zip_bomb("word/document.xml", member_dirs=("word/",)), "pdf": form_bomb()}


def timed(body: bytes, file_type: str, limits: ReadLimits):
    started = time.monotonic()
    found = read_bounded(body, file_type, limits)
    return found, time.monotonic() - started


def test_a_zip_bomb_is_refused_before_it_inflates(bombs):
    found, seconds = timed(bombs["honest"], "zip", ReadLimits())
    assert found.status == "too_large" and seconds < 5
    assert found.reason == f"its members would inflate to {BOMB_MB << 20:,} bytes (bound: {256 << 20:,})"
    found, _ = timed(bombs["docx"], "docx", ReadLimits())
    assert found.status == "too_large"


def test_a_zip_member_lying_about_its_size_is_not_inflated_past_it(bombs):
    found, seconds = timed(bombs["lying"], "zip", ReadLimits(memory_mb=256))
    assert found.status == "corrupt" and seconds < 5


def test_a_pdf_that_loops_is_stopped_at_the_time_bound(bombs):
    # memory enough that only the clock can stop it
    found, seconds = timed(bombs["pdf"], "pdf", ReadLimits(seconds=2, memory_mb=64 * 1024))
    assert (found.status, found.reason) == ("timed_out", "reading took longer than 2 s and was stopped")
    assert 2 <= seconds < 4


def test_a_pdf_that_asks_for_ever_more_memory_is_stopped_at_the_memory_bound(bombs):
    found, seconds = timed(bombs["pdf"], "pdf", ReadLimits(seconds=60, memory_mb=256))
    assert found.status == "too_large" and seconds < 30
    assert found.reason == "reading it needs more than 256 MB (the bound) and was stopped"


def own_children() -> set[str]:
    """Live and unreaped children alike (a zombie stays listed until it is waited for);
    other tests' servers may be among them, so only a difference tells."""
    tasks = Path("/proc/self/task")
    return {pid for task in tasks.iterdir() for pid in (task / "children").read_text().split()}


def test_the_reader_goes_on_unharmed(bombs):
    threads, children = set(os.listdir("/proc/self/task")), own_children()
    timed(bombs["pdf"], "pdf", ReadLimits(seconds=1))
    found = read_bounded(zip_archive({"a.pdf": pdf_document([["仍可读取"]])}), "zip")
    assert found.text == "【a.pdf】\n仍可读取"
    assert set(os.listdir("/proc/self/task")) == threads  # no thread left behind
    assert own_children() == children  # and no child left running or unreaped


def test_a_zip_of_countless_entries_is_not_listed_by_the_worker():
    """Telling a file's type runs in the worker, outside the bounds: a ZIP whose end
    record declares thousands of entries is not listed there (its reader, bounded, does)."""
    members = {f"{n}.txt": b"x" for n in range(6000)}
    package = zip_archive({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", **members})
    assert detect_type(package, names=["a.zip"]) == "zip"
    assert detect_type(package, names=["a.docx"]) == "docx"  # the name decides, unlisted
    small = zip_archive({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert detect_type(small, names=["a.zip"]) == "docx"  # a few entries are looked into
    found = read_bounded(package, "zip", ReadLimits(zip_members=10))
    assert found.status == "ok" and "members beyond the first 10 not read" in found.reason
