"""The attachments' crawl state in Redis, for a crawl shared by many machines.

The same methods as the SQLite ledger (archive.state.attachments), over the Redis of
the shared crawl state (archive.state.shared): per attachment URL a hash of its
capture, sha1, status and state; per site the set of rows not yet on disk; and per site
and payload digest the address a file was first archived at, so that a worker meeting
the same bytes elsewhere archives a revisit. A worker makes again the pending rows of
earlier processes of its own id and of workers gone, each row by one worker only.
"""

from __future__ import annotations

from collections.abc import Sequence

from archive.records import AttachmentCapture
from archive.state.attachments import Outcome, capture_from_json, capture_json
from archive.state.shared import _STATE, RedisCrawlState, site_key
from archive.state.store import KnownCapture


def _key(url: str) -> str:
    return f"{_STATE}attachment:{url}"


def _pending(site: str) -> str:
    return site_key(site, "attachments_pending")


def _file(site: str, digest: str) -> str:
    return site_key(site, f"file:{digest}")


class RedisAttachmentLedger:
    """AttachmentLedger's methods over the shared crawl state's Redis."""

    def __init__(self, state: RedisCrawlState) -> None:
        self.state = state
        self.redis = state.redis

    def submitted(self, capture: AttachmentCapture) -> None:
        fields = {"site": capture.site, "capture": capture_json(capture), "state": "pending",
                  "owner": self.state.owner}

        def fill(pipe):
            pipe.hset(_key(capture.url), mapping=fields)
            pipe.sadd(_pending(capture.site), capture.url)

        self.state._pipeline(fill)

    def read(self, url: str, sha1: str | None, status: str) -> None:
        self.state._call(self.redis.hset, _key(url), mapping={"sha1": sha1 or "", "status": status})

    def not_a_file(self, url: str) -> None:
        site = self.state._call(self.redis.hget, _key(url), "site")

        def fill(pipe):
            pipe.hset(_key(url), "state", "not_a_file")
            if site:
                pipe.srem(_pending(site), url)

        self.state._pipeline(fill)

    def written(self, urls: Sequence[str]) -> None:
        sites = self.state._pipeline(lambda pipe: [pipe.hget(_key(url), "site") for url in urls])

        def fill(pipe):
            for url, site in zip(urls, sites, strict=True):
                if site:
                    pipe.hset(_key(url), "state", "done")
                    pipe.srem(_pending(site), url)

        self.state._pipeline(fill)

    def pending(self, site: str) -> list[AttachmentCapture]:
        """Rows of this worker's earlier processes, and of workers gone, not on disk:
        claimed one by one, so that of two workers taking them over one gets each."""
        urls = sorted(self.state._call(self.redis.smembers, _pending(site)))
        rows = self.state._pipeline(lambda pipe: [pipe.hmget(_key(url), "state", "owner", "capture") for url in urls])
        left = self.state._left_over([owner or "" for _, owner, _ in rows])
        found = []
        for url, (state, owner, capture), mine in zip(urls, rows, left, strict=True):
            if state == "pending" and mine and self.state._call(self.state._claim, keys=[_key(url)],
                                                                args=[owner or "", self.state.owner]):
                found.append(capture_from_json(url, site, capture))
        return found

    def outcomes(self, urls: Sequence[str]) -> dict[str, Outcome]:
        rows = self.state._pipeline(lambda pipe: [pipe.hmget(_key(url), "state", "sha1", "status") for url in urls])
        return {url: Outcome(sha1 or None, status or None)
                for url, (state, sha1, status) in zip(urls, rows, strict=True) if state is not None}

    def same_file(self, site: str, digest: str) -> KnownCapture | None:
        url = self.state._call(self.redis.get, _file(site, digest))
        known = self.state.known(url) if url else None
        return known if known is not None and known.status == 200 and known.pointer is not None else None

    def file_archived(self, site: str, digest: str, url: str) -> None:
        """`url` holds the bytes of `digest`, unless an earlier address does."""
        self.state._call(self.redis.set, _file(site, digest), url, nx=True)
