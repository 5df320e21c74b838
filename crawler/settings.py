"""Polite defaults for every crawl. Per-site values (delay, depth, page budget, robots)
are layered on top by crawler.run from each site's config."""

from archive import __version__

BOT_NAME = "official-news-archiver"
SPIDER_MODULES = ["crawler.spiders"]

USER_AGENT = f"official-news-archiver/{__version__} (web archiving for research; Scrapy)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30
# News pages are small; a 20 MB body is almost always a mistake or a trap.
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024

# No listening sockets: a crawler running from cron has no use for a console.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"

# Above HttpCompressionMiddleware (590) and every other built-in one, so the capture
# sees bodies still content-encoded and every response, redirects and errors included.
DOWNLOADER_MIDDLEWARES = {"crawler.capture.WarcCaptureMiddleware": 950}
ITEM_PIPELINES = {"crawler.pipelines.ExtractionPipeline": 300}

ARCHIVE_OUT = "data"
ARCHIVE_WARC_MAX_SIZE = 1_000_000_000
# 0 means one extraction worker per core.
ARCHIVE_EXTRACT_WORKERS = 0
