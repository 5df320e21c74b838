"""`extract_warcs` hands pages to the workers while it is still reading the WARC files.

The records, their order, the joined continuation pages and the errors must stay those
of reading every file first; a failure on either side must end the reading thread.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from archive.jobs import warc_batch
from archive.jobs.pool import worker_pool
from archive.jobs.warc_batch import FIRST_PASS_CHUNK, extract_warcs
from archive.warc.reader import scan_responses
from archive.warc.writer import HttpExchange, WarcFileWriter

BASE = "https://www.example.gov.cn/zwdt/202403/"


def article(marker: str, pager: str = "") -> bytes:
    """An article page whose text carries `marker`, so a record shows which page it came from."""
    paragraphs = "".join(
        f"<p>{marker}：示例市持续推进老旧小区改造，今年计划完成改造项目三十个，"
        f"惠及居民一万两千户，改造内容包括管网更新和加装电梯（第{i}段）。</p>" for i in range(4)
    )
    return (
        "<html><head><meta charset='utf-8'><title>老旧小区改造提速_示例网</title></head><body>"
        f"<h1>老旧小区改造提速{marker}</h1><div class='info'>发布时间：2024-03-01 09:00 来源：示例网</div>"
        f"<div class='TRS_Editor'>{paragraphs}</div><div class='page'>{pager}</div></body></html>"
    ).encode()


def write_warc(directory: Path, name: str, pages: list[tuple[str, bytes]]) -> Path:
    writer = WarcFileWriter(directory / name, "t")
    for url, body in pages:
        writer.write(HttpExchange(url, "GET", "/" + url.split("/", 3)[3], [("Host", "www.example.gov.cn")], b"",
                                  200, "HTTP/1.1", [("Content-Type", "text/html; charset=utf-8")], body))
    writer.close()
    target = directory / f"{name}.warc.gz"
    writer.files[0].rename(target)
    return target


def url(n: int) -> str:
    return f"{BASE}t20240301_{n}.html"


@pytest.fixture(scope="module")
def pool():
    with worker_pool(2) as shared:
        yield shared


@pytest.fixture
def two_files(tmp_path) -> list[Path]:
    """Many chunks of pages over two files; the second recaptures one URL of the first and
    holds the captured second page of an article of the first."""
    first = [(url(n), article(f"稿件{n}号")) for n in range(3 * FIRST_PASS_CHUNK)]
    first[5] = (url(5), article("稿件5号", pager="<a href='t20240301_5_2.html'>下一页</a>"))
    second = [(url(3), article("稿件3号重采"))]
    second += [(url(100 + n), article(f"稿件{100 + n}号")) for n in range(FIRST_PASS_CHUNK + 3)]
    second += [(f"{BASE}t20240301_5_2.html", article("稿件5号第二页"))]
    return [write_warc(tmp_path, "a", first), write_warc(tmp_path, "b", second)]


def expected_order() -> list[tuple[str, str]]:
    """(url, marker) of each record: URLs in the order first seen, each URL's captures in order."""
    order = []
    for n in range(3 * FIRST_PASS_CHUNK):
        order.append((url(n), f"稿件{n}号"))
        if n == 3:
            order.append((url(3), "稿件3号重采"))
    order += [(url(100 + n), f"稿件{100 + n}号") for n in range(FIRST_PASS_CHUNK + 3)]
    return order


def test_records_keep_the_index_order_and_their_own_pages(two_files, pool):
    result = extract_warcs(two_files, pool)
    assert result.errors == []
    # the marker opens the text: each record is made from its own page
    assert [(r.url, r.text.split("：", 1)[0]) for r in result.records] == expected_order()
    for record in result.records:
        # ... and points at its own capture, not at another page of its chunk
        assert [e.url for e in scan_responses(Path(record.warc_file)) if e.pointer.offset == record.warc_offset] \
            == [record.url]
    joined = next(r for r in result.records if r.url == url(5))
    assert joined.page_count == 2 and "稿件5号第二页" in joined.text


def test_same_records_whatever_the_executor(two_files, pool):
    with ThreadPoolExecutor(3) as threads:
        in_threads = extract_warcs(two_files, threads)
    in_workers = extract_warcs(two_files, pool)
    assert in_threads == in_workers


