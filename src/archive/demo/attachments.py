"""The demo sites' attachments: what each file holds, and the command that writes them.

    python -m archive.demo.attachments

writes every file below into its site folder (archive.demo.documents makes the bytes,
the same for the same text). The campus site serves its files through a VSB download
script (serve.toml `[[downloads]]`, addresses without a file name), the government site
as TRS does, `P020….pdf` beside the notice.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from archive.demo.documents import docx_document, ofd_document, pdf_document, xlsx_workbook, zip_archive
from archive.demo.server import DEMO_ROOT

_CONTEST_FORM = docx_document(
    ["第十二届“青川杯”大学生创新创业大赛项目计划书（模板）",
     "一、项目概况：请简要说明项目名称、所属赛道、团队构成和指导教师。",
     "二、市场分析：请说明目标用户、市场规模与竞争情况。",
     "三、创新点：请说明项目的技术创新或模式创新。"])
_CONTEST_RULES = pdf_document([["第十二届“青川杯”大学生创新创业大赛评审细则",
                                "评审分为网络评审和现场答辩两个环节。",
                                "创新性占30%，团队情况占25%，商业性占25%，社会效益占20%。"]])

FILES: dict[str, Callable[[], bytes]] = {
    "campus/files/8416002.docx": lambda: docx_document(
        ["2026年度校级教学成果奖推荐汇总表",
         "填报说明：各学院按推荐顺序填写，每个学院不超过3项。"],
        [["序号", "成果名称", "主要完成人", "所在学院"],
         ["1", "面向新工科的化学类课程群建设与实践", "林晓、周岚", "化学与材料学院"],
         ["2", "外语专业“讲好中国故事”实践教学体系", "许文", "外国语学院"]]),
    "campus/files/8416003.xlsx": lambda: xlsx_workbook({
        "报名表": [["序号", "项目名称", "负责人", "学号", "赛道"],
                   [1, "智慧农业病虫害识别系统", "赵明", "2023110101", "高教主赛道"],
                   [2, "乡村非遗数字博物馆", "钱芳", "2024120215", "红色筑梦之旅赛道"]],
        "填表说明": [["赛道请从高教主赛道、红色筑梦之旅赛道、产业命题赛道中选择。"]]}),
    "campus/files/8416004.zip": lambda: zip_archive(
        {"项目计划书模板.docx": _CONTEST_FORM, "评审细则.pdf": _CONTEST_RULES}, gbk_names=True),
    "gov/www/zwgk/tzgg/202610/P020261019512349876543.pdf": lambda: pdf_document([
        ["云溪县2026年秋冬种技术指导意见",
         "一、小麦播种：适宜播期为10月20日至11月5日，亩播量12至15公斤。",
         "二、油菜移栽：10月下旬至11月上旬移栽，每亩密度6000至8000株。"],
        ["三、田间管理：播后及时开沟排湿，做好冬前化学除草。",
         "云溪县农业农村局 2026年10月19日"]]),
    "gov/www/zwgk/tzgg/202610/P020261019512349876544.ofd": lambda: ofd_document([
        ["云溪县2026年秋冬种工作进度安排",
         "10月20日前：完成种子、化肥等农资调运。",
         "11月10日前：完成小麦、油菜播种和移栽任务。",
         "11月20日前：各乡镇报送秋冬种工作总结。"]], title="秋冬种工作进度安排"),
    "gov/www/zwgk/tzgg/202610/P020261016398765432101.xlsx": lambda: xlsx_workbook({
        "岗位表": [["序号", "岗位名称", "招聘人数", "工作地点"],
                   [1, "乡村保洁员", 30, "各乡（镇）"],
                   [2, "道路养护员", 10, "县城及国省道沿线"],
                   [3, "公共设施管理员", 5, "县城"]]}),
}


def write_demo_attachments(root: Path = DEMO_ROOT) -> list[Path]:
    written = []
    for relative, make in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make())
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_demo_attachments():
        print(path)
