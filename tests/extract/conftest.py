from __future__ import annotations

from datetime import UTC, datetime

import pytest

from archive.records import FetchedPage

CAPTURED = datetime(2024, 6, 1, 4, 0, tzinfo=UTC)
# the paragraphs of a news story, for pages written to imitate a class of page
STORY = [
    "江城市昨日召开全市安全生产工作会议，部署下一阶段重点任务，要求各地压实责任、排查隐患。",
    "会议指出，今年以来全市安全生产形势总体平稳，但部分行业仍存在薄弱环节，必须引起高度重视。",
    "会议强调，要以更严的标准、更实的举措，坚决遏制重特大事故发生，切实保障人民群众生命财产安全。",
    "会后，各区县负责同志分别汇报了本地工作进展，并就下一步工作作出具体安排，确保各项措施落到实处。",
]


def make_page(
    html: str | bytes,
    url: str = "https://www.example.gov.cn/a/t20240101_1.html",
    *,
    headers: dict[str, str] | None = None,
    status: int = 200,
    fetched_at: datetime = CAPTURED,
) -> FetchedPage:
    body = html.encode("utf-8") if isinstance(html, str) else html
    return FetchedPage(
        url=url,
        status=status,
        headers=headers if headers is not None else {"content-type": "text/html"},
        body=body,
        fetched_at=fetched_at,
    )


@pytest.fixture
def page_factory():
    return make_page
