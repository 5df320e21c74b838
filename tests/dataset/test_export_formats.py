"""Export to spreadsheet CSV, search-engine JSON Lines and bulk files, and --dedup."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone

import pyarrow.parquet as pq
import pytest

from archive.dataset.export import write_export
from archive.dataset.schema import ARTICLE_SCHEMA, records_table
from archive.dataset.selection import select_rows
from archive.dataset.writer import DatasetWriter
from archive.records import ArticleRecord
from tests.conftest import run_archive
from tests.dataset.test_fingerprint import ARTICLE

CHINA = timezone(timedelta(hours=8))


def article(url, site, day, text=ARTICLE, **fields):
    return ArticleRecord(url=url, site=site, title=fields.pop("title", "国务院常务会议"), text=text,
                         published_at=datetime(2026, 10, day, 9, tzinfo=CHINA),
                         fetched_at=datetime(2026, 11, 1, tzinfo=UTC), warc_record_id=f"<urn:uuid:{url}>", **fields)


@pytest.fixture
def republished(tmp_path):
    """One 通稿 on three sites (the portal's copy earliest), and an unrelated article."""
    writer = DatasetWriter(tmp_path / "articles")
    writer.add(article("http://gov/a/1.html", "gov", 20, text="本网讯 " + ARTICLE + "（责任编辑：李四）"))
    writer.add(article("http://portal/n/9.html", "portal", 19))
    writer.add(article("http://campus/info/3.htm", "campus", 21, text=ARTICLE.replace("，", ",")))
    writer.add(article("http://campus/info/4.htm", "campus", 21, title="=SUM(A1:A9)",
                       text="青川大学举行2026年秋季运动会，全校师生三千余人参加。" * 4,
                       author="+86 123", editor="@王五"))
    writer.close()
    return tmp_path


def export(data, fmt, **options):
    out = io.BytesIO()
    select_options = {k: options.pop(k) for k in ("dedup", "sites") if k in options}
    write_export(select_rows(data, **select_options), fmt, out, **options)
    return out.getvalue()


def test_dedup_keeps_earliest_published_with_its_copies(republished):
    rows = [json.loads(line) for line in export(republished, "jsonl", dedup=True).splitlines()]
    assert len(rows) == 2
    kept = next(r for r in rows if r["copies"] == 3)
    assert kept["url"] == "http://portal/n/9.html"
    assert sorted(kept["copy_urls"]) == ["http://campus/info/3.htm", "http://gov/a/1.html"]
    assert sorted(kept["copy_sites"]) == ["campus", "gov"]
    alone = next(r for r in rows if r["copies"] == 1)
    assert alone["url"] == "http://campus/info/4.htm" and alone["copy_urls"] == []


def test_dedup_parquet_has_the_copy_columns(republished):
    table = pq.read_table(io.BytesIO(export(republished, "parquet", dedup=True)))
    assert table.num_rows == 2
    assert table.schema.field("copies").type.bit_width == 32
    assert sorted(table.column("copies").to_pylist()) == [1, 3]


def test_dedup_fingerprints_files_written_before_the_column(tmp_path):
    old_schema = ARTICLE_SCHEMA.remove(ARTICLE_SCHEMA.get_field_index("simhash"))
    directory = tmp_path / "articles" / "site=gov" / "capture_date=2026-11-01"
    directory.mkdir(parents=True)
    table = records_table([article("http://gov/1", "gov", 20), article("http://gov/2", "gov", 21)])
    pq.write_table(table.select(old_schema.names).cast(old_schema), directory / "part-old.parquet")
    [row] = [json.loads(line) for line in export(tmp_path, "jsonl", dedup=True).splitlines()]
    assert (row["url"], row["copies"], row["copy_urls"]) == ("http://gov/1", 2, ["http://gov/2"])


def test_csv_for_spreadsheets(republished):
    data = export(republished, "csv", sites=["campus"], bom=True)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert data.count(b"\r\n") >= 3  # spreadsheet line ends; the texts' own \n stay inside quoted cells
    sport = next(r for r in rows if r["url"].endswith("4.htm"))
    assert (sport["title"], sport["author"], sport["editor"]) == ("'=SUM(A1:A9)", "'+86 123", "'@王五")
    copy = next(r for r in rows if r["url"].endswith("3.htm"))
    assert copy["text"] == ARTICLE.replace("，", ",")  # commas inside a quoted cell
    assert not export(republished, "csv").startswith(b"\xef\xbb\xbf")


def test_jsonl_documents_have_stable_ids(republished):
    first = [json.loads(line) for line in export(republished, "jsonl").splitlines()]
    again = [json.loads(line) for line in export(republished, "jsonl").splitlines()]
    assert len(first) == 4 and len({d["_id"] for d in first}) == 4
    assert [d["_id"] for d in first] == [d["_id"] for d in again]
    assert all(len(d["_id"]) == 40 for d in first)


def test_bulk_pairs_actions_and_documents(republished):
    lines = [json.loads(line) for line in export(republished, "bulk", index="news").splitlines()]
    actions, documents = lines[0::2], lines[1::2]
    assert len(actions) == len(documents) == 4
    assert all(set(a) == {"index"} and a["index"]["_index"] == "news" for a in actions)
    assert all("_id" not in d and d["url"] for d in documents)  # _id is metadata, not a field
    ids = {d["_id"] for d in (json.loads(x) for x in export(republished, "jsonl").splitlines())}
    assert {a["index"]["_id"] for a in actions} == ids


def test_cli_export_of_the_demo_crawl(demo_data, tmp_path):
    target = tmp_path / "all.csv"
    result = run_archive("export", "--data", str(demo_data), "--format", "csv", "--bom", "-o", str(target))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"), newline="")))
    assert result.stderr.strip() == f"{len(rows)} articles written to {target}"  # no bar: stderr is a pipe
    deduped = run_archive("export", "--data", str(demo_data), "--dedup")
    assert deduped.returncode == 0, deduped.stderr
    docs = [json.loads(line) for line in deduped.stdout.splitlines()]
    assert sum(d["copies"] for d in docs) == len(rows)


@pytest.mark.parametrize("options,message", [
    (["--bom"], "--bom applies to --format csv"),
    (["--index", "news"], "--index applies to --format bulk"),
    (["--distance", "3"], "--distance applies to --dedup"),
    (["--views", "--all-versions"], "--all-versions applies to articles"),
    (["--since", "2026-10-19", "--until", "2026-10-01"], "--since 2026-10-19 is after --until 2026-10-01"),
])
def test_options_that_would_be_ignored_are_refused(demo_data, tmp_path, options, message):
    result = run_archive("export", "--data", str(demo_data), "-o", str(tmp_path / "out"), *options)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()  # the message alone, no usage lines before it
    assert line.startswith(f"Error: {message}")
    assert not list(tmp_path.iterdir())


def test_no_output_is_written_over_or_into_the_archive(demo_copy):
    data, _sites = demo_copy
    warc = sorted((data / "warc").glob("*.warc.gz"))[0]
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    for command in (["export", "--format", "csv", "-o", str(warc)],
                    ["export", "-o", str(data / "articles" / "all.jsonl")],
                    ["report", "-o", str(data / "state.sqlite")],
                    ["wacz", "-o", str(data / "warc" / "all.wacz")]):
        result = run_archive(*command, "--data", str(data))
        assert result.returncode == 2, command
        [line] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert "would write into the archive" in line, line
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == before
