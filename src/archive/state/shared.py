"""The crawl state in Redis, shared by every worker of a crawl on many machines.

The same methods as the SQLite store (archive.state.store.CrawlState), so the crawler
works on either unchanged. As with SQLite, nothing here is the truth: the WARC files and
the dataset are, and losing Redis costs re-fetches, never a capture.

What differs is ownership. Each capture and each article handed to extraction names the
process that made it (`worker/token`), and a worker's "work left over" (`pending_jobs`,
`unextracted`) is what earlier processes of its own id and workers no longer alive
(archive.state.cluster) left, which it takes over: never the rows this process or
another live worker is about to write.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from archive.errors import StateError
from archive.records import ArticleJob, WarcPointer
from archive.state import cluster
from archive.state.store import ArticleState, KnownCapture, RestoredCapture, job_from_json, job_to_json

if TYPE_CHECKING:
    from archive.sites import SiteConfig

_STATE = cluster.PREFIX + "state:"

# Takes over an article whose owner is gone: only if it is still pending and still that owner's.
_CLAIM = """
if redis.call('HGET', KEYS[1], 'state') == 'pending' and redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
    redis.call('HSET', KEYS[1], 'owner', ARGV[2])
    return 1
end
return 0
"""


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _capture_key(url: str) -> str:
    return f"{_STATE}capture:{url}"


def _article_key(url: str) -> str:
    return f"{_STATE}article:{url}"


def _hub_key(url: str) -> str:
    return f"{_STATE}hub:{url}"


def site_key(site: str, part: str) -> str:
    """One of a site's keys in the shared state (its sets of candidates, pending articles, ...)."""
    return f"{_STATE}site:{site}:{part}"


