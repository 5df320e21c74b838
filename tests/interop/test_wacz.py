"""WACZ files built from a real crawl of the demo sites pass the `wacz` validator."""

import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from archive.dataset.files import open_dataset
from archive.errors import InputError
from archive.warc.wacz import build_wacz, select_warcs
from tests.interop.tools import QUIET_ENV, venv_tool


def validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv_tool("wacz")), "validate", "-f", str(path)],
        capture_output=True, text=True, timeout=60, env=QUIET_ENV,
    )


@pytest.fixture(scope="module")
def demo_wacz(demo_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("wacz") / "demo.wacz"
    return build_wacz(demo_data, out, title="Demo sites"), out


def test_validator_accepts_the_package(demo_wacz):
    _, path = demo_wacz
    result = validate(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded" in result.stdout


def test_validator_rejects_a_changed_file(demo_wacz, tmp_path):
    """The check above means something: one altered byte in pages.jsonl fails it."""
    _, path = demo_wacz
    changed = tmp_path / "changed.wacz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(changed, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "pages/pages.jsonl":
                data = data.replace(b"All Pages", b"All pages")
            dst.writestr(info, data)
    result = validate(changed)
    assert result.returncode == 1 and "invalid" in result.stdout


def test_layout_digests_and_storage(demo_wacz, demo_data):
    summary, path = demo_wacz
    warcs = sorted(p.name for p in (demo_data / "warc").glob("*.warc.gz"))
    assert summary.warc_files == tuple(warcs) and summary.size == path.stat().st_size
    with zipfile.ZipFile(path) as zf:
        names = {i.filename: i for i in zf.infolist()}
        assert set(names) == {
            *(f"archive/{w}" for w in warcs), "indexes/index.cdx", "pages/pages.jsonl",
            "datapackage.json", "datapackage-digest.json",
        }
        for warc in warcs:
            info = names[f"archive/{warc}"]
            assert info.compress_type == zipfile.ZIP_STORED
            assert zf.read(info) == (demo_data / "warc" / warc).read_bytes()
        package = json.loads(zf.read("datapackage.json"))
        assert package["wacz_version"] == "1.1.1" and package["title"] == "Demo sites"
        for resource in package["resources"]:
            data = zf.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert digest["hash"] == "sha256:" + hashlib.sha256(zf.read("datapackage.json")).hexdigest()
        index = zf.read("indexes/index.cdx").decode().splitlines()
        assert index == sorted(index) and len(index) == summary.captures
        assert {json.loads(line.split(" ", 2)[2])["filename"] for line in index} == set(warcs)


def test_one_page_per_article(demo_wacz, demo_data):
    summary, path = demo_wacz
    with zipfile.ZipFile(path) as zf:
        header, *pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
        index_times = {
            (json.loads(block)["url"], ts)
            for _, ts, block in (line.split(" ", 2) for line in zf.read("indexes/index.cdx").decode().splitlines())
        }
    assert header["format"] == "json-pages-1.0"
    articles = {row["url"]: row["title"] for row in open_dataset(demo_data / "articles").to_table().to_pylist()}
    assert {p["url"]: p.get("title") for p in pages} == articles
    assert len(pages) == summary.pages == len({p["id"] for p in pages})
    # Each page's time is one of its own captures, so a replay opens that capture.
    for page in pages:
        ts = page["ts"].replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
        assert (page["url"], ts) in index_times


def test_pages_fall_back_to_html_responses_without_a_dataset(demo_data, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_data / "warc", data / "warc")
    summary = build_wacz(data, tmp_path / "bare.wacz")
    with zipfile.ZipFile(summary.path) as zf:
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()[1:]]
    assert summary.pages == len(pages) > 0
    assert all("title" not in p for p in pages)
    assert not any(p["url"].endswith(("robots.txt", ".xml")) for p in pages)


def test_only_the_chosen_sites(demo_data, tmp_path):
    summary = build_wacz(demo_data, tmp_path / "portal.wacz", sites=["portal"])
    assert summary.warc_files and all(name.startswith("portal-") for name in summary.warc_files)
    with zipfile.ZipFile(summary.path) as zf:
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()[1:]]
    portal = {
        row["url"] for row in open_dataset(demo_data / "articles").to_table().to_pylist() if row["site"] == "portal"
    }
    assert {p["url"] for p in pages} == portal


def test_no_warc_files_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=re.escape(str(tmp_path / "warc"))):
        build_wacz(tmp_path, tmp_path / "empty.wacz")
    assert not (tmp_path / "empty.wacz").exists()


def test_site_ids_select_their_own_files_only(tmp_path):
    names = [
        "gov-20261019082105123456-00001-h-1-aa.warc.gz",
        "gov-hk-20261019082105123456-00001-h-1-bb.warc.gz",
        "127.0.0.1-8000-20261019082105123456-00001-h-1-cc.warc.gz",
    ]
    for name in names:
        (tmp_path / name).touch()
    assert [p.name for p in select_warcs(tmp_path, ["gov"])] == names[:1]
    assert [p.name for p in select_warcs(tmp_path, ["gov-hk", "127.0.0.1-8000"])] == [names[2], names[1]]
    assert len(select_warcs(tmp_path)) == 3
    with pytest.raises(InputError, match="site.s. nosuch"):
        build_wacz(tmp_path.parent, tmp_path / "x.wacz", sites=["nosuch"])
