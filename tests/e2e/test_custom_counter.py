"""A site whose counter no known CMS family covers, described in its config."""

import json

from archive.dataset.files import open_dataset
from archive.demo import DemoServer
from tests.conftest import run_archive

ARTICLE = """<html><head><meta charset="utf-8"><title>{title}-示范区新闻</title></head><body>
<h1>{title}</h1><div class="info">发布时间：2026-10-19 09:00 来源：示范区融媒体中心 阅读：<span id="hits"></span></div>
<div class="content"><p>近日，示范区组织开展秋季安全生产大检查，对辖区内重点企业逐一排查隐患并建立整改台账。</p>
<p>检查组要求企业落实主体责任，完善应急预案，加强员工培训，切实把各项安全措施落到实处。</p></div>
<script>loadHits({number}, 'news')</script></body></html>"""


CONFIG = r"""
id = "zone"
name = "示范区新闻"
start_urls = ["{base}/index.html"]
allow_private = true
article = ['/a/\d+\.html$']
delay = 0.0

[counter]
find = "loadHits\\((\\d+), '(\\w+)'\\)"
url = "/api/hits?id={1}&ch={2}"
read = '"hits":\s*(\d+)'
"""


def test_custom_counter_views_in_crawl_and_rebuild(tmp_path):
    www = tmp_path / "www" / "zone" / "www"
    (www / "a").mkdir(parents=True)
    (www / "api").mkdir()
    (www / "index.html").write_text('<a href="/a/77.html">一</a>', encoding="utf-8")
    (www / "a" / "77.html").write_text(ARTICLE.format(title="示范区开展秋季安全生产大检查", number=77),
                                       encoding="utf-8")
    # A static file answers /api/hits?id=77&ch=news: the query is ignored by the test server.
    (www / "api" / "hits").write_text(json.dumps({"ok": True, "hits": 512}), encoding="utf-8")
    with DemoServer(root=tmp_path / "www") as server:
        base = server.base_urls["zone"]
        sites = tmp_path / "sites"
        sites.mkdir()
        (sites / "zone.toml").write_text(CONFIG.replace("{base}", base), encoding="utf-8")
        crawl = run_archive("crawl", "zone", "--sites", str(sites), "--out", str(tmp_path / "data"))
        assert crawl.returncode == 0, crawl.stderr[-2000:]
        assert ("zone", "/api/hits?id=77&ch=news") in server.hits
    [row] = open_dataset(tmp_path / "data" / "articles").to_table().to_pylist()
    assert row["views"] == 512 and row["views_observed_at"] is not None
    warcs = [str(p) for p in (tmp_path / "data" / "warc").glob("zone-*.warc.gz")]
    rebuilt = run_archive("extract", *warcs, "--site", "zone", "--sites", str(sites))
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    assert json.loads(rebuilt.stdout.splitlines()[0])["views"] == 512
