"""`archive extract` given damaged WARC files: each bad file and record is reported on
one line, and everything readable is still extracted."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
from pathlib import Path

import brotli

from archive.warc.writer import HttpExchange, WarcFileWriter
from tests.conftest import ARCHIVE
from tests.reliability.conftest import ENV
from tests.reliability.hostile import ARTICLE, GZIP_BOMB


def warc(directory: Path, name: str, pages: dict[str, tuple[bytes, str | None]]) -> Path:
    writer = WarcFileWriter(directory / name, "x")
    for url, (body, encoding) in pages.items():
        headers = [("Content-Type", "text/html; charset=utf-8")]
        headers += [("Content-Encoding", encoding)] if encoding else []
        writer.write(HttpExchange(url, "GET", "/" + url.split("/", 3)[3], [("Host", "127.0.0.1")], b"", 200,
                                  "HTTP/1.1", headers, body, "127.0.0.1"))
    writer.close()
    target = directory / f"{name}.warc.gz"
    writer.files[0].rename(target)
    return target


def page(n: int) -> bytes:
    return ARTICLE.replace("秋季", f"第{n}次").encode()


def extract(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([ARCHIVE, "extract", *map(str, paths)], capture_output=True, text=True, timeout=120, env=ENV)


def test_each_damaged_file_is_reported_and_the_rest_extracted(tmp_path):
    noise_bytes = random.Random(8).randbytes  # fixed: which bytes break a reader must not vary between runs
    good = warc(tmp_path, "good", {"http://127.0.0.1/good/1.html": (page(1), None),
                                   "http://127.0.0.1/good/2.html": (gzip.compress(page(2)), "gzip")})
    noise = b"<!--" + noise_bytes(1500).hex().encode() + b"-->"  # keeps each record's gzip member large
    torn = warc(tmp_path, "torn", {f"http://127.0.0.1/torn/{i}.html": (page(i) + noise, None) for i in range(3)})
    torn.write_bytes(torn.read_bytes()[:-700])  # the last record cut in half
    corrupt = warc(tmp_path, "corrupt", {f"http://127.0.0.1/corrupt/{i}.html": (page(i), None) for i in range(3)})
    data = bytearray(corrupt.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = noise_bytes(64)  # garbage inside the second record's gzip member
    corrupt.write_bytes(bytes(data))
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.warc.gz"
    garbage.write_bytes(noise_bytes(5000))
    blank_first = tmp_path / "blank-first.warc.gz"
    blank_first.write_bytes(b"\n" + noise_bytes(5000))  # warcio reads this as a record with no headers
    plain = tmp_path / "plain.warc"
    plain.write_bytes(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\nshort")

    result = extract(good, torn, corrupt, empty, garbage, blank_first, plain)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert all(line.startswith(("error:", "Error:")) for line in lines), result.stderr  # one line each
    assert all(line.isprintable() for line in lines)  # no raw bytes quoted from the file
    for bad in (torn, corrupt, garbage, blank_first, plain):
        assert [e for e in errors if bad.name in e], f"{bad.name} not reported"
    assert all("offset" in e or "cannot read" in e for e in errors)
    urls = {json.loads(line)["url"] for line in result.stdout.splitlines()}
    assert {"http://127.0.0.1/good/1.html", "http://127.0.0.1/good/2.html"} <= urls
    assert "http://127.0.0.1/torn/0.html" in urls and "http://127.0.0.1/torn/1.html" in urls
    assert "http://127.0.0.1/corrupt/0.html" in urls


def test_undecodable_and_bomb_bodies_are_reported_per_record(tmp_path):
    mixed = warc(tmp_path, "mixed", {
        "http://127.0.0.1/br.html": (brotli.compress(page(1)), "br"),
        "http://127.0.0.1/bad-br.html": (b"\x00\x01 not brotli at all", "br"),
        "http://127.0.0.1/bomb.html": (GZIP_BOMB, "gzip"),
        "http://127.0.0.1/ok.html": (page(2), None),
    })
    result = extract(mixed)
    assert result.returncode == 0, result.stderr
    urls = {json.loads(line)["url"] for line in result.stdout.splitlines()}
    assert {"http://127.0.0.1/br.html", "http://127.0.0.1/ok.html"} <= urls  # brotli bodies read back
    assert "http://127.0.0.1/bomb.html" not in urls
    assert "compression bomb" in result.stderr


def test_a_record_longer_than_its_content_length_gives_one_warning_line(tmp_path):
    def record(url: str, body: bytes, short_by: int) -> bytes:
        block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
        head = (f"WARC/1.1\r\nWARC-Type: response\r\n"
                f"WARC-Record-ID: <urn:uuid:{len(url):08d}-0000-0000-0000-000000000000>\r\n"
                f"WARC-Target-URI: {url}\r\nWARC-Date: 2026-10-19T08:21:00Z\r\n"
                f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block) - short_by}\r\n\r\n")
        return head.encode() + block + b"\r\n\r\n"

    first = record("http://127.0.0.1/a/1.html", page(1), short_by=7)
    second = record("http://127.0.0.1/a/22.html", page(2), short_by=9)  # the last record: seen at the end
    plain = tmp_path / "long.warc"
    plain.write_bytes(first + second)
    result = extract(plain)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{plain}: offset {offset}: stray bytes after the record (is its Content-Length wrong?)"
        for offset in (0, len(first))]
    urls = {json.loads(line)["url"] for line in result.stdout.splitlines()}
    assert urls == {"http://127.0.0.1/a/1.html", "http://127.0.0.1/a/22.html"}
