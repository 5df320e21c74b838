"""The demo sites agree with their manifests and configs, and their links hold together."""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import pytest

from archive.demo import DEMO_ROOT, DemoServer, load_manifest
from archive.records import PAGE_KINDS, SELECTOR_FIELDS

Fetch = Callable[..., Any]
UNSEEN_ROOT = Path(__file__).resolve().parents[1] / "fixtures"
SITES = ["campus", "docshare", "epaper", "gov", "portal"]
ALL_SITES = [(DEMO_ROOT, s) for s in SITES] + [(UNSEEN_ROOT, "unseen_site")]
SITE_KEYS = {
    "id",
    "name",
    "kind",
    "start_urls",
    "allowed_domains",
    "allow_private",
    "follow",
    "article",
    "max_pages",
    "max_depth",
    "delay",
    "enabled",
    "feeds",
    "sitemaps",
    "selectors",
    "obey_robots",
}
ARTICLE_KEYS = {
    "path",
    "title",
    "subtitle",
    "published_at",
    "publisher",
    "source",
    "author",
    "editor",
    "views",
    "page",
    "pages",
    "attachments",
    "text_contains",
    "text_excludes",
}
LINK_ATTRS = {"a": "href", "area": "href", "link": "href", "script": "src", "img": "src", "iframe": "src"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = LINK_ATTRS.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.links.append(value)


def decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030")


def visible_text(page: str) -> str:
    # Document-sharing page numbers sit between the fragments of one running text.
    page = re.sub(r'<span class="num">\d+、</span>', "", page)
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>|<!--.*?-->", "", page)
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", page)))


def links_of(url: str, text: str) -> list[str]:
    """Absolute URLs a crawler could follow from one served file."""
    if url.endswith((".htm", ".html")):
        parser = _Links()  # attribute values arrive with character references decoded
        parser.feed(text)
        raw = parser.links
    elif url.endswith(".xml"):
        raw = [html.unescape(x) for x in re.findall(r"<(?:loc|link|guid)[^>]*>([^<]+)</", text)]
    elif url.endswith("robots.txt"):
        raw = re.findall(r"(?im)^sitemap:\s*(\S+)", text)
    else:
        raw = []
    skip = ("javascript:", "mailto:", "#")
    return [urljoin(url, link) for link in raw if not link.startswith(skip)]


def served_files(root: Path, site_id: str) -> list[str]:
    www = root / site_id / "www"
    return sorted("/" + p.relative_to(www).as_posix() for p in www.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def servers(demo: DemoServer, unseen: DemoServer) -> dict[str, DemoServer]:
    return {**{s: demo for s in SITES}, "unseen_site": unseen}


def config_of(root: Path, site_id: str) -> dict[str, Any]:
    with (root / site_id / "site.toml").open("rb") as fh:
        return tomllib.load(fh)


@pytest.mark.parametrize(("root", "site_id"), ALL_SITES)
def test_manifest_shape(root: Path, site_id: str) -> None:
    manifest = load_manifest(site_id, root)
    assert manifest["site"] == site_id
    assert 3 <= len(manifest["articles"]) <= 12 or site_id == "docshare"
    assert manifest["non_articles"] and manifest["disallowed"] and manifest["missing"]
    paths = [a["path"] for a in manifest["articles"]]
    assert len(set(paths)) == len(paths)
    for article in manifest["articles"]:
        assert set(article) == ARTICLE_KEYS, article["path"]
        assert article["title"] and article["text_contains"] and article["text_excludes"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}\+08:00)?", article["published_at"])


@pytest.mark.parametrize(("root", "site_id"), ALL_SITES)
def test_manifest_paths_are_served(root: Path, site_id: str, servers: dict[str, DemoServer], get: Fetch) -> None:
    server = servers[site_id]
    manifest = load_manifest(site_id, root)
    present = [a["path"] for a in manifest["articles"]]
    present += [p for a in manifest["articles"] for p in a["pages"]]
    present += [x["path"] for a in manifest["articles"] for x in a["attachments"]]
    present += manifest["non_articles"] + manifest["disallowed"]
    for path in present:
        assert get(server.url(site_id, path)).status == 200, path
    for path in manifest["missing"]:
        assert get(server.url(site_id, path)).status == 404, path


@pytest.mark.parametrize(("root", "site_id"), ALL_SITES)
def test_every_link_resolves(root: Path, site_id: str, servers: dict[str, DemoServer], get: Fetch) -> None:
    server = servers[site_id]
    base = server.base_urls[site_id]
    missing = set(load_manifest(site_id, root)["missing"])
    files = set(served_files(root, site_id))
    broken = []
    status: dict[str, int] = {}
    for path in sorted(files):
        if not path.endswith((".htm", ".html", ".xml", ".txt")):
            continue
        url = base + path
        for link in links_of(url, decode(get(url).body)):
            parts = urlsplit(link)
            assert f"{parts.scheme}://{parts.netloc}" == base, f"{path} links off-site: {link}"
            if parts.path in missing:
                broken.append(parts.path)
                continue
            if link not in status:
                status[link] = get(link).status
            assert status[link] == 200, f"{path} links to {link}"
    assert set(broken) == missing, "every listed missing path is a real broken link"


@pytest.mark.parametrize(("root", "site_id"), ALL_SITES)
def test_robots_rules(root: Path, site_id: str, servers: dict[str, DemoServer], get: Fetch) -> None:
    server = servers[site_id]
    manifest = load_manifest(site_id, root)
    robots = RobotFileParser()
    robots.parse(decode(get(server.url(site_id, "/robots.txt")).body).splitlines())
    allowed = [a["path"] for a in manifest["articles"]] + manifest["non_articles"]
    allowed += [p for a in manifest["articles"] for p in a["pages"]]
    for path in allowed:
        assert robots.can_fetch("*", server.url(site_id, path)), path
    for path in manifest["disallowed"]:
        assert not robots.can_fetch("*", server.url(site_id, path)), path
    home = decode(get(server.url(site_id, "/")).body)
    assert any(f'href="{p}"' in home for p in manifest["disallowed"]), "home links a disallowed page"


@pytest.mark.parametrize(("root", "site_id"), ALL_SITES)
def test_manifest_matches_pages(root: Path, site_id: str, servers: dict[str, DemoServer], get: Fetch) -> None:
    server = servers[site_id]
    for article in load_manifest(site_id, root)["articles"]:
        pages = [decode(get(server.url(site_id, p)).body) for p in [article["path"], *article["pages"]]]
        raw = "".join(pages)
        text = "".join(visible_text(p) for p in pages)
        assert article["title"] in html.unescape(raw), article["path"]
        for phrase in article["text_contains"]:
            assert re.sub(r"\s+", "", phrase) in text, (article["path"], phrase)
        for phrase in article["text_excludes"]:
            assert phrase in raw, f"{article['path']}: exclusion {phrase!r} is not on the page"
        for field in ("source", "author", "editor", "publisher", "subtitle"):
            if article[field]:
                assert article[field] in raw, (article["path"], field)


def test_counter_views_match_the_server(demo: DemoServer, get: Fetch) -> None:
    campus = load_manifest("campus")
    assert demo.counts("campus") == {a["path"].rsplit("/", 1)[1][:-4]: a["views"] for a in campus["articles"]}
    for article in campus["articles"]:
        page = decode(get(demo.url("campus", article["path"])).body)
        clickid = article["path"].rsplit("/", 1)[1][:-4]
        assert f'_showDynClicks("wbnews", 1234567890, {clickid})' in page
    portal = {a["path"]: a["views"] for a in load_manifest("portal")["articles"]}
    counted = {path.rsplit("-", 1)[1][:-5]: views for path, views in portal.items() if views is not None}
    assert demo.counts("portal") == counted
    assert counted["40012330"] == 2317 and len(counted) < len(portal), "only some portal articles show a counter"
    for path, views in portal.items():
        page = decode(get(demo.url("portal", path)).body)
        aid = path.rsplit("-", 1)[1][:-5]
        script = f'<script src="/plus/count.php?view=yes&aid={aid}&mid=1"></script>'
        assert (script in page) == (views is not None), path


def test_two_page_article_is_linked_by_next_page(demo: DemoServer, get: Fetch) -> None:
    article = next(a for a in load_manifest("portal")["articles"] if a["pages"])
    first = decode(get(demo.url("portal", article["path"])).body)
    assert f'<a href="{article["pages"][0]}">下一页</a>' in first


def test_epaper_articles_carry_enpproperty(demo: DemoServer, get: Fetch) -> None:
    for article in load_manifest("epaper")["articles"]:
        page = decode(get(demo.url("epaper", article["path"])).body)
        assert f"<nodename>{article['page']}</nodename>" in page
        assert f"<title>{article['title']}</title>" in page
        assert "<founder-content>" in page


@pytest.mark.parametrize("site_id", SITES)
def test_site_config(site_id: str) -> None:
    config = config_of(DEMO_ROOT, site_id)
    assert set(config) <= SITE_KEYS
    assert config["id"] == site_id
    assert config["kind"] in PAGE_KINDS and config["kind"] == site_id
    assert config["allow_private"] is True
    assert config["allowed_domains"] == ["127.0.0.1"]
    assert set(config.get("selectors", {})) <= set(SELECTOR_FIELDS)
    for url in config["start_urls"] + config["feeds"] + config["sitemaps"]:
        assert url.startswith("{base}/")


def test_selectors_on_one_site_only() -> None:
    assert sum("selectors" in config_of(DEMO_ROOT, s) for s in SITES) == 1


@pytest.mark.parametrize("site_id", SITES)
def test_follow_and_article_patterns(site_id: str) -> None:
    """The patterns pick out exactly the list pages and articles, so robots.txt and the
    missing page are what keep the crawler away from the rest."""
    config = config_of(DEMO_ROOT, site_id)
    manifest = load_manifest(site_id)
    follow = [re.compile(p) for p in config["follow"]]
    article = [re.compile(p) for p in config["article"]]

    def matches(patterns: list[re.Pattern[str]], path: str) -> bool:
        return any(p.search("http://127.0.0.1:8000" + path) for p in patterns)

    for a in manifest["articles"]:
        assert matches(article, a["path"]) and not matches(follow, a["path"]), a["path"]
        for page in a["pages"]:
            assert not matches(article, page) and not matches(follow, page), page
    for path in manifest["non_articles"]:
        assert not matches(article, path), path
    for path in manifest["disallowed"] + manifest["missing"]:
        assert matches(article, path) or matches(follow, path), path
    linked_lists = [p for p in manifest["non_articles"] if matches(follow, p)]
    assert linked_lists, "some list page is followed"
    for path in served_files(DEMO_ROOT, site_id):
        if matches(article, path):
            assert path in {a["path"] for a in manifest["articles"]} | set(manifest["disallowed"]), path
        if matches(follow, path):
            assert path in set(manifest["non_articles"]) | set(manifest["disallowed"]), path


def test_demo_stays_small() -> None:
    total = sum(p.stat().st_size for p in DEMO_ROOT.rglob("*") if p.is_file())
    assert total < 400_000
