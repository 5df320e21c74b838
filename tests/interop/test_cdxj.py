"""CDXJ lines: sorted, one per capture, with offsets and lengths that locate the records."""

import io
import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import surt
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.errors import WarcReadError
from archive.warc.cdxj import write_cdxj
from archive.warc.writer import HttpExchange, WarcFileWriter
from tests.interop.tools import QUIET_ENV, venv_tool

START = datetime(2026, 10, 19, 8, 21, 5, 123456, tzinfo=UTC)


def exchange(url: str, body: bytes, status: int = 200, ctype: str = "text/html; charset=utf-8") -> HttpExchange:
    target = url.split("/", 3)[3]
    return HttpExchange(
        url=url, method="GET", request_target=f"/{target}", request_headers=[("Host", "127.0.0.1:8000")],
        request_body=b"", status=status, protocol="HTTP/1.1",
        response_headers=[("Content-Type", ctype), ("Content-Length", str(len(body)))],
        response_body=body, ip_address="127.0.0.1",
    )


CAPTURES = [
    ("http://127.0.0.1:8000/info/1021/2345.htm", b"<html>second</html>", 200),
    ("http://127.0.0.1:8000/", b"<html>home</html>", 200),
    ("http://127.0.0.1:8000/search?q=%E6%96%B0%E9%97%BB&b=2&a=1", b"<html>query</html>", 200),
    ("http://127.0.0.1:8000/missing.htm", b"not here", 404),
    ("http://127.0.0.1:8000/info/1021/2345.htm", b"<html>again</html>", 200),  # captured twice
]


@pytest.fixture
def crawl_warc(tmp_path) -> tuple[Path, list]:
    """A WARC written the way the crawler writes one; returns it and the response pointers."""
    writer = WarcFileWriter(tmp_path / "warc", "site", clock=lambda: START)
    pointers = [
        writer.write(exchange(url, body, status), fetched_at=START + timedelta(seconds=n))
        for n, (url, body, status) in enumerate(CAPTURES)
    ]
    writer.close()
    return writer.files[0], pointers


@pytest.fixture
def other_records_warc(tmp_path) -> Path:
    """A WARC from elsewhere: a resource record, a revisit, and a response without digests."""
    path = tmp_path / "warc" / "other.warc.gz"
    path.parent.mkdir(exist_ok=True)
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        date = {"WARC-Date": "2026-10-20T01:02:03Z"}
        # Lengths are given so warcio computes digests without spooling to a temp file.
        writer.write_record(writer.create_warc_record(
            "http://127.0.0.1:8000/a.pdf", "resource", payload=io.BytesIO(b"%PDF-1.4"), length=8,
            warc_content_type="application/pdf", warc_headers_dict=date,
        ))
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "http://127.0.0.1:8000/", "revisit", payload=io.BytesIO(b""), length=0, http_headers=http,
            warc_headers_dict={
                **date,
                "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
                "WARC-Payload-Digest": "sha1:TL34KP6YLZNNUPBM5YUP455MNT5RXK62",
                "WARC-Refers-To-Target-URI": "http://127.0.0.1:8000/",
                "WARC-Refers-To-Date": "2026-10-19T08:21:06Z",
            },
        ))
    return path


def read_index(path: Path) -> list[tuple[str, str, dict]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(key, ts, json.loads(block)) for key, ts, block in (line.split(" ", 2) for line in lines)]


def test_one_sorted_line_per_response(crawl_warc, tmp_path):
    warc, pointers = crawl_warc
    out = tmp_path / "index.cdxj"
    assert write_cdxj([warc], out) == len(CAPTURES)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    entries = read_index(out)
    assert sorted((e[2]["url"], e[1]) for e in entries) == sorted(
        (url, (START + timedelta(seconds=n)).strftime("%Y%m%d%H%M%S")) for n, (url, _, _) in enumerate(CAPTURES)
    )
    for key, _, fields in entries:
        assert key == surt.surt(fields["url"])
        assert fields["filename"] == warc.name
        assert set(fields) == {"url", "mime", "status", "digest", "length", "offset", "filename"}
    assert {e[2]["offset"] for e in entries} == {str(p.offset) for p in pointers}
    by_url = {e[2]["url"]: e[2] for e in entries}
    assert by_url["http://127.0.0.1:8000/missing.htm"]["status"] == "404"
    assert by_url["http://127.0.0.1:8000/"]["mime"] == "text/html"
    # The query is put in canonical order in the key only; the url stays as captured.
    assert "?a=1&b=2&q=" in surt.surt(CAPTURES[2][0])


def test_offset_and_length_cut_out_exactly_one_record(crawl_warc, other_records_warc, tmp_path):
    out = tmp_path / "index.cdxj"
    write_cdxj([crawl_warc[0], other_records_warc], out, relative_to=tmp_path)
    for _, ts, fields in read_index(out):
        data = (tmp_path / fields["filename"]).read_bytes()
        offset, length = int(fields["offset"]), int(fields["length"])
        records = list(ArchiveIterator(io.BytesIO(data[offset:offset + length])))
        assert len(records) == 1
        record = records[0]
        assert record.rec_headers.get_header("WARC-Target-URI") == fields["url"]
        assert record.rec_type in {"response", "revisit", "resource"}
        assert record.rec_headers.get_header("WARC-Date").replace("-", "").replace(":", "").replace("T", "")[:14] == ts
        assert record.rec_headers.get_header("WARC-Payload-Digest") in (None, fields.get("digest"))


def test_resource_and_revisit_records_are_indexed(other_records_warc, tmp_path):
    out = tmp_path / "index.cdxj"
    assert write_cdxj([other_records_warc], out, relative_to=tmp_path) == 2
    by_url = {fields["url"]: fields for _, _, fields in read_index(out)}
    resource, revisit = by_url["http://127.0.0.1:8000/a.pdf"], by_url["http://127.0.0.1:8000/"]
    assert resource["mime"] == "application/pdf" and "status" not in resource
    assert resource["digest"].startswith("sha1:") and resource["filename"] == "warc/other.warc.gz"
    assert revisit["mime"] == "warc/revisit" and revisit["status"] == "200"


def test_same_lines_as_the_reference_indexer(crawl_warc, other_records_warc, tmp_path):
    ours = tmp_path / "ours.cdxj"
    write_cdxj([crawl_warc[0], other_records_warc], ours)
    reference = subprocess.run(
        [str(venv_tool("cdxj-indexer")), "--sort", str(crawl_warc[0]), str(other_records_warc)],
        capture_output=True, text=True, timeout=60, env=QUIET_ENV, check=True,
    )
    assert ours.read_text(encoding="utf-8").splitlines() == reference.stdout.splitlines()


def test_damaged_warc_leaves_the_old_index(crawl_warc, tmp_path):
    warc, pointers = crawl_warc
    out = tmp_path / "index.cdxj"
    write_cdxj([warc], out)
    before = out.read_bytes()
    torn = tmp_path / "torn.warc.gz"
    torn.write_bytes(warc.read_bytes()[: pointers[-1].offset + 100])
    with pytest.raises(WarcReadError, match="torn.warc.gz"):
        write_cdxj([torn], out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
