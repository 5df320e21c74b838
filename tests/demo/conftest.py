from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive.demo import DemoServer

UNSEEN_SITE = Path(__file__).resolve().parents[1] / "fixtures" / "unseen_site"


@dataclass
class Response:
    status: int
    version: int
    headers: dict[str, str]
    body: bytes


Fetch = Callable[..., Response]


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Response:
    """One request on a fresh connection, closed before returning."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        return Response(resp.status, resp.version, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


@pytest.fixture(scope="session")
def demo() -> Iterator[DemoServer]:
    """The demo sites, shared by tests that do not change counters."""
    with DemoServer() as server:
        yield server


@pytest.fixture
def fresh_demo() -> Iterator[DemoServer]:
    """A server of its own for tests that change counter state."""
    with DemoServer() as server:
        yield server


@pytest.fixture(scope="session")
def unseen() -> Iterator[DemoServer]:
    with DemoServer(root=UNSEEN_SITE.parent) as server:
        yield server


@pytest.fixture
def get() -> Fetch:
    """fetch(url, method="GET", headers=None) -> Response, on a connection of its own."""
    return fetch
