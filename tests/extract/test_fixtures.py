"""Golden pages: each folder under fixtures/ holds page.html and case.json (what must and
must not come out)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.extract import EXTRACTOR_VERSION, continuation_links, extract_article
from archive.records import ExtractionRules, FetchedPage, WarcPointer

CAPTURED = datetime(2024, 6, 1, 4, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(path.name for path in FIXTURES.iterdir() if (path / "case.json").exists())


def load(name: str) -> tuple[dict, FetchedPage]:
    folder = FIXTURES / name
    case = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    html = (folder / "page.html").read_text(encoding="utf-8")
    fetched_at = datetime.fromisoformat(case["fetched_at"]) if "fetched_at" in case else CAPTURED
    page = FetchedPage(
        url=case["url"],
        status=200,
        headers=case["headers"],
        body=html.encode(case.get("encoding", "utf-8")),
        fetched_at=fetched_at,
        pointer=WarcPointer(file="a.warc.gz", offset=123, record_id="<urn:uuid:1>"),
    )
    return case, page


@pytest.mark.parametrize("name", CASES)
def test_golden_page(name: str) -> None:
    case, page = load(name)
    rules = ExtractionRules(**case["rules"]) if "rules" in case else None
    record = extract_article([page], site="example", rules=rules, force=case.get("force", False))
    if not case["article"]:
        assert record is None
        return
    assert record is not None
    for field, expected in case.get("expect", {}).items():
        actual = getattr(record, field)
        if field == "published_at":
            assert actual is not None and actual.tzinfo is not None
            assert actual == datetime.fromisoformat(expected), (actual, expected)
        else:
            assert actual == expected, (field, actual, expected)
    for fragment in case.get("contains", []):
        assert fragment in record.text
    for fragment in case.get("absent", []):
        assert fragment not in record.text
    if "attachments" in case:
        assert [item.url for item in record.attachments] == case["attachments"]
    assert record.url == page.url
    assert record.extractor_version == EXTRACTOR_VERSION
    assert record.content_sha1 == hashlib.sha1(record.text.encode("utf-8")).hexdigest()
    assert record.fetched_at == page.fetched_at
    assert (record.warc_file, record.warc_offset, record.warc_record_id) == ("a.warc.gz", 123, "<urn:uuid:1>")
    for field, value in vars(record).items():
        assert value != "", f"{field} is an empty string"
    if record.views is not None:
        assert record.views_observed_at == page.fetched_at


@pytest.mark.parametrize("name", CASES)
def test_golden_continuation(name: str) -> None:
    case, page = load(name)
    if "continuation" in case:
        assert continuation_links(page) == case["continuation"]
