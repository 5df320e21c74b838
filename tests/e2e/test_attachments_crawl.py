"""Attachments end to end, over loopback: `archive crawl` of a site whose notices link a
PDF, a DOCX, an XLSX, an OFD, a ZIP and a Word 97 file (most behind a download script,
none typed by its address), damaged and locked files, the same file at a second address,
a login page answered to a download link, a file past the size limit, a zip bomb and a
PDF that loops; then `archive export --attachments`, a second crawl, `archive reextract`,
and a run that finds rows a killed run never wrote."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.dataset.files import open_dataset
from archive.demo import DemoServer
from archive.demo.documents import docx_document, ofd_document, pdf_document, xlsx_workbook, zip_archive
from tests.attachments.hostile import encrypted_pdf, form_bomb, zip_bomb
from tests.conftest import run_archive

FIXTURES = Path(__file__).parents[1] / "attachments" / "fixtures"
SCRIPT = "/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=77&wbfileid="
# path, as linked: (link text, file type, what its text holds, or its status)
PDF = pdf_document([["2026年奖学金评定办法", "第一条 奖学金每学年评定一次。"], ["第二条 一等奖学金每人5000元。"]])
FILES = {
    "/fj/P020261019000001.pdf": ("1.奖学金评定办法.pdf", PDF),
    "/fj/P020261019000002.ofd": ("2.评定工作安排.ofd", ofd_document([["评定工作安排", "11月1日前：学院初审。"]])),
    "/fj/broken.pdf": ("损坏的文件.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8),
    "/fj/locked.pdf": ("内部通知.pdf", encrypted_pdf(["仅限内部"])),
    "/fj/copy-of-P020261019000001.pdf": ("评定办法（副本）.pdf", PDF),
    "/fj/big.pdf": ("高清扫描件.pdf", b"%PDF-1.4\n%" + bytes(6 << 20)),
    "/fj/bomb.zip": ("全部材料.zip", zip_bomb()),
    "/fj/loop.pdf": ("附图.pdf", form_bomb()),
}
DOWNLOADS = {  # wbfileid: (link text, file name sent, its encoding, bytes)
    "1001": ("奖学金申请表.docx", "2026年奖学金申请表.docx", "percent",
             docx_document(["2026年奖学金申请表", "申请人须如实填写。"], [["姓名", "学号"], ["", ""]])),
    "1002": ("获奖名单.xlsx", "获奖名单.xlsx", "gbk",
             xlsx_workbook({"名单": [["序号", "姓名", "等级"], [1, "张三", "一等"]]})),
    "1003": ("申报材料.zip", "申报材料.zip", "rfc5987",
             zip_archive({"申报书.docx": docx_document(["申报书正文"]), "承诺书.pdf": pdf_document([["诚信承诺书"]])},
                         gbk_names=True)),
    "1004": ("往年通知.doc", "往年通知.doc", "rfc5987", (FIXTURES / "teaching-summary.doc").read_bytes()),
    "1005": ("需登录下载.docx", None, None, "<!DOCTYPE html><html><body><form>请先登录</form></body></html>".encode()),
}
NOTICES = {
    "/tzgg/1.html": ["/fj/P020261019000001.pdf", "/fj/P020261019000002.ofd", SCRIPT + "1001", SCRIPT + "1002",
                     SCRIPT + "1003", SCRIPT + "1004"],
    "/tzgg/2.html": ["/fj/broken.pdf", "/fj/locked.pdf", "/fj/copy-of-P020261019000001.pdf", SCRIPT + "1005",
                     "/fj/missing.pdf"],
    "/tzgg/3.html": ["/fj/big.pdf", "/fj/bomb.zip", "/fj/loop.pdf"],
}


def link_text(path: str, files=FILES, downloads=DOWNLOADS) -> str:
    if path == "/fj/missing.pdf":  # a dead link: 404
        return "往年获奖名单.pdf"
    return files[path][0] if path in files else downloads[path.rsplit("=", 1)[1]][0]


def notice(number: int, links: list[str], files=FILES, downloads=DOWNLOADS) -> str:
    items = "".join(f'<p>附件{n}：<a href="{path.replace("&", "&amp;")}">{link_text(path, files, downloads)}</a></p>'
                    for n, path in enumerate(links, 1))
    return (f'<html><head><meta charset="utf-8"><title>关于评定2026年奖学金的通知（{number}）</title></head><body>'
            f'<h1>关于评定2026年奖学金的通知（{number}）</h1><p>发布时间：2026-10-1{number} 09:00</p>'
            f'<div class="content"><p>各学院：现将2026年度奖学金评定工作有关事项通知如下，请认真组织实施。</p>'
            f'<p>一、评定对象为全日制在校本科生。二、评定工作于11月底前完成。</p>{items}</div></body></html>')


def build_site(root: Path, files=FILES, downloads=DOWNLOADS, notices=NOTICES,
               attachments: str = "max_mb = 5\n") -> Path:
    """A site of `notices` (path: the paths it links) linking static `files` (path: (link
    text, bytes)) and `downloads` behind a download script (id: (link text, name sent,
    its encoding, bytes[, Content-Type])), with `attachments` as its [attachments] table."""
    site = root / "attach"
    www = site / "www"
    for path, (_, body) in files.items():
        (www / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (www / path.lstrip("/")).write_bytes(body)
    for path, links in notices.items():
        (www / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (www / path.lstrip("/")).write_text(notice(int(path[-6]), links, files, downloads), encoding="utf-8")
    (www / "index.html").write_text("".join(f'<a href="{p}">通知{p[-6]}</a>' for p in notices), encoding="utf-8")
    (www / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    (site / "files").mkdir()
    serve = []
    for number, (_, name, encoding, body, *content_type) in downloads.items():
        (site / "files" / number).write_bytes(body)
        entry = f'target = "{SCRIPT}{number}"\nfile = "files/{number}"\n'
        entry += f'filename = "{name}"\nencoding = "{encoding}"\n' if name else 'content_type = "text/html"\n'
        entry += f'content_type = "{content_type[0]}"\n' if content_type else ""
        serve.append("[[downloads]]\n" + entry)
    (site / "serve.toml").write_text("\n".join(serve), encoding="utf-8")
    (site / "site.toml").write_text(
        'id = "attach"\nname = "附件测试站"\nstart_urls = ["{base}/index.html"]\nallowed_domains = ["127.0.0.1"]\n'
        "allow_private = true\nfollow = ['/index\\.html$']\narticle = ['/tzgg/\\d+\\.html$']\ndelay = 0.0\n"
        f"[attachments]\n{attachments}", encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("attachments")
    site = build_site(root)
    with DemoServer(root=site) as server:
        server.write_site_configs(root / "sites")
        out = root / "data"
        started = time.monotonic()
        result = run_archive("crawl", "attach", "--sites", str(root / "sites"), "--out", str(out))
        seconds = time.monotonic() - started
        yield server, root, out, result, seconds


def rows_by_path(out: Path, server: DemoServer) -> dict[str, dict]:
    base = server.base_urls["attach"]
    table = open_dataset(out / "attachments", attachments=True).to_table()
    return {row["url"].removeprefix(base): row for row in table.to_pylist()}


def test_the_crawl_finishes_whatever_the_files_hold(crawled):
    _, _, _, result, seconds = crawled
    assert result.returncode == 0, result.stderr[-3000:]
    [line] = [line for line in result.stdout.splitlines() if line.startswith("attach ")]
    # site, fetched, articles, revisits, dead links, refused, failures, finish
    assert line.split()[4:] == ["1", "0", "0", "finished"]
    # the zip bomb and the looping PDF cost seconds, not the 60 s bound or an exhausted worker
    assert seconds < 90


def test_the_warc_files_pass_warcio_check(crawled):
    """Truncated records (a file past max_mb) and revisits of another address included."""
    _, _, out, _, _ = crawled
    warcio = str(Path(sys.executable).with_name("warcio"))
    for warc in (out / "warc").glob("*.warc.gz"):
        check = subprocess.run([warcio, "check", str(warc)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout[-2000:]


def test_one_row_each_with_its_text(crawled):
    server, _, out, _, _ = crawled
    rows = rows_by_path(out, server)
    expected = {
        "/fj/P020261019000001.pdf": ("pdf", "第一条 奖学金每学年评定一次。\n\n第二条 一等奖学金每人5000元。", 2, None),
        "/fj/P020261019000002.ofd": ("ofd", "评定工作安排\n11月1日前：学院初审。", 1, None),
        SCRIPT + "1001": ("docx", "2026年奖学金申请表\n申请人须如实填写。\n姓名\t学号", 1, None),
        SCRIPT + "1002": ("xlsx", "名单\n序号\t姓名\t等级\n1\t张三\t一等", None, 1),
        SCRIPT + "1003": ("zip", "【申报书.docx】\n申报书正文\n\n【承诺书.pdf】\n诚信承诺书", None, None),
        SCRIPT + "1004": ("doc", "各学院：请于11月15日前报送本单位教学工作总结。", None, None),
    }
    for path, (file_type, text, pages, sheets) in expected.items():
        row = rows[path]
        assert (row["file_type"], row["status"], row["reason"]) == (file_type, "ok", None), path
        assert text in row["text"], path
        assert (row["page_count"], row["sheet_count"]) == (pages, sheets), path
        assert row["title"] == link_text(path)
        assert row["article_url"] == server.url("attach", "/tzgg/1.html")
        assert row["published_date"].isoformat() == "2026-10-11"
    assert rows[SCRIPT + "1001"]["filename"] == "2026年奖学金申请表.docx"
    assert rows[SCRIPT + "1002"]["filename"] == "获奖名单.xlsx"  # sent as GBK bytes
    assert rows["/fj/P020261019000001.pdf"]["filename"] is None  # a static file: no name sent


def test_damaged_locked_and_hostile_files_give_rows_with_their_reasons(crawled):
    server, _, out, _, _ = crawled
    rows = rows_by_path(out, server)
    assert rows["/fj/broken.pdf"]["status"] == "corrupt"
    assert rows["/fj/broken.pdf"]["reason"].startswith("pdfium cannot open it")
    assert (rows["/fj/locked.pdf"]["status"], rows["/fj/locked.pdf"]["reason"]) == \
        ("encrypted", "the PDF needs a password to open")
    assert rows["/fj/bomb.zip"]["status"] == "too_large"
    assert "would inflate to 4,089,446,400 bytes" in rows["/fj/bomb.zip"]["reason"]
    assert rows["/fj/loop.pdf"]["status"] in ("too_large", "timed_out")
    big = rows["/fj/big.pdf"]
    assert (big["status"], big["size"], big["sha1"], big["text"]) == ("too_large", (6 << 20) + 10, None, None)
    assert big["reason"] == "6,291,466 bytes is past the site's limit: only its first bytes were archived"
    assert big["file_type"] == "pdf"  # told by the first bytes
    # a login page answered to a download link is no file
    assert SCRIPT + "1005" not in rows


def test_the_same_file_at_a_second_address_is_archived_once(crawled):
    server, _, out, _, _ = crawled
    rows = rows_by_path(out, server)
    first, copy = rows["/fj/P020261019000001.pdf"], rows["/fj/copy-of-P020261019000001.pdf"]
    assert copy["sha1"] == first["sha1"] and copy["text"] == first["text"]
    assert (copy["warc_file"], copy["warc_offset"]) == (first["warc_file"], first["warc_offset"])
    records = {}
    for warc in (out / "warc").glob("*.warc.gz"):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                records.setdefault(record.rec_headers.get_header("WARC-Target-URI"), []).append(record.rec_headers)
    # whichever was fetched first is the response, the other a revisit of it
    addresses = [server.url("attach", p) for p in ("/fj/P020261019000001.pdf", "/fj/copy-of-P020261019000001.pdf")]
    kept = {url: [h for h in records[url] if h.get_header("WARC-Type") != "request"] for url in addresses}
    assert sorted(h.get_header("WARC-Type") for url in addresses for h in kept[url]) == ["response", "revisit"]
    [visit] = [h for url in addresses for h in kept[url] if h.get_header("WARC-Type") == "revisit"]
    [original] = [url for url in addresses if url != visit.get_header("WARC-Target-URI")]
    assert visit.get_header("WARC-Refers-To-Target-URI") == original
    assert visit.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")
    [big] = [h for h in records[server.url("attach", "/fj/big.pdf")] if h.get_header("WARC-Type") == "response"]
    assert big.get_header("WARC-Truncated") == "length"
    assert int(big.get_header("Content-Length")) < 70_000  # its first bytes, not 6 MB


def test_articles_carry_their_attachments_sha1_and_status(crawled):
    server, _, out, _, _ = crawled
    files = rows_by_path(out, server)
    base = server.base_urls["attach"]
    articles = {row["url"]: row for row in open_dataset(out / "articles").to_table().to_pylist()}
    assert len(articles) == 3
    for path, links in NOTICES.items():
        listed = articles[base + path]["attachments"]
        assert [link["url"].removeprefix(base) for link in listed] == links
        for link in listed:
            row = files.get(link["url"].removeprefix(base))
            expected = (row["sha1"], row["status"]) if row else (None, None)
            assert (link["sha1"], link["status"]) == expected, link["url"]


def test_export_attachments_in_every_format(crawled, tmp_path):
    server, _, out, _, _ = crawled
    rows = rows_by_path(out, server)
    result = run_archive("export", "--attachments", "--data", str(out), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    exported = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(exported) == len(rows) == 12
    assert {d["url"] for d in exported} == {r["url"] for r in rows.values()}
    assert all(d["published_date"].startswith("2026-10-1") and d["fetched_at"].endswith("+08:00") for d in exported)
    result = run_archive("export", "--attachments", "--data", str(out), "--format", "csv", "--until", "2026-10-11")
    table = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert sorted(r["file_type"] for r in table) == ["doc", "docx", "ofd", "pdf", "xlsx", "zip"]
    target = tmp_path / "attachments.parquet"
    result = run_archive("export", "--attachments", "--data", str(out), "--format", "parquet", "-o", str(target),
                         "--since", "2026-10-13")
    assert result.returncode == 0 and "3 attachments written" in result.stderr
    assert sorted(pq.read_table(target).column("status").to_pylist()) == sorted(
        [rows[p]["status"] for p in NOTICES["/tzgg/3.html"]])
    refused = run_archive("export", "--attachments", "--views", "--data", str(out))
    assert refused.returncode == 2 and "--attachments exports the attachments; it cannot go with --views" in \
        refused.stderr


def test_stats_count_attachments_and_their_text(crawled):
    _, _, out, _, _ = crawled
    result = run_archive("stats", "--data", str(out), "--json")
    found = json.loads(result.stdout)
    [site] = found["sites"]
    assert (site["attachments"], site["attachments_with_text"]) == (12, 7)
    by_type = {k["file_type"]: k for k in found["attachment_types"]}
    assert by_type["pdf"]["files"] == 6 and by_type["pdf"]["with_text"] == 2
    assert dict((status, n) for _, status, n in found["attachment_statuses"]) == {
        "ok": 7, "corrupt": 1, "encrypted": 1, "too_large": 2 + (rows_status(out, "/fj/loop.pdf") == "too_large"),
        **({"timed_out": 1} if rows_status(out, "/fj/loop.pdf") == "timed_out" else {})}


def rows_status(out: Path, suffix: str) -> str:
    table = open_dataset(out / "attachments", attachments=True).to_table(columns=["url", "status"]).to_pylist()
    return next(r["status"] for r in table if r["url"].endswith(suffix))


def test_a_second_crawl_fetches_no_file_again_and_reextract_makes_the_same_rows(crawled):
    """Not even for a new notice linking files archived (or gone) before: it gets their
    sha1 and status from the crawl state."""
    server, root, out, _, _ = crawled
    before = rows_by_path(out, server)
    www = root / "attach" / "www"
    links = ["/fj/missing.pdf", "/fj/P020261019000001.pdf", SCRIPT + "1002"]
    (www / "tzgg" / "4.html").write_text(notice(4, links), encoding="utf-8")
    index = (www / "index.html").read_text(encoding="utf-8")
    (www / "index.html").write_text(index + '<a href="/tzgg/4.html">通知4</a>', encoding="utf-8")
    hits = len(server.hits)
    result = run_archive("crawl", "attach", "--sites", str(root / "sites"), "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    fetched = [path for _, path in server.hits[hits:]]
    assert "/tzgg/4.html" in fetched
    assert not [path for path in fetched if path.startswith(("/fj/", "/system/"))], fetched  # the dead one neither
    articles = {row["url"]: row for row in open_dataset(out / "articles").to_table().to_pylist()}
    listed = articles[server.url("attach", "/tzgg/4.html")]["attachments"]
    assert [(link["sha1"], link["status"]) for link in listed] == [
        (None, None), (before[links[1]]["sha1"], "ok"), (before[links[2]]["sha1"], "ok")]
    result = run_archive("reextract", "--data", str(out), "--sites", str(root / "sites"))
    assert result.returncode == 0, result.stderr
    after = rows_by_path(out, server)
    assert set(after) == set(before)
    for path, row in before.items():
        # a PDF that loops may stop at either bound; everything else comes back the same
        keys = ("sha1", "text", "file_type", "title", "filename", "article_url", "warc_record_id", "fetched_at")
        assert {k: after[path][k] for k in keys} == {k: row[k] for k in keys}, path
        assert path == "/fj/loop.pdf" or after[path]["status"] == row["status"]
    rebuilt = {row["url"]: row for row in open_dataset(out / "articles").to_table().to_pylist()}
    assert rebuilt[server.url("attach", "/tzgg/4.html")]["attachments"] == listed


def test_rows_a_killed_run_never_wrote_are_made_by_the_next_run(crawled):
    server, root, out, _, _ = crawled
    before = rows_by_path(out, server)
    # as a run killed with its rows still in memory leaves it: read, pending, no file on disk
    for path in (out / "attachments").rglob("*.parquet"):
        path.unlink()
    with sqlite3.connect(out / "state.sqlite") as db:
        db.execute("UPDATE attachments SET state = 'pending' WHERE state = 'done'")
    hits = len(server.hits)
    result = run_archive("crawl", "attach", "--sites", str(root / "sites"), "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    assert not [path for _, path in server.hits[hits:] if path.startswith(("/fj/", "/system/"))]
    after = rows_by_path(out, server)
    assert set(after) == set(before)
    assert {p: r["sha1"] for p, r in after.items()} == {p: r["sha1"] for p, r in before.items()}
    with sqlite3.connect(out / "state.sqlite") as db:
        assert db.execute("SELECT count(*) FROM attachments WHERE state = 'pending'").fetchone() == (0,)
