"""Dataset tests read the shared demo crawl; the ones that change a dataset work on a copy."""

import shutil

import pytest


@pytest.fixture(scope="module")
def demo_data(demo_crawl):
    _server, out, result = demo_crawl
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def demo_copy(demo_crawl, tmp_path):
    """A private copy of the crawled data directory and the site configs of the crawl."""
    _server, out, _result = demo_crawl
    data = tmp_path / "data"
    shutil.copytree(out, data, ignore=shutil.ignore_patterns("locks"))
    return data, out.parent / "sites"
