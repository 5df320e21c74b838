"""How little a re-crawl fetches: requests and bytes of a second crawl against the first.

Two sites, each crawled three times over loopback with the real `archive crawl`:
1. the embedded demo sites (48 articles behind about 20 list and home pages);
2. a generated news site of realistic shape (LISTS list pages of PER_LIST articles, paged
   with 下一页 links), where most of a first crawl is article pages.
Crawl 2 runs right after crawl 1; before crawl 3 one article is added to the site.

    python bench/recrawl.py

Targets: crawl 2 receives at most 10% of the bytes and sends at most 20% of the requests
of crawl 1; crawl 3 captures exactly the added article.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.demo import DEMO_ROOT, DemoServer

ARCHIVE = str(Path(sys.executable).with_name("archive"))
LISTS, PER_LIST = 10, 20
PARAGRAPH = "会议指出，要坚持问题导向，狠抓工作落实，确保各项任务按时保质完成，为经济社会高质量发展提供有力保障。"


def article_html(number: int) -> str:
    body = "".join(f"<p>第{number}号稿件第{i}段。{PARAGRAPH}</p>" for i in range(6))
    return (f'<html><head><meta charset="utf-8"><title>稿件{number}-示范新闻网</title></head><body>'
            f'<h1>示范新闻网第{number}号稿件标题</h1><div class="info">发布时间：2026-10-{1 + number % 28:02d} 08:00'
            f'　来源：示范新闻网</div><div class="content">{body}</div></body></html>')


def list_html(page: int, numbers: list[int]) -> str:
    items = "".join(f'<li><a href="/a/{n}.html">示范新闻网第{n}号稿件标题</a></li>' for n in numbers)
    following = f'<a href="/list/{page + 1}.html">下一页</a>' if page < LISTS else ""
    return (f'<html><head><meta charset="utf-8"><title>要闻-示范新闻网</title></head><body><ul>{items}</ul>'
            f"{following}</body></html>")


def generate_site(root: Path) -> Path:
    www = root / "news" / "www"
    (www / "a").mkdir(parents=True)
    (www / "list").mkdir()
    newest = LISTS * PER_LIST
    for page in range(1, LISTS + 1):
        numbers = list(range(newest - (page - 1) * PER_LIST, newest - page * PER_LIST, -1))
        (www / "list" / f"{page}.html").write_text(list_html(page, numbers), encoding="utf-8")
        for n in numbers:
            (www / "a" / f"{n}.html").write_text(article_html(n), encoding="utf-8")
    (www / "index.html").write_text('<html><body><a href="/list/1.html">要闻</a></body></html>', encoding="utf-8")
    (www / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")
    (root / "news" / "site.toml").write_text(
        'id = "news"\nname = "示范新闻网"\nkind = "portal"\nstart_urls = ["{base}/index.html"]\n'
        'allowed_domains = ["127.0.0.1"]\nallow_private = true\n'
        "follow = ['/list/\\d+\\.html$']\narticle = ['/a/\\d+\\.html$']\nmax_pages = 5000\ndelay = 0.0\n",
        encoding="utf-8")
    return root


def add_article(root: Path, site: str) -> str:
    """Publish one new article on the first list page of `site`; return its path."""
    if site == "news":
        www = root / "news" / "www"
        number = LISTS * PER_LIST + 1
        (www / "a" / f"{number}.html").write_text(article_html(number), encoding="utf-8")
        first = www / "list" / "1.html"
        first.write_text(first.read_text(encoding="utf-8").replace(
            "<ul>", f'<ul><li><a href="/a/{number}.html">新稿件</a></li>'), encoding="utf-8")
        return f"/a/{number}.html"
    www = root / "campus" / "www"
    page = (www / "info/1022/2350.htm").read_text(encoding="utf-8")
    (www / "info/1022/2352.htm").write_text(page.replace("2350", "2352"), encoding="utf-8")
    listing = www / "xwzx/tzgg.htm"
    listing.write_text(listing.read_text(encoding="utf-8").replace(
        '<li id="line_u5_0">', '<li><a href="/info/1022/2352.htm">新通知</a></li><li id="line_u5_0">'),
        encoding="utf-8")
    return "/info/1022/2352.htm"


def crawl(server: DemoServer, configs: Path, out: Path) -> dict:
    before_hits = len(server.hits)
    before = set((out / "warc").glob("*.warc.gz")) if (out / "warc").exists() else set()
    result = subprocess.run([ARCHIVE, "crawl", "--all", "--sites", str(configs), "--out", str(out)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    received, captured = 0, []
    for path in sorted(set((out / "warc").glob("*.warc.gz")) - before):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit") and record.http_headers:
                    received += len(record.content_stream().read())
                if record.rec_type == "response":
                    captured.append(record.rec_headers.get_header("WARC-Target-URI"))
    return {"requests": len(server.hits) - before_hits, "bytes": received, "captured": captured}


def measure(name: str, root: Path, new_site: str) -> bool:
    out = root.parent / f"{root.name}-data"
    with DemoServer(root=root) as server:
        configs = root.parent / f"{root.name}-sites"
        server.write_site_configs(configs)
        first = crawl(server, configs, out)
        second = crawl(server, configs, out)
        added = server.base_urls[new_site] + add_article(root, new_site)
        third = crawl(server, configs, out)
    byte_ratio = second["bytes"] / first["bytes"]
    request_ratio = second["requests"] / first["requests"]
    articles_third = [u for u in third["captured"] if _is_article_url(u)]
    exact = articles_third == [added]
    print(f"\n{name}")
    print(f"  crawl 1: {first['requests']:5d} requests {first['bytes']:10,d} bytes")
    print(f"  crawl 2: {second['requests']:5d} requests {second['bytes']:10,d} bytes   "
          f"ratio: requests {request_ratio:.3f} (target <= 0.20), bytes {byte_ratio:.3f} (target <= 0.10)")
    print(f"  crawl 3: article pages captured: {len(articles_third)} (target: exactly the new one) -> "
          f"{'ok' if exact else 'MISSED: ' + ', '.join(articles_third)}")
    return byte_ratio <= 0.10 and request_ratio <= 0.20 and exact


def _is_article_url(url: str) -> bool:
    return any(part in url for part in ("/a/", "/info/", "/content_", "/t2026", "/c100", "/p-"))


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        shutil.copytree(DEMO_ROOT, demo)
        demo_ok = measure("embedded demo sites (5 sites, 48 articles, ~20 list/home pages)", demo, "campus")
        news_ok = measure(f"generated news site ({LISTS} list pages x {PER_LIST} articles)",
                          generate_site(Path(tmp) / "generated"), "news")
    print(f"\ntargets met: demo {'yes' if demo_ok else 'no'}, generated site {'yes' if news_ok else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
