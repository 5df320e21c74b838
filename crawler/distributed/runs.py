"""One run of a site shared by many workers: who started it, who takes part, when it is done.

The first worker to crawl a site opens a run (a hash in Redis: id, seeded, drained, the
crawl state's run number); the others join it. Every worker reads the site's seeds (the
run's duplicate filter drops the repeats), but only the one that opened the run adds the
requests that bypass the filter (view counters). The run is drained once it is seeded and
neither its queue nor its leases hold anything: no worker has a request in flight, so none
can add one, and every worker may close. The last worker to leave records the run's end
in the crawl state and deletes the run's keys. A run whose workers are all gone (killed)
is ended that way by the next worker that comes.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from scrapy.exceptions import NotConfigured

from archive.state import cluster

# KEYS: run, participants, running. ARGV: worker, new run id, now, worker key prefix, site, re-checks.
# Returns {how, run id, re-checks}: how is 'opened', 'joined', 'reopened' (this worker's id
# opened it: a process of it restarted, which takes the opener's part again) or 'stale' (no
# live worker: end it first).
_JOIN = """
local run = redis.call('HGET', KEYS[1], 'id')
if run then
    for _, member in ipairs(redis.call('SMEMBERS', KEYS[2])) do
        if redis.call('EXISTS', ARGV[4] .. member) == 1 then
            redis.call('SADD', KEYS[2], ARGV[1])
            local how = redis.call('HGET', KEYS[1], 'opener') == ARGV[1] and 'reopened' or 'joined'
            return {how, run, redis.call('HGET', KEYS[1], 'rechecks') or 'due'}
        end
    end
    return {'stale', run, ''}
end
redis.call('HSET', KEYS[1], 'id', ARGV[2], 'started', ARGV[3], 'opener', ARGV[1], 'seeded', '0', 'drained', '0',
           'pages', '0', 'failed', '0', 'rechecks', ARGV[6])
redis.call('DEL', KEYS[2])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[5])
return {'opened', ARGV[2], ARGV[6]}
"""

# KEYS: run, queue, leases. ARGV: run id, worker key prefix. 1 once the run is drained (and stays so).
# Seeded: a worker handed on its seeds, and the opener did too unless it is gone (only the
# opener hands on the checks of archived articles: the others may have none to give).
_DRAINED = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 1 end
if redis.call('HGET', KEYS[1], 'drained') == '1' then return 1 end
if redis.call('HGET', KEYS[1], 'seeded') ~= '1' then return 0 end
if redis.call('HGET', KEYS[1], 'opener_seeded') ~= '1'
        and redis.call('EXISTS', ARGV[2] .. (redis.call('HGET', KEYS[1], 'opener') or '')) == 1 then
    return 0
end
if redis.call('ZCARD', KEYS[2]) > 0 or redis.call('ZCARD', KEYS[3]) > 0 then return 0 end
redis.call('HSET', KEYS[1], 'drained', '1')
return 1
"""

# KEYS: run, participants, running. ARGV: run id, worker, failed (0/1), worker key prefix, site.
# The run's fields when this worker was the last alive to leave (the caller ends the run), else nothing.
_LEAVE = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return false end
redis.call('SREM', KEYS[2], ARGV[2])
if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'failed', '1') end
for _, member in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    if redis.call('EXISTS', ARGV[4] .. member) == 1 then return false end
end
local fields = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SREM', KEYS[3], ARGV[5])
return fields
"""


@dataclass
class SiteRun:
    """This worker's part in the current run of `site`."""

    client: object
    site: str
    worker: str
    run: str = ""
    opened: bool = False
    # what the run checks of the site's archived articles (crawler.rechecks.MODES): the
    # opener's choice, which every worker of the run follows
    rechecks: str = "due"

    def __post_init__(self) -> None:
        self._join = self.client.register_script(_JOIN)
        self._drained = self.client.register_script(_DRAINED)
        self._leave = self.client.register_script(_LEAVE)

    def part(self, name: str) -> str:
        return cluster.run_part(self.site, self.run, name)

    def join(self, state, rechecks: str = "due") -> None:
        """Open the site's run, checking its archived articles as `rechecks` says, or
        join the one under way, as it checks them; a run whose workers are all gone is
        ended first (`state` records how it ended)."""
        for _ in range(10):
            how, run, self.rechecks = self._join(
                keys=[cluster.run_key(self.site), cluster.participants_key(self.site), cluster.RUNNING],
                args=[self.worker, _new_run_id(), time.time(), cluster.worker_key(""), self.site, rechecks])
            self.run = run
            if how == "stale":
                # nobody alive holds it: end it as if its last worker had left now
                self.leave(state, failed=True, alive_check=False)
                continue
            self.opened = how in ("opened", "reopened")
            if how == "opened":
                self.client.hset(cluster.run_key(self.site), "state_run", state.run_started(self.site))
            return
        raise RuntimeError(f"site {self.site}: could not open or join its run")

    def seeded(self) -> None:
        fields = {"seeded": "1", "opener_seeded": "1"} if self.opened else {"seeded": "1"}
        self.client.hset(cluster.run_key(self.site), mapping=fields)

    def drained(self) -> bool:
        return bool(self._drained(keys=[cluster.run_key(self.site), self.part("requests"), self.part("leases")],
                                  args=[self.run, cluster.worker_key("")]))

    def page_fetched(self) -> int:
        """Count a page fetched by any worker of the run; the run's count so far."""
        return int(self.client.hincrby(cluster.run_key(self.site), "pages", 1))

    def budget_spent(self) -> bool:
        return self.client.hget(cluster.run_key(self.site), "budget_spent") == "1"

    def spend_budget(self) -> None:
        self.client.hset(cluster.run_key(self.site), "budget_spent", "1")

    def participants(self) -> set[str]:
        return set(self.client.smembers(cluster.participants_key(self.site)))

    def leave(self, state, *, failed: bool, alive_check: bool = True) -> str | None:
        """This worker is done with the run. The last one alive to leave ends it: the
        crawl state records the run's outcome (returned), the run's keys go."""
        prefix = cluster.worker_key("") if alive_check else cluster.worker_key("") + "\0"
        fields = self._leave(keys=[cluster.run_key(self.site), cluster.participants_key(self.site), cluster.RUNNING],
                             args=[self.run, self.worker, int(failed), prefix, self.site])
        if not fields:
            return None
        run = dict(zip(fields[::2], fields[1::2], strict=True))
        self.client.delete(*(self.part(name) for name in ("requests", "seen", "leases", "leased")))
        if run.get("rechecks", "due") != "due":
            # a run of checks only walked no list: no success of the site's crawl
            outcome = "rechecks"
        elif run.get("budget_spent") == "1":
            outcome = "closespider_pagecount"
        elif run.get("drained") == "1" and run.get("failed") != "1":
            outcome = "finished"
        else:
            outcome = "incomplete"
        if run.get("state_run"):
            state.run_finished(int(run["state_run"]), outcome)
            if outcome == "finished":
                state.confirm_articles(self.site)
        return outcome


def run_of(crawler) -> SiteRun:
    """The run of a worker's site crawler (crawler.distributed.crawl sets it); a component
    asking it of a crawl of one machine is left out of that crawl."""
    run = getattr(crawler, "archive_run", None)
    if run is None:
        raise NotConfigured("not a worker of a crawl shared through Redis")
    return run


class RunComponent:
    """A Scrapy component of a worker's site crawler, left out of a crawl of one machine."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.run = run_of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)


def _new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)
