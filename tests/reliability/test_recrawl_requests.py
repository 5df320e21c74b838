"""What a crawl asks for, and what a re-crawl asks again: the start page once, feeds and
sitemaps within their share of the budget, hub pages by how often their links change,
and a start host the crawl may not reach is a failed run."""

from __future__ import annotations

import subprocess

from tests.conftest import ARCHIVE
from tests.reliability.conftest import ENV, ROOT, captured_urls, write_site
from tests.reliability.hostile import HostileServer, Page, links
from tests.reliability.news_site import NewsSite

TEXT = "<p>" + "示范县召开专题会议，研究部署今冬明春农田水利基本建设工作，要求各乡镇抓紧落实。" * 6 + "</p>"


def crawl(sites, out, *ids: str) -> subprocess.CompletedProcess:
    return subprocess.run([ARCHIVE, "crawl", *ids, "--sites", str(sites), "--out", str(out)],
                          capture_output=True, text=True, timeout=300, env=ENV, cwd=ROOT)


def test_the_start_page_is_fetched_once(tmp_path):
    with NewsSite(40) as site:
        write_site(tmp_path / "sites", "news", **site.site_values())
        result = crawl(tmp_path / "sites", tmp_path / "out", "news")
        assert result.returncode == 0, result.stderr[-2000:]
        # every article and list page links to "/": the start request is deduplicated like any other
        assert site.hits.count("/") == 1


def portal_routes(server, path):
    """A small portal crawled without article patterns: a home page, three pages whose
    links never change (about, contact, profile), one list of three articles."""
    pages = {
        "/": links("/about.html", "/contact.html", "/profile.html", "/list.html"),
        "/about.html": links("/", "/contact.html"), "/contact.html": links("/", "/about.html"),
        "/profile.html": links("/", "/about.html"),
        "/list.html": links("/", "/a/1.html", "/a/2.html", "/a/3.html"),
    }
    if path in pages:
        return Page(200, pages[path])
    if path.startswith("/a/"):
        number = path.split("/")[-1].split(".")[0]
        return Page(200, f"<html><head><meta charset='utf-8'><title>第{number}号通知_示范县</title></head><body>"
                         f"<a href='/'>首页</a><h1>示范县第{number}号通知</h1>"
                         f"<div class='info'>发布时间：2026-10-1{number} 09:00</div><div class='content'>"
                         f"{TEXT * 2}</div></body></html>")
    if path == "/robots.txt":
        return Page(200, "User-agent: *\nDisallow:\n", {"Content-Type": "text/plain"})
    return None


def test_a_recrawl_polls_the_pages_whose_links_change_not_the_ones_that_never_do(tmp_path):
    with HostileServer(portal_routes, host="127.0.0.3") as portal:
        write_site(tmp_path / "sites", "portal", start_urls=[portal.base + "/"], allowed_domains=["127.0.0.3"],
                   allow_addresses=["127.0.0.3"], delay=0.0)
        first = crawl(tmp_path / "sites", tmp_path / "out", "portal")
        assert first.returncode == 0, first.stderr[-2000:]
        assert len(portal.hits) == 9
        start = len(portal.hits)
        again = crawl(tmp_path / "sites", tmp_path / "out", "portal")
        assert again.returncode == 0, again.stderr[-2000:]
        # the home page (a start page) and the list (it links to articles); robots.txt,
        # the about, contact and profile pages are read back from the archive
        assert sorted(portal.hits[start:]) == ["/", "/list.html"]


def test_a_huge_sitemap_takes_only_its_share_of_the_budget_newest_first(tmp_path):
    entries = "".join(f"<url><loc>{{base}}/s/{n}.html</loc><lastmod>2026-{1 + n % 12:02d}-{1 + n % 28:02d}"
                      f"</lastmod></url>" for n in range(3000))

    def routes(server, path):
        if path == "/sitemap.xml":
            return Page(200, f'<?xml version="1.0"?><urlset>{entries}</urlset>', {"Content-Type": "application/xml"})
        if path == "/":
            return Page(200, links(*(f"/a/{n}.html" for n in range(20))))
        if path.startswith(("/a/", "/s/")):
            return Page(200, f"<html><head><title>通知</title></head><body><h1>通知</h1>{TEXT}</body></html>")
        return None

    with HostileServer(routes, host="127.0.0.4") as site:
        write_site(tmp_path / "sites", "big", start_urls=[site.base + "/"], sitemaps=[site.base + "/sitemap.xml"],
                   allowed_domains=["127.0.0.4"], allow_addresses=["127.0.0.4"], article=[r"/[as]/\d+\.html$"],
                   max_pages=120, delay=0.0)
        result = crawl(tmp_path / "sites", tmp_path / "out", "big")
        assert result.returncode == 0, result.stderr[-2000:]
        captured = captured_urls(tmp_path / "out")
        assert {f"{site.base}/a/{n}.html" for n in range(20)} <= set(captured)  # the start page's own articles
        from_sitemap = [url for url in captured if "/s/" in url]
        assert 0 < len(from_sitemap) <= 60
        # newest first: every entry fetched is dated in December, the latest month listed
        assert all(int(url.rsplit("/", 1)[1].split(".")[0]) % 12 == 11 for url in from_sitemap)


def test_a_start_host_refused_at_name_resolution_fails_the_run(tmp_path):
    # localhost resolves to loopback, which this site does not allow: no request is sent
    write_site(tmp_path / "sites", "named", start_urls=["http://localhost:9/"], allowed_domains=["localhost"],
               delay=0.0)
    result = crawl(tmp_path / "sites", tmp_path / "out", "named")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: site named: no page could be fetched")
