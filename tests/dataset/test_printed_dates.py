"""Dates as the page prints them, end to end over the demo crawl: the e-paper's pages
print only the day of their edition (2026-10-19)."""

import csv
import io
import json
import shutil
from datetime import UTC, date, datetime

import pyarrow.parquet as pq
import pytest

from archive.dataset.files import dataset_files, open_dataset
from tests.conftest import run_archive
from tests.test_cli import ARTICLE

EDITION = "2026-10-19"


def jsonl(result) -> dict[str, dict]:
    assert result.returncode == 0, result.stderr
    return {row["warc_record_id"]: row for row in map(json.loads, result.stdout.splitlines())}


def csv_rows(result) -> dict[str, dict]:
    assert result.returncode == 0, result.stderr
    return {row["warc_record_id"]: row for row in csv.DictReader(io.StringIO(result.stdout, newline=""))}


def site_warcs(data, site):
    return sorted(str(p) for p in (data / "warc").glob(f"{site}-*.warc.gz"))


def shown_times(rows: dict[str, dict]) -> dict[str, tuple]:
    return {key: (r["published_at"], r["published_date"], r["fetched_at"], r["views_observed_at"] or None)
            for key, r in rows.items()}


@pytest.fixture(scope="module")
def demo_sites(demo_crawl):
    _server, out, _result = demo_crawl
    return out.parent / "sites"


@pytest.mark.parametrize("site", ["epaper", "gov"])
def test_extract_and_export_show_the_same_times(demo_data, demo_sites, site):
    extracted = jsonl(run_archive("extract", *site_warcs(demo_data, site), "--site", site, "--sites", str(demo_sites)))
    exported = jsonl(run_archive("export", "--data", str(demo_data), "--site", site, "--sites", str(demo_sites)))
    spreadsheet = csv_rows(run_archive("export", "--data", str(demo_data), "--site", site, "--format", "csv"))
    assert extracted and shown_times(extracted) == shown_times(exported) == shown_times(spreadsheet)
    if site == "epaper":
        assert {(r["published_at"], r["published_date"]) for r in exported.values()} == {
            (f"{EDITION}T00:00:00+08:00", EDITION)}
    assert all(r["fetched_at"].endswith("+08:00") for r in exported.values())


def test_stats_count_by_the_printed_day(demo_data):
    result = run_archive("stats", "--data", str(demo_data), "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert [(d, n) for s, d, n in stats["published_per_day"] if s == "epaper"] == [(EDITION, 9)]
    epaper = next(s for s in stats["sites"] if s["site"] == "epaper")
    assert (epaper["first_published"], epaper["last_published"]) == (EDITION, EDITION)
    assert epaper["first_capture"].endswith("+08:00")
    text = run_archive("stats", "--data", str(demo_data), "--site", "epaper").stdout
    assert f"{EDITION} .. {EDITION}" in text and f"  epaper              {EDITION}        9" in text


def test_export_since_until_is_the_printed_day(demo_data):
    rows = jsonl(run_archive("export", "--data", str(demo_data), "--since", EDITION, "--until", EDITION))
    assert {r["published_date"] for r in rows.values()} == {EDITION}
    assert sum(r["site"] == "epaper" for r in rows.values()) == 9


def without_printed_day(data):
    """The article files as the archiver wrote them before the column existed."""
    for path in dataset_files(data / "articles"):
        table = pq.read_table(path)
        pq.write_table(table.drop_columns(["published_date"]), path)


def test_files_written_before_the_column_read_as_the_beijing_day(demo_copy, tmp_path):
    data, sites = demo_copy
    # a row reextract cannot make again (a saved page), carried over as it is
    saved = tmp_path / "saved.html"
    saved.write_text(ARTICLE, encoding="utf-8")
    added = run_archive("extract", str(saved), "--url", "http://127.0.0.1:9/html/1.htm", "--site", "epaper",
                        "--out", str(data))
    assert added.returncode == 0, added.stderr
    before = jsonl(run_archive("export", "--data", str(data)))
    without_printed_day(data)
    assert jsonl(run_archive("export", "--data", str(data))) == before
    chosen = jsonl(run_archive("export", "--data", str(data), "--since", EDITION, "--until", EDITION))
    assert sum(r["site"] == "epaper" for r in chosen.values()) == 10
    deduplicated = jsonl(run_archive("export", "--data", str(data), "--dedup", "--site", "epaper", "--since", EDITION))
    assert {r["published_date"] for r in deduplicated.values()} == {EDITION}
    stats = json.loads(run_archive("stats", "--data", str(data), "--json").stdout)
    assert [(d, n) for s, d, n in stats["published_per_day"] if s == "epaper"] == [(EDITION, 10)]
    # reextract writes the column again, for the rows it carries over too
    result = run_archive("reextract", "--data", str(data), "--sites", str(sites), "--site", "epaper")
    assert result.returncode == 0, result.stderr
    for path in dataset_files(data / "articles", ["epaper"]):
        assert pq.read_table(path).column("published_date").to_pylist() == [date(2026, 10, 19)] * \
            pq.read_metadata(path).num_rows


def test_a_site_elsewhere_shows_its_own_zone(demo_copy, tmp_path):
    data, shared_sites = demo_copy
    sites = tmp_path / "sites"
    shutil.copytree(shared_sites, sites)
    config = sites / "epaper.toml"
    config.write_text(config.read_text("utf-8") + '\ntimezone = "America/New_York"\n', encoding="utf-8")
    result = run_archive("reextract", "--data", str(data), "--sites", str(sites), "--site", "epaper")
    assert result.returncode == 0, result.stderr
    instants = open_dataset(data / "articles").to_table(columns=["site", "published_at", "published_date"]).to_pylist()
    assert {(r["published_at"], r["published_date"]) for r in instants if r["site"] == "epaper"} == {
        (datetime(2026, 10, 19, 4, tzinfo=UTC), date(2026, 10, 19))}  # midnight in New York
    exported = jsonl(run_archive("export", "--data", str(data), "--site", "epaper", "--sites", str(sites)))
    assert {(r["published_at"], r["published_date"]) for r in exported.values()} == {
        (f"{EDITION}T00:00:00-04:00", EDITION)}
    extracted = jsonl(run_archive("extract", *site_warcs(data, "epaper"), "--site", "epaper", "--sites", str(sites)))
    assert shown_times(extracted) == shown_times(exported)
    stats = json.loads(run_archive("stats", "--data", str(data), "--json", "--sites", str(sites)).stdout)
    assert [(d, n) for s, d, n in stats["published_per_day"] if s == "epaper"] == [(EDITION, 9)]


def test_a_bad_zone_is_one_line_naming_file_and_field(demo_data, tmp_path):
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "epaper.toml").write_text('timezone = "Beijing"\n', encoding="utf-8")
    target = tmp_path / "out.csv"
    for command in (["export", "--format", "csv", "-o", str(target)], ["stats"]):
        result = run_archive(*command, "--data", str(demo_data), "--sites", str(sites))
        assert result.returncode == 1
        assert result.stderr.splitlines() == [f"Error: {sites / 'epaper.toml'}: timezone: 'Beijing' is not a time "
                                              "zone this system knows (IANA names such as 'Asia/Shanghai' or "
                                              "'Europe/Paris')"]
    assert not list(tmp_path.glob("out.csv*"))
