import gzip
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.cli import main
from tests.conftest import SLOW_PAGE

ARTICLE = """<html><head><meta charset="utf-8"><title>县里召开秋季农业生产推进会-云溪县</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/xw/">新闻</a></div>
<h1>县里召开秋季农业生产推进会</h1>
<div class="info">发布时间：2026-10-19 08:21　来源：云溪县农业农村局　作者：李明</div>
<div class="content">
<p>10月18日，云溪县召开秋季农业生产推进会，总结前一阶段工作，部署秋收秋种各项任务。</p>
<p>会议要求各乡镇抓住晴好天气，组织农机力量抢收抢种，确保粮食颗粒归仓，同时做好秸秆综合利用。</p>
<p>会议还就农资保障、技术指导和防灾减灾作了安排，要求相关部门加强协作，及时解决生产中遇到的问题。</p>
</div></body></html>"""


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def warc_with(path: Path, pages: dict[str, str]) -> Path:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, html in pages.items():
            body = html.encode("utf-8")
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          length=len(body), http_headers=http))
    return path


def test_extract_html_file_prints_one_json_record(tmp_path):
    page = tmp_path / "a.html"
    page.write_text(ARTICLE, encoding="utf-8")
    result = run("extract", str(page), "--url", "https://www.example.gov.cn/xw/t20261019_1.html")
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    record = json.loads(line)
    assert record["url"] == "https://www.example.gov.cn/xw/t20261019_1.html"
    assert record["site"] == "www.example.gov.cn"
    assert record["title"] == "县里召开秋季农业生产推进会"
    assert record["published_at"] == "2026-10-19T08:21:00+08:00"  # in the site's zone, as the page shows it
    assert "确保粮食颗粒归仓" in record["text"] and "首页" not in record["text"]


def test_extract_goes_on_past_a_damaged_warc(tmp_path):
    good = warc_with(tmp_path / "good.warc.gz", {"http://127.0.0.1/a/1.html": ARTICLE})
    damaged = warc_with(tmp_path / "damaged.warc.gz", {"http://127.0.0.1/b/1.html": ARTICLE,
                                                       "http://127.0.0.1/b/2.html": ARTICLE})
    data = damaged.read_bytes()
    damaged.write_bytes(data[: len(data) - 40])
    result = run("extract", str(damaged), str(good))
    assert result.exit_code == 1
    urls = [json.loads(line)["url"] for line in result.stdout.splitlines()]
    assert "http://127.0.0.1/a/1.html" in urls
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "damaged.warc.gz" in errors[0]


def test_extract_to_dataset(tmp_path):
    warc = warc_with(tmp_path / "in.warc.gz", {"http://127.0.0.1/a/1.html": ARTICLE})
    out = tmp_path / "out"
    result = run("extract", str(warc), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"1 records written to {out / 'articles'}\n" and result.stdout == ""
    [row] = pq.read_table(str(out / "articles")).to_pylist()
    assert (row["url"], row["site"]) == ("http://127.0.0.1/a/1.html", "127.0.0.1")
    assert row["title"] == "县里召开秋季农业生产推进会" and "确保粮食颗粒归仓" in row["text"]
    # the row points back to its capture
    with open(warc, "rb") as fh:
        fh.seek(row["warc_offset"])
        response = next(iter(ArchiveIterator(fh)))
    assert row["warc_file"] == str(warc) and response.rec_headers.get_header("WARC-Record-ID") == row["warc_record_id"]


def arc_with(path: Path, pages: dict[str, str], date: str = "20141019082100") -> Path:
    """An ARC v1 file, one gzip member a record, as Heritrix and the Wayback Machine wrote them."""
    def member(url: str, ip: str, mime: str, block: bytes) -> bytes:
        return gzip.compress(f"{url} {ip} {date} {mime} {len(block)}\n".encode() + block + b"\n")

    fields = b"1 0 Archive\nURL IP-address Archive-date Content-type Archive-length\n"
    data = member(f"filedesc://{path.name}", "0.0.0.0", "text/plain", fields)
    for url, html in pages.items():
        body = html.encode("utf-8")
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        data += member(url, "127.0.0.1", "text/html", http + body)
    path.write_bytes(data)
    return path


def test_extract_reports_inputs_that_hold_no_article(tmp_path):
    (tmp_path / "empty").mkdir()
    image = tmp_path / "photo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    page = tmp_path / "a.html"
    page.write_text(ARTICLE, encoding="utf-8")
    result = run("extract", str(tmp_path / "empty"), str(image), str(page))
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        f"error: {tmp_path / 'empty'}: no WARC files in this directory",
        f"error: {image}: no article in it (no title, no text): is it an HTML page?"]
    assert [json.loads(line)["title"] for line in result.stdout.splitlines()] == ["县里召开秋季农业生产推进会"]


