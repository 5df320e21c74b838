"""Attachments in a crawl shared through Redis: the ledger answers as the SQLite one does,
hands over only the rows of processes gone, and a worker's crawl reads, archives once and
never fetches again, as one machine does."""

from __future__ import annotations

from datetime import UTC, date, datetime

from archive.dataset.files import open_dataset
from archive.demo import DemoServer
from archive.records import AttachmentCapture, WarcPointer
from archive.state import cluster
from archive.state.attachments import Outcome, attachment_ledger
from archive.state.shared import RedisCrawlState
from tests.conftest import run_archive
from tests.e2e.test_attachments_crawl import build_site

POINTER = WarcPointer("/data/warc/news-1.warc.gz", 1234, "<urn:uuid:1>")
CAPTURE = AttachmentCapture("news", "http://a/n/1.html", "http://a/f/1.pdf", "办法.pdf", POINTER, date(2026, 10, 19),
                            datetime(2026, 10, 19, 1, 2, 3, tzinfo=UTC))


def test_both_ledgers_answer_alike(stores):
    state = stores()
    ledger = attachment_ledger(state)
    ledger.submitted(CAPTURE)
    assert ledger.outcomes([CAPTURE.url, "http://a/f/2.pdf"]) == {CAPTURE.url: Outcome(None, None)}
    ledger.read(CAPTURE.url, "ab" * 20, "ok")
    assert ledger.outcomes([CAPTURE.url]) == {CAPTURE.url: Outcome("ab" * 20, "ok")}
    # a process killed before the row was on disk leaves it to the next one
    assert attachment_ledger(stores()).pending("news") == [CAPTURE]
    ledger.written([CAPTURE.url])
    assert attachment_ledger(stores()).pending("news") == []
    other = AttachmentCapture("news", CAPTURE.article_url, "http://a/dl?id=9", "登录", POINTER)
    ledger.submitted(other)
    ledger.not_a_file(other.url)
    assert attachment_ledger(stores()).pending("news") == []
    assert ledger.outcomes([other.url]) == {other.url: Outcome(None, None)}
    # the same bytes at another address: the capture of the first
    state.record_capture(CAPTURE.url, "news", 200, etag=None, last_modified=None, payload_digest="sha1:ABC",
                         pointer=POINTER, warc_date="2026-10-19T01:02:03Z")
    ledger.file_archived("news", "sha1:ABC", CAPTURE.url)
    found = ledger.same_file("news", "sha1:ABC")
    assert (found.url, found.pointer, found.status) == (CAPTURE.url, POINTER, 200)
    assert ledger.same_file("news", "sha1:OTHER") is None and ledger.same_file("gov", "sha1:ABC") is None


def test_a_worker_makes_the_rows_of_workers_gone_and_never_those_of_live_ones(redis_url):
    client = cluster.connect(redis_url)
    for worker in ("w1", "w2"):
        cluster.beat(client, worker, 60, {})
    attachment_ledger(RedisCrawlState(redis_url, "w2")).submitted(CAPTURE)
    assert attachment_ledger(RedisCrawlState(redis_url, "w1")).pending("news") == []  # w2 is alive
    client.delete(cluster.worker_key("w2"))  # its beat expired: gone
    assert attachment_ledger(RedisCrawlState(redis_url, "w1")).pending("news") == [CAPTURE]
    cluster.beat(client, "w3", 60, {})
    assert attachment_ledger(RedisCrawlState(redis_url, "w3")).pending("news") == []  # taken by w1, alive


def test_a_worker_of_a_shared_crawl_reads_each_file_once(redis_url, tmp_path):
    site = build_site(tmp_path)
    out = tmp_path / "data"
    with DemoServer(root=site) as server:
        server.write_site_configs(tmp_path / "sites")
        command = ("crawl", "attach", "--sites", str(tmp_path / "sites"), "--out", str(out), "--redis", redis_url,
                   "--worker-id", "w1")
        result = run_archive(*command)
        assert result.returncode == 0, result.stderr[-3000:]
        files = [path for _, path in server.hits if path.startswith(("/fj/", "/system/"))]
        first = len(server.hits)
        again = run_archive(*command)
        assert again.returncode == 0, again.stderr[-3000:]
        assert not [path for _, path in server.hits[first:] if path.startswith(("/fj/", "/system/"))]
    assert len(files) == len(set(files))
    rows = open_dataset(out / "attachments", attachments=True).to_table().to_pylist()
    assert len(rows) == 12 and sum(r["status"] == "ok" for r in rows) == 7
    copies = [r for r in rows if r["url"].endswith("P020261019000001.pdf")]
    assert len(copies) == 2 and copies[0]["warc_record_id"] == copies[1]["warc_record_id"]  # one archived, one revisit
    assert all(".w.w1-" in path.name for path in (out / "attachments").rglob("*.parquet"))
