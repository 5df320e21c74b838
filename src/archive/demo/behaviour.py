"""Per-site server quirks, read from a site's optional serve.toml.

Real Chinese news sites differ in ways an archiver has to survive: GBK pages sent
without a charset, gzip and chunked responses, view counters filled in by a script
request, and attachments served by a download script (`download.jsp?wbfileid=…`) under
a file name of its own. Each demo site declares the quirks it imitates so that
server.py stays generic.
"""

from __future__ import annotations

import re
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

# The click counter of VSB (博达) campus sites: `_showDynClicks(...)` asks this JSP for the
# number, singly (clickid=) or batched for list pages (clickids=a,b,c).
VSB_CLICKS_PATH = "/system/resource/code/news/click/dynclicks.jsp"
# The DedeCMS counter script: with view=yes it only shows the count, without it a visit
# is counted, so an archiver must never request the bare form.
DEDE_COUNT_PATH = "/plus/count.php"
COUNTER_KINDS = ("vsb", "dede")


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


# How a download script writes the file name into Content-Disposition.
NAME_ENCODINGS = ("rfc5987", "percent", "gbk")


@dataclass(frozen=True)
class Download:
    """A file served at an address with no file name in it, as download scripts serve them."""

    file: Path
    filename: str | None
    encoding: str = "rfc5987"
    content_type: str = "application/octet-stream"

    def reply(self) -> Reply:
        if self.filename is None:  # a page, not a file: what a download link answers without a login
            return Reply(200, self.content_type, self.file.read_bytes())
        if self.encoding == "percent":  # Java's URLEncoder, as VSB and many campus CMSs send it
            name = f'filename="{quote(self.filename)}"'
        elif self.encoding == "gbk":  # the raw bytes, as older IIS applications send them
            name = 'filename="' + self.filename.encode("gbk").decode("latin-1") + '"'
        else:
            name = f"filename*=UTF-8''{quote(self.filename)}"
        return Reply(200, self.content_type, self.file.read_bytes(), (("Content-Disposition", f"attachment; {name}"),))


@dataclass
class SiteBehaviour:
    # None sends Content-Type without a charset parameter, as many GBK government
    # sites do, leaving the client to find the <meta> declaration.
    charset: str | None = "utf-8"
    gzip: bool = False
    # Keep-alive and chunked transfer need HTTP/1.1; the other sites answer as HTTP/1.0
    # and close each connection, which keeps their threads short-lived.
    http11: bool = False
    chunked: list[re.Pattern[str]] = field(default_factory=list)
    counter: str | None = None
    initial_counts: dict[str, int] = field(default_factory=dict)
    # request target (path and query, as sent) -> the file served there
    downloads: dict[str, Download] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> SiteBehaviour:
        if not path.is_file():
            return cls()
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        known = {"charset", "gzip", "http11", "chunked", "counter", "downloads"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"{path}: unknown keys {sorted(unknown)}")
        counter = data.get("counter", {})
        kind = counter.get("kind")
        if kind is not None and kind not in COUNTER_KINDS:
            raise ValueError(f"{path}: counter kind must be one of {COUNTER_KINDS}")
        chunked = [re.compile(p) for p in data.get("chunked", [])]
        if chunked and not data.get("http11", False):
            raise ValueError(f"{path}: chunked responses need http11 = true")
        charset = data.get("charset", "utf-8")
        return cls(
            charset=charset or None,
            gzip=bool(data.get("gzip", False)),
            http11=bool(data.get("http11", False)),
            chunked=chunked,
            counter=kind,
            initial_counts={str(k): int(v) for k, v in counter.get("initial", {}).items()},
            downloads=_downloads(path, data.get("downloads", [])),
        )

    def is_chunked(self, path: str) -> bool:
        return any(p.search(path) for p in self.chunked)


def _downloads(path: Path, entries: list[dict]) -> dict[str, Download]:
    """serve.toml's [[downloads]]: target, file (relative to the site folder), filename
    (none: the file is sent as a page, of `content_type`), encoding."""
    found = {}
    for entry in entries:
        encoding = entry.get("encoding", "rfc5987")
        if encoding not in NAME_ENCODINGS:
            raise ValueError(f"{path}: downloads: encoding must be one of {NAME_ENCODINGS}")
        found[entry["target"]] = Download(path.parent / entry["file"], entry.get("filename"), encoding,
                                          entry.get("content_type", "application/octet-stream"))
    return found


class Counters:
    """View counts per article id, starting from serve.toml and changed only by visits."""

    def __init__(self, behaviour: SiteBehaviour) -> None:
        self._kind = behaviour.counter
        self._counts = dict(behaviour.initial_counts)
        self._lock = threading.Lock()

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def set(self, article_id: str, value: int) -> None:
        with self._lock:
            self._counts[article_id] = value

    def _get(self, article_id: str) -> int:
        # Real counters answer 0 for an id they have never seen rather than failing.
        with self._lock:
            return self._counts.get(article_id, 0)

    def reply(self, path: str, query: dict[str, list[str]]) -> Reply | None:
        """The counter endpoint's answer, or None when `path` is not this site's counter."""
        if self._kind == "vsb" and path == VSB_CLICKS_PATH:
            return self._vsb(query)
        if self._kind == "dede" and path == DEDE_COUNT_PATH:
            return self._dede(query)
        return None

    def _vsb(self, query: dict[str, list[str]]) -> Reply:
        if "clickids" in query:
            ids = [i for i in query["clickids"][0].split(",") if i]
            text = ",".join(str(self._get(i)) for i in ids)
        elif "clickid" in query:
            text = str(self._get(query["clickid"][0]))
        else:
            return Reply(400, "text/html; charset=utf-8", b"")
        return Reply(200, "text/html; charset=utf-8", text.encode("ascii"))

    def _dede(self, query: dict[str, list[str]]) -> Reply:
        js = "application/javascript; charset=utf-8"
        aid = query.get("aid", [""])[0]
        if not aid:
            return Reply(400, js, b"")
        if query.get("view", [""])[0] == "yes":
            return Reply(200, js, f"document.write('{self._get(aid)}');".encode("ascii"))
        with self._lock:
            self._counts[aid] = self._counts.get(aid, 0) + 1
        return Reply(200, js, b"document.write('');")
