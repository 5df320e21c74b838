"""Importing this module extracts one small page, so that the lazy set-ups of the
extractor are done once, in the process that imports it.

The extraction pool's fork server imports it (archive.jobs.pool.WORKER_MODULES): the
first page a worker reads otherwise pays, in every worker and on every run, for the
script tables of language detection (read from OpenCC's dictionaries), the first date
search, both body engines' first run and our own patterns; workers forked after the
import share all of that.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from ..records import FetchedPage
from . import extract_page

log = logging.getLogger(__name__)

# Short on purpose: every engine runs on it, and it costs the workers' start little.
_PAGE = """<html><head><meta charset="utf-8"><title>预热页面_新闻网</title></head><body>
<div class="nav">首页 &gt; 新闻</div><h1>预热页面</h1>
<div class="info">发布时间：2021年10月19日 来源：新闻网 浏览量：12</div>
<div class="content"><p>这是一个用于预热的页面。</p><p>它很短。</p></div>
<div class="footer">版权所有 打印本页 关闭窗口</div></body></html>"""


def warm_up() -> None:
    page = FetchedPage(url="http://warm-up.invalid/2021/1019/1.html", status=200,
                       headers={"content-type": "text/html; charset=utf-8"}, body=_PAGE.encode(),
                       fetched_at=datetime(2021, 10, 19, tzinfo=UTC))
    try:
        extract_page(page, site="warm-up", force=True)
    except Exception:  # an import that raises would stop the fork server, and every worker with it
        log.exception("extractor warm-up failed; workers will warm up on their first page")


warm_up()
