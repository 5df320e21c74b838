from __future__ import annotations

import gzip
import http.client
import socket
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from archive.demo import DEMO_ROOT, DemoServer, load_manifest
from archive.demo.behaviour import SiteBehaviour

Fetch = Callable[..., Any]
UNSEEN_SITE = Path(__file__).resolve().parents[1] / "fixtures" / "unseen_site"


SITES = ["campus", "docshare", "epaper", "gov", "portal"]
HOME = {
    "campus": "/index.htm",
    "docshare": "/index.html",
    "epaper": "/index.htm",
    "gov": "/index.html",
    "portal": "/index.html",
}
VSB = "/system/resource/code/news/click/dynclicks.jsp"


def test_one_loopback_origin_per_site(demo: DemoServer) -> None:
    assert demo.site_ids == SITES
    assert set(demo.base_urls) == set(SITES)
    ports = set()
    for base in demo.base_urls.values():
        assert base.startswith("http://127.0.0.1:")
        ports.add(base.rsplit(":", 1)[1])
    assert len(ports) == len(SITES)


@pytest.mark.parametrize("site_id", SITES)
def test_home_and_robots(demo: DemoServer, site_id: str, get: Fetch) -> None:
    home = get(demo.url(site_id, HOME[site_id]))
    assert home.status == 200
    assert home.headers["content-type"].startswith("text/html")
    assert b"<html" in home.body.lower()
    robots = get(demo.url(site_id, "/robots.txt"))
    assert robots.status == 200
    assert robots.headers["content-type"].startswith("text/plain")
    assert b"Disallow: /" in robots.body
    assert get(demo.url(site_id, "/")).body == home.body


def test_head_sends_headers_only(demo: DemoServer, get: Fetch) -> None:
    url = demo.url("campus", "/index.htm")
    head = get(url, "HEAD")
    assert head.status == 200
    assert head.body == b""
    assert int(head.headers["content-length"]) == len(get(url).body)


def test_missing_files_and_escapes_are_404(demo: DemoServer, get: Fetch) -> None:
    assert get(demo.url("campus", "/no/such/page.htm")).status == 404
    assert get(demo.url("campus", "/..%2F..%2Fserver.py")).status == 404
    assert get(demo.url("campus", "/../manifest.json")).status == 404
    assert get(demo.url("campus", "/a%00b.htm")).status == 404
    assert get(demo.url("campus", "/no/such/page.htm"), "HEAD").status == 404


def test_hits_record_every_request(fresh_demo: DemoServer, get: Fetch) -> None:
    get(fresh_demo.url("epaper", "/robots.txt"))
    get(fresh_demo.url("epaper", "/nothing.htm?x=1"))
    assert fresh_demo.hits == [("epaper", "/robots.txt"), ("epaper", "/nothing.htm?x=1")]


