"""The re-check bookkeeping in Redis, for a crawl shared by many machines.

The same methods as the SQLite store (archive.state.rechecks.RecheckStore), over the
Redis of the shared crawl state (archive.state.shared): per article a hash of its page
status (archive.changes.status.Watch); per site three sorted sets of its watched
articles, by publication (anchor), by next check and by first sighting, so that the due
ones are found without reading every watch; and per site the events declared and not yet
on disk, each with the process that declared it. A worker writes the pending events of
earlier processes of its own id and of workers gone, each event by one worker only.

Times are kept as scores in whole microseconds since 1970: exact in a double, and the
same order as the times.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from archive.changes.events import ChangeEvent
from archive.changes.schedule import next_check
from archive.changes.status import Watch
from archive.state.shared import _STATE, RedisCrawlState, site_key

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# URLs per round trip when many are looked up at once.
_CHUNK = 1000

# Adopts a watch unless the article has one (KEYS: watch, anchors, due, seen;
# ARGV: url, site, watch, anchor, next check or '', first seen).
_ADOPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'site', ARGV[2], 'watch', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1]) end
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[1])
return 1
"""

# Checks a watched article at ARGV[2] at the latest (KEYS: watch, due; ARGV: url, when).
_BRING_FORWARD = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local due = redis.call('ZSCORE', KEYS[2], ARGV[1])
if due and tonumber(due) <= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
"""

# Takes over a pending event whose owner is gone, only if it is still that owner's
# (KEYS: owners; ARGV: event, gone owner, new owner).
_CLAIM_EVENT = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
    return 1
end
return 0
"""


