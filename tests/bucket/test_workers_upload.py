"""Two workers of a crawl shared through a real redis-server, on "two machines": each
crawls into a directory of its own and uploads it with `crawl --upload` into one bucket
and prefix, which then holds the crawl as one dataset, every article once."""

from __future__ import annotations

from collections import Counter

import pytest

from archive.datadir import DATASETS
from tests.bucket.conftest import keys
from tests.bucket.test_upload import bucket_dataset, finished_keys, local_rows
from tests.distributed.workers import start_worker, wait_all
from tests.reliability.conftest import ENV, write_site
from tests.reliability.news_site import NewsSite
from tests.reliability.test_interrupted import article_urls

ARTICLES = 120


@pytest.fixture(scope="module")
def site():
    with NewsSite(ARTICLES, host="127.0.0.41") as server:
        yield server


def test_two_workers_fill_one_bucket_with_one_dataset(site, redis_url, bucket, s3_env, monkeypatch, tmp_path):
    for name, value in s3_env.items():
        monkeypatch.setitem(ENV, name, value)  # the workers' environment, made when it was imported
    name, filesystem = bucket
    sites = tmp_path / "sites"
    write_site(sites, "news", **site.site_values())
    outs = {worker: tmp_path / worker for worker in ("w1", "w2")}
    logs = [tmp_path / f"{worker}.log" for worker in outs]
    wait_all([start_worker(sites, out, log, redis_url, worker, "news", "--upload", f"s3://{name}/cluster")
              for (worker, out), log in zip(outs.items(), logs, strict=True)], logs)

    held = keys(filesystem, f"{name}/cluster")
    mine = {worker: finished_keys(out) for worker, out in outs.items()}
    assert set(held) == mine["w1"] | mine["w2"]
    for worker, sent in mine.items():
        # each worker's own files, named after it, went up from its machine
        assert [key for key in sent if key.startswith("warc/") and f"-w.{worker}-" in key], worker
        assert f"s3://{name}/cluster: {len(sent)} files uploaded" in (tmp_path / f"{worker}.log").read_text()
    articles = bucket_dataset(filesystem, f"{name}/cluster", "articles").to_table().to_pylist()
    counts = Counter(row["url"] for row in articles)
    assert set(counts) == article_urls(site)
    assert [url for url, n in counts.items() if n > 1] == []
    for dataset in DATASETS:
        if any((out / dataset).is_dir() for out in outs.values()):
            remote = bucket_dataset(filesystem, f"{name}/cluster", dataset).to_table().to_pylist()
            assert sorted(remote, key=repr) == local_rows(list(outs.values()), dataset), dataset
