"""WARC files damaged after they were written: `archive stats` and the next crawl say so."""

import shutil

import pyarrow.compute as pc

from archive.dataset.files import open_dataset
from tests.conftest import run_archive


def warc_of(data, site):
    [path] = (data / "warc").glob(f"{site}-*.warc.gz")
    return path


def rows_into(data, path):
    """The offsets the dataset's rows point at in `path`."""
    table = open_dataset(data / "articles").to_table(columns=["warc_file", "warc_offset"])
    chosen = table.filter(pc.equal(table.column("warc_file"), str(path.relative_to(data))))
    return chosen.column("warc_offset").to_pylist()


def test_stats_and_the_next_crawl_name_each_missing_cut_or_damaged_warc_file(demo_copy):
    data, sites = demo_copy
    healthy = run_archive("stats", "--data", str(data))
    assert healthy.returncode == 0 and healthy.stderr == ""
    cut, gone, garbled = warc_of(data, "gov"), warc_of(data, "campus"), warc_of(data, "portal")
    cut.write_bytes(cut.read_bytes()[:4000])  # a copy cut short
    shutil.move(gone, data / "elsewhere.warc.gz")  # moved away by hand
    last = max(rows_into(data, garbled))
    body = bytearray(garbled.read_bytes())  # a disk error inside the last record a row points at
    body[last + 200:last + 300] = bytes(100)
    rows_in_gone = len(rows_into(data, gone))
    garbled.write_bytes(bytes(body))

    result = run_archive("stats", "--data", str(data))
    assert result.returncode == 1
    assert "field coverage" in result.stdout  # the counts are shown all the same
    lines = result.stderr.splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"Error: {gone}: missing; {rows_in_gone} dataset rows point into it")
    assert lines[1].startswith(f"Error: {cut}: cut short: 4000 bytes, but a row points at offset ")
    assert lines[2].startswith(f"Error: {garbled}: damaged: offset ")
    assert all(line.endswith("restore the file from a backup)") for line in lines)
    as_json = run_archive("stats", "--data", str(data), "--json", "--site", "gov")
    assert as_json.returncode == 1 and as_json.stderr.splitlines() == [lines[1]]

    crawl = run_archive("crawl", "gov", "--sites", str(sites), "--out", str(data))
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    assert lines[1].replace("Error: ", "warning: ", 1) in crawl.stderr.splitlines()
    assert str(gone) not in crawl.stderr  # only the sites crawled are checked
