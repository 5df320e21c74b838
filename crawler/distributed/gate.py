"""Politeness across workers: a host's delay and connection limit hold for all of them together.

Scrapy keeps a download slot per host in each process, so two workers would each wait
the site's `delay` and each open two connections: twice the load. Here every request
first passes the host's gate in Redis, one Lua script on Redis's clock: at most
CONCURRENT_REQUESTS_PER_DOMAIN requests of all workers on the wire at once, and each
sent at least `delay` seconds after the one before (varied by DOWNLOAD_DELAY_JITTER, as
Scrapy varies it), whichever worker sent it. The worker's own Scrapy slot then keeps no
delay of its own, or one worker would wait twice; AutoThrottle still slows a worker
whose host answers slowly, but only from the site's delay upwards.

robots.txt is fetched by one worker per run; the others wait for its capture and read it
back from the archive (crawler.settled), as a crawl of one machine reads it on later runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from typing import Self
from urllib.parse import urlsplit

import redis

from archive.state import cluster
from archive.state.store import shared_state
from crawler.distributed.runs import RunComponent, run_of
from crawler.settled import is_robots
from crawler.stopping import NotFetched

# KEYS: next, active, hosts, sent. ARGV: delay ms, limit, token, hold ms, host.
# 0 when the request may go now, else the milliseconds to wait before asking again.
_GATE = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ms)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then return 20 end
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if free > ms then return free - ms end
local delay = tonumber(ARGV[1])
redis.call('SET', KEYS[1], ms + delay, 'PX', delay + 60000)
redis.call('ZADD', KEYS[2], ms + tonumber(ARGV[4]), ARGV[3])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]) + 60000)
redis.call('SADD', KEYS[3], ARGV[5])
redis.call('INCR', KEYS[4])
redis.call('EXPIRE', KEYS[4], 180)
return 0
"""

# request.meta keys: the gate's token for the request on the wire; put the request back in the run's queue
_TOKEN = "archive_gate_token"
BACK = "archive_back_to_queue"
# How long a worker may wait for another's robots.txt capture before fetching it itself.
ROBOTS_WAIT = 30.0


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


class HostGateMiddleware:
    """Downloader middleware after the capture's (pages read back from the archive are
    not requests to the host) and before the download."""

    def __init__(self, crawler, client, url: str, limit: int, hold_ms: int) -> None:
        self.crawler = crawler
        self.client = client
        self.url = url
        self.limit = limit
        self.hold_ms = hold_ms
        self.jitter = crawler.settings.getfloat("DOWNLOAD_DELAY_JITTER")
        self._gate = client.register_script(_GATE)
        self._tokens = itertools.count(1)

    @classmethod
    def from_crawler(cls, crawler) -> Self:
        run = run_of(crawler)
        settings = crawler.settings
        hold = int((settings.getfloat("DOWNLOAD_TIMEOUT") + 30) * 1000)
        return cls(crawler, run.client, settings.get("ARCHIVE_REDIS_URL"),
                   settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), hold)

    async def process_request(self, request):
        host = _host(request.url)
        # the site's delay, varied as Scrapy varies it within one process (DOWNLOAD_DELAY_JITTER)
        delay_ms = int(self.crawler.spider.site.delay * random.uniform(1 - self.jitter, 1 + self.jitter) * 1000)
        token = f"{self.crawler.archive_run.worker}:{next(self._tokens)}"
        keys = [cluster.host_key(host, "next"), cluster.host_key(host, "active"), cluster.HOSTS,
                cluster.host_sent_key(host, int(time.time() // 60))]
        while True:
            try:
                wait = self._gate(keys=keys, args=[delay_ms, self.limit, token, self.hold_ms, host])
            except redis.RedisError as exc:
                raise cluster.redis_error(self.url, exc) from None
            if not wait:
                request.meta[_TOKEN] = (host, token)
                return None
            if getattr(self.crawler, "stopping", False):
                request.meta[BACK] = True
                raise NotFetched()
            # short naps, so that a stop is never waited out
            await asyncio.sleep(min(int(wait), 500) / 1000)

    def _release(self, request) -> None:
        held = request.meta.pop(_TOKEN, None)
        if held is not None:
            # should Redis fail, the token expires with the download timeout
            with contextlib.suppress(redis.RedisError):
                self.client.zrem(cluster.host_key(held[0], "active"), held[1])

    def process_response(self, request, response):
        self._release(request)
        return response

    def process_exception(self, request, exception):
        self._release(request)
        if isinstance(exception, NotFetched):
            request.meta[BACK] = True


class SharedRobotsMiddleware(RunComponent):
    """Downloader middleware before the capture's: one worker of a run fetches a host's
    robots.txt; the others wait for its capture, which the capture then reads back."""

    async def process_request(self, request):
        if not is_robots(request.url):
            return None
        run = self.run
        key = run.part(f"robots:{_host(request.url)}")
        try:
            if run.client.set(key, run.worker, nx=True, ex=int(ROBOTS_WAIT * 4)):
                return None  # this worker fetches it
        except redis.RedisError as exc:
            raise cluster.redis_error(self.crawler.settings.get("ARCHIVE_REDIS_URL"), exc) from None
        state = shared_state(self.crawler.settings.get("ARCHIVE_OUT"))
        deadline = time.monotonic() + ROBOTS_WAIT
        while time.monotonic() < deadline and not getattr(self.crawler, "stopping", False):
            known = state.known(request.url)
            if known is not None and known.pointer is not None:
                break
            await asyncio.sleep(0.1)
        return None