def test_a_damaged_file_keeps_its_pages_before_the_damage(tmp_path, pool):
    good = write_warc(tmp_path, "good", [(url(n), article(f"稿件{n}号")) for n in range(FIRST_PASS_CHUNK + 1)])
    noise = b"<!--" + random.Random(1).randbytes(1500).hex().encode() + b"-->"  # keeps each member large
    torn = write_warc(tmp_path, "torn", [(url(200 + n), article(f"稿件{200 + n}号") + noise) for n in range(3)])
    torn.write_bytes(torn.read_bytes()[:-700])  # the last record cut in half
    last = write_warc(tmp_path, "last", [(url(300), article("稿件300号"))])
    result = extract_warcs([good, torn, last], pool)
    assert len(result.errors) == 1 and "torn.warc.gz" in result.errors[0]
    urls = [r.url for r in result.records]
    assert urls == [url(n) for n in range(FIRST_PASS_CHUNK + 1)] + [url(200), url(201), url(300)]


class RecordingExecutor(ThreadPoolExecutor):
    """Threads that note the first submission, and refuse the `fail_at`-th as a shut-down pool does."""

    def __init__(self, fail_at: int | None = None) -> None:
        super().__init__(2)
        self.submitted = threading.Event()
        self.calls = 0
        self.fail_at = fail_at

    def submit(self, fn, /, *args, **kwargs) -> Future:
        self.calls += 1
        if self.calls == self.fail_at:
            raise RuntimeError("cannot schedule new futures after shutdown")
        self.submitted.set()
        return super().submit(fn, *args, **kwargs)


def slowed_scan(monkeypatch, each: float = 0.0, hook=None) -> None:
    """Make the index read its files slowly, `hook(n)` called before the n-th response."""
    def scan(path, revisits=False):
        for n, entry in enumerate(scan_responses(path, revisits=revisits)):
            if hook is not None:
                hook(n)
            time.sleep(each)
            yield entry
    monkeypatch.setattr(warc_batch, "scan_responses", scan)


def finished(call, seconds: float = 120.0):
    """The outcome of `call()`, failing (not hanging) if it does not end in time."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as exc:
            outcome["error"] = exc
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "extract_warcs did not return"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_pages_go_to_the_workers_before_the_files_are_read(two_files, monkeypatch):
    streamed = []

    def hook(n):
        if n == FIRST_PASS_CHUNK and not streamed:  # a whole chunk is read: it must be with the executor
            streamed.append(executor.submitted.wait(10))
    slowed_scan(monkeypatch, hook=hook)
    with RecordingExecutor() as executor:
        result = finished(lambda: extract_warcs(two_files, executor))
    assert streamed == [True]
    assert len(result.records) == len(expected_order())


def index_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "warc-index"]


def test_a_failing_executor_stops_the_reading(two_files, monkeypatch):
    slowed_scan(monkeypatch, each=0.05)
    with RecordingExecutor(fail_at=2) as executor, pytest.raises(RuntimeError, match="after shutdown"):
        finished(lambda: extract_warcs(two_files, executor))
    assert index_threads() == []


def test_a_reading_failure_reaches_the_caller(two_files, monkeypatch):
    def hook(n):
        if n == FIRST_PASS_CHUNK + 2:
            raise MemoryError("out of memory while reading")
    slowed_scan(monkeypatch, hook=hook)
    with ThreadPoolExecutor(2) as executor, pytest.raises(MemoryError):
        finished(lambda: extract_warcs(two_files, executor))
    assert index_threads() == []


def test_the_pool_starts_before_the_extractor_is_imported():
    # The process starting the pool imports none of the extractor (a second of imports the
    # fork server makes for the workers) nor pyarrow before its workers can start.
    code = ("import sys; import archive.jobs.pool, archive.jobs.warc_batch, archive.jobs.inputs; "
            "print(sorted(m for m in ('trafilatura', 'lxml', 'numpy', 'pyarrow') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_workers_have_the_extractor_and_not_pyarrow(pool):
    probe = "sorted(m for m in ('archive.extract', 'trafilatura', 'pyarrow') if m in __import__('sys').modules)"
    assert pool.submit(eval, probe).result() == ["archive.extract", "trafilatura"]


def test_workers_start_with_the_extractor_warmed_up(pool):
    # The script tables language detection reads from OpenCC's dictionaries on first use
    # are read once in the fork server, before any worker is forked from it.
    probe = "__import__('archive.extract.language').extract.language._script_only_characters.cache_info().currsize"
    assert pool.submit(eval, probe).result() == 1


def test_the_warm_up_page_extracts_cleanly(caplog):
    from archive.extract.warm import warm_up

    with caplog.at_level("WARNING"):
        warm_up()
    assert caplog.records == []
