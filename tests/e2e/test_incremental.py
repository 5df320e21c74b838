"""Crawling the same sites again: conditional requests, revisits, new articles only, views history."""

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.compute as pc
import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.dataset.files import open_dataset
from archive.demo import DEMO_ROOT, DemoServer
from tests.conftest import run_archive

NEW_ARTICLE = "/info/1022/2352.htm"


def warc_records(paths):
    records = []
    for path in paths:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                records.append((record.rec_type, record.rec_headers, record.http_headers))
    return records


def crawl(configs: Path, out: Path, server: DemoServer) -> dict:
    before_hits = len(server.hits)
    before_files = set((out / "warc").glob("*.warc.gz")) if (out / "warc").exists() else set()
    result = run_archive("crawl", "--all", "--sites", str(configs), "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    files = sorted(set((out / "warc").glob("*.warc.gz")) - before_files)
    return {"hits": server.hits[before_hits:], "files": files, "records": warc_records(files)}


@pytest.fixture(scope="module")
def three_crawls(tmp_path_factory):
    """Crawl a copy of the demo, crawl again unchanged, then again after one new article."""
    root = tmp_path_factory.mktemp("incremental")
    sites = root / "www"
    shutil.copytree(DEMO_ROOT, sites)
    out = root / "data"
    with DemoServer(root=sites) as server:
        configs = root / "sites"
        for path in server.write_site_configs(configs):
            # Re-read counters on every crawl here, so three crawls give three readings; the
            # crawls follow each other by little more than a second, so the interval is far below.
            path.write_text('counter_every = "0.001s"\n' + path.read_text(encoding="utf-8"), encoding="utf-8")
        first = crawl(configs, out, server)
        second = crawl(configs, out, server)
        campus = sites / "campus" / "www"
        page = (campus / "info/1022/2350.htm").read_text(encoding="utf-8")
        (campus / NEW_ARTICLE.lstrip("/")).write_text(
            page.replace("校园网络设备检修", "图书馆开放时间调整").replace("2350", "2352"), encoding="utf-8")
        listing = campus / "xwzx/tzgg.htm"
        listing.write_text(listing.read_text(encoding="utf-8").replace(
            '<li id="line_u5_0">', f'<li id="line_u5_n"><a href="{NEW_ARTICLE}">图书馆开放时间调整</a></li>'
                                   '<li id="line_u5_0">'), encoding="utf-8")
        server.set_count("campus", "2345", 5000)
        third = crawl(configs, out, server)
        yield {"out": out, "base": server.base_urls, "runs": [first, second, third]}


def response_bytes(run) -> int:
    return sum(int(headers.get_header("Content-Length") or 0)
               for kind, headers, _ in run["records"] if kind == "response")


def test_second_crawl_fetches_little(three_crawls):
    first, second, _ = three_crawls["runs"]
    assert response_bytes(second) <= 0.10 * response_bytes(first)
    assert len(second["hits"]) < len(first["hits"])
    kinds = [kind for kind, _, _ in second["records"]]
    assert "revisit" in kinds


def test_settled_pages_are_read_from_the_archive(three_crawls):
    """robots.txt fetched minutes ago and the page plans of past e-paper editions are not
    requested again, and nothing is written for them."""
    first, second, third = three_crawls["runs"]
    assert ("epaper", "/html/2026-10/19/node_2.htm") in first["hits"]
    for run in (second, third):
        paths = [path for _, path in run["hits"]]
        assert "/robots.txt" not in paths
        assert not [p for p in paths if p.startswith("/html/2026-10/19/")]
        uris = {h.get_header("WARC-Target-URI") or "" for _, h, _ in run["records"]}
        assert not [u for u in uris if "/html/2026-10/19/" in u or u.endswith("/robots.txt")]
        # the missing page of an earlier edition is asked for again: a 404 may pass
        assert "/html/2026-10/18/node_1.htm" in paths


def test_links_of_settled_pages_are_still_followed(tmp_path):
    """A crawl cut short leaves articles of a past edition unfetched; the next crawl reads
    that edition's page plan from the archive and fetches them."""
    sites = tmp_path / "www"
    shutil.copytree(DEMO_ROOT, sites)
    with DemoServer(root=sites) as server:
        configs = tmp_path / "sites"
        server.write_site_configs(configs)
        out = tmp_path / "data"
        result = run_archive("crawl", "epaper", "--sites", str(configs), "--out", str(out), "--max-pages", "5")
        assert result.returncode == 0, result.stderr[-3000:]
        first = list(server.hits)
        second = crawl(configs, out, server)
    fetched_first = {path for _, path in first if "/content_" in path}
    fetched_second = {path for _, path in second["hits"] if "/content_" in path}
    manifest = {a["path"] for a in json.loads((sites / "epaper" / "manifest.json").read_text())["articles"]}
    assert fetched_second and fetched_first | fetched_second == manifest
    assert not fetched_first & fetched_second
    # the page plans fetched the first time were read back from the archive
    assert [path for _, path in first if "/2026-10/19/node_" in path]
    assert not [path for _, path in second["hits"] if "/2026-10/19/node_" in path and path in {p for _, p in first}]


def test_revisit_records_are_standard_and_readable(three_crawls):
    _, second, _ = three_crawls["runs"]
    warcio = str(Path(sys.executable).with_name("warcio"))
    for path in second["files"]:
        assert subprocess.run([warcio, "check", str(path)], capture_output=True).returncode == 0
        gzip.decompress(path.read_bytes())
    revisits = [(h, http) for kind, h, http in second["records"] if kind == "revisit"]
    profiles = {h.get_header("WARC-Profile") for h, _ in revisits}
    assert "http://netpreserve.org/warc/1.1/revisit/server-not-modified" in profiles
    for headers, http in revisits:
        assert headers.get_header("WARC-Refers-To-Target-URI") == headers.get_header("WARC-Target-URI")
        assert headers.get_header("WARC-Refers-To")
        assert http is not None


def test_no_article_row_is_duplicated(three_crawls):
    table = open_dataset(three_crawls["out"] / "articles").to_table(columns=["url"])
    urls = table.column("url").to_pylist()
    assert len(urls) == len(set(urls))


def test_third_crawl_captures_exactly_the_new_article(three_crawls):
    out, base = three_crawls["out"], three_crawls["base"]
    _, _, third = three_crawls["runs"]
    new_url = base["campus"] + NEW_ARTICLE
    captured = {h.get_header("WARC-Target-URI") for kind, h, _ in third["records"] if kind == "response"}
    article_pages = {u for u in captured if "/info/" in u or "/content_" in u or "/t2026" in u or "/c100" in u}
    assert article_pages == {new_url}
    rows = open_dataset(out / "articles").to_table(filter=pc.field("url") == new_url).to_pylist()
    assert len(rows) == 1 and rows[0]["title"] == "关于10月24日图书馆开放时间调整的通知"


def test_views_history_grows_and_never_hits_incrementing_counters(three_crawls):
    out, base = three_crawls["out"], three_crawls["base"]
    for run in three_crawls["runs"]:
        for _, path in run["hits"]:
            if "count.php" in path:
                assert "view=yes" in path, f"incrementing counter requested: {path}"
    views = open_dataset(out / "views", views=True).to_table().to_pylist()
    article = base["campus"] + "/info/1021/2345.htm"
    history = sorted((r["observed_at"], r["views"]) for r in views if r["url"] == article)
    assert len(history) == 3
    assert history[0][1] == 1286 and history[-1][1] == 5000


def test_rebuild_from_warc_gives_the_same_views_and_articles(three_crawls, tmp_path):
    out = three_crawls["out"]
    files = [str(p) for p in sorted((out / "warc").glob("campus-*.warc.gz"))]
    result = run_archive("extract", *files, "--site", "campus", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]

    def views(root):
        table = open_dataset(root / "views", views=True).to_table(filter=pc.field("site") == "campus")
        return sorted((r["url"], r["observed_at"], r["views"]) for r in table.to_pylist())

    def articles(root):
        table = open_dataset(root / "articles").to_table(filter=pc.field("site") == "campus")
        return sorted((r["url"], r["content_sha1"], r["views"]) for r in table.to_pylist())

    assert views(tmp_path) == views(out)
    assert articles(tmp_path) == articles(out)
    # Extracting the same files into the same dataset again adds nothing.
    result = run_archive("extract", *files, "--site", "campus", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert views(tmp_path) == views(out)
    assert articles(tmp_path) == articles(out)
