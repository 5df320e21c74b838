"""The dataset of a real crawl opens in the analysts' tools with the documented schema."""

from datetime import date

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds

from archive.dataset.files import open_dataset
from archive.dataset.schema import ARTICLE_SCHEMA, DATASET_SCHEMA
from archive.demo import load_manifest

DOCUMENTED = {field.name: field.type for field in DATASET_SCHEMA}


def expected_counts(data):
    table = open_dataset(data / "articles").to_table(columns=["site"])
    counts = table.group_by("site").aggregate([([], "count_all")]).to_pylist()
    return {row["site"]: row["count_all"] for row in counts}


def printed_days(data):
    """(site, printed day, articles) of the demo sites' manifests: a day the page prints,
    date-only (the e-paper) or with its time."""
    counts = {}
    for site in expected_counts(data):
        for article in load_manifest(site)["articles"]:
            key = (site, date.fromisoformat(article["published_at"][:10]))
            counts[key] = counts.get(key, 0) + 1
    return counts


def test_pyarrow_reads_the_documented_schema(demo_data):
    dataset = ds.dataset(demo_data / "articles", format="parquet", partitioning="hive")
    assert dataset.schema.field("site").type == pa.string()
    assert dataset.schema.field("capture_date").type == pa.string()
    for field in ARTICLE_SCHEMA:
        assert dataset.schema.field(field.name).type == field.type, field.name
    table = dataset.to_table()
    assert table.num_rows == sum(expected_counts(demo_data).values()) > 0
    assert table.column("simhash").null_count == 0


def test_duckdb_groups_by_site_and_day(demo_data):
    files = f"{demo_data}/articles/**/*.parquet"
    relation = duckdb.sql(
        f"select * from read_parquet('{files}', hive_partitioning=true, "
        "hive_types={'site': 'VARCHAR', 'capture_date': 'VARCHAR'})")
    types = dict(zip(relation.columns, map(str, relation.types), strict=True))
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["attachments"] == "STRUCT(title VARCHAR, url VARCHAR, sha1 VARCHAR, status VARCHAR)[]"
    assert types["simhash"] == "BIGINT" and types["capture_date"] == "VARCHAR"
    assert types["published_date"] == "DATE"
    days = duckdb.sql(f"select site, published_date, count(*) from read_parquet('{files}', hive_partitioning=true, "
                      "hive_types={'site': 'VARCHAR', 'capture_date': 'VARCHAR'}) group by all").fetchall()
    assert {(site, day): n for site, day, n in days} == printed_days(demo_data)
    assert (("epaper", date(2026, 10, 19)), 9) in printed_days(demo_data).items()  # date-only pages
    rows = duckdb.sql(f"select site, count(*) from read_parquet('{files}', hive_partitioning=true) "
                      "group by site order by site").fetchall()
    assert dict(rows) == expected_counts(demo_data)
    [(titled,)] = duckdb.sql(f"select count(*) from read_parquet('{files}') where title is not null").fetchall()
    assert titled == sum(expected_counts(demo_data).values())


def test_pandas_reads_the_partitioned_directory(demo_data):
    frame = pd.read_parquet(demo_data / "articles")
    assert set(DOCUMENTED) <= set(frame.columns)
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC]"
    assert str(frame["simhash"].dtype) == "int64"
    assert frame.groupby("site", observed=True).size().to_dict() == expected_counts(demo_data)
    assert frame["text"].str.len().min() > 0
    assert all(type(day) is date for day in frame["published_date"])
    assert frame.groupby(["site", "published_date"], observed=True).size().to_dict() == printed_days(demo_data)


def test_polars_reads_with_hive_schema(demo_data):
    frame = pl.scan_parquet(demo_data / "articles", hive_partitioning=True,
                            hive_schema={"site": pl.String, "capture_date": pl.String}).collect()
    assert frame.schema["published_at"] == pl.Datetime("us", "UTC")
    assert frame.schema["attachments"] == pl.List(pl.Struct({"title": pl.String, "url": pl.String, "sha1": pl.String,
                                                              "status": pl.String}))
    assert frame.schema["page_count"] == pl.Int32 and frame.schema["site"] == pl.String
    counts = frame.group_by("site").len().sort("site")
    assert dict(counts.iter_rows()) == expected_counts(demo_data)
    assert frame.schema["published_date"] == pl.Date
    days = frame.group_by("site", "published_date").len()
    assert {(site, day): n for site, day, n in days.iter_rows()} == printed_days(demo_data)


def test_views_history_reads_in_duckdb(demo_data):
    files = f"{demo_data}/views/**/*.parquet"
    rows = duckdb.sql(f"select url, max(views) from read_parquet('{files}', hive_partitioning=true) "
                      "group by url").fetchall()
    assert rows and all(views >= 0 for _url, views in rows)
