"""The whole pipeline on the demo sites: Scrapy → WARC → extraction workers → Parquet."""

import gzip
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.dataset.files import open_dataset
from archive.demo import load_manifest
from archive.records import WarcPointer
from archive.warc.reader import read_page

CHINA = ZoneInfo("Asia/Shanghai")


def rows_by_url(out: Path) -> dict[str, dict]:
    return {row["url"]: row for row in open_dataset(out / "articles").to_table().to_pylist()}


def published_matches(got: datetime | None, want: str) -> bool:
    """`want` is a full ISO time (compared exactly) or a day (compared in China time)."""
    if got is None:
        return False
    if "T" in want:
        return got == datetime.fromisoformat(want)
    return got.astimezone(CHINA).date().isoformat() == want


def test_crawl_succeeds(demo_crawl):
    server, out, result = demo_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    assert "articles from" in result.stdout


def test_one_row_per_demo_article_and_none_for_other_pages(demo_crawl):
    server, out, _ = demo_crawl
    rows = rows_by_url(out)
    expected = set()
    for site in server.site_ids:
        manifest = load_manifest(site)
        base = server.base_urls[site]
        expected |= {base + a["path"] for a in manifest["articles"]}
        for path in manifest["non_articles"]:
            assert base + path not in rows, f"{site}: non-article page {path} became a record"
    assert set(rows) == expected
    assert len(open_dataset(out / "articles").to_table()) == len(expected), "duplicate rows"


def test_fields_match_the_manifest(demo_crawl):
    server, out, _ = demo_crawl
    rows = rows_by_url(out)
    problems = []
    for site in server.site_ids:
        for article in load_manifest(site)["articles"]:
            row = rows.get(server.base_urls[site] + article["path"])
            if row is None:
                continue
            if row["site"] != site:
                problems.append(f"{site}{article['path']}: site {row['site']}")
            if row["title"] != article["title"]:
                problems.append(f"{site}{article['path']}: title {row['title']!r} != {article['title']!r}")
            if article.get("published_at") and not published_matches(row["published_at"], article["published_at"]):
                problems.append(f"{site}{article['path']}: published_at {row['published_at']} != "
                                f"{article['published_at']}")
            for phrase in article.get("text_contains", []):
                if phrase not in (row["text"] or ""):
                    problems.append(f"{site}{article['path']}: text lacks {phrase!r}")
            for phrase in article.get("text_excludes", []):
                if phrase in (row["text"] or ""):
                    problems.append(f"{site}{article['path']}: text keeps {phrase!r}")
            if article.get("pages") and row["page_count"] != 1 + len(article["pages"]):
                problems.append(f"{site}{article['path']}: page_count {row['page_count']}")
    assert not problems, "\n".join(problems)


def test_attachments_match_the_manifest(demo_crawl):
    """Each file a demo notice links (a PDF, DOCX, XLSX, OFD and ZIP among them, most behind
    a download script) is one row with its text, joined to its article by url and sha1."""
    server, out, _ = demo_crawl
    files = {row["url"]: row for row in open_dataset(out / "attachments", attachments=True).to_table().to_pylist()}
    articles = rows_by_url(out)
    expected = 0
    for site in server.site_ids:
        base = server.base_urls[site]
        for article in load_manifest(site)["articles"]:
            listed = {link["url"]: link for link in articles[base + article["path"]]["attachments"]}
            for attachment in article["attachments"]:
                expected += 1
                row = files[base + attachment["path"]]
                assert (row["file_type"], row["status"], row["title"], row["filename"]) == \
                    (attachment["file_type"], "ok", attachment["title"], attachment["filename"])
                assert row["article_url"] == base + article["path"]
                assert all(phrase in row["text"] for phrase in attachment["text_contains"]), row["url"]
                assert (listed[row["url"]]["sha1"], listed[row["url"]]["status"]) == (row["sha1"], "ok")
    assert len(files) == expected >= 7
    assert {row["file_type"] for row in files.values()} >= {"pdf", "docx", "xlsx", "ofd", "zip"}


