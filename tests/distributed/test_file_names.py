"""Each worker's files say whose they are, so none collides and a gone worker's are found."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from archive.dataset.writer import DatasetWriter, part_worker
from archive.records import ArticleRecord
from archive.warc.names import site_of, warc_file_name, worker_of
from archive.warc.writer import HttpExchange, WarcFileWriter

MOMENT = datetime(2026, 12, 7, 3, 4, 5, 678901, tzinfo=UTC)


def test_a_workers_warc_file_names_carry_its_id_and_read_back():
    name = warc_file_name("gov.cn-x", MOMENT, 3, "vm", 42, "abc123", worker="host_7")
    assert name == "gov.cn-x-20261207030405678901-00003-w.host_7-vm-42-abc123.warc.gz"
    assert (site_of(name), worker_of(name), worker_of(name + ".open")) == ("gov.cn-x", "host_7", "host_7")
    alone = warc_file_name("gov", MOMENT, 1, "vm", 42, "abc123")
    assert (site_of(alone), worker_of(alone)) == ("gov", None)
    with pytest.raises(ValueError, match="worker id 'a-b'"):
        warc_file_name("gov", MOMENT, 1, "vm", 42, "abc123", worker="a-b")


def test_the_writers_put_the_worker_in_every_file_they_make(tmp_path):
    warc = WarcFileWriter(tmp_path / "warc", "news", worker="w2")
    warc.write(HttpExchange("http://a/", "GET", "/", [], b"", 200, "HTTP/1.1", [], b"hello"))
    warc.close()
    assert [worker_of(path.name) for path in warc.files] == ["w2"]
    rows = DatasetWriter(tmp_path / "articles", worker="w2")
    rows.add(ArticleRecord(url="http://a/", site="news", fetched_at=MOMENT))
    rows.flush()
    assert [part_worker(path.name) for path in rows.files] == ["w2"]
    assert part_worker("part-20261207T030405-0a1b2c3d-00001.parquet") is None
