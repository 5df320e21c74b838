"""`archive status`: a crawl shared by many machines, as its Redis shows it."""

from __future__ import annotations

import json
import time
from dataclasses import asdict

import click

from archive.cli import main


@main.command()
@click.option("--redis", "redis_url", envvar="ARCHIVE_REDIS_URL", metavar="URL", required=True,
              help="The Redis the workers share (redis://host:6379/0).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of tables.")
def status(redis_url, as_json) -> None:
    """Show a crawl shared by many machines: each site's run with its queue and leases,
    the workers alive, and the requests a minute each host gets from all of them.

    \b
    Examples:
      archive status --redis redis://redis-host:6379/0
      archive status --redis redis://redis-host:6379/0 --json | jq .workers
    """
    import redis

    from archive.state import cluster

    client = cluster.connect(redis_url)
    try:
        runs, workers, rates = cluster.status(client)
    except redis.RedisError as exc:
        raise cluster.redis_error(redis_url, exc) from None
    if as_json:
        click.echo(json.dumps({"runs": [asdict(run) for run in runs], "workers": [asdict(w) for w in workers],
                               "hosts": {host: round(rate, 1) for host, rate in rates.items()}}, ensure_ascii=False))
        return
    now = time.time()
    click.echo(f"{'site':<20}{'run':<24}{'queued':>8}{'leased':>8}{'overdue':>9}{'pages':>8}  workers")
    for run in runs:
        state = "drained" if run.drained else "seeding" if not run.seeded else f"{now - run.started:.0f}s"
        click.echo(f"{run.site:<20}{run.run:<24}{run.queued:>8}{run.leased:>8}{run.overdue:>9}{run.pages:>8}  "
                   f"{', '.join(run.workers)} ({state})")
    if not runs:
        click.echo("(no run under way)")
    click.echo(f"\n{'worker':<32}{'state':<8}  last beat")
    for worker in workers:
        beat = worker.info.get("beat")
        since = f"{now - beat:.0f}s ago" if beat else "-"
        click.echo(f"{worker.worker:<32}{'alive' if worker.alive else 'gone':<8}  {since}")
    click.echo(f"\n{'host':<40}{'requests/min':>14}")
    for host, rate in rates.items():
        click.echo(f"{host:<40}{rate:>14.1f}")
