"""A cheap HTTP/1.1 server for the generated benchmark sites, in a process of its own.

Why asyncio and not nginx: every response is pre-rendered bytes held in memory (headers
built once per page, bodies shared between the pages that reuse them), so a request
costs one dictionary lookup and one write; its CPU time is printed next to the crawl's
to show it stays small. It needs nothing installed and runs in its own process, so it
never competes with the crawler for the GIL. One port, one listening socket per host
(127.0.0.10, 127.0.0.11, ...): Scrapy gives every host its own download slot.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import socket
from contextlib import closing

from pages import GeneratedSite, article_bodies

NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\r\nnot found"
MAX_REQUEST_HEAD = 65536


def _render(pages: dict) -> dict[bytes, tuple[bytes, bytes]]:
    rendered = {}
    for path, body in pages.items():
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: {body.content_type}\r\n"
                f"Content-Length: {len(body.data)}\r\n\r\n").encode("latin-1")
        rendered[path.encode()] = (head, body.data)
    return rendered


class _Connection(asyncio.Protocol):
    def __init__(self, pages: dict[bytes, tuple[bytes, bytes]], counter: list[int]) -> None:
        self.pages = pages
        self.counter = counter
        self.buffer = b""

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            # Requests are GETs without bodies: the request line is all that matters.
            parts = head.split(b" ", 2)
            path = parts[1].split(b"?", 1)[0] if len(parts) > 1 else b""
            self.counter[0] += 1
            found = self.pages.get(path)
            if found is None:
                self.transport.write(NOT_FOUND)
            else:
                self.transport.writelines(found)
        if len(self.buffer) > MAX_REQUEST_HEAD:
            self.transport.close()


async def _serve(sites: list[GeneratedSite], corpus, port: int, conn) -> None:
    bodies = article_bodies(corpus)
    loop = asyncio.get_running_loop()
    counter = [0]
    servers = []
    for site in sites:
        pages = _render(site.pages(bodies))
        servers.append(await loop.create_server(lambda pages=pages: _Connection(pages, counter), site.host, port,
                                                reuse_address=True, backlog=512))
    conn.send("ready")
    # The parent says when to stop; polling the pipe keeps the loop free for requests.
    while not await loop.run_in_executor(None, conn.poll, 0.5):
        pass
    conn.recv()
    for server in servers:
        server.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    conn.send({"requests": counter[0], "cpu_seconds": usage.ru_utime + usage.ru_stime})


def _main(sites, corpus, port, conn) -> None:
    asyncio.run(_serve(sites, corpus, port, conn))


def free_port(host: str) -> int:
    with closing(socket.socket()) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class SiteServer:
    """The generated sites served from a child process; a context manager that stops it."""

    START_TIMEOUT = 120.0
    STOP_TIMEOUT = 30.0

    def __init__(self, sites: list[GeneratedSite], corpus) -> None:
        self.sites = sites
        self.corpus = corpus
        self.port = free_port(sites[0].host)
        self.report: dict = {}

    def __enter__(self) -> SiteServer:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_main, args=(self.sites, self.corpus, self.port, child), daemon=True)
        self._process.start()
        if not self._conn.poll(self.START_TIMEOUT) or self._conn.recv() != "ready":
            self._process.kill()
            raise SystemExit("benchmark server did not start")
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._conn.send("stop")
            if self._conn.poll(self.STOP_TIMEOUT):
                self.report = self._conn.recv()
        finally:
            self._process.join(self.STOP_TIMEOUT)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(self.STOP_TIMEOUT)