def test_extract_url_must_be_one_pages_http_address(tmp_path):
    page = tmp_path / "a.html"
    page.write_text(ARTICLE, encoding="utf-8")
    for args, message in ((["--url", "notaurl"], "--url: 'notaurl' is not an http(s) URL"),
                          (["--url", "ftp://x/y"], "--url: 'ftp://x/y' is not an http(s) URL"),
                          ([str(page), "--url", "http://127.0.0.1/a.html"], "--url names the address of one")):
        result = run("extract", str(page), *args)
        assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_a_saved_page_extracted_into_a_dataset_again_is_not_written_twice(tmp_path):
    page, out = tmp_path / "a.html", tmp_path / "out"
    page.write_text(ARTICLE, encoding="utf-8")
    for _ in range(2):
        assert run("extract", str(page), "--url", "http://127.0.0.1/a/1.html", "--out", str(out)).exit_code == 0
    page.write_text(ARTICLE.replace("确保粮食颗粒归仓", "确保颗粒归仓"), encoding="utf-8")  # the page was edited
    assert run("extract", str(page), "--url", "http://127.0.0.1/a/1.html", "--out", str(out)).exit_code == 0
    assert pq.read_table(str(out / "articles")).num_rows == 2


def test_extract_reads_arc_files_with_the_same_record_id_each_time(tmp_path):
    arc = arc_with(tmp_path / "old.arc.gz", {"http://127.0.0.1/a/1.html": ARTICLE})
    out = tmp_path / "out"
    first = run("extract", str(arc), "--out", str(out))
    assert first.exit_code == 0, first.output
    again = run("extract", str(arc), "--out", str(out))
    assert again.exit_code == 0 and "(1 already there)" in again.stderr
    [row] = pq.read_table(str(out / "articles")).to_pylist()
    assert row["url"] == "http://127.0.0.1/a/1.html" and row["title"] == "县里召开秋季农业生产推进会"
    assert row["fetched_at"].isoformat().startswith("2014-10-19T08:21:00")
    assert row["warc_file"].endswith("old.arc.gz") and row["warc_record_id"].startswith("<urn:uuid:")


def test_extract_into_a_dataset_again_adds_only_what_is_missing(tmp_path):
    """A second run over the same files, or one finishing what a killed run began, never
    writes a row twice."""
    first = warc_with(tmp_path / "first.warc.gz", {"http://127.0.0.1/a/1.html": ARTICLE})
    second = warc_with(tmp_path / "second.warc.gz", {"http://127.0.0.1/a/2.html": ARTICLE})
    out = tmp_path / "out"
    assert run("extract", str(first), "--out", str(out)).exit_code == 0
    again = run("extract", str(first), str(second), "--out", str(out))
    assert again.exit_code == 0 and "1 records written" in again.stderr and "(1 already there)" in again.stderr
    assert run("extract", str(first), str(second), "--out", str(out)).exit_code == 0
    assert run("extract", str(first), str(first), "--out", str(tmp_path / "twice")).exit_code == 0
    assert pq.read_table(str(tmp_path / "twice" / "articles")).num_rows == 1
    urls = pq.read_table(str(out / "articles"), columns=["url"]).column("url").to_pylist()
    assert sorted(urls) == ["http://127.0.0.1/a/1.html", "http://127.0.0.1/a/2.html"]


def test_extract_missing_file_is_one_line(tmp_path):
    result = run("extract", str(tmp_path / "nope.warc.gz"))
    assert result.exit_code == 1
    assert "nope.warc.gz: cannot read" in result.stderr


def test_sites_check_reports_each_bad_file_and_fails(tmp_path):
    (tmp_path / "ok.toml").write_text('id = "ok"\nname = "n"\nstart_urls = ["http://a/"]', encoding="utf-8")
    (tmp_path / "x.toml").write_text('id = "x"\nname = "n"\nstart_urls = ["ftp://a"]', encoding="utf-8")
    result = run("sites", "check", "--sites", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'x.toml'}: start_urls[0]: 'ftp://a' is not an http(s) URL" in result.stderr
    listing = run("sites", "list", "--sites", str(tmp_path))
    assert listing.stdout.startswith("ok ") and listing.exit_code == 1


def test_a_site_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    (tmp_path / "bom.toml").write_bytes('\ufeffid = "bom"\nname = "校园网"\nstart_urls = ["http://a/"]'.encode())
    result = run("sites", "check", "--sites", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"1 valid, 0 invalid site file(s) in {tmp_path}\n"
    listing = run("sites", "list", "--sites", str(tmp_path))
    assert listing.stdout.split()[:3] == ["bom", "auto", "校园网"]  # the id read without the mark before it


def test_crawl_of_unknown_site_fails_before_fetching(tmp_path):
    (tmp_path / "ok.toml").write_text('id = "ok"\nname = "n"\nstart_urls = ["http://a/"]', encoding="utf-8")
    result = run("crawl", "nosuch", "--sites", str(tmp_path), "--out", str(tmp_path / "data"))
    assert result.exit_code == 1
    assert "no site 'nosuch'" in result.stderr
    assert not (tmp_path / "data").exists()


def test_export_without_dataset_is_one_line(tmp_path):
    result = run("export", "--data", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "no article dataset here" in result.stderr


def test_a_page_past_the_time_bound_is_an_error_naming_it_and_the_rest_is_extracted(tmp_path):
    warc = warc_with(tmp_path / "in.warc.gz", {"http://127.0.0.1/a/slow.html": SLOW_PAGE,
                                               "http://127.0.0.1/a/1.html": ARTICLE})
    saved = tmp_path / "slow.html"
    saved.write_text(SLOW_PAGE, encoding="utf-8")
    result = run("extract", str(warc), str(saved), "--timeout", "1")
    assert result.exit_code == 1
    assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == ["http://127.0.0.1/a/1.html"]
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        "error: http://127.0.0.1/a/slow.html: extraction took longer than 1 s and was given up",
        f"error: {saved}: extraction took longer than 1 s and was given up"]
