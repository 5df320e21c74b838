"""What a downloaded body is: decided by its own bytes, the names only breaking ties;
and the file name a server sends, however it encodes it."""

from pathlib import Path

import pytest

from archive.attachments.filetypes import detect_type, hinted_type, looks_like_web_page
from archive.attachments.names import sent_filename
from archive.demo.documents import docx_document, ofd_document, pdf_document, xlsx_workbook, zip_archive
from tests.attachments.hostile import encrypted_pdf

FIXTURES = Path(__file__).parent / "fixtures"
DOWNLOAD = "http://127.0.0.1/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1&wbfileid=7"


@pytest.mark.parametrize(("body", "expected"), [
    (pdf_document([["通知"]]), "pdf"),
    (encrypted_pdf(["通知"]), "pdf"),
    (docx_document(["通知"]), "docx"),
    (xlsx_workbook({"表": [["a"]]}), "xlsx"),
    (ofd_document([["通知"]]), "ofd"),
    (zip_archive({"a.txt": b"x"}), "zip"),
    ((FIXTURES / "teaching-summary.doc").read_bytes(), "doc"),
    ((FIXTURES / "scholarships.xls").read_bytes(), "xls"),
    (b"Rar!\x1a\x07\x00" + bytes(40), "rar"),
    (b"\x89PNG\r\n\x1a\n" + bytes(40), "image"),
])
def test_a_download_script_address_is_typed_by_its_bytes(body, expected):
    # no extension, and the catch-all type download scripts send
    assert detect_type(body, content_type="application/octet-stream", names=[None, DOWNLOAD, "附件"]) == expected


def test_a_gov_path_with_a_misleading_extension_is_typed_by_its_bytes():
    assert detect_type(xlsx_workbook({"表": [["a"]]}), names=["/zwgk/P020261019512349876543.pdf"]) == "xlsx"


def test_names_tell_apart_what_the_bytes_cannot():
    word = (FIXTURES / "teaching-summary.doc").read_bytes()
    sheet = (FIXTURES / "scholarships.xls").read_bytes()
    assert detect_type(word, names=["通知.wps"]) == "wps"
    assert detect_type(sheet, names=[None, "http://x/a.jsp", "统计表.et"]) == "et"
    # an Office file saved with a password is an OLE file holding the encrypted package
    locked = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100) + "EncryptedPackage".encode("utf-16-le")
    assert detect_type(locked, names=["名单.xlsx"]) == "xlsx"


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><html><head><title>\xe7\x99\xbb\xe5\xbd\x95</title></head><body>login</body></html>",
    b"\xef\xbb\xbf\r\n  <html><body>404</body></html>",
    b"<!-- TRS --><script>location.href='/login'</script>",
])
def test_a_web_page_answered_to_a_download_link_is_no_file(body):
    assert looks_like_web_page(body)
    assert detect_type(body, content_type="text/html", names=[DOWNLOAD, "报名表.docx"]) is None
    assert detect_type(body, content_type="application/octet-stream", names=["报名表.docx"]) is None


def test_text_files_and_unknown_files():
    assert detect_type("名单".encode("gbk"), content_type="text/plain") == "txt"
    assert detect_type(b"a,b\n1,2\n", names=["名单.csv"]) == "csv"
    assert detect_type(b'{"error": "no file"}', content_type="application/json") is None
    assert detect_type(bytes(range(256)), content_type="application/octet-stream") == "unknown"
    assert detect_type(bytes(range(256)), disposition='attachment; filename="a.ceb"', names=["a.ceb"]) == "ceb"


def test_hints_read_file_names_in_queries():
    assert hinted_type(["http://x/module/download/downfile.jsp?classid=0&filename=1610171234567.pdf"]) == "pdf"
    assert hinted_type([None, "http://x/download.jsp?id=3", "附件1：报名表.xlsx"]) == "xlsx"
    assert hinted_type(["http://x/download.jsp?id=3", "附件"]) is None


@pytest.mark.parametrize("header", [
    "attachment; filename*=UTF-8''%E6%8A%A5%E5%90%8D%E8%A1%A8.docx",
    'attachment; filename="%E6%8A%A5%E5%90%8D%E8%A1%A8.docx"',
    'attachment; filename="' + "报名表.docx".encode("gbk").decode("latin-1") + '"',
    "attachment; filename=" + "报名表.docx".encode().decode("latin-1"),
    'attachment; filename="=?UTF-8?B?5oql5ZCN6KGoLmRvY3g=?="',
    'attachment; filename="报名表.docx"',  # a reader that took the bytes for UTF-8 already
    'attachment; filename="old.docx"; filename*=UTF-8\'\'%E6%8A%A5%E5%90%8D%E8%A1%A8.docx',
])
def test_the_name_a_server_sends_reads_as_the_user_saw_it(header):
    assert sent_filename(header) == "报名表.docx"


def test_a_sent_name_cannot_carry_a_path():
    assert sent_filename('attachment; filename="../../etc/passwd"') == "....etcpasswd"
    assert sent_filename("inline") is None and sent_filename(None) is None
