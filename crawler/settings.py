"""Polite defaults for every crawl. Per-site values (delay, depth, page budget, robots)
are layered on top by crawler.run from each site's config."""

from archive import __version__
from archive.jobs.time_bound import DEFAULT_PAGE_SECONDS

BOT_NAME = "official-news-archiver"
SPIDER_MODULES = ["crawler.spiders"]

USER_AGENT = f"official-news-archiver/{__version__} (web archiving for research; Scrapy)"
ROBOTSTXT_OBEY = True

# Per site (each site is a crawler of its own). Scrapy stops handing a site's requests to
# its downloader once ARCHIVE_PAGES_WAITING_BYTES of its pages wait for the workers, but
# those handed already are still fetched: up to this many pages a site beyond the budget.
# At 32, 40 sites kept 1,400 pages (and 100 MB) waiting instead of 250.
CONCURRENT_REQUESTS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Scrapy's in-memory stats, without a hook that costs 3 µs a lookup (crawler/stats.py).
STATS_CLASS = "crawler.stats.CrawlStats"
# Scrapy starts this many tasks for the output of every callback; our items only enter
# a queue (crawler/pipelines.py), so a hundred of them per page was pure overhead.
CONCURRENT_ITEMS = 4
# The check parses the callback's source on every response (its cache misses on bound
# methods); the spider's callbacks are ours and return no values.
WARN_ON_GENERATOR_RETURN_VALUE = False

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
# The address guard sits above the capture: a response from a forbidden address is
# dropped before it could be archived. An attachment archived before is read back just
# below the capture (crawler/attachments.py). The trap guard sits just above the offsite
# filter (50), so refused URLs cost no robots.txt fetch.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.refresh.MetaRefreshMiddleware": 580,
    "crawler.traps.TrapGuardMiddleware": 60,
    "crawler.attachments.ArchivedAttachments": 945,
    "crawler.capture.WarcCaptureMiddleware": 950,
    "crawler.addresses.AddressGuardMiddleware": 960,
}
# Refuses DNS answers in loopback, private, link-local and metadata ranges for sites
# that do not allow them (crawler/addresses.py).
TWISTED_DNS_RESOLVER = "crawler.addresses.GuardedResolver"
# Only http(s) is ever fetched: a link or redirect to file://, ftp:// or s3:// must not
# read local files or reach other services.
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}
# A redirect chain longer than this is a loop or a trap (a loop proper is refused at
# its first repetition, see crawler/traps.py).
REDIRECT_MAX_TIMES = 10
ITEM_PIPELINES = {"crawler.attachment_rows.AttachmentPipeline": 290, "crawler.pipelines.ExtractionPipeline": 300}
# Faults (a full disk, a failing state store) raised in callbacks stop the crawl (crawler/faults.py).
# An attachment's download stops once its headers show it too large (crawler/attachments.py).
EXTENSIONS = {"crawler.faults.FaultWatch": 0, "crawler.attachments.AttachmentGuard": 0}
# Depth is counted by the spider (a site's max_depth, in hops: paging through a list is
# not one); Scrapy's own depth count would only tag every request on its way out.
SPIDER_MIDDLEWARES = {"scrapy.spidermiddlewares.depth.DepthMiddleware": None}

# Every ARCHIVE_* setting is declared here, once, with its default; the components read
# them without a default of their own. A component switched off by its ARCHIVE_*_ENABLED
# raises NotConfigured and Scrapy leaves it out of the crawl.

# The data directory: WARC files, the dataset, the state store (crawler/run.py sets it).
ARCHIVE_OUT = "data"

# WARC capture of every exchange (crawler/capture.py). Off, nothing is archived, and so
# no article is extracted either: records are made from archived pages.
ARCHIVE_WARC_ENABLED = True
# A WARC file is closed and the next one begun once it passes this many bytes.
ARCHIVE_WARC_MAX_SIZE = 1_000_000_000