class RedisCrawlState:
    """CrawlState's methods over a Redis server; `worker` owns what this process adds.
    `reads_files_of(worker)` says whether another worker's files are where this process
    reads (a directory they share): only then does it take over what that worker left."""

    def __init__(self, url: str, worker: str, client=None,
                 reads_files_of: Callable[[str], bool] | None = None) -> None:
        self.url = url
        self.worker = worker
        self.reads_files_of = reads_files_of
        # this process among all that ever ran as `worker`
        self.owner = f"{worker}/{os.getpid()}-{secrets.token_hex(3)}"
        self.redis = client if client is not None else cluster.connect(url)
        self._claim = self.redis.register_script(_CLAIM)

    def __repr__(self) -> str:
        return f"RedisCrawlState({cluster.shown_url(self.url)!r})"

    def _call(self, function, *args, **kwargs):
        import redis

        try:
            return function(*args, **kwargs)
        except redis.RedisError as exc:
            raise cluster.redis_error(self.url, exc) from None

    def _pipeline(self, fill) -> list:
        """Run the commands `fill(pipe)` queues in one round trip."""

        def run():
            pipe = self.redis.pipeline(transaction=False)
            fill(pipe)
            return pipe.execute()

        return self._call(run)

    def close(self) -> None:
        self.redis.close()

    def check(self) -> None:
        """A StateError when Redis cannot be reached or will not store anything."""
        self._call(self.redis.ping)

    # -- captures -----------------------------------------------------------------

    def known(self, url: str) -> KnownCapture | None:
        row = self._call(self.redis.hgetall, _capture_key(url))
        if not row:
            return None
        pointer = WarcPointer(row["file"], int(row["offset"]), row["record_id"]) if row.get("file") else None
        return KnownCapture(url, int(row["status"]), row.get("etag") or None, row.get("last_modified") or None,
                            row.get("digest") or None, pointer, row.get("warc_date") or None, row.get("last_fetched"))

    def record_capture(self, url: str, site: str, status: int, *, etag: str | None, last_modified: str | None,
                       payload_digest: str | None, pointer: WarcPointer | None, warc_date: str | None,
                       candidate: bool = False) -> None:
        """As CrawlState.record_capture: a revisit (no pointer) only updates the time."""
        now, key = _now(), _capture_key(url)
        if pointer is None:
            if self._call(self.redis.exists, key):
                self._call(self.redis.hset, key, "last_fetched", now)
            return
        fields = {"site": site, "status": status, "etag": etag or "", "last_modified": last_modified or "",
                  "digest": payload_digest or "", "file": pointer.file, "offset": pointer.offset,
                  "record_id": pointer.record_id, "warc_date": warc_date or "", "last_fetched": now,
                  "owner": self.owner}

        def fill(pipe):
            pipe.hsetnx(key, "first_fetched", now)
            pipe.hset(key, mapping=fields)
            if candidate and status == 200:
                pipe.sadd(site_key(site, "candidates"), url)

        self._pipeline(fill)

    def capture_statuses(self, urls: Sequence[str]) -> dict[str, int]:
        statuses = self._pipeline(lambda pipe: [pipe.hget(_capture_key(url), "status") for url in urls])
        return {url: int(status) for url, status in zip(urls, statuses, strict=True) if status is not None}

    def unextracted(self, site: str) -> list[tuple[str, WarcPointer]]:
        """Possible articles this worker, or a worker now gone, captured and never handed
        to extraction."""
        urls = sorted(self._call(self.redis.smembers, site_key(site, "candidates")))
        captures = self._pipeline(lambda pipe: [pipe.hgetall(_capture_key(url)) for url in urls])
        handed = self._pipeline(lambda pipe: [pipe.exists(_article_key(url)) for url in urls])
        left = self._left_over([row.get("owner", "") for row in captures])
        found = []
        for url, row, done, mine in zip(urls, captures, handed, left, strict=True):
            if done:
                self._call(self.redis.srem, site_key(site, "candidates"), url)
            elif row.get("file") and mine:
                found.append((url, WarcPointer(row["file"], int(row["offset"]), row["record_id"])))
        return found

    def _left_over(self, owners: list[str]) -> list[bool]:
        """Whether what each owner made is left over for this process to finish: made by
        an earlier process of this worker's id, or by a worker no longer alive."""
        workers = {owner.split("/")[0] for owner in owners} - {self.worker, ""}
        live = cluster.alive(self.redis, workers)
        # A gone worker's captures are in its WARC files: a worker that cannot read them
        # leaves them to that worker, which finishes them when it is started again.
        unreadable = {worker for worker in workers
                      if self.reads_files_of is not None and not self.reads_files_of(worker)}
        return [owner != self.owner and owner.split("/")[0] not in (live | unreadable) for owner in owners]

    def restore_captures(self, captures: Sequence[RestoredCapture]) -> None:
        raise StateError(f"{cluster.shown_url(self.url)}: the shared crawl state is not rebuilt from WARC files; "
                         "its workers make it again as they crawl")

    # -- articles -----------------------------------------------------------------

    def article_state(self, url: str) -> ArticleState | None:
        return self.article_states([url]).get(url)

    def article_states(self, urls: Sequence[str]) -> dict[str, ArticleState]:
        rows = self._pipeline(lambda pipe: [pipe.hmget(_article_key(url), "state", "first_seen", "confirmed")
                                            for url in urls])
        return {url: ArticleState(state, first_seen, confirmed == "1")
                for url, (state, first_seen, confirmed) in zip(urls, rows, strict=True) if state is not None}

    def article_submitted(self, job: ArticleJob) -> None:
        now, key = _now(), _article_key(job.url)
        fields = {"site": job.site, "record_id": job.pointers[0].record_id, "job": job_to_json(job),
                  "state": "pending", "updated": now, "owner": self.owner}
        if job.counter:
            fields |= {"counter_family": job.counter.family, "counter_url": job.counter.url}

        def fill(pipe):
            pipe.hsetnx(key, "first_seen", now)
            pipe.hsetnx(key, "confirmed", "0")
            pipe.hset(key, mapping=fields)
            pipe.sadd(site_key(job.site, "pending"), job.url)
            pipe.sadd(site_key(job.site, "unconfirmed"), job.url)
            pipe.srem(site_key(job.site, "candidates"), job.url)

        self._pipeline(fill)

    def articles_done(self, urls_and_states: list[tuple[str, str]]) -> None:
        sites = self._pipeline(lambda pipe: [pipe.hget(_article_key(url), "site") for url, _ in urls_and_states])
        counters = self._pipeline(lambda pipe: [pipe.hget(_article_key(url), "counter_url")
                                                for url, _ in urls_and_states])
        now = _now()

        def fill(pipe):
            for (url, state), site, counter in zip(urls_and_states, sites, counters, strict=True):
                if site is None:
                    continue
                pipe.hset(_article_key(url), mapping={"state": state, "updated": now})
                pipe.srem(site_key(site, "pending"), url)
                if state == "done":
                    pipe.sadd(site_key(site, "archived"), url)
                if state == "done" and counter:
                    pipe.sadd(site_key(site, "counters"), url)

        self._pipeline(fill)

    def pending_jobs(self, site: str) -> list[ArticleJob]:
        """Jobs of this worker, and of workers gone, whose rows are not written: those of
        a gone worker become this one's, so that only one worker extracts them."""
        urls = sorted(self._call(self.redis.smembers, site_key(site, "pending")))
        rows = self._pipeline(lambda pipe: [pipe.hmget(_article_key(url), "state", "owner", "job") for url in urls])
        left = self._left_over([owner or "" for _, owner, _ in rows])
        jobs = []
        for url, (state, owner, job), mine in zip(urls, rows, left, strict=True):
            # claimed one by one: of two workers taking over the same one, one gets each job
            if state == "pending" and mine and self._call(self._claim, keys=[_article_key(url)],
                                                          args=[owner or "", self.owner]):
                jobs.append(job_from_json(url, site, job))
        return jobs

    def restore_articles(self, jobs: Sequence[tuple[ArticleJob, datetime]]) -> None:
        self.restore_captures([])

    def archived_set(self, site: str) -> str:
        """The key of the set of the site's archived articles (state done, and perhaps a
        few that were once and are no longer: `archived_jobs` says which are)."""
        if not self._call(self.redis.exists, site_key(site, "archived_indexed")):
            self._index_archived(site)
        return site_key(site, "archived")

    def _index_archived(self, site: str) -> None:
        """The archived sets of `site` and of every site with articles, for a state
        written before the sets were kept: made once, in one pass over the articles."""
        prefix = _article_key("")
        keys = self._call(lambda: list(self.redis.scan_iter(match=prefix + "*", count=1000)))
        rows = self._pipeline(lambda pipe: [pipe.hmget(key, "site", "state") for key in keys])
        archived: dict[str, list[str]] = {site: []}
        for key, (owner, state) in zip(keys, rows, strict=True):
            if owner is not None:
                archived.setdefault(owner, [])
                if state == "done":
                    archived[owner].append(key.removeprefix(prefix))

        def fill(pipe):
            for owner, urls in archived.items():
                if urls:
                    pipe.sadd(site_key(owner, "archived"), *urls)
                pipe.set(site_key(owner, "archived_indexed"), "1")

        self._pipeline(fill)

    def archived_jobs(self, urls: Sequence[str]) -> list[tuple[str, str, str]]:
        """(url, job, first seen) of those of `urls` that are archived articles."""
        rows = self._pipeline(lambda pipe: [pipe.hmget(_article_key(url), "state", "job", "first_seen")
                                            for url in urls])
        return [(url, job, first_seen) for url, (state, job, first_seen) in zip(urls, rows, strict=True)
                if state == "done"]

    def confirm_articles(self, site: str) -> None:
        urls = list(self._call(self.redis.smembers, site_key(site, "unconfirmed")))

        def fill(pipe):
            for url in urls:
                pipe.hset(_article_key(url), "confirmed", "1")
            if urls:
                pipe.srem(site_key(site, "unconfirmed"), *urls)

        self._pipeline(fill)

    def counters_to_refresh(self, site: str, since: timedelta,
                            every: timedelta = timedelta(0)) -> list[tuple[str, str, str]]:
        urls = sorted(self._call(self.redis.smembers, site_key(site, "counters")))
        rows = self._pipeline(lambda pipe: [pipe.hmget(_article_key(url), "first_seen", "counter_read",
                                                       "counter_family", "counter_url") for url in urls])
        now = datetime.now(UTC)
        first, last = (now - since).isoformat(), (now - every).isoformat()
        return [(url, family, counter) for url, (seen, read, family, counter) in zip(urls, rows, strict=True)
                if counter and seen and seen >= first and (not read or read < last)]

    def counter_read(self, url: str, when: datetime) -> None:
        key = _article_key(url)
        if self._call(self.redis.exists, key):
            self._call(self.redis.hset, key, "counter_read", when.astimezone(UTC).isoformat())

    # -- hub pages ----------------------------------------------------------------

    def hub(self, url: str) -> tuple[list[str], datetime, datetime] | None:
        row = self._call(self.redis.hmget, _hub_key(url), "links", "last_polled", "last_changed")
        if row[0] is None:
            return None
        return json.loads(row[0]), datetime.fromisoformat(row[1]), datetime.fromisoformat(row[2])

    def hub_polled(self, url: str, site: str, links: list[str], digest: str) -> None:
        now, key = _now(), _hub_key(url)
        before = self._call(self.redis.hget, key, "digest")
        fields = {"site": site, "links": json.dumps(links, ensure_ascii=False), "digest": digest, "last_polled": now}
        if before != digest:
            fields["last_changed"] = now
        self._call(self.redis.hset, key, mapping=fields)

    # -- runs ---------------------------------------------------------------------

    def run_started(self, site: str) -> int:
        run = int(self._call(self.redis.incr, _STATE + "runs:next"))
        self._call(self.redis.hset, f"{_STATE}run:{run}", mapping={"site": site, "started": _now()})
        return run

    def run_finished(self, run_id: int, outcome: str) -> None:
        key, now = f"{_STATE}run:{run_id}", _now()
        site = self._call(self.redis.hget, key, "site")
        self._call(self.redis.hset, key, mapping={"finished": now, "outcome": outcome})
        if site is not None and outcome == "finished":
            self._call(self.redis.set, site_key(site, "last_success"), now)

    def last_success(self, site: str) -> datetime | None:
        value = self._call(self.redis.get, site_key(site, "last_success"))
        return datetime.fromisoformat(value) if value else None

    def due(self, sites: Sequence[SiteConfig]) -> list[SiteConfig]:
        """Sites whose `every` has passed since their last successful run, and sites
        whose run is under way: a worker started by cron joins it."""
        now = datetime.now(UTC)
        running = self._call(self.redis.smembers, cluster.RUNNING)
        return [site for site in sites if site.every is not None
                and (site.id in running or (last := self.last_success(site.id)) is None or now - last >= site.every)]
