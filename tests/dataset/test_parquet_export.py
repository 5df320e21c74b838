import csv
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from archive.dataset.export import write_export
from archive.dataset.files import open_dataset
from archive.dataset.schema import ARTICLE_SCHEMA
from archive.dataset.selection import select_rows
from archive.dataset.writer import DatasetWriter
from archive.errors import InputError
from archive.records import ArticleRecord, Attachment

CHINA = timezone(timedelta(hours=8))


def record(url, site="campus", published=datetime(2026, 10, 19, 8, 21, tzinfo=CHINA), **fields):
    fields.setdefault("title", "标题")
    fields.setdefault("warc_record_id", f"<urn:uuid:{url}>")
    return ArticleRecord(url=url, site=site, text="第一段\n第二段", published_at=published,
                         fetched_at=datetime(2026, 11, 1, 12, tzinfo=UTC), **fields)


@pytest.fixture
def data_dir(tmp_path):
    writer = DatasetWriter(tmp_path / "articles")
    writer.add(record("http://a/1", views=12, attachments=[Attachment("附件", "http://a/f.pdf")]))
    writer.add(record("http://a/2", published=datetime(2026, 10, 20, 23, 30, tzinfo=CHINA)))
    writer.add(record("http://b/1", site="gov", author="=HYPERLINK(\"x\")"))
    writer.close()
    return tmp_path


def test_layout_is_hive_partitioned_with_explicit_schema(data_dir):
    files = sorted(p.relative_to(data_dir).parts[:3] for p in (data_dir / "articles").rglob("*.parquet"))
    assert files[0][1:] == ("site=campus", "capture_date=2026-11-01")
    one = next((data_dir / "articles").rglob("*.parquet"))
    assert pq.read_schema(one).remove_metadata() == ARTICLE_SCHEMA
    table = open_dataset(data_dir / "articles").to_table()
    assert sorted(table.column("site").to_pylist()) == ["campus", "campus", "gov"]


def test_second_writer_adds_files_and_never_replaces(data_dir):
    before = set((data_dir / "articles").rglob("*.parquet"))
    writer = DatasetWriter(data_dir / "articles")
    writer.add(record("http://a/3"))
    writer.close()
    after = set((data_dir / "articles").rglob("*.parquet"))
    assert before < after
    assert open_dataset(data_dir / "articles").count_rows() == 4


def test_duckdb_and_pandas_read_the_dataset(data_dir):
    glob = str(data_dir / "articles" / "**" / "*.parquet")
    rows = duckdb.sql(f"select site, count(*) from read_parquet('{glob}', hive_partitioning=true) "
                      "group by site order by site").fetchall()
    assert rows == [("campus", 2), ("gov", 1)]
    frame = pd.read_parquet(data_dir / "articles")
    assert set(frame["url"]) == {"http://a/1", "http://a/2", "http://b/1"}
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC]"


def export(data_dir, fmt, **filters) -> bytes:
    out = io.BytesIO()
    write_export(select_rows(data_dir, **filters), fmt, out)
    return out.getvalue()


def test_filters_by_site_and_china_day(data_dir):
    lines = export(data_dir, "jsonl", sites=["campus"], since=date(2026, 10, 20), until=date(2026, 10, 20))
    rows = [json.loads(line) for line in lines.splitlines()]
    # 23:30 in China on the 20th is 15:30 UTC: still the 20th for the filter, and as shown
    assert [r["url"] for r in rows] == ["http://a/2"]
    assert (rows[0]["published_at"], rows[0]["published_date"]) == ("2026-10-20T23:30:00+08:00", "2026-10-20")


def test_csv_quotes_and_neutralises_formulas(data_dir):
    text = export(data_dir, "csv", sites=["gov"]).decode("utf-8")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["author"] == "'=HYPERLINK(\"x\")"
    assert row["text"] == "第一段\n第二段"


def test_parquet_export_roundtrips(data_dir):
    table = pq.read_table(io.BytesIO(export(data_dir, "parquet")))
    rows = {row["url"]: row for row in table.to_pylist()}
    assert sorted(rows) == ["http://a/1", "http://a/2", "http://b/1"]
    assert rows["http://a/1"]["attachments"] == [{"title": "附件", "url": "http://a/f.pdf", "sha1": None,
                                                  "status": None}]
    assert rows["http://a/1"]["views"] == 12 and rows["http://a/2"]["attachments"] == []
    assert rows["http://b/1"]["author"] == '=HYPERLINK("x")'  # Parquet is no spreadsheet: kept as written
    assert rows["http://a/2"]["published_at"] == datetime(2026, 10, 20, 15, 30, tzinfo=UTC)


def test_latest_version_by_default_all_on_request(data_dir):
    writer = DatasetWriter(data_dir / "articles")
    changed = record("http://a/1", title="改过的标题", warc_record_id="<urn:uuid:2>")
    changed.fetched_at = datetime(2026, 11, 2, 12, tzinfo=UTC)
    writer.add(changed)
    writer.close()
    latest = [json.loads(line) for line in export(data_dir, "jsonl", sites=["campus"]).splitlines()]
    assert sorted((r["url"], r["title"]) for r in latest) == [("http://a/1", "改过的标题"), ("http://a/2", "标题")]
    every = export(data_dir, "jsonl", sites=["campus"], all_versions=True).splitlines()
    assert len(every) == 3


def test_views_history_export(tmp_path):
    from archive.records import ViewsRow

    writer = DatasetWriter(tmp_path / "views", views=True)
    writer.add(ViewsRow("http://a/1", "campus", datetime(2026, 11, 1, tzinfo=UTC), 10))
    writer.add(ViewsRow("http://a/1", "campus", datetime(2026, 11, 2, tzinfo=UTC), 25))
    writer.close()
    rows = list(csv.DictReader(io.StringIO(export(tmp_path, "csv", views=True).decode("utf-8"))))
    assert [(r["url"], r["views"]) for r in rows] == [("http://a/1", "10"), ("http://a/1", "25")]


def test_missing_dataset_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no article dataset here"):
        select_rows(tmp_path)


def test_csv_of_an_empty_selection_is_one_header_line(data_dir):
    text = export(data_dir, "csv", since=date(2099, 1, 1)).decode("utf-8")
    assert text.count("\r\n") == 1 and text.startswith("url,title,text,")


def test_csv_numbers_survive_sliced_multi_file_scans(tmp_path):
    # Integer columns of filtered scans over many files once came out of the CSV writer
    # as raw bytes (a pyarrow CSV writer fault with such chunked columns).
    expected = {}
    for part in range(24):
        writer = DatasetWriter(tmp_path / "articles")
        for i in range(100):
            url = f"http://a/{part}-{i}"
            day = datetime(2026, 1 + part % 12, 1 + i % 28, 9, tzinfo=CHINA)
            row = record(url, published=day, views=1000 * part + i, warc_offset=7 * i)
            row.fetched_at = datetime(2026, 1 + part % 12, 1, tzinfo=UTC)
            writer.add(row)
            if date(2026, 4, 1) <= day.date() <= date(2026, 9, 30):
                expected[url] = (str(1000 * part + i), str(7 * i))
        writer.close()
    text = export(tmp_path, "csv", since=date(2026, 4, 1), until=date(2026, 9, 30)).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["url"]: (r["views"], r["warc_offset"]) for r in rows} == expected