def test_portal_gzip_when_asked(demo: DemoServer, get: Fetch) -> None:
    url = demo.url("portal", "/2026/1019/c1001-40012345.html")
    plain = get(url)
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"
    packed = get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) == len(packed.body)
    assert gzip.decompress(packed.body) == plain.body
    refused = get(url, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_other_sites_never_compress(demo: DemoServer, get: Fetch) -> None:
    resp = get(demo.url("campus", "/index.htm"), headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in resp.headers


def test_portal_chunked_over_http11(demo: DemoServer, get: Fetch) -> None:
    path = "/2026/1019/c1001-40012346-2.html"
    expected = (DEMO_ROOT / "portal" / "www" / path.lstrip("/")).read_bytes()
    resp = get(demo.url("portal", path))
    assert resp.version == 11
    assert resp.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in resp.headers
    assert resp.body == expected
    # The wire format itself: hex sizes and the terminating zero-length chunk.
    port = int(demo.base_urls["portal"].rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert body.endswith(b"\r\n0\r\n\r\n")
    assert body.split(b"\r\n", 1)[0] == b"400"


def test_portal_keeps_connections_alive(demo: DemoServer) -> None:
    port = int(demo.base_urls["portal"].rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for path in ("/index.html", "/robots.txt", "/rss.xml"):
            conn.request("GET", path)
            resp = conn.getresponse()
            assert resp.status == 200
            resp.read()
            assert not resp.will_close
    finally:
        conn.close()


def test_gov_is_gbk_without_charset_header(demo: DemoServer, get: Fetch) -> None:
    resp = get(demo.url("gov", "/zwgk/tzgg/202610/t20261019_123456.html"))
    assert resp.headers["content-type"] == "text/html"
    with pytest.raises(UnicodeDecodeError):
        resp.body.decode("utf-8")
    text = resp.body.decode("gb18030")
    assert '<meta charset="gb2312">' in text
    assert '<h1 class="title">云溪县农业农村局关于做好2026年秋冬种工作的通知</h1>' in text
    # 喆 is in GBK but not in GB2312: the declared label understates the encoding.
    assert "责任编辑：王喆" in text
    with pytest.raises(UnicodeEncodeError):
        "喆".encode("gb2312")


def test_gov_robots_points_to_sitemap(demo: DemoServer, get: Fetch) -> None:
    robots = get(demo.url("gov", "/robots.txt")).body.decode()
    assert f"Sitemap: {demo.base_urls['gov']}/sitemap.xml" in robots
    sitemap = get(demo.url("gov", "/sitemap.xml"))
    assert sitemap.status == 200
    assert b"{base}" not in sitemap.body
    for article in load_manifest("gov")["articles"]:
        assert f"<loc>{demo.base_urls['gov']}{article['path']}</loc>".encode() in sitemap.body


def test_portal_rss_lists_articles(demo: DemoServer, get: Fetch) -> None:
    rss = get(demo.url("portal", "/rss.xml")).body.decode()
    for article in load_manifest("portal")["articles"]:
        assert f"<link>{demo.base_urls['portal']}{article['path']}</link>" in rss


def test_vsb_counter_reads_without_counting(fresh_demo: DemoServer, get: Fetch) -> None:
    single = get(fresh_demo.url("campus", f"{VSB}?clickid=2345&owner=1234567890&clicktype=wbnews"))
    assert single.status == 200
    assert single.body == b"1286"
    batch = get(fresh_demo.url("campus", f"{VSB}?clickids=2345,2344,9999&owner=1234567890&clicktype=wbnews"))
    assert batch.body == b"1286,873,0"
    assert fresh_demo.counts("campus")["2345"] == 1286
    fresh_demo.set_count("campus", "2345", 7)
    assert get(fresh_demo.url("campus", f"{VSB}?clickid=2345&owner=1234567890&clicktype=wbnews")).body == b"7"


def test_dede_counter_shows_and_counts(fresh_demo: DemoServer, get: Fetch) -> None:
    show = fresh_demo.url("portal", "/plus/count.php?view=yes&aid=40012330&mid=1")
    count = fresh_demo.url("portal", "/plus/count.php?aid=40012330&mid=1")
    before = fresh_demo.counts("portal")
    assert get(show).body == b"document.write('2317');"
    assert get(show).body == b"document.write('2317');"
    assert get(count).body == b"document.write('');"
    assert fresh_demo.counts("portal") == {**before, "40012330": 2318}
    assert get(show).body == b"document.write('2318');"
    fresh_demo.set_count("portal", "40012330", 5)
    assert get(show).body == b"document.write('5');"


def test_counts_are_a_copy(fresh_demo: DemoServer) -> None:
    fresh_demo.counts("portal")["40012330"] = 0
    assert fresh_demo.counts("portal")["40012330"] == 2317
    assert fresh_demo.counts("gov") == {}


def test_counter_paths_are_404_on_other_sites(demo: DemoServer, get: Fetch) -> None:
    assert get(demo.url("gov", "/plus/count.php?view=yes&aid=1&mid=1")).status == 404
    assert get(demo.url("portal", f"{VSB}?clickid=1")).status == 404


@pytest.mark.parametrize("site_id", SITES)
def test_site_config_text(demo: DemoServer, site_id: str) -> None:
    text = demo.site_config_text(site_id)
    assert "{base}" not in text
    assert demo.base_urls[site_id] in text
    config = tomllib.loads(text)
    assert config["id"] == site_id
    assert all(url.startswith(demo.base_urls[site_id]) for url in config["start_urls"])


def test_write_site_configs(demo: DemoServer, tmp_path: Path) -> None:
    paths = demo.write_site_configs(tmp_path / "sites")
    assert [p.name for p in paths] == [f"{s}.toml" for s in SITES]
    for path in paths:
        assert path.read_text(encoding="utf-8") == demo.site_config_text(path.stem)


def test_config_needs_a_running_server() -> None:
    server = DemoServer()
    with pytest.raises(RuntimeError):
        server.site_config_text("campus")
    with pytest.raises(KeyError):
        server.counts("nope")


def test_stop_closes_ports_and_idle_connections() -> None:
    server = DemoServer().start()
    port = int(server.base_urls["portal"].rsplit(":", 1)[1])
    idle = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        idle.request("GET", "/index.html")
        idle.getresponse().read()
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 5
    finally:
        idle.close()
    assert server.base_urls == {}
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_unseen_site_served_from_its_parent_or_itself(unseen: DemoServer, get: Fetch) -> None:
    assert "unseen_site" in unseen.site_ids
    assert get(unseen.url("unseen_site", "/index.html")).status == 200
    with DemoServer(root=UNSEEN_SITE) as alone:
        assert alone.site_ids == ["unseen_site"]
        assert get(alone.url("unseen_site", "/news/show-2871.html")).status == 200


def test_serve_toml_is_validated(tmp_path: Path) -> None:
    assert SiteBehaviour.load(tmp_path / "absent.toml") == SiteBehaviour()
    bad = tmp_path / "serve.toml"
    bad.write_text('gzip = true\ncompress = "br"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown keys"):
        SiteBehaviour.load(bad)
    bad.write_text("chunked = ['^/']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="http11"):
        SiteBehaviour.load(bad)
    bad.write_text('[counter]\nkind = "phpcms"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="counter kind"):
        SiteBehaviour.load(bad)
