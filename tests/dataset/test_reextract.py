"""`archive reextract` rebuilds a site's rows from WARC: replaced, never duplicated, crash-safe."""

import json

import pyarrow as pa

from archive.datadir import DataDir
from archive.dataset.files import open_dataset
from archive.dataset.swap import finish_interrupted
from archive.dataset.writer import DatasetWriter
from tests.conftest import run_archive
from tests.test_cli import ARTICLE, warc_with


def rows(data, kind="articles"):
    table = open_dataset(data / kind, views=kind == "views").to_table()
    return table.drop_columns(["simhash"]).to_pylist() if kind == "articles" else table.to_pylist()


def keyed(table_rows):
    return {(r["url"], r["warc_record_id"]): r for r in table_rows}


def test_reextract_rebuilds_the_same_rows_once(demo_copy):
    data, sites = demo_copy
    before, views_before = rows(data), rows(data, "views")
    for _ in range(2):
        result = run_archive("reextract", "--data", str(data), "--sites", str(sites), "--workers", "2")
        assert result.returncode == 0, result.stderr
    assert "replaced" in result.stdout and "\r" not in result.stderr  # no progress bar off a terminal
    after = rows(data)
    assert len(after) == len(keyed(after)) == len(before)
    assert keyed(after) == keyed(before)
    assert sorted(map(str, rows(data, "views"))) == sorted(map(str, views_before))
    assert not list((DataDir(data).staging).iterdir())


def test_rows_not_made_from_the_sites_warc_files_survive_reextraction(demo_copy, tmp_path):
    """Rows `archive extract --out` added from a saved page, or from a WARC file kept
    elsewhere, have nothing in DATA/warc to be made again from: they are carried over."""
    data, sites = demo_copy
    saved = tmp_path / "saved.html"
    saved.write_text(ARTICLE, encoding="utf-8")
    elsewhere = warc_with(tmp_path / "elsewhere.warc.gz", {"http://127.0.0.1:9/info/9999/2.htm": ARTICLE})
    for source in ([str(saved), "--url", "http://127.0.0.1:9/info/9999/1.htm"], [str(elsewhere)]):
        added = run_archive("extract", *source, "--site", "campus", "--out", str(data))
        assert added.returncode == 0, added.stderr
    before = keyed(rows(data))
    for _ in range(2):
        result = run_archive("reextract", "--data", str(data), "--sites", str(sites), "--site", "campus")
        assert result.returncode == 0, result.stderr
        assert "(2 rows not from these WARC files kept)" in result.stdout
    assert keyed(rows(data)) == before
    assert {"http://127.0.0.1:9/info/9999/1.htm", "http://127.0.0.1:9/info/9999/2.htm"} <= {u for u, _ in before}


def test_reextract_one_site_leaves_the_others(demo_copy):
    data, sites = demo_copy
    others = sorted(p for p in (data / "articles").rglob("*.parquet") if "site=campus" not in str(p))
    result = run_archive("reextract", "--data", str(data), "--sites", str(sites), "--site", "campus")
    assert result.returncode == 0, result.stderr
    assert sorted(p for p in (data / "articles").rglob("*.parquet") if "site=campus" not in str(p)) == others


def test_unknown_site_is_one_line(demo_copy):
    data, _sites = demo_copy
    result = run_archive("reextract", "--data", str(data), "--site", "nowhere")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"Error: {data / 'warc'}: no WARC files of site 'nowhere'"]


def test_a_crash_after_the_commit_is_finished_by_the_next_run(demo_copy):
    data, _sites = demo_copy
    old = sorted(p.relative_to(data) for p in (data / "articles" / "site=gov").rglob("*.parquet"))
    count = len(rows(data))
    # As if killed after writing the journal and moving nothing: staged copy of the rows + journal.
    staging = DataDir(data).staging / "gov@20261101T000000-dead"
    table = open_dataset(data / "articles").to_table(filter=pa.compute.field("site") == "gov")
    writer = DatasetWriter(staging / "articles")
    staged = writer.root / "site=gov" / "capture_date=2026-11-01" / "part-x.parquet"
    staged.parent.mkdir(parents=True)
    import pyarrow.parquet as pq

    pq.write_table(table.drop_columns(["site", "capture_date"]), staged)
    journal = {"site": "gov", "moves": [[str(staged.relative_to(data)), "articles/site=gov/capture_date=2026-11-01/"
                                         "part-x.parquet"]], "deletes": [str(p) for p in old]}
    (DataDir(data).staging / "gov@20261101T000000-dead.journal").write_text(json.dumps(journal))
    abandoned = DataDir(data).staging / "campus@20261101T000000-dead" / "articles"
    abandoned.mkdir(parents=True)  # crashed before its commit: must go, old rows stay
    assert finish_interrupted(data, ["gov", "campus"]) == ["gov"]
    assert len(rows(data)) == count
    assert not any((data / p).exists() for p in old)
    assert not list((DataDir(data).staging).iterdir())


def test_a_page_past_the_time_bound_keeps_the_sites_old_rows(tmp_path):
    from archive.warc.writer import HttpExchange, WarcFileWriter
    from tests.conftest import SLOW_PAGE

    data = tmp_path / "data"
    writer = WarcFileWriter(DataDir(data).warc, "slow")
    for url, html in (("http://127.0.0.1/a/1.html", ARTICLE), ("http://127.0.0.1/a/2.html", SLOW_PAGE)):
        writer.write(HttpExchange(url, "GET", "/", [("Host", "127.0.0.1")], b"", 200, "HTTP/1.1",
                                  [("Content-Type", "text/html; charset=utf-8")], html.encode()))
    writer.close()
    first = run_archive("extract", str(DataDir(data).warc), "--site", "slow", "--out", str(data), "--timeout", "1")
    assert first.returncode == 1 and "http://127.0.0.1/a/2.html: extraction took longer than 1 s" in first.stderr
    before = keyed(rows(data))
    assert [url for url, _ in before] == ["http://127.0.0.1/a/1.html"]
    again = run_archive("reextract", "--data", str(data), "--timeout", "1")
    assert again.returncode == 1
    assert "kept old rows: http://127.0.0.1/a/2.html: extraction took longer than 1 s" in again.stdout
    assert again.stderr.strip().splitlines()[-1] == ("Error: site slow: not every capture could be extracted "
                                                     "(why is said above); its old rows are kept")
    assert keyed(rows(data)) == before
