"""A damaged crawl state is one line and exit 1, and `archive state rebuild` is the way back."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import ARCHIVE
from tests.reliability.conftest import ENV, ROOT, rows, write_site
from tests.reliability.news_site import NewsSite


def archive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ARCHIVE, *args], capture_output=True, text=True, timeout=300, env=ENV, cwd=ROOT)


@pytest.fixture(scope="module")
def site():
    with NewsSite(60, host="127.0.0.5") as server:
        yield server


def overwrite_middle(path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 8192] = bytes(range(256)) * 32
    path.write_bytes(bytes(data))


def overwrite_header(path) -> None:
    data = bytearray(path.read_bytes())
    data[:64] = b"not a database at all, " * 2 + b"\0" * 18
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [overwrite_middle, overwrite_header])
def test_a_damaged_state_is_one_line_and_the_rebuild_brings_the_archive_back(site, tmp_path, damage):
    write_site(tmp_path / "sites", "news", **site.site_values())
    out = tmp_path / "out"
    first = archive("crawl", "news", "--sites", str(tmp_path / "sites"), "--out", str(out))
    assert first.returncode == 0, first.stderr[-2000:]
    before = sorted(row["url"] for row in rows(out))
    damage(out / "state.sqlite")

    refused = archive("crawl", "news", "--sites", str(tmp_path / "sites"), "--out", str(out))
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"Error: {out / 'state.sqlite'}: the crawl state is damaged ("
        + refused.stderr.split("damaged (", 1)[1].split(")", 1)[0]
        + f"); `archive state rebuild --data {out}` makes it again from the WARC files and the dataset"]
    assert archive("state", "check", "--data", str(out)).returncode == 1

    rebuilt = archive("state", "rebuild", "--data", str(out))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "60 articles" in rebuilt.stdout
    assert list(out.glob("state.sqlite.damaged-*")), "the damaged file is kept beside the new one"
    assert archive("state", "check", "--data", str(out)).returncode == 0

    start = len(site.hits)
    again = archive("crawl", "news", "--sites", str(tmp_path / "sites"), "--out", str(out))
    assert again.returncode == 0, again.stderr[-2000:]
    assert sorted(row["url"] for row in rows(out)) == before  # nothing lost, nothing doubled
    assert not [hit for hit in site.hits[start:] if hit.startswith("/a/")]  # no article fetched again
