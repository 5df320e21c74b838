"""`archive stats` and `archive report`, the report checked as a browser shows it."""

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from lxml import html

from archive.dataset.files import open_dataset
from archive.dataset.report import render_report
from archive.dataset.schema import records_table
from archive.dataset.stats import DatasetStats, SiteCounts
from tests.conftest import run_archive

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def site_counts(data):
    table = open_dataset(data / "articles").to_table(columns=["site", "url"])
    counts = {}
    for row in table.to_pylist():
        counts.setdefault(row["site"], set()).add(row["url"])
    return {site: len(urls) for site, urls in counts.items()}


def test_stats_counts_per_site_and_day(demo_data):
    result = run_archive("stats", "--data", str(demo_data), "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert {s["site"]: s["articles"] for s in stats["sites"]} == site_counts(demo_data)
    assert sum(n for _site, _day, n in stats["captured_per_day"]) == open_dataset(demo_data / "articles").count_rows()
    assert set(stats["coverage"]["gov"]) >= {"title", "published_at", "source", "views"}
    assert stats["coverage"]["campus"]["title"] == 1.0
    assert stats["top_views"] and stats["top_views"][0]["views"] >= stats["top_views"][-1]["views"]
    text = run_archive("stats", "--data", str(demo_data))
    assert text.returncode == 0 and "field coverage" in text.stdout and "campus" in text.stdout


def test_a_mistyped_site_is_an_error_not_an_empty_answer(demo_data, tmp_path):
    for command in (["stats"], ["export", "-o", str(tmp_path / "out.csv"), "--format", "csv"],
                    ["report", "-o", str(tmp_path / "report.html")]):
        result = run_archive(*command, "--data", str(demo_data), "--site", "campus", "--site", "campsu")
        assert result.returncode == 1, command
        assert result.stderr.splitlines() == [
            f"Error: --site campsu: no articles of this site in {demo_data / 'articles'} "
            "(sites there: campus, docshare, epaper, gov, portal)"]
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_damaged_dataset_file_is_one_line_naming_it_and_reextract_mends_it(demo_copy, tmp_path):
    data, sites = demo_copy
    damaged = sorted((data / "articles" / "site=gov").rglob("*.parquet"))[0]
    damaged.write_bytes(damaged.read_bytes()[:500])
    name = str(damaged.relative_to(data))
    for command in (["stats"], ["export", "--format", "csv"], ["export", "--dedup"],
                    ["report", "-o", str(tmp_path / "r.html")], ["wacz", "-o", str(tmp_path / "a.wacz")]):
        result = run_archive(*command, "--data", str(data))
        assert result.returncode == 1, command
        [line] = result.stderr.splitlines()
        assert line.startswith("Error: a dataset file is damaged (`archive reextract") and name in line, line
    mended = run_archive("reextract", "--data", str(data), "--sites", str(sites), "--site", "gov")
    assert mended.returncode == 0 and f"{damaged}: damaged, replaced by the rows rebuilt from WARC" in mended.stderr
    assert run_archive("export", "--data", str(data), "--site", "gov").returncode == 0


def test_an_output_that_cannot_be_written_is_one_line(demo_data, tmp_path):
    result = run_archive("export", "--data", str(demo_data), "-o", str(tmp_path / "missing" / "dir" / "x.csv"))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"Error: {tmp_path / 'missing' / 'dir' / 'x.csv.partial'}: "
                                          "No such file or directory"]


def chromium():
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install -y chromium)")
        pytest.skip("chromium is not installed")
    return found


def run_chromium(tmp_path, *args):
    profile = tmp_path / "profile"
    command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, timeout=120, check=True)


@pytest.fixture(scope="module")
def report_page(demo_data, tmp_path_factory):
    target = tmp_path_factory.mktemp("report") / "report.html"
    result = run_archive("report", "--data", str(demo_data), "-o", str(target))
    assert result.returncode == 0, result.stderr
    return target


def test_report_is_self_contained(report_page):
    page = report_page.read_text("utf-8")
    assert "http://" not in page.split("<script", 1)[0].replace("http://127.0.0.1", "")
    assert "<script src" not in page and "<link" not in page


