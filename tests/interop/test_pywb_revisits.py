"""pywb replays a re-crawl: revisit records resolve to the capture they refer to."""

import json
import shutil

import pytest

from archive.demo import DEMO_ROOT, DemoServer
from tests.conftest import run_archive
from tests.interop.tools import COLLECTION, http_get, wayback


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("recrawl")
    shutil.copytree(DEMO_ROOT / "campus", root / "www" / "campus")
    out = root / "data"
    with DemoServer(root=root / "www") as server:
        server.write_site_configs(root / "sites")
        for _ in range(2):
            result = run_archive("crawl", "campus", "--sites", str(root / "sites"), "--out", str(out))
            assert result.returncode == 0, result.stderr[-2000:]
        base = server.base_urls["campus"]
    (root / "config.yaml").write_text(
        f"collections:\n  {COLLECTION}:\n"
        f"    index_paths: {json.dumps(str(out / 'indexes') + '/')}\n"
        f"    archive_paths: {json.dumps(str(out / 'warc') + '/')}\n", encoding="utf-8")
    return root, out, base


def index_lines(out):
    for path in sorted((out / "indexes").glob("*.cdxj")):
        for line in path.read_text(encoding="utf-8").splitlines():
            _, ts, block = line.split(" ", 2)
            yield ts, json.loads(block)


def test_pywb_accepts_revisit_records(recrawled):
    """A server-not-modified revisit replays as the 304 it recorded (pywb does not stand
    the earlier payload in for it); the capture it refers to replays whole."""
    root, out, base = recrawled
    home = base + "/index.htm"
    captures = [(ts, f) for ts, f in index_lines(out) if f["url"] == home]
    kinds = sorted(f.get("mime") for _, f in captures)
    assert "warc/revisit" in kinds and len(captures) == 2, kinds
    with wayback(root, COLLECTION) as port:
        replies = [http_get(port, f"/{COLLECTION}/{ts}id_/{home}", {"Accept-Encoding": "identity"})
                   for ts, _ in sorted(captures)]
    assert replies[0].status == 200 and "青川大学".encode() in replies[0].body
    assert replies[1].status in (200, 304)
    if replies[1].status == 200:
        assert replies[1].body == replies[0].body
