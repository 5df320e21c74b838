"""Serve every demo site on its own loopback port.

Pages link root-relatively (/info/...), so each site needs an origin of its own: one
ThreadingHTTPServer per site folder, each on a free port chosen by the OS.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import socket
import sys
import threading
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit

from archive.demo.behaviour import Counters, Reply, SiteBehaviour

DEMO_ROOT: Path = Path(__file__).resolve().parent / "sites"

CONTENT_TYPES = {
    ".htm": "text/html",
    ".html": "text/html",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".css": "text/css",
    ".js": "application/javascript",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gif": "image/gif",
}
TEXT_SUFFIXES = {".htm", ".html", ".xml", ".txt", ".css", ".js"}
INDEX_FILES = ("index.html", "index.htm")
CHUNK_SIZE = 1024
POLL_INTERVAL = 0.05
# Sitemaps, feeds and robots.txt need absolute URLs, but the port is only known at start.
BASE_TOKEN = b"{base}"


@dataclass
class Site:
    id: str
    folder: Path
    behaviour: SiteBehaviour
    counters: Counters = field(init=False)

    def __post_init__(self) -> None:
        self.counters = Counters(self.behaviour)

    @property
    def www(self) -> Path:
        return self.folder / "www"

    def resolve(self, path: str) -> Path | None:
        """The file served for a URL path, or None (404); never a file outside www/."""
        www = self.www.resolve()
        try:
            target = (www / path.lstrip("/")).resolve()
            if not target.is_relative_to(www):
                return None
            if target.is_dir():
                return next((target / n for n in INDEX_FILES if (target / n).is_file()), None)
            return target if target.is_file() else None
        except (OSError, ValueError):  # e.g. a NUL byte or an over-long name in the URL
            return None

    def content_type(self, file: Path) -> str:
        suffix = file.suffix.lower()
        ctype = CONTENT_TYPES.get(suffix, "application/octet-stream")
        if suffix in TEXT_SUFFIXES and self.behaviour.charset:
            ctype += f"; charset={self.behaviour.charset}"
        return ctype


def discover_sites(root: Path) -> list[Site]:
    """Every folder under `root` with a www/ directory, in name order.

    A `root` that is itself a site folder is served alone, so a test fixture site can be
    given either as its own folder or as its parent.
    """
    if (root / "www").is_dir():
        return [Site(root.name, root, SiteBehaviour.load(root / "serve.toml"))]
    return [
        Site(folder.name, folder, SiteBehaviour.load(folder / "serve.toml"))
        for folder in sorted(root.iterdir())
        if (folder / "www").is_dir()
    ]


class _SiteServer(ThreadingHTTPServer):
    def __init__(self, address: tuple[str, int], site: Site, demo: DemoServer) -> None:
        self.site = site
        self.demo = demo
        # Open connections and their threads, so stop() can end idle keep-alive ones.
        self._live: dict[socket.socket, threading.Thread] = {}
        self._live_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        thread = threading.Thread(target=self.process_request_thread, args=(request, client_address), daemon=True)
        with self._live_lock:
            self._live[request] = thread
        thread.start()

    def shutdown_request(self, request: socket.socket) -> None:
        with self._live_lock:
            self._live.pop(request, None)
        super().shutdown_request(request)

    def close_connections(self, timeout: float = 2.0) -> None:
        with self._live_lock:
            live = list(self._live.items())
        for sock, _ in live:
            with contextlib.suppress(OSError):  # the client may have gone already
                sock.shutdown(socket.SHUT_RDWR)
        for _, thread in live:
            thread.join(timeout)

    def handle_error(self, request: object, client_address: object) -> None:
        # A crawler dropping a connection mid-response is normal, not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    # An idle keep-alive connection is dropped after this many seconds.
    timeout = 30

    def setup(self) -> None:
        super().setup()
        self.protocol_version = "HTTP/1.1" if self.server.site.behaviour.http11 else "HTTP/1.0"

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the hit list is the log

    def _respond(self, head: bool) -> None:
        site = self.server.site
        self.server.demo.record_hit(site.id, self.path)
        url = urlsplit(self.path)
        path = unquote(url.path)
        reply = site.counters.reply(path, parse_qs(url.query))
        download = site.behaviour.downloads.get(self.path)
        if download is not None:
            reply = download.reply()
        if reply is not None:
            self._send(reply, path, head)
            return
        reply = self._file_reply(site, path)
        validators = self._validators(site, path, reply)
        if validators and self._not_modified(*validators):
            self.send_response(304)
            self.send_header("ETag", validators[0])
            self.send_header("Last-Modified", validators[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(reply, path, head, validators)

    def _validators(self, site: Site, path: str, reply: Reply) -> tuple[str, str] | None:
        """ETag and Last-Modified of a served file, as web servers send them for static files."""
        file = site.resolve(path)
        if reply.status != 200 or file is None:
            return None
        etag = '"' + hashlib.sha1(reply.body).hexdigest()[:16] + '"'
        return etag, formatdate(file.stat().st_mtime, usegmt=True)

    def _not_modified(self, etag: str, last_modified: str) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag in [t.strip() for t in if_none_match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False

    def _file_reply(self, site: Site, path: str) -> Reply:
        file = site.resolve(path)
        if file is None:
            body = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
            return Reply(404, "text/html", body)
        body = file.read_bytes()
        if file.suffix.lower() in TEXT_SUFFIXES:
            body = body.replace(BASE_TOKEN, self.server.demo.base_urls[site.id].encode("ascii"))
        return Reply(200, site.content_type(file), body)

    def _wants_gzip(self) -> bool:
        for part in self.headers.get("Accept-Encoding", "").split(","):
            name, _, params = part.strip().partition(";")
            if name.strip().lower() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0"):
                return True
        return False

    def _send(self, reply: Reply, path: str, head: bool, validators: tuple[str, str] | None = None) -> None:
        behaviour = self.server.site.behaviour
        body = reply.body
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers:
            self.send_header(name, value)
        if validators:
            self.send_header("ETag", validators[0])
            self.send_header("Last-Modified", validators[1])
        if behaviour.gzip:
            self.send_header("Vary", "Accept-Encoding")
            if body and self._wants_gzip():
                # mtime=0 keeps the compressed bytes identical between runs.
                body = gzip.compress(body, mtime=0)
                self.send_header("Content-Encoding", "gzip")
        chunked = self.request_version == "HTTP/1.1" and behaviour.is_chunked(path)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head:
            return
        if chunked:
            for start in range(0, len(body), CHUNK_SIZE):
                chunk = body[start : start + CHUNK_SIZE]
                self.wfile.write(b"%X\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)


class DemoServer:
    """All demo sites under `root`, each served on `host` at a free port."""

    def __init__(self, root: Path = DEMO_ROOT, host: str = "127.0.0.1") -> None:
        self.root = Path(root)
        self.host = host
        self._sites = {site.id: site for site in discover_sites(self.root)}
        self.site_ids: list[str] = list(self._sites)
        self.base_urls: dict[str, str] = {}
        self.hits: list[tuple[str, str]] = []
        self._hits_lock = threading.Lock()
        self._servers: list[tuple[_SiteServer, threading.Thread]] = []

    def start(self) -> DemoServer:
        if self._servers:
            raise RuntimeError("DemoServer is already running")
        try:
            for site in self._sites.values():
                server = _SiteServer((self.host, 0), site, self)
                port = server.server_address[1]
                self.base_urls[site.id] = f"http://{self.host}:{port}"
                # A short poll interval makes stop() quick; shutdown() waits for one poll.
                thread = threading.Thread(
                    target=server.serve_forever, args=(POLL_INTERVAL,), name=f"demo-{site.id}", daemon=True
                )
                self._servers.append((server, thread))
                thread.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server, thread in self._servers:
            server.shutdown()
            server.close_connections()
            server.server_close()
            thread.join()
        self._servers.clear()
        self.base_urls.clear()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def url(self, site_id: str, path: str = "/") -> str:
        return self._base(site_id) + path

    def counts(self, site_id: str) -> dict[str, int]:
        return self._site(site_id).counters.snapshot()

    def set_count(self, site_id: str, article_id: str, value: int) -> None:
        self._site(site_id).counters.set(article_id, value)

    def site_config_text(self, site_id: str) -> str:
        text = (self._site(site_id).folder / "site.toml").read_text(encoding="utf-8")
        return text.replace("{base}", self._base(site_id))

    def write_site_configs(self, directory: Path) -> list[Path]:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for site_id, site in self._sites.items():
            if not (site.folder / "site.toml").is_file():
                continue
            path = directory / f"{site_id}.toml"
            path.write_text(self.site_config_text(site_id), encoding="utf-8")
            written.append(path)
        return written

    def record_hit(self, site_id: str, path: str) -> None:
        with self._hits_lock:
            self.hits.append((site_id, path))

    def _site(self, site_id: str) -> Site:
        try:
            return self._sites[site_id]
        except KeyError:
            raise KeyError(f"no demo site {site_id!r} under {self.root}") from None

    def _base(self, site_id: str) -> str:
        self._site(site_id)
        if site_id not in self.base_urls:
            raise RuntimeError("DemoServer is not running; call start() first")
        return self.base_urls[site_id]
