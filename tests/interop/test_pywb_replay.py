"""pywb replays the demo crawl from our WARC files through our CDXJ index, byte for byte."""

import gzip
import json
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.dataset.files import open_dataset
from tests.interop.tools import COLLECTION, http_get


def stored_response(warc: Path, offset: int) -> tuple[bytes, str]:
    """The payload as kept in the record (still compressed if the server compressed it)
    and the Content-Encoding it was sent with."""
    with open(warc, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        encoding = record.http_headers.get_header("Content-Encoding") or ""
        return record.raw_stream.read(), encoding.lower()


def decoded(body: bytes, encoding: str) -> bytes:
    assert encoding in ("", "identity", "gzip"), f"demo sites send no {encoding!r}"
    return gzip.decompress(body) if encoding == "gzip" else body


@pytest.fixture(scope="module")
def captures(replay, demo_data) -> list[dict]:
    """Every article row with its capture's index entry and stored payload."""
    _, index = replay
    entries = {}
    for line in index.read_text(encoding="utf-8").splitlines():
        _, ts, block = line.split(" ", 2)
        fields = json.loads(block)
        entries[(fields["filename"], int(fields["offset"]))] = (ts, fields)
    rows = []
    for row in open_dataset(demo_data / "articles").to_table().to_pylist():
        name = PurePosixPath(row["warc_file"]).name
        ts, fields = entries[(name, row["warc_offset"])]
        body, encoding = stored_response(demo_data / "warc" / name, row["warc_offset"])
        rows.append({"url": row["url"], "site": row["site"], "ts": ts, "fields": fields, "body": body,
                     "encoding": encoding})
    assert rows, "the demo crawl archived no article"
    return rows


def replay_target(ts: str, url: str) -> str:
    return f"/{COLLECTION}/{ts}id_/{url}"


def test_pywb_finds_each_capture_in_our_index(replay, captures):
    port, _ = replay
    for capture in captures[:5]:
        reply = http_get(port, f"/{COLLECTION}/cdx?output=json&url={quote(capture['url'], safe='')}")
        assert reply.status == 200
        found = [json.loads(line) for line in reply.body.decode().splitlines()]
        assert any(
            f["timestamp"] == capture["ts"] and f["offset"] == capture["fields"]["offset"]
            and f["filename"] == capture["fields"]["filename"]
            for f in found
        ), found


def test_articles_come_back_with_their_original_bytes(replay, captures):
    port, _ = replay
    for capture in captures:
        reply = http_get(port, replay_target(capture["ts"], capture["url"]), {"Accept-Encoding": "identity"})
        assert reply.status == 200, capture["url"]
        assert reply.headers.get("Content-Encoding") is None
        assert reply.body == decoded(capture["body"], capture["encoding"]), capture["url"]


def test_gzip_sent_articles_come_back_as_sent(replay, captures):
    """An article the server gzipped is stored compressed, and a client that accepts gzip
    gets those very bytes; one that does not gets them decompressed (test above)."""
    port, _ = replay
    gzipped = [c for c in captures if c["encoding"] == "gzip"]
    assert gzipped, "no demo article was sent gzip-compressed"
    for capture in gzipped:
        reply = http_get(port, replay_target(capture["ts"], capture["url"]), {"Accept-Encoding": "gzip"})
        assert reply.status == 200 and reply.headers.get("Content-Encoding") == "gzip"
        assert reply.body == capture["body"], capture["url"]


def test_pages_in_other_encodings_are_not_transcoded(replay, captures):
    port, _ = replay
    legacy = []
    for capture in captures:
        body = decoded(capture["body"], capture["encoding"])
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            legacy.append((capture, body))
    assert legacy, "no demo article is in a legacy encoding such as GBK"
    for capture, body in legacy:
        assert http_get(port, replay_target(capture["ts"], capture["url"])).body == body
