from __future__ import annotations

from datetime import UTC, datetime

import pytest

from archive.records import FetchedPage

CAPTURED = datetime(2024, 6, 1, 4, 0, tzinfo=UTC)


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
