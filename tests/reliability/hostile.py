"""A hostile web site on a loopback address: every page is one of the things the open web
does to a crawler. Used by the reliability tests; never binds outside 127.0.0.0/8."""

from __future__ import annotations

import contextlib
import hashlib
import random
import secrets
import socket
import threading
import time
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ARTICLE = (
    "<html><head><meta charset='utf-8'><title>县政府召开秋季安全生产工作会议</title></head><body>"
    "<div class='nav'><a href='/'>首页</a></div>"
    "<h1>县政府召开秋季安全生产工作会议</h1><div class='info'>发布时间：2026-10-19 08:21 来源：县应急管理局</div>"
    "<div class='content'>" + "".join(
        f"<p>第{i}段：会议强调，各乡镇各部门要切实履行安全生产责任，深入开展隐患排查治理，"
        "确保全县安全生产形势持续稳定，为经济社会发展营造良好环境。</p>" for i in range(12)
    ) + "</div></body></html>"
)
MB = 1024 * 1024


def _bomb(size: int, wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(MB)
    return b"".join(packer.compress(block) for _ in range(size // MB)) + packer.flush()


# 128 MB of zeros: over six times DOWNLOAD_MAXSIZE once inflated, about 130 kB on the wire.
GZIP_BOMB = _bomb(128 * MB, 16 + zlib.MAX_WBITS)
DEFLATE_BOMB = _bomb(128 * MB, zlib.MAX_WBITS)

ENTITY_BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
               for i in range(1, 10))
    + b']>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
      b"<url><loc>&lol9;</loc></url><url><loc>{base}/ok/2.html</loc></url></urlset>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/hostname">'
    b'<!ENTITY remote SYSTEM "{base}/xxe-fetched">]>\n'
    b"<rss version='2.0'><channel><title>t</title>"
    b"<item><title>&xxe;</title><link>{base}/feed/&xxe;&remote;</link></item>"
    b"<item><title>ok</title><link>{base}/ok/3.html</link></item></channel></rss>"
)


class Page:
    """What a path answers: status, headers and body, or a custom writer."""

    def __init__(self, status: int = 200, body: bytes | str = b"", headers: dict[str, str] | None = None,
                 writer: Callable[[BaseHTTPRequestHandler], None] | None = None) -> None:
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
        self.writer = writer


class HostileServer:
    """One ThreadingHTTPServer on `host` with a route function; records every hit."""

    def __init__(self, routes: Callable[[HostileServer, str], Page | None], host: str = "127.0.0.1") -> None:
        assert host.startswith("127."), "tests only ever bind loopback addresses"
        self.routes = routes
        self.hits: list[str] = []
        self.stopping = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 20

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                outer.hits.append(self.path)
                page = outer.routes(outer, self.path) or Page(404, "<html><body>404</body></html>")
                if page.writer is not None:
                    page.writer(self)
                    return
                body = page.body.replace(b"{base}", outer.base.encode())
                self.send_response(page.status)
                for name, value in page.headers.items():
                    self.send_header(name, value.replace("{base}", outer.base))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(ConnectionError):
                    self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:
                pass  # a crawler hanging up mid-body is what these pages provoke

        self.server = Server((host, 0), Handler)
        self.server.outer = self  # type: ignore[attr-defined]
        self.base = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def count(self, prefix: str) -> int:
        return sum(1 for hit in self.hits if hit.startswith(prefix))


def stream_forever(chunk: bytes, length: int | None) -> Callable[[BaseHTTPRequestHandler], None]:
    """Send `chunk` until `length` bytes (or forever), until the client hangs up."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        if length is None:
            handler.send_header("Connection", "close")
        else:
            handler.send_header("Content-Length", str(length))
        handler.end_headers()
        sent = 0
        with contextlib.suppress(OSError):
            while length is None or sent < length:
                handler.wfile.write(chunk)
                sent += len(chunk)
        handler.close_connection = True

    return write


def stall(handler: BaseHTTPRequestHandler) -> None:
    """Promise 10 kB, send 100 bytes, then say nothing more."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "10000")
    handler.end_headers()
    with contextlib.suppress(OSError):
        handler.wfile.write(b"<html><body>" + b"x" * 88)
        handler.wfile.flush()
    server: HostileServer = handler.server.outer  # type: ignore[attr-defined]
    server.stopping.wait(30)
    handler.close_connection = True


def links(*urls: str) -> str:
    return "<html><body>" + "".join(f"<a href='{u}'>{u}</a> " for u in urls) + "</body></html>"


def hostile_routes(other_base: str) -> Callable[[HostileServer, str], Page | None]:
    """The pages of the hostile site; `other_base` is a second server no link may reach."""
    gbk = ARTICLE.replace("charset='utf-8'", "").replace("县政府", "县政府（GBK）").encode("gb18030")

    def route(server: HostileServer, path: str) -> Page | None:
        url = urlsplit(path)
        query = parse_qs(url.query)
        fixed = {
            "/robots.txt": Page(200, "User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}),
            "/": Page(200, links(
                "/ok/1.html", "/bad/malformed.html", "/bad/deep.html", "/bad/binary.html",
                "/bad/wrong-charset.html", "/bad/no-charset.html", "/bad/invalid-bytes.html", "/bad/empty.html",
                "/bad/huge.html", "/bad/huge-unannounced.html", "/bad/gzip-bomb.html", "/bad/deflate-bomb.html",
                "/loop/a.html", "/redirect-away.html", "/away.html", "/stall.html",
                "/cal/view.html?year=2026&month=1", "/list.html?PHPSESSID=" + secrets.token_hex(13),
                "/news/", "/private/secret.html", "/q.html?" + "&".join(f"p{i}=1" for i in range(40)),
                "/" + "x" * 1500 + ".html",
            )),
            "/ok/1.html": Page(200, ARTICLE),
            "/ok/2.html": Page(200, ARTICLE.replace("秋季", "冬季")),
            "/ok/3.html": Page(200, ARTICLE.replace("秋季", "春季")),
            "/bad/malformed.html": Page(200, "<html><body><div><p>未闭合<b><i></div></span></table>"
                                             "<td>&#xffffffff;&bogus;<<<>>><!-- <script>"),
            "/bad/deep.html": Page(200, "<html><body>" + "<div>" * 50000 + "深" + "</div>" * 10),
            "/bad/binary.html": Page(200, random.Random(20000).randbytes(20000)),  # fixed bytes: same test each run
            "/bad/wrong-charset.html": Page(200, gbk, {"Content-Type": "text/html; charset=utf-8"}),
            "/bad/no-charset.html": Page(200, gbk, {"Content-Type": "text/html"}),
            "/bad/invalid-bytes.html": Page(200, ARTICLE.encode()[:500] + b"\xff\xfe\xc3\x28\xa0\xa1" * 50
                                           + ARTICLE.encode()[500:]),
            "/bad/empty.html": Page(200, b""),
            "/bad/huge.html": Page(writer=stream_forever(b"<p>" + b"a" * 65533, 200 * MB)),
            "/bad/huge-unannounced.html": Page(writer=stream_forever(b"<p>" + b"b" * 65533, None)),
            "/bad/gzip-bomb.html": Page(200, GZIP_BOMB, {"Content-Encoding": "gzip"}),
            "/bad/deflate-bomb.html": Page(200, DEFLATE_BOMB, {"Content-Encoding": "deflate"}),
            "/loop/a.html": Page(302, b"", {"Location": "/loop/b.html"}),
            "/loop/start.html": Page(302, b"", {"Location": "/loop/c.html"}),
            "/loop/c.html": Page(302, b"", {"Location": "/loop/start.html"}),
            "/loop/b.html": Page(302, b"", {"Location": "/loop/a.html"}),
            "/redirect-away.html": Page(302, b"", {"Location": other_base + "/stolen.html"}),
            "/away.html": Page(200, links(other_base + "/linked.html")),
            "/stall.html": Page(writer=stall),
            "/sitemap.xml": Page(200, ENTITY_BOMB, {"Content-Type": "application/xml"}),
            "/rss.xml": Page(200, EXTERNAL_ENTITY, {"Content-Type": "application/rss+xml"}),
        }
        if url.path in fixed:
            return fixed[url.path]
        if url.path == "/cal/view.html":
            # Every month links to the next and the one before: no end either way.
            year, month = int(query.get("year", ["2026"])[0]), int(query.get("month", ["1"])[0])
            after = (year + month // 12, month % 12 + 1)
            before = (year - (month == 1), (month - 2) % 12 + 1)
            return Page(200, links(*(f"/cal/view.html?year={y}&month={m}" for y, m in (after, before))))
        if url.path == "/list.html":
            return Page(200, links("/list.html?PHPSESSID=" + secrets.token_hex(13), "/ok/1.html"))
        if url.path.startswith("/news/"):
            return Page(200, links("news/"))  # relative: /news/news/news/...
        return None

    return route


def storm_routes(server: HostileServer, path: str) -> Page | None:
    """Every page an error: 5xx (retried) and 4xx (not)."""
    if path == "/robots.txt":
        return Page(404, "")
    if path == "/":
        return Page(200, links(*(f"/e/{status}/{i}.html" for status in (500, 502, 503, 404, 410, 403)
                                 for i in range(5))))
    if path.startswith("/e/"):
        status = int(path.split("/")[2])
        return Page(status, f"<html><body>error {status}</body></html>")
    return None


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], bool], timeout: float, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def bulk_routes(count: int, paragraphs: int) -> Callable[[HostileServer, str], Page | None]:
    """A site of `count` long articles: enough work that extraction and the Parquet write
    of one crawl take long enough to be interrupted on purpose."""

    def route(server: HostileServer, path: str) -> Page | None:
        if path == "/robots.txt":
            return Page(200, "User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
        if path == "/":
            return Page(200, links(*(f"/a/{i}.html" for i in range(count))))
        if path.startswith("/a/") and path.endswith(".html"):
            number = path[3:-5]
            body = "".join(f"<p>第{number}篇第{i}段：{hashlib.sha256(f'{number}-{i}'.encode()).hexdigest()}，"
                           "会议强调要切实履行安全生产责任。</p>" for i in range(paragraphs))
            return Page(200, ARTICLE.replace("秋季安全生产工作会议", f"第{number}次工作会议")
                        .replace("<div class='content'>", "<div class='content'>" + body))
        return None

    return route
