"""A worker of a crawl shared through Redis, with a directory of its own on its own
machine, killed mid-crawl: the others cannot read its files, so they leave what it left
to it; started again with its id, it finishes them and uploads, and the bucket holds
every article once."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

from tests.bucket.conftest import keys
from tests.bucket.test_upload import bucket_dataset, finished_keys
from tests.distributed.workers import start_worker, wait_all
from tests.reliability.conftest import ENV, write_site
from tests.reliability.news_site import NewsSite
from tests.reliability.test_interrupted import article_urls


def test_a_worker_killed_leaves_its_leftovers_to_itself(redis_url, bucket, s3_env, monkeypatch, tmp_path):
    for name, value in s3_env.items():
        monkeypatch.setitem(ENV, name, value)
    name, filesystem = bucket
    url = f"s3://{name}/cluster"
    with NewsSite(600, host="127.0.0.42") as site:
        sites = tmp_path / "sites"
        write_site(sites, "news", **site.site_values())
        outs = {worker: tmp_path / worker for worker in ("doomed", "survivor")}
        logs = {worker: tmp_path / f"{worker}.log" for worker in outs}
        workers = {worker: start_worker(sites, outs[worker], logs[worker], redis_url, worker, "news",
                                        "--upload", url, lease=5) for worker in outs}
        deadline = time.monotonic() + 120
        while len(site.hits) < 250 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert all(process.poll() is None for process in workers.values())
        os.killpg(workers["doomed"].pid, signal.SIGKILL)
        workers["doomed"].wait(30)
        assert list((outs["doomed"] / "warc").glob("*.open")), "killed before it wrote anything"
        # on its own machine: out of the survivor's reach, as if its disk were elsewhere
        elsewhere = outs["doomed"].rename(tmp_path / "elsewhere")
        wait_all([workers["survivor"]], [logs["survivor"]])
        elsewhere.rename(outs["doomed"])
        survived = logs["survivor"].read_text()
        assert "extraction failed" not in survived
        assert "taking over" not in survived

        again = tmp_path / "doomed-again.log"
        wait_all([start_worker(sites, outs["doomed"], again, redis_url, "doomed", "news", "--upload", url,
                               lease=5)], [again])

    assert set(keys(filesystem, f"{name}/cluster")) == finished_keys(outs["doomed"]) | finished_keys(outs["survivor"])
    articles = bucket_dataset(filesystem, f"{name}/cluster", "articles").to_table(columns=["url"]).to_pylist()
    counts = Counter(row["url"] for row in articles)
    assert set(counts) == article_urls(site)
    assert [url for url, n in counts.items() if n > 1] == []
