"""Fixtures over a real crawl of the demo sites: its data directory and pywb replaying it."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.warc.cdxj import write_cdxj
from tests.interop.tools import COLLECTION, wayback


@pytest.fixture(scope="session")
def demo_data(demo_crawl) -> Path:
    """The data directory of the demo crawl (warc/ and articles/)."""
    _, out, result = demo_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def replay(demo_data, tmp_path_factory) -> Iterator[tuple[int, Path]]:
    """pywb serving the demo WARCs in place through our own CDXJ index: (port, index path).

    The collection reads its index from indexes/ and resolves the index's filenames
    against the crawl's warc/ directory, so no WARC is copied or re-indexed by pywb.
    """
    root = tmp_path_factory.mktemp("pywb")
    index = root / "indexes" / "index.cdxj"
    warc_dir = demo_data / "warc"
    write_cdxj(sorted(warc_dir.glob("*.warc.gz")), index, relative_to=warc_dir)
    (root / "config.yaml").write_text(
        # JSON strings are YAML strings, quoted whatever the temporary path holds.
        f"collections:\n"
        f"  {COLLECTION}:\n"
        f"    index_paths: {json.dumps(f'{index.parent}/')}\n"
        f"    archive_paths: {json.dumps(f'{warc_dir}/')}\n",
        encoding="utf-8",
    )
    with wayback(root, COLLECTION) as port:
        yield port, index
