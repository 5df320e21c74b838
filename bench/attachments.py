"""What reading attachments costs: files a second per type, read as a worker reads them
(in a child bounded in time and memory), against the same reading in process, unbounded,
and against extracting an article page.

Usage: python bench/attachments.py [--rounds N]

The files are made here by archive.demo.documents, sized as notices attach them: a PDF
of 20 pages, a DOCX of 200 paragraphs and a table of 50 rows, an XLSX of 2 sheets of
2,000 rows, an OFD of 10 pages, a ZIP of a PDF, a DOCX and an XLSX; and the Word 97 file
of the tests, read through antiword when it is installed. Rounds alternate between the
two ways of reading, so drift of a shared machine hits both; the best round counts.
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from archive.attachments.bounds import read_bounded
from archive.attachments.reading import read_file, reader_of
from archive.demo import DEMO_ROOT
from archive.demo.documents import docx_document, ofd_document, pdf_document, xlsx_workbook, zip_archive
from archive.records import FetchedPage

LINE = "各学院（部）要高度重视，认真组织，严格按照评定条件和程序开展工作，确保公开、公平、公正。"
DOC_FIXTURE = Path(__file__).parents[1] / "tests" / "attachments" / "fixtures" / "teaching-summary.doc"


def files() -> dict[str, bytes]:
    pdf = pdf_document([[f"第{page}页 第{n}行 {LINE}" for n in range(40)] for page in range(20)])
    docx = docx_document([f"{n}. {LINE}" for n in range(200)],
                         [["序号", "姓名", "学院", "专业", "成绩"]] + [[str(n), "张三", "化学学院", "化学", "92"]
                                                                  for n in range(50)])
    xlsx = xlsx_workbook({name: [["序号", "姓名", "学号", "学院", "专业", "成绩"]]
                          + [[n, "李四", f"2026{n:06d}", "外国语学院", "英语", 88.5] for n in range(2000)]
                          for name in ("一年级", "二年级")})
    made = {"pdf": pdf, "docx": docx, "xlsx": xlsx,
            "ofd": ofd_document([[f"第{n}行 {LINE}" for n in range(40)] for _ in range(10)]),
            "zip": zip_archive({"办法.pdf": pdf, "申请表.docx": docx, "名单.xlsx": xlsx}, gbk_names=True)}
    if shutil.which("antiword"):
        made["doc"] = DOC_FIXTURE.read_bytes()
    return made


def best_rate(read: Callable[[], object], seconds: float = 1.0) -> float:
    """Calls a second, over at least `seconds` of calls."""
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds or count < 3:
        read()
        count += 1
    return count / elapsed


def page_rate() -> float:
    """Article pages extracted a second (one demo notice), the work a worker does most."""
    from archive.extract import extract_article

    body = (DEMO_ROOT / "gov/www/zwgk/tzgg/202610/t20261019_123456.html").read_bytes()
    page = FetchedPage("http://127.0.0.1/zwgk/tzgg/202610/t20261019_123456.html", 200, {}, body,
                       datetime(2026, 10, 19, tzinfo=UTC))
    extract_article([page], site="bench")
    return best_rate(lambda: extract_article([page], site="bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    made = files()
    for file_type, body in made.items():  # imports and first-use costs, outside the rounds
        reader_of(file_type)
        assert read_file(body, file_type).status == "ok", file_type
    plain = dict.fromkeys(made, 0.0)
    bounded = dict.fromkeys(made, 0.0)
    for _ in range(args.rounds):
        for file_type, body in made.items():
            plain[file_type] = max(plain[file_type], best_rate(lambda b=body, t=file_type: read_file(b, t)))
            bounded[file_type] = max(bounded[file_type], best_rate(lambda b=body, t=file_type: read_bounded(b, t)))
    pages = page_rate()
    print(f"best of {args.rounds} rounds; an article page is extracted {pages:,.0f} times a second here")
    print(f"{'type':<6}{'size':>10}{'text':>10}{'files/s':>10}{'in process':>12}{'bound costs':>13}"
          f"{'page/file':>11}")
    for file_type, body in made.items():
        text = read_file(body, file_type).text or ""
        print(f"{file_type:<6}{len(body):>10,}{len(text):>10,}{bounded[file_type]:>10.1f}{plain[file_type]:>12.1f}"
              f"{plain[file_type] / bounded[file_type]:>12.2f}x{pages / bounded[file_type]:>10.1f}x")
    print("files/s: read in a bounded child, as the workers read them; in process: the same without the child;")
    print("bound costs: how many times longer a file takes in the child; page/file: how many article")
    print("pages one file costs")


if __name__ == "__main__":
    main()
