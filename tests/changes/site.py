"""A news site on a loopback address whose articles a test edits, deletes and restores
between crawls, answering conditional requests as web servers do (ETag, 304)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.reliability.hostile import HostileServer, Page

PARAGRAPHS = (
    "会议强调，各乡镇各部门要切实履行安全生产责任，深入开展隐患排查治理，确保全县安全生产形势持续稳定。",
    "会议要求，要聚焦道路交通、危险化学品、建筑施工等重点行业领域，持续开展专项整治行动。",
    "会议指出，要加强应急值守，严格落实领导带班和二十四小时值班制度，遇有突发情况及时妥善处置。",
    "会议部署了下一阶段重点工作，要求各单位对照任务清单逐项落实，按时报送工作进展情况。",
)

NOT_FOUND = ("<html><head><meta charset='utf-8'><title>提示信息</title></head><body><div class='nav'>"
             "<a href='/'>首页</a> <a href='/news/list.htm'>新闻</a></div><div class='msg'>"
             "<h2>对不起，您访问的页面不存在！</h2><p>该信息已删除或已过期。</p></div></body></html>")
CHALLENGE = ("<html><head><meta charset='utf-8'><title>安全验证</title></head><body>"
             "<script>var _0x1=['cookie','__jsl_clearance_s=1765000000.1|0|abc','reload'];"
             "document[_0x1[0]]=_0x1[1]+';max-age=3600;path=/';location[_0x1[2]]();</script></body></html>")


@dataclass
class Article:
    number: int
    title: str
    source: str = "县应急管理局"
    views: int = 100
    paragraphs: tuple[str, ...] = PARAGRAPHS
    # None: the page prints no time, and re-checks count from its first capture
    published: str | None = "2026-11-20 08:21"

    @property
    def path(self) -> str:
        return f"/news/{self.number}.htm"

    def html(self) -> str:
        body = "".join(f"<p>{p}</p>" for p in self.paragraphs)
        return (f"<html><head><meta charset='utf-8'><title>{self.title}</title></head><body>"
                "<div class='nav'><a href='/'>首页</a> <a href='/news/list.htm'>新闻</a></div>"
                f"<h1>{self.title}</h1><div class='info'>{f'发布时间：{self.published} ' if self.published else ''}"
                f"来源：{self.source} "
                f"浏览次数：{self.views}</div><div class='content'>{body}</div></body></html>")


@dataclass
class ChangingSite:
    """Articles 1..count, each live unless the test sets another answer for its path."""

    count: int = 12
    articles: dict[int, Article] = field(default_factory=dict)
    # path -> the answer given instead of the article (a status page, a redirect, a template)
    answers: dict[str, Page] = field(default_factory=dict)
    # articles the list page no longer shows
    unlisted: set[int] = field(default_factory=set)

    published: str | None = "2026-11-20 08:21"
    # seconds each article takes to answer
    answer_after: float = 0.0

    def __post_init__(self) -> None:
        for n in range(1, self.count + 1):
            self.articles[n] = Article(n, f"第{n}号通知：县政府召开秋季安全生产工作会议", published=self.published)
        self.server = HostileServer(self._route)

    def __enter__(self) -> ChangingSite:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)

    @property
    def base(self) -> str:
        return self.server.base

    def url(self, n: int) -> str:
        return self.base + self.articles[n].path

    def edit(self, n: int, **changes) -> None:
        self.articles[n] = replace(self.articles[n], **changes)

    def answer(self, n: int, page: Page | None) -> None:
        """Answer `page` for article `n` from now on (None: the article again)."""
        if page is None:
            self.answers.pop(self.articles[n].path, None)
        else:
            self.answers[self.articles[n].path] = page

    def hits(self, n: int) -> int:
        return self.server.hits.count(self.articles[n].path)

    def config(self, directory: Path, **values) -> Path:
        lines = ['id = "county"', 'name = "县政府网"', f'start_urls = ["{self.base}/"]', "allow_private = true",
                 "delay = 0.0", r"follow = ['/news/list\.htm$']", r"article = ['/news/\d+\.htm$']",
                 'every = "1d"']
        lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "county.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def _route(self, server: HostileServer, path: str) -> Page | None:
        if path == "/robots.txt":
            return Page(200, "User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
        if path == "/":
            return Page(200, "<html><body><a href='/news/list.htm'>新闻</a></body></html>")
        if path == "/news/list.htm":
            items = "".join(f"<li><a href='{a.path}'>{a.title}</a></li>" for a in self.articles.values()
                            if a.number not in self.unlisted)
            return Page(200, f"<html><body><ul>{items}</ul></body></html>")
        if path in self.answers:
            return self.answers[path]
        for article in self.articles.values():
            if article.path == path:
                return Page(writer=_conditional(article.html().encode("utf-8"), self.answer_after))
        return None


def _conditional(body: bytes, after: float = 0.0):
    """A static file's answer, `after` seconds late: an ETag, and 304 to a request that names it."""
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'

    def write(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(after)
        if handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("ETag", etag)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        with contextlib.suppress(ConnectionError):
            handler.wfile.write(body)

    return write


def gone(status: int) -> Page:
    return Page(status, f"<html><body><h1>{status}</h1></body></html>")


def redirect(location: str) -> Page:
    return Page(302, "", {"Location": location})


def template_not_found() -> Page:
    return Page(200, NOT_FOUND)


def challenge() -> Page:
    return Page(200, CHALLENGE)


def stalled(released: threading.Event) -> Page:
    """An answer held back until `released` (a minute at most), then a hang-up: keeps a
    crawl running after what the test waits for, until the test has killed it."""
    def stall(handler: BaseHTTPRequestHandler) -> None:
        released.wait(60)
        handler.close_connection = True

    return Page(writer=stall)
