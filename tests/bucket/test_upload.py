"""`archive upload` against a real S3-compatible server on loopback: a crawl's archive
uploaded whole and read back from the bucket row for row, nothing sent twice, nothing
unfinished sent at all, and one line with exit 1 when the bucket cannot be had."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from archive.datadir import DATASETS, DataDir, partial_name
from archive.warc.names import open_name
from tests.bucket.conftest import free_port, keys, tree
from tests.conftest import run_archive


def schema_of(dataset: str):
    from archive.changes.dataset import CHANGES_DATASET_SCHEMA
    from archive.dataset.schema import ATTACHMENT_DATASET_SCHEMA, DATASET_SCHEMA, VIEWS_DATASET_SCHEMA

    return {"articles": DATASET_SCHEMA, "views": VIEWS_DATASET_SCHEMA, "changes": CHANGES_DATASET_SCHEMA,
            "attachments": ATTACHMENT_DATASET_SCHEMA}[dataset]


def bucket_dataset(filesystem, root: str, dataset: str):
    """A dataset as a reader of the bucket opens it: hive partitions, the documented schema."""
    import pyarrow.dataset as ds

    from archive.dataset.schema import PARTITION_SCHEMA

    return ds.dataset(f"{root}/{dataset}", filesystem=filesystem, format="parquet", schema=schema_of(dataset),
                      partitioning=ds.partitioning(PARTITION_SCHEMA, flavor="hive"))


def local_rows(data_dirs: list[Path], dataset: str) -> list[dict]:
    from archive.dataset.files import open_dataset

    rows = []
    for data in data_dirs:
        if DataDir(data).dataset(dataset).is_dir():
            rows += open_dataset(DataDir(data).dataset(dataset), schema=schema_of(dataset)).to_table().to_pylist()
    return sorted(rows, key=repr)


def finished_keys(data: Path) -> set[str]:
    """What an upload must send: every WARC file, index and dataset file under its final name."""
    return {path.relative_to(data).as_posix() for part in ("warc", "indexes", *DATASETS)
            for path in (data / part).rglob("*")
            if path.is_file() and not path.name.startswith(".") and not path.name.endswith(".open")}


def upload(data: Path, url: str, *extra: str):
    return run_archive("upload", url, "--data", str(data), *extra)


def test_a_crawl_uploaded_reads_back_from_the_bucket_row_for_row(demo_crawl, bucket):
    _, out, crawled = demo_crawl
    assert crawled.returncode == 0, crawled.stderr
    name, filesystem = bucket
    before = tree(out)

    result = upload(out, f"s3://{name}/archive")

    assert result.returncode == 0, result.stderr
    sent = finished_keys(out)
    assert {key for key in sent if key.startswith("warc/")} and {key for key in sent if key.startswith("articles/")}
    assert keys(filesystem, f"{name}/archive") == {key: (out / key).stat().st_size for key in sent}
    assert {line.split()[1] for line in result.stdout.splitlines() if line.startswith("uploaded ")} == sent
    assert f"s3://{name}/archive: {len(sent)} files uploaded" in result.stdout
    for dataset in DATASETS:
        if (out / dataset).is_dir():
            remote = bucket_dataset(filesystem, f"{name}/archive", dataset).to_table().to_pylist()
            assert sorted(remote, key=repr) == local_rows([out], dataset), dataset
    # the crawl's own state stays on its machine, and nothing of the archive changed
    assert not any(key.startswith(("locks/", "state.sqlite")) for key in keys(filesystem, f"{name}/archive"))
    assert tree(out) == before


def test_duckdb_reads_the_uploaded_articles(demo_crawl, bucket):
    import duckdb

    _, out, _ = demo_crawl
    name, filesystem = bucket
    assert upload(out, f"s3://{name}").returncode == 0
    # DuckDB's own S3 reader is an extension fetched from the internet; through pyarrow's
    # file system it reads the same objects
    articles = bucket_dataset(filesystem, name, "articles")  # noqa: F841 - read by name in the query
    found = duckdb.sql("SELECT site, count(*) FROM articles GROUP BY site ORDER BY site").fetchall()
    expected = {}
    for row in local_rows([out], "articles"):
        expected[row["site"]] = expected.get(row["site"], 0) + 1
    assert found == sorted(expected.items())


def test_a_second_upload_sends_nothing(demo_crawl, bucket):
    _, out, _ = demo_crawl
    name, filesystem = bucket
    assert upload(out, f"s3://{name}/p").returncode == 0
    stamps = {info.path: info.mtime for info in filesystem.get_file_info(list(
        f"{name}/p/{key}" for key in keys(filesystem, f"{name}/p")))}

    again = upload(out, f"s3://{name}/p")

    assert again.returncode == 0, again.stderr
    assert not [line for line in again.stdout.splitlines() if line.startswith("uploaded ")]
    assert f"0 files uploaded (0 bytes), {len(stamps)} already there" in again.stdout
    assert {info.path: info.mtime for info in filesystem.get_file_info(list(stamps))} == stamps


def test_files_being_written_are_left_for_the_next_upload(demo_crawl, bucket, tmp_path):
    _, crawled, _ = demo_crawl
    name, filesystem = bucket
    out = tmp_path / "data"
    shutil.copytree(crawled, out)
    data = DataDir(out)
    finished = sorted(data.warc.glob("*.warc.gz"))[0]
    # a crawl still writing a WARC file, a dataset file under its temporary name, and a
    # re-extraction of one site between its journal and the end of its swap
    being_written = open_name(finished.with_name(finished.name.replace("-00000-", "-00001-")))
    shutil.copyfile(finished, being_written)
    parquet = sorted(data.articles.rglob("*.parquet"))[0]
    partial = parquet.with_name(partial_name("part-new.parquet"))
    shutil.copyfile(parquet, partial)
    site = parquet.relative_to(data.articles).parts[0].removeprefix("site=")
    data.staging.mkdir()
    journal = data.staging / f"{site}@20261207T000000-abc.journal"
    journal.write_text(json.dumps({"moves": [], "deletes": []}))

    result = upload(out, f"s3://{name}")

    assert result.returncode == 0, result.stderr
    held = keys(filesystem, name)
    assert being_written.name not in {Path(key).name for key in held}
    assert not [key for key in held if Path(key).name.startswith(".") or f"site={site}/" in key]
    assert not [key for key in held if key.startswith(("locks/", "state.sqlite", ".reextract"))]
    assert set(held) == {key for key in finished_keys(out) if f"site={site}/" not in key}
    held_back = 2 + sum(1 for key in finished_keys(out) if f"site={site}/" in key)
    assert f", {held_back} being written left for the next upload" in result.stdout

    # the WARC file closed and the swap done: the next upload takes what they held back
    being_written.rename(being_written.with_name(being_written.name.removesuffix(".open")))
    partial.unlink()
    journal.unlink()
    again = upload(out, f"s3://{name}")
    assert again.returncode == 0, again.stderr
    assert set(keys(filesystem, name)) == finished_keys(out)
    assert "being written" not in again.stdout


def test_two_data_dirs_uploaded_into_one_prefix_read_as_one_dataset(demo_crawl, bucket, tmp_path, s3_env):
    """Two crawls as two workers would make them, each into its own directory: the second
    uploads from `archive crawl --upload` itself."""
    server, first, _ = demo_crawl
    name, filesystem = bucket
    assert upload(first, f"s3://{name}/shared").returncode == 0
    configs = tmp_path / "sites"
    configs.mkdir()
    server.write_site_configs(configs)
    second = tmp_path / "second"

    crawled = run_archive("crawl", "--all", "--sites", str(configs), "--out", str(second),
                          "--upload", f"s3://{name}/shared")

    assert crawled.returncode == 0, crawled.stderr
    assert f"s3://{name}/shared: {len(finished_keys(second))} files uploaded" in crawled.stdout
    held = keys(filesystem, f"{name}/shared")
    assert set(held) == finished_keys(first) | finished_keys(second)
    for dataset in DATASETS:
        if (first / dataset).is_dir():
            remote = bucket_dataset(filesystem, f"{name}/shared", dataset).to_table().to_pylist()
            assert sorted(remote, key=repr) == local_rows([first, second], dataset), dataset


@pytest.mark.parametrize("case", ["no such bucket", "unreachable endpoint", "no credentials", "not s3"])
def test_a_bucket_that_cannot_be_had_is_one_line_and_exit_1(demo_crawl, bucket, s3_env, monkeypatch, case):
    _, out, _ = demo_crawl
    name, filesystem = bucket
    url, extra = f"s3://{name}/p", ()
    expected = f"s3://{name}/p: "
    if case == "no such bucket":
        url = expected = "s3://no-such-bucket-here"
    elif case == "unreachable endpoint":
        extra = ("--endpoint", f"http://127.0.0.1:{free_port()}")
        expected += "the endpoint cannot be reached"
    elif case == "no credentials":
        monkeypatch.delenv("AWS_ACCESS_KEY_ID")
        expected += "no credentials"
    else:
        url = expected = f"/srv/{name}"
    before = tree(out)

    result = upload(out, url, *extra)

    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {expected}"), result.stderr
    assert tree(out) == before
    assert keys(filesystem, name) == {}


def test_a_crawl_refuses_a_bucket_it_could_not_upload_to_before_it_fetches_anything(tmp_path, s3_env):
    result = run_archive("crawl", "--start-url", "http://127.0.0.1:9/", "--out", str(tmp_path / "data"),
                         "--upload", "s3://no-such-bucket-here")
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["Error: s3://no-such-bucket-here: no such bucket"]
    assert not (tmp_path / "data").exists()


def test_a_scheduled_run_with_nothing_due_uploads_what_an_earlier_run_left(demo_crawl, bucket, tmp_path):
    server, crawled, _ = demo_crawl
    name, filesystem = bucket
    out = tmp_path / "data"
    shutil.copytree(crawled, out)
    configs = tmp_path / "sites"
    configs.mkdir()
    server.write_site_configs(configs)

    result = run_archive("crawl", "--due", "--sites", str(configs), "--out", str(out), "--upload", f"s3://{name}")

    assert result.returncode == 0, result.stderr
    assert "no site is due" in result.stdout
    assert set(keys(filesystem, name)) == finished_keys(out)
