"""Every ARCHIVE_* setting is declared once in crawler/settings.py, with its default, and
read without a default of its own; each component switched off says why."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler import settings as crawl_settings
from crawler.addresses import AddressGuardMiddleware
from crawler.capture import WarcCaptureMiddleware
from crawler.pipelines import ExtractionPipeline
from crawler.traps import TrapGuardMiddleware
from tests.crawler.conftest import project_settings

CRAWLER = Path(crawl_settings.__file__).parent
DECLARED = {name for name in vars(crawl_settings) if name.startswith("ARCHIVE_")}
GETTERS = {"get", "getbool", "getint", "getfloat", "getlist", "getdict", "getwithbase"}


def setting_reads() -> list[tuple[str, str, int]]:
    """(setting, file:line, arguments given) of every settings read in crawler/."""
    reads = []
    for path in sorted(CRAWLER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in GETTERS
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and str(node.args[0].value).startswith("ARCHIVE_")):
                where = f"{path.relative_to(CRAWLER.parent)}:{node.lineno}"
                reads.append((node.args[0].value, where, len(node.args) + len(node.keywords)))
    return reads


def test_every_setting_read_is_declared_and_read_without_a_default_of_its_own():
    reads = setting_reads()
    assert reads
    assert [(name, where) for name, where, _ in reads if name not in DECLARED] == []
    assert [(name, where) for name, where, arguments in reads if arguments > 1] == []


def test_every_declared_setting_is_read_somewhere():
    assert DECLARED - {name for name, _, _ in setting_reads()} == set()


@pytest.mark.parametrize(("component", "switch"), [
    (WarcCaptureMiddleware, "ARCHIVE_WARC_ENABLED"),
    (ExtractionPipeline, "ARCHIVE_EXTRACT_ENABLED"),
    (TrapGuardMiddleware, "ARCHIVE_TRAPS_ENABLED"),
    (AddressGuardMiddleware, "ARCHIVE_ADDRESS_GUARD_ENABLED"),
])
def test_a_component_switched_off_is_left_out_saying_why(component, switch, tmp_path):
    assert type(component.from_crawler(get_crawler(settings_dict=project_settings(tmp_path)))) is component
    with pytest.raises(NotConfigured, match=f"{switch} is off"):
        component.from_crawler(get_crawler(settings_dict=project_settings(tmp_path, **{switch: False})))
