"""Bad input from the web: one crawl of a hostile site (and of a site that only answers
errors) in one process; each kind of bad page gets a counted outcome and the crawl
finishes normally."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from archive.warc.reader import scan_responses
from tests.conftest import ARCHIVE
from tests.reliability.conftest import ENV, ROOT, assert_archive_sound, captured_urls, rows, run_crawl, write_site
from tests.reliability.hostile import HostileServer, hostile_routes, storm_routes

CALENDAR_PAGES = 8


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    with HostileServer(lambda server, path: None) as other:
        away = other.base.replace("127.0.0.1", "localhost")  # another host name: off-site
        with HostileServer(hostile_routes(away)) as hostile, HostileServer(storm_routes) as storm:
            write_site(tmp / "sites", "hostile", start_urls=[hostile.base + "/", hostile.base + "/loop/start.html"],
                       allowed_domains=["127.0.0.1"], allow_addresses=["127.0.0.1"], max_depth=60, max_pages=400,
                       feeds=[hostile.base + "/rss.xml"], sitemaps=[hostile.base + "/sitemap.xml"], delay=0.0)
            write_site(tmp / "sites", "storm", start_urls=[storm.base + "/"], allowed_domains=["127.0.0.1"],
                       allow_addresses=["127.0.0.1"], delay=0.0)
            out = tmp / "out"
            result, stats = run_crawl(tmp, out=out, sites=tmp / "sites", timeout=150, overrides={
                "DOWNLOAD_TIMEOUT": 3, "ARCHIVE_TRAPS_CALENDAR_PAGES": CALENDAR_PAGES,
                # AutoThrottle backs off while errors storm in (up to 30 s a request): keep the test short.
                "AUTOTHROTTLE_MAX_DELAY": 0.3})
            yield {"out": out, "result": result, "stats": stats, "hostile": hostile, "storm": storm,
                   "other": other, "tmp": tmp}


def stat(crawl, key: str, site: str = "hostile") -> int:
    return crawl["stats"][site].get(key, 0)


def test_crawl_finishes_normally_with_nothing_escaping(crawl):
    assert crawl["result"].returncode == 0, crawl["result"].stderr[-3000:]
    for site in ("hostile", "storm"):
        stats = crawl["stats"][site]
        assert stats["finish_reason"] == "finished"
        assert not [k for k in stats if k.startswith("spider_exceptions/")], stats
        assert stats.get("archive/extraction_failed", 0) == 0
    assert "Traceback" not in crawl["result"].stderr
    assert_archive_sound(crawl["out"])


def test_good_pages_are_extracted_beside_the_bad_ones(crawl):
    urls = {r["url"].split("/", 3)[3] for r in rows(crawl["out"])}
    assert {"ok/1.html", "ok/3.html"} <= urls


@pytest.mark.parametrize("path", ["/bad/malformed.html", "/bad/deep.html", "/bad/binary.html",
                                  "/bad/wrong-charset.html", "/bad/no-charset.html", "/bad/invalid-bytes.html",
                                  "/bad/empty.html"])
def test_bad_pages_are_archived_and_judged_not_crashed_on(crawl, path):
    assert crawl["hostile"].base + path in captured_urls(crawl["out"])
    # Every HTML page handed to extraction came back as an article or a counted non-article.
    assert stat(crawl, "archive/non_article_pages") + stat(crawl, "archive/articles") >= 9


def test_mislabelled_charsets_still_give_readable_text(crawl):
    from archive.dataset.files import open_dataset

    table = open_dataset(crawl["out"] / "articles").to_table(columns=["url", "title"]).to_pylist()
    titles = {r["url"].rsplit("/", 1)[1]: r["title"] for r in table}
    for name in ("wrong-charset.html", "no-charset.html"):
        if name in titles:  # judged an article: then its title must be the real one
            assert titles[name] == "县政府（GBK）召开秋季安全生产工作会议"


def test_oversized_bodies_are_cancelled_and_not_archived(crawl):
    assert stat(crawl, "downloader/exception_type_count/scrapy.exceptions.DownloadCancelledError") == 2
    captured = captured_urls(crawl["out"])
    assert not [u for u in captured if "/bad/huge" in u]
    assert sum(p.stat().st_size for p in (crawl["out"] / "warc").glob("*.warc.gz")) < 5_000_000


def test_compression_bombs_are_dropped_but_archived_as_received(crawl):
    assert stat(crawl, "archive/fetch_failed/too_large") == 2
    bombs = [e for p in (crawl["out"] / "warc").glob("*.warc.gz") for e in scan_responses(p) if "bomb" in e.url]
    assert len(bombs) == 2  # the compressed bytes as they came, ~130 kB each
    assert not [r for r in rows(crawl["out"]) if "bomb" in r["url"]]


def test_rebuilding_from_the_warc_files_skips_the_bombs(crawl):
    result = subprocess.run([ARCHIVE, "extract", str(crawl["out"] / "warc")],
                            capture_output=True, text=True, timeout=120, env=ENV, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr.count("compression bomb") == 2
    urls = {json.loads(line)["url"] for line in result.stdout.splitlines()}
    assert crawl["hostile"].base + "/ok/1.html" in urls


def test_redirect_loop_is_refused_at_its_first_repetition(crawl):
    # Start URLs and followed links alike: the duplicate filter drops the repetition (the
    # trap guard does for requests it lets through: tests/crawler/test_traps.py).
    assert crawl["hostile"].count("/loop/start.html") == 1 and crawl["hostile"].count("/loop/c.html") == 1
    assert crawl["hostile"].count("/loop/a.html") == 1
    assert stat(crawl, "dupefilter/filtered") >= 2


def test_nothing_off_site_is_fetched(crawl):
    assert crawl["other"].hits == []
    assert stat(crawl, "offsite/filtered") == 1  # the redirect (the spider itself drops off-site links)


def test_stalled_body_times_out_and_is_retried_a_bounded_number_of_times(crawl):
    assert crawl["hostile"].count("/stall.html") == 3
    assert stat(crawl, "archive/fetch_failed/DownloadTimeoutError") == 1


def test_error_storm_is_archived_retried_within_bounds_and_counted(crawl):
    stats = crawl["stats"]["storm"]
    for status in (500, 502, 503):
        assert stats[f"downloader/response_status_count/{status}"] == 15  # 5 pages, 1 try + 2 retries
    for status in (404, 410, 403):
        assert crawl["storm"].count(f"/e/{status}/") == 5
    assert stats["finish_reason"] == "finished"
    assert len(captured_urls(crawl["out"])) >= 62


def test_calendar_is_bounded(crawl):
    assert crawl["hostile"].count("/cal/") == CALENDAR_PAGES
    assert stat(crawl, "archive/traps/calendar_pages") >= 1


def test_session_ids_are_stripped(crawl):
    assert crawl["hostile"].count("/list.html") == 1
    assert not [h for h in crawl["hostile"].hits if "PHPSESSID" in h]
    assert stat(crawl, "archive/traps/session_id_stripped") >= 2


def test_url_traps_are_refused(crawl):
    hits = crawl["hostile"].hits
    assert not [h for h in hits if h.startswith("/news/news/news/")]
    assert not [h for h in hits if h.startswith("/q.html") or len(h) > 1024]
    for reason in ("repeated_segments", "too_many_params", "url_too_long"):
        assert stat(crawl, f"archive/traps/{reason}") == 1


def test_xml_entity_bombs_and_external_entities_are_never_expanded(crawl):
    hits = crawl["hostile"].hits
    assert stat(crawl, "archive/feed_doctype_removed") == 2
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else "\0"
    assert not [h for h in hits if hostname in h or "lol" in h or "xxe" in h]
    # The rest of each file is still read: the good URLs they list are fetched.
    assert crawl["hostile"].count("/ok/2.html") == 1 and crawl["hostile"].count("/ok/3.html") == 1


def test_robots_txt_is_obeyed(crawl):
    assert crawl["hostile"].count("/private/") == 0
    assert stat(crawl, "robotstxt/forbidden") == 1
