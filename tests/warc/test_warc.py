import gzip
import io
import itertools
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.warc.reader import read_page, scan_responses
from archive.warc.writer import HttpExchange, WarcFileWriter, payload_digest

MOMENT = datetime(2026, 10, 19, 8, 21, tzinfo=UTC)


def fixed_writer(directory, **kwargs):
    counter = itertools.count(1)
    return WarcFileWriter(
        directory, "t", clock=lambda: MOMENT,
        record_id=lambda: f"<urn:uuid:00000000-0000-0000-0000-{next(counter):012d}>", **kwargs,
    )


def exchange(url="http://127.0.0.1/a.html", body=b"<html>hi</html>", headers=None):
    return HttpExchange(
        url=url, method="GET", request_target="/a.html",
        request_headers=[("Host", "127.0.0.1"), ("Accept-Encoding", "gzip")], request_body=b"",
        status=200, protocol="HTTP/1.1",
        response_headers=headers or [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
        response_body=body, ip_address="127.0.0.1",
    )


def test_records_are_paired_and_digested(tmp_path):
    writer = fixed_writer(tmp_path)
    pointer = writer.write(exchange())
    writer.close()
    [path] = writer.files
    with open(path, "rb") as fh:
        records = list(ArchiveIterator(fh))
    assert [r.rec_type for r in records] == ["warcinfo", "response", "request"]
    response, request = records[1], records[2]
    assert request.rec_headers.get_header("WARC-Concurrent-To") == response.rec_headers.get_header("WARC-Record-ID")
    assert response.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
    assert response.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert pointer.record_id == response.rec_headers.get_header("WARC-Record-ID")
    page = read_page(pointer)
    assert page.body == b"<html>hi</html>" and page.status == 200 and page.fetched_at == MOMENT


def test_a_digest_given_by_the_caller_is_the_one_warcio_would_write(tmp_path):
    body = "<html>正文</html>".encode() * 500
    headers = []
    for given in (None, payload_digest(body)):
        writer = fixed_writer(tmp_path / str(given is None))
        writer.write(exchange(body=body), digest=given)
        writer.close()
        with open(writer.files[0], "rb") as fh:  # warcio recomputes both digests and raises on a mismatch
            for record in ArchiveIterator(fh, check_digests="raise"):
                record.content_stream().read()
                if record.rec_type == "response":
                    headers.append(sorted(record.rec_headers.headers))
    assert headers[0] == headers[1]


def test_output_is_byte_for_byte_reproducible(tmp_path):
    blobs = []
    for run in ("one", "two"):
        writer = fixed_writer(tmp_path / run)
        writer.write(exchange())
        writer.close()
        blobs.append(gzip.decompress(writer.files[0].read_bytes()))
    # file names differ between runs (warcinfo names the file); the records do not
    strip = [b.replace(b.split(b"WARC-Filename: ")[1].split(b"\r\n")[0], b"") for b in blobs]
    assert strip[0] == strip[1]


def test_compressed_body_is_kept_compressed_and_chunking_header_renamed(tmp_path):
    body = gzip.compress("正文".encode() * 50)
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
    writer = fixed_writer(tmp_path)
    pointer = writer.write(exchange(body=body, headers=headers))
    writer.close()
    with open(writer.files[0], "rb") as fh:
        fh.seek(pointer.offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.raw_stream.read() == body
    assert record.http_headers.get_header("Content-Encoding") == "gzip"
    assert record.http_headers.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    assert read_page(pointer).body == "正文".encode() * 50


def test_rollover_and_unique_names(tmp_path):
    writer = fixed_writer(tmp_path, max_size=2000)
    pointers = [writer.write(exchange(url=f"http://127.0.0.1/{i}", body=bytes(range(256)) * 8)) for i in range(5)]
    writer.close()
    assert len(writer.files) > 1
    assert len({p.name for p in writer.files}) == len(writer.files)
    for path in writer.files:
        with open(path, "rb") as fh:
            assert next(iter(ArchiveIterator(fh))).rec_type == "warcinfo"
    assert [read_page(p).url for p in pointers] == [f"http://127.0.0.1/{i}" for i in range(5)]
    assert [p.url for path in writer.files for p in scan_responses(path)] == [f"http://127.0.0.1/{i}" for i in range(5)]


def test_warcio_check_and_index_accept_our_files(tmp_path):
    writer = fixed_writer(tmp_path)
    for i in range(3):
        writer.write(exchange(url=f"http://127.0.0.1/{i}"))
    writer.close()
    path = str(writer.files[0])
    warcio = str(Path(sys.executable).with_name("warcio"))
    check = subprocess.run([warcio, "check", "-v", path], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([warcio, "index", path], capture_output=True, text=True)
    assert index.returncode == 0
    assert sum('"warc-type": "response"' in line for line in index.stdout.splitlines()) == 3


def test_gzip_members_are_one_per_record(tmp_path):
    writer = fixed_writer(tmp_path)
    pointer = writer.write(exchange())
    writer.close()
    data = writer.files[0].read_bytes()
    member = gzip.GzipFile(fileobj=io.BytesIO(data[pointer.offset:]))
    assert member.read(9) == b"WARC/1.1\r"


def test_the_index_kept_while_writing_is_the_one_read_back_from_the_files(tmp_path):
    from archive.warc.cdxj import index_entries
    from archive.warc.writer import IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED, Revisit

    writer = fixed_writer(tmp_path, max_size=2000)
    first = writer.write(exchange())
    writer.write(exchange("http://127.0.0.1/b.html?x=1", b"x" * 3000, [("Content-Type", "text/plain; charset=gbk")]))
    writer.write(exchange(), revisit=Revisit(IDENTICAL_PAYLOAD, first, "http://127.0.0.1/a.html",
                                             "2026-10-19T08:21:00Z", "sha1:AAAA"))
    not_modified = HttpExchange(**{**exchange().__dict__, "status": 304, "response_body": b""})
    writer.write(not_modified, revisit=Revisit(SERVER_NOT_MODIFIED, first, "http://127.0.0.1/a.html",
                                               "2026-10-19T08:21:00Z"))
    writer.write(exchange("http://127.0.0.1/missing", b"gone", [("Content-Type", "text/html")]))
    writer.close()
    assert len(writer.files) > 1
    read_back = [entry.line for entry in index_entries(writer.files, relative_to=tmp_path)]
    assert sorted(writer.index) == read_back
    assert len(read_back) == 5
