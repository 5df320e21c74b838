"""`archive crawl` and `archive demo`."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archive.cli import main, out_option, sites_option
from archive.cli.uploading import endpoint_option
from archive.datadir import DataDir
from archive.errors import ArchiveError, ConfigError

if TYPE_CHECKING:
    from archive.cli.uploading import Uploader
    from archive.sites import SiteConfig


# What each column of the summary counts, printed under it.
SUMMARY_LEGEND = """\
fetched     responses received (robots.txt, lists, articles, attachments, feeds, counters)
articles    article records made
revisits    pages unchanged since the last run, kept as WARC revisit records
dead links  links found on the site that answer 404 or 410: its own broken links, not the crawl's fault
refused     links not fetched by rule: robots.txt, crawler traps, the address guard
failures    what went wrong: timeouts, lost connections, 5xx and other 4xx answers (each try), pages
            that could not be extracted; the log says which"""


def _print_summary(outcomes, out: Path, seconds: float) -> None:
    header = (f"{'site':<20}{'fetched':>9}{'articles':>10}{'revisits':>10}{'dead links':>12}{'refused':>9}"
              f"{'failures':>10}  finish")
    click.echo(header)
    click.echo("-" * len(header))
    for o in outcomes:
        click.echo(f"{o.site:<20}{o.pages_fetched:>9}{o.articles:>10}{o.revisits:>10}{o.dead_links:>12}"
                   f"{o.refused:>9}{o.failures:>10}  {o.finish_reason}")
    click.echo("\n" + SUMMARY_LEGEND)
    for o in outcomes:
        if o.rechecked or o.changes:
            found = ", ".join(f"{count} {kind}" for kind, count in sorted(o.changes.items())) or "no change"
            click.echo(f"\n{o.site}: {o.rechecked} archived articles checked again, {found} "
                       f"(archive changes --site {o.site})")
    total = sum(o.articles for o in outcomes)
    click.echo(f"\n{total} articles from {sum(o.pages_fetched for o in outcomes)} pages in {seconds:.1f}s")
    data = DataDir(out)
    click.echo(f"WARC files: {data.warc}")
    for path in sorted(data.warc.glob("*.warc.gz")):
        click.echo(f"  {path}")
    click.echo(f"dataset:    {data.articles}")
    if data.attachments.is_dir():
        click.echo(f"attachments: {data.attachments}")


def _warn_of_damaged_warc_files(out: Path, sites: list[SiteConfig]) -> None:
    """One line per WARC file of these sites that the dataset points into and that is
    missing or damaged: the crawl goes on (it writes new files), the user must know."""
    import pyarrow

    from archive.errors import ArchiveError, one_line
    from archive.warc.integrity import damaged_warc_files

    try:
        damaged = damaged_warc_files(out, [site.id for site in sites])
    except (ArchiveError, OSError, pyarrow.ArrowException) as exc:
        click.echo(f"warning: the WARC files the dataset points into were not checked ({one_line(exc)})", err=True)
        return
    for warc in damaged:
        click.echo(f"warning: {warc}", err=True)


def run_crawl(sites: list[SiteConfig], out: Path, overrides: dict | None = None, *, redis: str | None = None,
              worker: str | None = None, rechecks: dict[str, str] | None = None,
              uploader: Uploader | None = None) -> None:
    """Crawl and print the summary; a site locked by another crawl is an error after the rest ran.
    With `redis`, as one worker (`worker`) of a crawl shared by many machines; `rechecks`
    names the sites whose crawl only checks archived articles (crawler/rechecks.py);
    `uploader` uploads what the crawl finished, whatever its outcome."""
    started = time.monotonic()
    _warn_of_damaged_warc_files(out, sites)
    # Scrapy is imported only by the commands that crawl
    if redis:
        from crawler.distributed.crawl import crawl_sites as crawl_as_worker

        outcomes, errors = crawl_as_worker(sites, out, redis, worker, overrides, rechecks)
    else:
        from crawler.run import crawl_sites

        outcomes, errors = crawl_sites(sites, out, overrides, rechecks)
    if outcomes:
        _print_summary(outcomes, out, time.monotonic() - started)
    upload_failed = False
    if uploader is not None:
        try:
            uploader.upload(out)
        except ArchiveError as exc:
            # said now, the crawl's own errors after it: each is one line
            click.echo(f"Error: {exc}", err=True)
            upload_failed = True
    # A site down or unreachable is worth a failing exit (cron mails it); a few failures are not.
    unreachable = [o for o in outcomes if o.pages_fetched == 0 and (o.failures or o.refused or o.dead_links)]
    for o in unreachable:
        click.echo(f"Error: site {o.site}: no page could be fetched ({o.failures} failures; the log says why)",
                   err=True)
    # A fault (a full disk, a damaged state) or Ctrl-C/SIGTERM: what was fetched is
    # kept, the rest is not done, and the next run goes on from there.
    for o in outcomes:
        if o.fault is not None:
            click.echo(f"Error: site {o.site}: {o.fault}", err=True)
    interrupted = [o.site for o in outcomes if o.interrupted and o.fault is None]
    if interrupted:
        click.echo(f"Error: crawl of {', '.join(interrupted)} interrupted; the next run goes on from there",
                   err=True)
    faulty = [o for o in outcomes if o.fault is not None]
    if errors:
        for exc in errors[:-1]:
            click.echo(f"Error: {exc}", err=True)
        raise errors[-1]
    if unreachable or interrupted or faulty or upload_failed:
        sys.exit(1)


@main.command()
@click.argument("site_ids", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Crawl every enabled site.")
@click.option("--due", is_flag=True,
              help="Crawl the enabled sites whose `every` interval has passed, and check the archived articles "
                   "due a check on the others (for cron).")
@click.option("--recheck", is_flag=True,
              help="Check every archived article of the sites now, for edits and takedowns; walk no list.")
@click.option("--start-url", "start_urls", multiple=True, metavar="URL",
              help="Crawl this host without a config file (repeatable).")
@click.option("--max-pages", type=click.IntRange(1), help="Override each site's page budget.")
@click.option("--redis", "redis_url", envvar="ARCHIVE_REDIS_URL", metavar="URL",
              help="Crawl as one worker of a crawl on many machines sharing this Redis (redis://host:6379/0).")
@click.option("--worker-id", envvar="ARCHIVE_WORKER_ID", metavar="ID",
              help="This worker's id in file names, with --redis (letters, digits, _; default: host_pid).")
@click.option("--lease-seconds", type=click.FloatRange(1, 3600), envvar="ARCHIVE_REDIS_LEASE_SECONDS",
              metavar="SECONDS", help="With --redis: a worker silent this long is gone; its requests go to others.  "
              "[default: 60]")
@click.option("--upload", "upload_url", metavar="s3://BUCKET[/PREFIX]",
              help="Then upload the finished files of --out to this bucket, as `archive upload` does.")
@endpoint_option
@sites_option
@out_option
def crawl(site_ids, every, due, recheck, start_urls, max_pages, redis_url, worker_id, lease_seconds, upload_url,
          endpoint, sites_dir, out) -> None:
    """Crawl configured sites (or ad-hoc start URLs) into WARC files and the dataset.

    A site already archived is crawled incrementally: list pages are re-polled with
    conditional requests, known articles are not fetched again, unchanged pages are
    stored as WARC revisit records. Archived articles due a check by their site's
    `recheck` schedule are fetched again (conditionally) for edits and takedowns,
    which `archive changes` lists.

    \b
    Examples:
      archive crawl campus gov
      archive crawl --all --out /srv/archive
      archive crawl --due --out /srv/archive        # from cron, every few minutes
      archive crawl campus --recheck                # check every archived article now
      archive crawl --start-url https://news.example.edu.cn/
      archive crawl --all --redis redis://redis-host:6379/0 --out /mnt/archive   # on each machine
      archive crawl --all --redis redis://redis-host:6379/0 --out /srv/archive --upload s3://news-archive

    With --redis, every machine that runs the same command shares the crawl: one queue,
    one duplicate filter and one crawl state in Redis, each site's delay and connection
    limit held across all workers, each worker writing its own files into --out (a
    directory every machine mounts, or a directory of its own with --upload to one
    bucket). Each worker exits once the whole crawl is done.

    With --upload, the crawl's finished files are uploaded when it ends (also when it
    ends with an error), as `archive upload` does; the bucket is checked before the
    crawl starts.
    """
    if sum(map(bool, (site_ids, every, due, start_urls))) != 1:
        raise click.UsageError("give site ids, --all, --due or --start-url (one of them)")
    if (worker_id or lease_seconds) and not redis_url:
        raise click.UsageError("--worker-id and --lease-seconds are for a crawl shared through --redis")
    if recheck and (due or start_urls):
        raise click.UsageError("--recheck applies to site ids or --all")
    if endpoint and not upload_url:
        raise click.UsageError("--endpoint is for --upload")
    uploader = None
    if upload_url:
        from archive.cli.uploading import Uploader

        uploader = Uploader(upload_url, endpoint)
    if redis_url:
        worker_id = _worker_id(worker_id)
        _share_state(out, redis_url, worker_id)
    from archive.sites import adhoc_site, choose_sites

    if start_urls:
        sites = [adhoc_site(url) for url in start_urls]
    else:
        sites, errors, unknown = choose_sites(sites_dir, site_ids, enabled=every or due)
        for error in errors:
            click.echo(f"error: {error}", err=True)
        if unknown:
            raise ConfigError(f"{sites_dir}: no site {', '.join(map(repr, unknown))} (see `archive sites list`)")
        if not sites:
            raise ConfigError(f"{sites_dir}: no valid site to crawl")
    rechecks: dict[str, str] = {}
    if due:
        from archive.state.rechecks import checks_due
        from archive.state.store import shared_state

        state = shared_state(out)
        crawled = state.due(sites)
        # the others' articles due a check are checked, and their lists left alone
        checked = checks_due(state, out, [s for s in sites if s.id not in {c.id for c in crawled}])
        rechecks = {site.id: "only" for site in checked}
        sites = crawled + checked
        if not sites:
            click.echo("no site is due")
            if uploader is not None:
                uploader.upload(out)  # what an earlier run left, if it could not upload then
            return
    if recheck:
        rechecks = {site.id: "all" for site in sites}
    if max_pages:
        from dataclasses import replace

        sites = [replace(s, max_pages=max_pages) for s in sites]
    overrides = {"ARCHIVE_REDIS_LEASE_SECONDS": lease_seconds} if lease_seconds else None
    run_crawl(sites, out, overrides, redis=redis_url, worker=worker_id, rechecks=rechecks, uploader=uploader)


def _worker_id(given: str | None) -> str:
    from archive.state.cluster import default_worker_id
    from archive.warc.names import WORKER_ID

    if given is None:
        return default_worker_id()
    if not WORKER_ID.fullmatch(given):
        raise click.BadParameter(f"{given!r}: letters, digits and _ only, at most 64", param_hint="--worker-id")
    return given


def _share_state(out: Path, url: str, worker: str) -> None:
    """The crawl state of `out` is the one in Redis, for --due as for the crawl."""
    from archive.state.shared import RedisCrawlState
    from archive.state.store import use_state

    state = RedisCrawlState(url, worker)
    state.check()
    use_state(out, state)


@main.command()
@out_option
def demo(out: Path) -> None:
    """Serve the embedded demo sites on 127.0.0.1, crawl them, and summarise the result.

    \b
    Example:
      archive demo --out /tmp/demo-data
    """
    import tempfile

    from archive.demo import DemoServer
    from archive.sites import load_sites

    with DemoServer() as server, tempfile.TemporaryDirectory() as config_dir:
        for site_id, base in server.base_urls.items():
            click.echo(f"serving demo site {site_id:<10} at {base}/")
        server.write_site_configs(Path(config_dir))
        sites, errors = load_sites(Path(config_dir))
        if errors:
            raise errors[0]
        run_crawl(sites, out, {"LOG_LEVEL": "WARNING"})