# Article records into the dataset (crawler/pipelines.py). Off, the crawl only archives;
# the pages are still read for their links.
ARCHIVE_EXTRACT_ENABLED = True
# 0 means one extraction worker per core.
ARCHIVE_EXTRACT_WORKERS = 0
# Seconds a worker may spend on one page before giving it up as a failure, so that a
# pathological page cannot hold a worker for minutes (0: no bound).
ARCHIVE_EXTRACT_TIMEOUT = DEFAULT_PAGE_SECONDS
# Fetched pages waiting for the workers, in bytes, over all sites of a crawl: enough
# to keep every worker busy, bounded so that a fast network cannot fill the memory.
ARCHIVE_PAGES_WAITING_BYTES = 16_000_000
# Article rows held in memory by all the sites of a crawl together (a row holds an
# article's text, about 10 kB): past this every site writes its rows to Parquet, so
# memory stays flat however many sites are crawled at once and however fast.
ARCHIVE_HELD_ROWS = 4000

# SSRF guard (crawler/addresses.py); per-site allowances come from the site config.
ARCHIVE_ADDRESS_GUARD_ENABLED = True

# Crawler traps (crawler/traps.py).
ARCHIVE_TRAPS_ENABLED = True
# A URL longer than this many characters is refused: ever-growing URLs are a loop.
ARCHIVE_TRAPS_MAX_URL_LENGTH = 1024
# A URL with more query parameters than this is refused (faceted search, trackers).
ARCHIVE_TRAPS_MAX_QUERY_PARAMS = 12
# A path segment seen more often than this in one URL (/news/news/news/) is a loop.
ARCHIVE_TRAPS_MAX_SEGMENT_REPEATS = 2
# Distinct URLs fetched per calendar-like pattern (?year=&month=) in one crawl.
ARCHIVE_TRAPS_CALENDAR_PAGES = 60
# Distinct URLs fetched per query-string pattern (list.jsp?page=N) in one crawl; 0: no bound.
ARCHIVE_TRAPS_QUERY_PATTERN_PAGES = 1000

# A crawl on many machines (crawler/distributed/, `archive crawl --redis URL`): the Redis
# that holds the shared queue, leases and crawl state; empty, the crawl is of this machine
# alone and nothing below applies.
ARCHIVE_REDIS_URL = ""
# This worker's id, in the names of the WARC and Parquet files it writes.
ARCHIVE_WORKER_ID = ""
# A request leased by a worker that has not finished it (nor said it is alive) within
# this many seconds goes back to the shared queue; a worker gone this long is taken over.
ARCHIVE_REDIS_LEASE_SECONDS = 60.0
# The page budget of a site's run over all its workers (crawler/distributed/crawl.py sets it).
ARCHIVE_REDIS_MAX_PAGES = 0

# Checks of archived articles for edits and takedowns (crawler/rechecks.py): "due" checks
# the articles due beside the site's lists; "only" the articles due and nothing else;
# "all" every archived article of the site (`archive crawl SITE --recheck`).
ARCHIVE_RECHECK = "due"
# The share of a site's page budget (max_pages) that the checks due may take in a crawl
# that also walks the site's lists.
ARCHIVE_RECHECK_SHARE = 0.5

# Attachments (crawler/attachments.py): the files articles link, fetched, archived and
# read into DATA/attachments. Each site says whether, how large and of which types in
# its [attachments] table; off here, no site's are fetched.
ARCHIVE_ATTACHMENTS_ENABLED = True
# Seconds and memory (MB, beyond what the worker holds) reading one file may take: a
# file past either is given up with status timed_out or too_large (archive/attachments/bounds.py).
ARCHIVE_ATTACHMENTS_TIMEOUT = 60.0
ARCHIVE_ATTACHMENTS_MEMORY_MB = 1024
# Seconds to download one file: a 30 MB file on a slow government server takes minutes.
ARCHIVE_ATTACHMENTS_DOWNLOAD_TIMEOUT = 180.0
