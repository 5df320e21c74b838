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


def test_files_a_crawl_fetched_as_pages_are_read_from_the_archive(tmp_path):
    """A site without article patterns has every link followed, files too: those are
    read from their captures. A file whose page request is in flight with its attachment
    request (the first of an article's files) may be transferred twice. A second run
    fetches none."""
    site = build_site(tmp_path, FILES, DOWNLOADS, NOTICES, "")
    out = tmp_path / "data"
    with DemoServer(root=site) as server:
        base = server.base_urls["attach"]
        first = run_archive("crawl", "--start-url", server.url("attach", "/index.html"), "--out", str(out))
        hits = [path for _, path in server.hits]
        second = run_archive("crawl", "--start-url", server.url("attach", "/index.html"), "--out", str(out))
        again = [path for _, path in server.hits[len(hits):]]
    assert first.returncode == 0 and second.returncode == 0, first.stderr[-2000:] + second.stderr[-2000:]
    rows = open_dataset(out / "attachments", attachments=True).to_table().to_pylist()
    assert sorted(r["file_type"] for r in rows) == ["docx", "ofd", "pdf", "xlsx"]
    kept = []
    for warc in (out / "warc").glob("*.warc.gz"):
        with warc.open("rb") as fh:
            kept += [r.rec_headers.get_header("WARC-Target-URI").removeprefix(base) for r in ArchiveIterator(fh)
                     if r.rec_type == "response"]
    # only the first file can be on the wire twice at once (then archived twice when the page's
    # transfer ends last); the others are read from the archive
    assert hits.count("/fj/a.pdf") <= 2 and [hits.count(p) for p in ("/fj/b.ofd", "/fj/c.docx", SCRIPT + "2001")] \
        == [1, 1, 1]
    assert [kept.count(p) for p in ("/fj/b.ofd", "/fj/c.docx", SCRIPT + "2001")] == [1, 1, 1]
    assert not [path for path in again if path.startswith(("/fj/", "/system/"))]