def test_report_as_chromium_shows_it(report_page, demo_data, tmp_path):
    dom = run_chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", report_page.as_uri()).stdout
    tree = html.fromstring(dom)
    assert tree.body.get("data-ready") == "yes"  # the inline script ran
    rows = tree.xpath('//table[@id="site-counts"]/tbody/tr')
    shown = {r.xpath("td[1]")[0].text_content(): int(r.xpath("td[2]")[0].text_content()) for r in rows}
    assert shown == site_counts(demo_data)
    assert tree.get_element_by_id("total-articles").text_content() == str(sum(shown.values()))
    bars = tree.xpath('//*[@id="chart-per-day"]//*[local-name()="rect" and @class="bar"]')
    assert {b.get("data-site") for b in bars} == set(shown)
    assert sum(int(b.get("data-count")) for b in bars) == open_dataset(demo_data / "articles").count_rows()
    cells = tree.xpath('//*[@id="chart-coverage"]//*[local-name()="rect" and @class="cell"]')
    assert len(cells) == 12 * len(shown)
    assert tree.xpath('//*[@id="chart-views"]//*[local-name()="rect" and @class="bar"]')
    assert "青川大学" in dom.decode("utf-8")


def test_report_screenshot(report_page, tmp_path):
    shot = tmp_path / "report.png"
    run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,2400", "--hide-scrollbars",
                 report_page.as_uri())
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
    if os.environ.get("ARCHIVE_KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["ARCHIVE_KEEP_SCREENSHOT"])


def test_stats_count_the_records_whose_body_failed_a_check(tmp_path):
    import pyarrow.parquet as pq

    from archive.dataset.schema import ARTICLE_SCHEMA
    from archive.dataset.writer import DatasetWriter
    from archive.records import ArticleRecord

    def record(number, site, quality):
        return ArticleRecord(url=f"http://{site}/{number}", site=site, title="标题", text="正文", quality=quality,
                             warc_record_id=f"<urn:uuid:{site}-{number}>", fetched_at=datetime(2026, 11, 1, tzinfo=UTC))

    writer = DatasetWriter(tmp_path / "articles")
    for number, quality in enumerate(["ok", "comments", "links", "ok"]):
        writer.add(record(number, "portal", quality))
    writer.add(record(9, "gov", "ok"))
    writer.close()
    # a file written before bodies were judged has no quality column
    old = tmp_path / "articles" / "site=gov" / "capture_date=2026-10-01" / "part-old-0.parquet"
    old.parent.mkdir(parents=True)
    table = records_table([record(8, "gov", None)])
    pq.write_table(table.drop_columns(["quality"]), old)
    assert "quality" in ARTICLE_SCHEMA.names
    stats = json.loads(run_archive("stats", "--data", str(tmp_path), "--json").stdout)
    assert {s["site"]: s["doubted"] for s in stats["sites"]} == {"gov": 0, "portal": 2}
    assert sorted(map(tuple, stats["qualities"])) == [
        ("gov", "not judged", 1), ("gov", "ok", 1), ("portal", "comments", 1), ("portal", "links", 1),
        ("portal", "ok", 2)]
    text = run_archive("stats", "--data", str(tmp_path)).stdout
    assert "doubted" in text.splitlines()[0]
    assert [line.split()[:5] for line in text.splitlines()[1:3]] == [["gov", "2", "2", "2", "0"],
                                                                     ["portal", "4", "4", "4", "2"]]


@pytest.mark.parametrize("title", ["<!--<script>", "<!--<script", "</script><script>document.body.remove()</script>",
                                   "<!-- 注释 -->", "a</SCRIPT >b"])
def test_titles_that_look_like_markup_leave_the_report_whole(tmp_path, title):
    """The data block is a <script>: `<!--<script` in it would swallow the page's own
    script; every `<`, `>` and `&` is escaped, and the data still reads back exactly."""
    stats = DatasetStats(
        sites=[SiteCounts("gov", 1, 1, 0, "2026-10-19", "2026-10-19", "2026-10-19", "2026-10-19", 1, 1)],
        published_per_day=[("gov", "2026-10-19", 1)],
        top_views=[{"site": "gov", "url": "http://a.example/1.html", "title": title, "views": 7}])
    page = tmp_path / "report.html"
    page.write_text(render_report(stats), encoding="utf-8")
    dom = run_chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", page.as_uri()).stdout
    tree = html.fromstring(dom)
    assert tree.body.get("data-ready") == "yes"  # the page's script ran after the data block
    assert tree.get_element_by_id("total-articles").text_content() == "1"
    data = json.loads(tree.get_element_by_id("report-data").text_content())
    assert data["top_views"][0]["title"] == title
    assert tree.xpath('//*[@id="chart-views"]//*[local-name()="title"]')[0].text_content().startswith(title)
