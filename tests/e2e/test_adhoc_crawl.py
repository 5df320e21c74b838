"""`archive crawl --start-url` on a site the project has never seen: no config at all."""

from pathlib import Path

from archive.dataset.files import open_dataset
from archive.demo import DemoServer, load_manifest
from tests.conftest import run_archive

UNSEEN = Path(__file__).parents[1] / "fixtures" / "unseen_site"


def test_articles_are_recognised_by_content(tmp_path):
    manifest = load_manifest("unseen_site", root=UNSEEN.parent)
    with DemoServer(root=UNSEEN) as server:
        base = server.base_urls["unseen_site"]
        result = run_archive("crawl", "--start-url", base + "/", "--out", str(tmp_path))
        requested = {path for _, path in server.hits}
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {r["url"]: r for r in open_dataset(tmp_path / "articles").to_table().to_pylist()}
    assert set(rows) == {base + a["path"] for a in manifest["articles"]}
    for article in manifest["articles"]:
        row = rows[base + article["path"]]
        assert row["title"] == article["title"]
        assert row["site"] == "127.0.0.1-" + base.rsplit(":", 1)[1]
        for phrase in article["text_contains"]:
            assert phrase in row["text"]
    for path in manifest["disallowed"]:
        assert path not in requested, f"robots.txt forbids {path}"
