"""A site's [attachments] table decides what is fetched: nothing when off, only the
types it lists (by the link's address or text before fetching, by the Content-Type
once the headers come: such a download is stopped and not archived)."""

from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.dataset.files import open_dataset
from archive.demo import DemoServer
from archive.demo.documents import docx_document, ofd_document, pdf_document, xlsx_workbook
from tests.conftest import run_archive
from tests.e2e.test_attachments_crawl import SCRIPT, build_site

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES = {"/fj/a.pdf": ("办法.pdf", pdf_document([["评定办法"]])),
         "/fj/b.ofd": ("安排", ofd_document([["工作安排"]])),
         "/fj/c.docx": ("申请表.docx", docx_document(["申请表"]))}
DOWNLOADS = {"2001": ("获奖名单", "获奖名单.xlsx", "rfc5987", xlsx_workbook({"名单": [["张三"]]}), XLSX_TYPE)}
NOTICES = {"/tzgg/1.html": ["/fj/a.pdf", "/fj/b.ofd", "/fj/c.docx", SCRIPT + "2001"]}


def crawl(tmp_path: Path, attachments: str):
    site = build_site(tmp_path, FILES, DOWNLOADS, NOTICES, attachments)
    with DemoServer(root=site) as server:
        server.write_site_configs(tmp_path / "sites")
        result = run_archive("crawl", "attach", "--sites", str(tmp_path / "sites"), "--out", str(tmp_path / "data"))
        return server.url("attach", ""), result, [path for _, path in server.hits]


def archived_urls(out: Path) -> set[str]:
    urls = set()
    for warc in (out / "warc").glob("*.warc.gz"):
        with warc.open("rb") as fh:
            urls |= {r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                     if r.rec_type == "response"}
    return urls


def test_only_the_types_a_site_lists_are_fetched_and_archived(tmp_path):
    base, result, hits = crawl(tmp_path, 'types = ["pdf", "ofd"]\n')
    assert result.returncode == 0, result.stderr[-2000:]
    assert "/fj/c.docx" not in hits  # its address says docx: not asked for
    assert SCRIPT + "2001" in hits  # no type in its address or text: asked, then stopped at its headers
    assert base + SCRIPT + "2001" not in archived_urls(tmp_path / "data")
    rows = open_dataset(tmp_path / "data" / "attachments", attachments=True).to_table().to_pylist()
    assert sorted((r["file_type"], r["text"]) for r in rows) == [("ofd", "工作安排"), ("pdf", "评定办法")]
    [line] = [line for line in result.stdout.splitlines() if line.startswith("attach ")]
    assert line.split()[5:7] == ["1", "0"]  # refused by rule, not a failure


def test_a_site_with_attachments_off_fetches_none(tmp_path):
    _, result, hits = crawl(tmp_path, "enabled = false\n")
    assert result.returncode == 0, result.stderr[-2000:]
    assert not [path for path in hits if path.startswith(("/fj/", "/system/"))]
    assert not (tmp_path / "data" / "attachments").exists()
    [article] = open_dataset(tmp_path / "data" / "articles").to_table().to_pylist()
    assert len(article["attachments"]) == 4 and all(a["status"] is None for a in article["attachments"])
