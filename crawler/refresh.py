"""Scrapy's meta-refresh redirects, without decoding every page to look for one.

Scrapy's middleware decodes each HTML body whole (and keeps the text with the response)
to read its first 4,096 characters; the extraction workers decode pages their own way,
so that decode was spent only on the check. A refresh tag must name itself: a page
without the word within the first bytes those characters can take has none (UTF-16
pages, which spell it with zero bytes between letters, are left to Scrapy).
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefresh
from scrapy.http import HtmlResponse

# 4,096 characters of any charset Scrapy decodes take at most four bytes each.
_HEAD_BYTES = 4 * 4096
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


class MetaRefreshMiddleware(ScrapyMetaRefresh):
    def process_response(self, request, response):
        head = response.body[:_HEAD_BYTES]
        if isinstance(response, HtmlResponse) and b"refresh" not in head.lower() and not head.startswith(_UTF16_MARKS):
            return response
        return super().process_response(request, response)