def score(moment: datetime) -> int:
    """A time as a sorted set's score: microseconds since 1970."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _watch_key(url: str) -> str:
    return f"{_STATE}recheck:{url}"


# A site's keys here (archive.state.shared.site_key): `rechecks` (url by anchor),
# `rechecks_due` (by next check), `rechecks_seen` (by first sighting), `pending_events`
# and `pending_event_owners` (event -> process).


def _event_field(event: ChangeEvent) -> str:
    return json.dumps(event.key, ensure_ascii=False)


class RedisRecheckStore:
    """RecheckStore's methods over the shared crawl state's Redis."""

    def __init__(self, state: RedisCrawlState) -> None:
        self.state = state
        self.redis = state.redis
        self._adopt = self.redis.register_script(_ADOPT)
        self._bring_forward = self.redis.register_script(_BRING_FORWARD)
        self._claim_event = self.redis.register_script(_CLAIM_EVENT)

    def _watches(self, urls: Sequence[str]) -> list[Watch]:
        found = self.state._pipeline(lambda pipe: [pipe.hget(_watch_key(url), "watch") for url in urls])
        return [Watch.from_json(raw) for raw in found if raw is not None]

    def watch(self, url: str) -> Watch | None:
        raw = self.state._call(self.redis.hget, _watch_key(url), "watch")
        return Watch.from_json(raw) if raw is not None else None

    def save(self, watches: Sequence[tuple[Watch, datetime | None, datetime]]) -> None:
        """Adopt each watch with its next check (None: sweeps only) and when its article
        was first seen, unless its article has one: a check by another worker may have
        moved it since the adopter looked."""
        def fill(pipe):
            for watch, due, first_seen in watches:
                site = watch.site
                self._adopt(keys=[_watch_key(watch.url), site_key(site, "rechecks"),
                                  site_key(site, "rechecks_due"), site_key(site, "rechecks_seen")],
                            args=[watch.url, site, watch.to_json(), score(watch.anchor),
                                  score(due) if due else "", score(first_seen)], client=pipe)

        self.state._pipeline(fill)

    def scheduled(self, watch: Watch, recheck: Sequence[timedelta], removal_after: timedelta,
                  events: Sequence[ChangeEvent] = ()) -> None:
        """Keep `watch`, due again when the site's schedule says, and the events its last
        check declared, pending until `events_written`: both or neither (one MULTI/EXEC)."""
        due, site, url = next_check(watch, recheck, removal_after), watch.site, watch.url

        def run():
            pipe = self.redis.pipeline(transaction=True)
            pipe.hset(_watch_key(url), mapping={"site": site, "watch": watch.to_json()})
            pipe.zadd(site_key(site, "rechecks"), {url: score(watch.anchor)})
            if due is None:
                pipe.zrem(site_key(site, "rechecks_due"), url)
            else:
                pipe.zadd(site_key(site, "rechecks_due"), {url: score(due)})
            pipe.zadd(site_key(site, "rechecks_seen"), {url: score(watch.changed_at)}, nx=True)
            for event in events:
                field = _event_field(event)
                pipe.hset(site_key(event.site, "pending_events"), field, event.to_json())
                pipe.hset(site_key(event.site, "pending_event_owners"), field, self.state.owner)
            pipe.execute()

        self.state._call(run)

    def pending_events(self, site: str) -> list[ChangeEvent]:
        """Events of `site` declared by processes that ended before writing them (earlier
        ones of this worker's id, and workers gone): claimed one by one, so that of two
        workers taking them over one gets each."""
        owners = self.state._call(self.redis.hgetall, site_key(site, "pending_event_owners"))
        fields = sorted(owners)
        left = self.state._left_over([owners[field] for field in fields])
        claimed = [field for field, mine in zip(fields, left, strict=True) if mine and self.state._call(
            self._claim_event, keys=[site_key(site, "pending_event_owners")],
            args=[field, owners[field], self.state.owner])]
        if not claimed:
            return []
        found = self.state._call(self.redis.hmget, site_key(site, "pending_events"), claimed)
        events = [ChangeEvent.from_json(raw) for raw in found if raw is not None]
        return sorted(events, key=lambda event: event.detected_at)

    def events_written(self, events: Sequence[ChangeEvent]) -> None:
        def fill(pipe):
            for event in events:
                field = _event_field(event)
                pipe.hdel(site_key(event.site, "pending_events"), field)
                pipe.hdel(site_key(event.site, "pending_event_owners"), field)

        self.state._pipeline(fill)

    def due(self, site: str, now: datetime, limit: int, seen_since: datetime | None = None) -> list[Watch]:
        """Up to `limit` articles of `site` due for a check (or first seen since
        `seen_since`), the youngest first: early checks find the most."""
        urls = set(self.state._call(self.redis.zrangebyscore, site_key(site, "rechecks_due"), "-inf", score(now)))
        if seen_since is not None:
            urls.update(self.state._call(self.redis.zrangebyscore, site_key(site, "rechecks_seen"),
                                         score(seen_since), "+inf"))
        anchors = self._anchors(site, sorted(urls))
        youngest = sorted((url for url in anchors if anchors[url] is not None), key=lambda url: -anchors[url])
        return self._watches(youngest[:limit])

    def _anchors(self, site: str, urls: list[str]) -> dict[str, float | None]:
        """Each URL's anchor score; None for one without a watch."""
        chunks = [urls[start:start + _CHUNK] for start in range(0, len(urls), _CHUNK)]
        found = self.state._pipeline(lambda pipe: [pipe.zmscore(site_key(site, "rechecks"), chunk)
                                                   for chunk in chunks])
        return {url: anchor for chunk, anchors in zip(chunks, found, strict=True)
                for url, anchor in zip(chunk, anchors, strict=True)}

    def every(self, site: str, limit: int) -> list[Watch]:
        """Up to `limit` of the site's articles, the youngest first (a sweep)."""
        return self._watches(self.state._call(self.redis.zrevrange, site_key(site, "rechecks"), 0, limit - 1))

    def due_count(self, site: str, now: datetime) -> int:
        return int(self.state._call(self.redis.zcount, site_key(site, "rechecks_due"), "-inf", score(now)))

    def bring_forward(self, urls: Sequence[str], when: datetime) -> None:
        """Check these articles (those archived) at `when` at the latest."""
        sites = self.state._pipeline(lambda pipe: [pipe.hget(_watch_key(url), "site") for url in urls])

        def fill(pipe):
            for url, site in zip(urls, sites, strict=True):
                if site is not None:
                    self._bring_forward(keys=[_watch_key(url), site_key(site, "rechecks_due")],
                                        args=[url, score(when)], client=pipe)

        self.state._pipeline(fill)

    def unwatched(self, site: str) -> list[tuple[str, str, str]]:
        """(url, job, first seen) of the site's archived articles without a watch (told
        apart by Redis: a run's start reads only the new ones)."""
        archived = self.state.archived_set(site)
        urls = self.state._call(self.redis.zdiff, [archived, site_key(site, "rechecks")])
        return self.state.archived_jobs(sorted(urls))
