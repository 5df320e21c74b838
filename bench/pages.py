"""Realistic page bodies for the benchmarks, and a generated news site made of them.

Article bodies are the saved pages of ../shared/corpus (real Chinese official and news
portals) and the article pages of the embedded demo sites, used over and over at new
addresses: extraction cost is that of real pages, while the site can have any size.
List pages are generated, 20 articles each with 下一页 paging, as CMS list pages look.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from archive.demo import DEMO_ROOT

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PER_LIST = 20
FIRST_HOST = 10  # hosts are 127.0.0.10, 127.0.0.11, ...: distinct download slots for Scrapy


@dataclass(frozen=True)
class Body:
    """A page body as a server would send it."""

    name: str
    data: bytes
    content_type: str


def article_bodies(corpus: Path = CORPUS) -> list[Body]:
    """The corpus pages (with the charset their servers declared) and the demo articles."""
    bodies = []
    cases = corpus / "cases.jsonl"
    if cases.exists():
        for line in cases.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            charset = case.get("charset")
            bodies.append(Body(case["id"], (corpus / case["html"]).read_bytes(),
                               "text/html" + (f"; charset={charset}" if charset else "")))
    for manifest in sorted(DEMO_ROOT.glob("*/manifest.json")):
        site = manifest.parent
        for article in json.loads(manifest.read_text(encoding="utf-8"))["articles"]:
            path = site / "www" / article["path"].lstrip("/")
            if path.is_file():
                bodies.append(Body(f"demo/{site.name}{article['path']}", path.read_bytes(), "text/html; charset=utf-8"))
    if not bodies:
        raise SystemExit(f"no pages found under {corpus} or {DEMO_ROOT}")
    return bodies


def host(index: int) -> str:
    return f"127.0.0.{FIRST_HOST + index}"


def list_page(site: str, number: int, lists: int, articles: range) -> bytes:
    items = "".join(
        f'<li><a href="/a/{n}.html" title="{site}稿件{n}">{site}第{n}号稿件：推进高质量发展工作部署会召开</a>'
        f'<span>2026-10-{1 + n % 28:02d}</span></li>'
        for n in articles
    )
    pager = "".join(f'<a href="/list/{k}.html">{k}</a>' for k in range(max(1, number - 2), min(lists, number + 2) + 1))
    following = f'<a href="/list/{number + 1}.html">下一页</a>' if number < lists else ""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>工作动态-示范新闻网</title></head><body>'
        '<div class="header"><a href="/index.html">首页</a> <a href="/list/1.html">工作动态</a></div>'
        f'<div class="location">当前位置：首页 &gt; 工作动态</div><ul class="list">{items}</ul>'
        f'<div class="pager">{pager}{following}</div><div class="footer">版权所有 示范新闻网</div></body></html>'
    ).encode()


@dataclass
class GeneratedSite:
    """A news site on one host: an index, `lists` list pages and their articles."""

    index: int
    articles: int

    @property
    def id(self) -> str:
        return f"bench{self.index:02d}"

    @property
    def host(self) -> str:
        return host(self.index)

    @property
    def lists(self) -> int:
        return -(-self.articles // PER_LIST)

    def pages(self, bodies: list[Body]) -> dict[str, Body]:
        """URL path -> body; article n of every site gets body n (offset per site) of `bodies`."""
        html = "text/html; charset=utf-8"
        pages = {
            "/robots.txt": Body("robots", b"User-agent: *\nDisallow: /admin/\n", "text/plain"),
            "/index.html": Body("index", b'<html><body><a href="/list/1.html">tzgg</a></body></html>', html),
        }
        for number in range(1, self.lists + 1):
            first = (number - 1) * PER_LIST + 1
            numbers = range(first, min(first + PER_LIST, self.articles + 1))
            pages[f"/list/{number}.html"] = Body("list", list_page(self.id, number, self.lists, numbers), html)
        for n in range(1, self.articles + 1):
            pages[f"/a/{n}.html"] = bodies[(n + self.index * 7) % len(bodies)]
        return pages

    def config(self, port: int) -> str:
        base = f"http://{self.host}:{port}"
        # Benchmark-only politeness: no delay, and loopback hosts allowed.
        return (
            f'id = "{self.id}"\nname = "示范新闻网{self.index}"\nkind = "portal"\n'
            f'start_urls = ["{base}/index.html"]\nallowed_domains = ["{self.host}"]\nallow_private = true\n'
            "follow = ['/list/\\d+\\.html$']\narticle = ['/a/\\d+\\.html$']\n"
            f"max_pages = {self.articles * 3 + 100}\nmax_depth = 5\ndelay = 0.0\n"
        )


def generated_sites(pages: int, hosts: int) -> list[GeneratedSite]:
    """`hosts` sites sharing `pages` article pages between them."""
    share, extra = divmod(pages, hosts)
    return [GeneratedSite(i, share + (1 if i < extra else 0)) for i in range(hosts)]