def test_multi_page_article_is_one_record(demo_crawl):
    server, out, _ = demo_crawl
    rows = rows_by_url(out)
    multi = [(s, a) for s in server.site_ids for a in load_manifest(s)["articles"] if a.get("pages")]
    assert multi, "the demo has a multi-page article"
    for site, article in multi:
        for path in article["pages"]:
            assert server.base_urls[site] + path not in rows


def test_robots_disallowed_pages_are_never_requested(demo_crawl):
    server, _, _ = demo_crawl
    requested = set(server.hits)
    for site in server.site_ids:
        for path in load_manifest(site).get("disallowed", []):
            assert (site, path) not in requested


def test_pointers_locate_the_response_record_of_each_url(demo_crawl):
    _, out, _ = demo_crawl
    for row in rows_by_url(out).values():
        page = read_page(WarcPointer(row["warc_file"], row["warc_offset"], row["warc_record_id"]), base=out)
        assert page.url == row["url"] and page.status == 200
        assert page.pointer.record_id == row["warc_record_id"]


def test_every_warc_file_passes_warcio_check_and_decompresses_whole(demo_crawl):
    _, out, _ = demo_crawl
    files = sorted((out / "warc").glob("*.warc.gz"))
    assert files
    warcio = str(Path(sys.executable).with_name("warcio"))
    for path in files:
        check = subprocess.run([warcio, "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
        gzip.decompress(path.read_bytes())  # raises on a torn member
        with open(path, "rb") as fh:
            types = [r.rec_type for r in ArchiveIterator(fh)]
        assert types[0] == "warcinfo"
        assert types.count("response") == types.count("request")


def test_warc_keeps_compressed_bodies_404s_and_robots(demo_crawl):
    _, out, _ = demo_crawl
    statuses, encodings, urls = [], [], []
    for path in (out / "warc").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    urls.append(record.rec_headers.get_header("WARC-Target-URI"))
                    statuses.append(record.http_headers.get_statuscode())
                    encodings.append(record.http_headers.get_header("Content-Encoding"))
                    if encodings[-1] == "gzip":
                        assert record.raw_stream.read(2) == b"\x1f\x8b", "gzip body stored decoded"
    assert "404" in statuses
    assert "gzip" in encodings
    assert any(u.endswith("/robots.txt") for u in urls)


def test_duckdb_and_pandas_read_the_crawl(demo_crawl):
    _, out, _ = demo_crawl
    glob = str(out / "articles" / "**" / "*.parquet")
    count = duckdb.sql(f"select count(*) from read_parquet('{glob}', hive_partitioning=true)").fetchall()[0][0]
    assert count == len(pd.read_parquet(out / "articles")) > 0


def test_extract_from_warc_alone_rebuilds_the_same_records(demo_crawl, tmp_path):
    from tests.conftest import run_archive

    server, out, _ = demo_crawl
    crawled = {url: row for url, row in rows_by_url(out).items()}
    rebuilt_dir = tmp_path / "rebuilt"
    for site in server.site_ids:
        files = [str(p) for p in (out / "warc").glob(f"{site}-*.warc.gz")]
        result = run_archive("extract", *files, "--site", site, "--out", str(rebuilt_dir))
        assert result.returncode == 0, result.stderr[-2000:]
    rebuilt = rows_by_url(rebuilt_dir)
    assert set(rebuilt) == set(crawled)
    for url, row in crawled.items():
        for field in ("title", "text", "published_at", "author", "source", "publisher", "editor", "page",
                      "content_sha1", "warc_offset", "warc_record_id", "fetched_at", "simhash", "views", "kind",
                      "attachments"):
            assert rebuilt[url][field] == row[field], (url, field)

    def attachments(root):
        table = open_dataset(root / "attachments", attachments=True).to_table()
        return {r["url"]: (r["sha1"], r["status"], r["text"], r["article_url"], r["warc_record_id"])
                for r in table.to_pylist()}

    assert attachments(rebuilt_dir) == attachments(out)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_formats_from_the_crawl(demo_crawl, tmp_path, fmt):
    from tests.conftest import run_archive

    _, out, _ = demo_crawl
    target = tmp_path / f"export.{fmt}"
    result = run_archive("export", "--data", str(out), "--format", fmt, "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert target.stat().st_size > 0
    assert not list(tmp_path.glob("*.partial"))
