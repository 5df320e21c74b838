"""Each reader gives a file's text, its pages or sheets, and says what kept it from
reading the others: every file is made here (or, for the Word 97 and Excel 97 formats,
made once with LibreOffice and kept in fixtures/), read through the real libraries and
the real antiword."""

import shutil
from pathlib import Path

import pytest

from archive.attachments.reading import ReadLimits, read_file
from archive.demo.documents import docx_document, ofd_document, pdf_document, xlsx_workbook, zip_archive
from tests.attachments.hostile import encrypted_pdf, scanned_pdf

FIXTURES = Path(__file__).parent / "fixtures"


def test_pdf_text_of_every_page():
    found = read_file(pdf_document([["关于评选的通知", "各学院："], ["第二页 附表说明"]]), "pdf")
    assert (found.status, found.page_count) == ("ok", 2)
    assert found.text == "关于评选的通知\n各学院：\n\n第二页 附表说明"


def test_a_locked_pdf_is_encrypted_and_a_scan_is_scanned():
    locked = read_file(encrypted_pdf(["内部文件"]), "pdf")
    assert (locked.status, locked.text) == ("encrypted", None)
    assert "password" in locked.reason
    scan = read_file(scanned_pdf(3), "pdf")
    assert (scan.status, scan.text, scan.page_count) == ("scanned", None, 3)
    assert scan.reason == "3 of 3 pages are images without a text layer"


def test_docx_paragraphs_then_table_rows():
    body = docx_document(["推荐汇总表", "填报说明：每个学院不超过3项。"], [["序号", "成果名称"], ["1", "课程群建设"]])
    found = read_file(body, "docx")
    assert found.status == "ok" and found.page_count == 1
    assert found.text == "推荐汇总表\n填报说明：每个学院不超过3项。\n序号\t成果名称\n1\t课程群建设"


def test_xlsx_sheets_with_their_names():
    body = xlsx_workbook({"报名表": [["序号", "姓名"], [1, "赵明"], [2.5, "钱芳"]], "空表": [], "说明": [["请填写"]]})
    found = read_file(body, "xlsx")
    assert (found.status, found.sheet_count) == ("ok", 3)
    assert found.text == "报名表\n序号\t姓名\n1\t赵明\n2.5\t钱芳\n\n说明\n请填写"


def test_ofd_text_by_lines_and_pages():
    found = read_file(ofd_document([["第一行", "第二行"], ["第二页"]]), "ofd")
    assert (found.status, found.page_count, found.text) == ("ok", 2, "第一行\n第二行\n\n第二页")


def test_zip_members_read_by_their_own_types_with_gbk_names():
    inner = zip_archive({"说明.txt": "内层说明".encode("gbk")})
    body = zip_archive({"附件1.pdf": pdf_document([["评审细则"]]), "附件2.docx": docx_document(["计划书模板"]),
                        "资料/内层.zip": inner, "__MACOSX/._附件1.pdf": b"\0\5\26\7"}, gbk_names=True)
    found = read_file(body, "zip")
    assert found.status == "ok" and found.reason is None
    assert found.text == ("【附件1.pdf】\n评审细则\n\n【附件2.docx】\n计划书模板\n\n"
                          "【资料/内层.zip】\n【说明.txt】\n内层说明")


def test_archives_within_archives_stop_at_the_depth_bound():
    body = zip_archive({"a.zip": zip_archive({"b.zip": zip_archive({"c.txt": b"deep"})})})
    found = read_file(body, "zip", ReadLimits(zip_depth=2))
    assert found.status == "unsupported" and "nested deeper than 2" in found.reason


def test_word97_through_antiword():
    assert shutil.which("antiword"), "antiword must be installed (apt-get install antiword): .ci/run does"
    found = read_file((FIXTURES / "teaching-summary.doc").read_bytes(), "doc")
    assert found.status == "ok"
    assert found.text.startswith("关于报送2026年度教学工作总结的通知\n\n各学院：请于11月15日前报送本单位教学工作总结。")
    assert "联系人：王老师，电话 0816-1234567" in found.text
    # WPS Writer files are Word files inside
    assert read_file((FIXTURES / "teaching-summary.doc").read_bytes(), "wps").text == found.text


def test_word97_without_antiword_is_unsupported_here(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    found = read_file((FIXTURES / "teaching-summary.doc").read_bytes(), "doc")
    assert found.status == "unsupported"
    assert found.reason == ("a Word 97-2003 file: reading it needs antiword, not installed here "
                            "(apt-get install antiword)")


def test_excel97_and_wps_spreadsheets_through_calamine():
    found = read_file((FIXTURES / "scholarships.xls").read_bytes(), "et")
    assert (found.status, found.sheet_count) == ("ok", 1)
    assert "1\t张三\t计算机学院\t一等奖学金" in found.text


@pytest.mark.parametrize(("file_type", "body"), [
    ("pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4),
    ("docx", b"PK\x03\x04" + bytes(300)),
    ("xlsx", zip_archive({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not a workbook"})),
    ("ofd", zip_archive({"OFD.xml": b"<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'><unclosed>"})),
    ("doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
    ("zip", b"PK\x03\x04" + bytes(50)),
])
def test_a_damaged_file_is_corrupt_with_its_reason(file_type, body):
    found = read_file(body, file_type)
    assert found.status == "corrupt" and found.text is None
    assert found.reason and "\n" not in found.reason


def test_formats_not_read_here_say_so():
    assert read_file(b"Rar!\x1a\x07\x00", "rar").status == "unsupported"
    assert read_file(b"\x89PNG", "image").status == "scanned"
    assert read_file(b"x", "unknown").reason == "a file of no type known here: not read here"


def test_text_is_cut_at_its_budget():
    found = read_file(pdf_document([["一二三四五六七八九十" * 20]] * 3), "pdf", ReadLimits(max_chars=50))
    assert found.status == "ok" and len(found.text) == 50
    assert found.reason == "text cut at 50 characters"


def test_plain_text_in_the_encodings_chinese_files_use():
    assert read_file("通知正文".encode("gbk"), "txt").text == "通知正文"
    assert read_file("\ufeff名单".encode("utf-8"), "txt").text == "名单"
    assert read_file("名单".encode("utf-16"), "csv").text == "名单"
