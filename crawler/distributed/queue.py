"""scrapy-redis's priority queue, with leases: a request popped is not gone until acknowledged.

scrapy-redis pops a request by removing it from the sorted set; a worker that dies then
loses it. Here the pop moves it, in one Lua script, into the run's leases (lease id ->
deadline) with the request kept beside (lease id -> encoded request and its score). The
worker acknowledges a lease once the request is done (crawler.distributed.crawl), renews
its leases while it lives, and any worker puts back in the queue the leases whose
deadline passed: their holder stopped without finishing them.

The queue's key, encoding and push are scrapy-redis's own; only pop is replaced.
"""

from __future__ import annotations

import itertools

from scrapy_redis.queue import PriorityQueue

from archive.state import cluster

# KEYS: queue, leases, leased. ARGV: lease id, lease time (ms).
_POP = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZADD', KEYS[2], ms + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], top[1], ARGV[1] .. '|score', top[2])
return top[1]
"""

# KEYS: queue, leases, leased. ARGV: lease ids; ARGV[1] is 1 to put them back in the queue.
_RELEASE = """
local back = 0
for i = 2, #ARGV do
    local lease = ARGV[i]
    if redis.call('ZREM', KEYS[2], lease) == 1 and ARGV[1] == '1' then
        local data = redis.call('HGET', KEYS[3], lease)
        if data then
            redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], lease .. '|score'), data)
            back = back + 1
        end
    end
    redis.call('HDEL', KEYS[3], lease, lease .. '|score')
end
return back
"""

# KEYS: queue, leases, leased. Leases past their deadline go back to the queue.
_REAP = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local overdue = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ms)
for _, lease in ipairs(overdue) do
    local data = redis.call('HGET', KEYS[3], lease)
    if data then
        redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], lease .. '|score'), data)
    end
    redis.call('ZREM', KEYS[2], lease)
    redis.call('HDEL', KEYS[3], lease, lease .. '|score')
end
return #overdue
"""

# KEYS: leases. ARGV: lease time (ms), lease ids. Only leases still held are renewed.
_RENEW = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for i = 2, #ARGV do
    redis.call('ZADD', KEYS[1], 'XX', ms + tonumber(ARGV[1]), ARGV[i])
end
return 0
"""

# request.meta key: the lease a request was popped under
LEASE = "archive_lease"


class LeasedQueue(PriorityQueue):
    """The run's shared queue; `worker` and `lease_ms` are set by the scheduler."""

    worker = "worker"
    lease_ms = 60_000

    def __init__(self, server, spider, key, serializer=None) -> None:
        super().__init__(server, spider, key, serializer)
        base = self.key.rsplit(":", 1)[0]
        self.keys = [self.key, f"{base}:leases", f"{base}:leased"]
        self._pop = server.register_script(_POP)
        self._release = server.register_script(_RELEASE)
        self._reap = server.register_script(_REAP)
        self._renew = server.register_script(_RENEW)
        self._numbers = itertools.count(1)
        self.held: set[str] = set()

    def pop(self, timeout: int = 0):
        lease = f"{self.worker}:{next(self._numbers)}"
        data = self._pop(keys=self.keys, args=[lease, self.lease_ms])
        if not data:
            return None
        request = self._decode_request(data)
        request.meta[LEASE] = lease
        self.held.add(lease)
        return request

    def release(self, lease: str, *, back: bool = False) -> None:
        """The request of `lease` is done (or, `back`, to be fetched by someone else)."""
        self.held.discard(lease)
        self._release(keys=self.keys, args=[int(back), lease])

    def release_all(self) -> int:
        """Every lease still held goes back to the queue; how many."""
        held, self.held = sorted(self.held), set()
        return self._release(keys=self.keys, args=[1, *held]) if held else 0

    def renew(self) -> None:
        if self.held:
            self._renew(keys=self.keys[1:2], args=[self.lease_ms, *sorted(self.held)])

    def reap(self) -> int:
        """Put back the leases of workers that stopped; how many."""
        return self._reap(keys=self.keys)

    def leases(self) -> int:
        return self.server.zcard(self.keys[1])


def run_keys(site: str, run: str) -> tuple[str, str]:
    """The scrapy-redis queue and duplicate-filter keys of one run of a site."""
    return cluster.run_part(site, run, "requests"), cluster.run_part(site, run, "seen")
