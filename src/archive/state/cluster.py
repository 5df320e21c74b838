"""What the workers of one crawl on many machines share in Redis, besides the crawl state
(archive.state.shared): who is alive, each site's run with its queue and leases, and the
per-host gates. Every key name is made here, so `archive status` reads what the crawler
writes.

A worker is alive while its key exists: it sets the key again every third of the lease
time, so a worker that stops (killed, its machine down, cut off from Redis) is gone from
Redis one lease time later, when its leased requests go back to the queue.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from archive.errors import StateError

PREFIX = "archive:"
# Workers ever seen, for `archive status` (a worker's own key says whether it is alive).
WORKERS = PREFIX + "workers"
# Sites with a run under way.
RUNNING = PREFIX + "running"


def worker_key(worker: str) -> str:
    return f"{PREFIX}worker:{worker}"


def run_key(site: str) -> str:
    """The hash of a site's current run: id, started, seeded, drained, ..."""
    return f"{PREFIX}run:{site}"


def participants_key(site: str) -> str:
    return f"{PREFIX}run:{site}:workers"


def run_part(site: str, run: str, part: str) -> str:
    """A key of one run: its queue (`requests`), duplicate filter (`seen`), `leases`
    (lease -> deadline) and `leased` (lease -> the request)."""
    return f"{PREFIX}run:{site}:{run}:{part}"


def host_key(host: str, part: str) -> str:
    """A host's gate: `next` (when its next request may go), `active` (requests on the wire)."""
    return f"{PREFIX}host:{host}:{part}"


def host_sent_key(host: str, minute: int) -> str:
    return f"{PREFIX}host:{host}:sent:{minute}"


HOSTS = PREFIX + "hosts"


def shown_url(url: str) -> str:
    """A Redis URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def redis_error(url: str, exc: Exception) -> StateError:
    """A failed Redis operation as the one-line error of a failed state store."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    return StateError(f"{shown_url(url)}: the shared crawl state is unreachable ({message})")


def connect(url: str, *, text: bool = True):
    """A client of the Redis at `url` (redis://host:port/db); a bad URL is a StateError."""
    import redis

    try:
        return redis.Redis.from_url(url, decode_responses=text, socket_timeout=30, socket_connect_timeout=10,
                                    health_check_interval=30)
    except ValueError as exc:
        raise StateError(f"{shown_url(url)}: not a Redis URL ({exc}); give redis://host:6379/0") from None


def default_worker_id() -> str:
    """This machine's short name and this process's id: unique among the running workers."""
    host = "".join(ch if ch.isalnum() else "_" for ch in socket.gethostname().split(".")[0])[:40] or "host"
    import os

    return f"{host}_{os.getpid()}"


def beat(client, worker: str, ttl: float, info: dict) -> bool:
    """Say `worker` is alive for `ttl` seconds; whether it still was (False: its key had
    expired, so the others may already have taken its leases)."""
    pipe = client.pipeline()
    pipe.exists(worker_key(worker))
    pipe.set(worker_key(worker), json.dumps({**info, "beat": time.time()}), px=int(ttl * 1000))
    pipe.sadd(WORKERS, worker)
    was, *_ = pipe.execute()
    return bool(was)


def alive(client, workers: Iterable[str]) -> set[str]:
    workers = list(workers)
    if not workers:
        return set()
    pipe = client.pipeline()
    for worker in workers:
        pipe.exists(worker_key(worker))
    return {worker for worker, exists in zip(workers, pipe.execute(), strict=True) if exists}


@dataclass(frozen=True)
class RunView:
    site: str
    run: str
    started: float
    seeded: bool
    drained: bool
    queued: int
    leased: int
    overdue: int
    pages: int
    workers: list[str]


@dataclass(frozen=True)
class WorkerView:
    worker: str
    alive: bool
    info: dict


def status(client) -> tuple[list[RunView], list[WorkerView], dict[str, float]]:
    """The runs under way, every worker known (alive or not), and each host's requests a
    minute over the last minute, as `archive status --redis` shows them."""
    now_ms = int(time.time() * 1000)
    runs = []
    for site in sorted(client.smembers(RUNNING)):
        run = client.hgetall(run_key(site))
        if not run:
            continue
        run_id = run.get("id", "")
        pipe = client.pipeline()
        pipe.zcard(run_part(site, run_id, "requests"))
        pipe.zcard(run_part(site, run_id, "leases"))
        pipe.zcount(run_part(site, run_id, "leases"), "-inf", now_ms)
        pipe.smembers(participants_key(site))
        queued, leased, overdue, members = pipe.execute()
        runs.append(RunView(site, run_id, float(run.get("started", 0)), run.get("seeded") == "1",
                            run.get("drained") == "1", queued, leased, overdue, int(run.get("pages", 0)),
                            sorted(members)))
    workers = []
    for worker in sorted(client.smembers(WORKERS)):
        raw = client.get(worker_key(worker))
        workers.append(WorkerView(worker, raw is not None, json.loads(raw) if raw else {}))
    minute = int(time.time() // 60)
    rates = {}
    for host in sorted(client.smembers(HOSTS)):
        sent = client.mget([host_sent_key(host, minute), host_sent_key(host, minute - 1)])
        # the last minute: all of the current one so far and the share of the previous one still in it
        share = 1 - (time.time() % 60) / 60
        rates[host] = int(sent[0] or 0) + int(sent[1] or 0) * share
    return runs, workers, rates
