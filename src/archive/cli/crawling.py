"""`archive crawl` and `archive demo`."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archive.cli import main, out_option, sites_option
from archive.datadir import DataDir
from archive.errors import ConfigError

if TYPE_CHECKING:
    from archive.sites import SiteConfig


# What each column of the summary counts, printed under it.
SUMMARY_LEGEND = """\
fetched     responses received (robots.txt, lists, articles, feeds, counters)
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
    total = sum(o.articles for o in outcomes)
    click.echo(f"\n{total} articles from {sum(o.pages_fetched for o in outcomes)} pages in {seconds:.1f}s")
    data = DataDir(out)
    click.echo(f"WARC files: {data.warc}")
    for path in sorted(data.warc.glob("*.warc.gz")):
        click.echo(f"  {path}")
    click.echo(f"dataset:    {data.articles}")


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


def run_crawl(sites: list[SiteConfig], out: Path, overrides: dict | None = None) -> None:
    """Crawl and print the summary; a site locked by another crawl is an error after the rest ran."""
    from crawler.run import crawl_sites  # Scrapy is imported only by the commands that crawl

    started = time.monotonic()
    _warn_of_damaged_warc_files(out, sites)
    outcomes, errors = crawl_sites(sites, out, overrides)
    if outcomes:
        _print_summary(outcomes, out, time.monotonic() - started)
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
    if unreachable or interrupted or faulty:
        sys.exit(1)


@main.command()
@click.argument("site_ids", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Crawl every enabled site.")
@click.option("--due", is_flag=True, help="Crawl the enabled sites whose `every` interval has passed (for cron).")
@click.option("--start-url", "start_urls", multiple=True, metavar="URL",
              help="Crawl this host without a config file (repeatable).")
@click.option("--max-pages", type=click.IntRange(1), help="Override each site's page budget.")
@sites_option
@out_option
def crawl(site_ids, every, due, start_urls, max_pages, sites_dir, out) -> None:
    """Crawl configured sites (or ad-hoc start URLs) into WARC files and the dataset.

    A site already archived is crawled incrementally: list pages are re-polled with
    conditional requests, known articles are not fetched again, unchanged pages are
    stored as WARC revisit records.

    \b
    Examples:
      archive crawl campus gov
      archive crawl --all --out /srv/archive
      archive crawl --due --out /srv/archive        # from cron, every few minutes
      archive crawl --start-url https://news.example.edu.cn/
    """
    if sum(map(bool, (site_ids, every, due, start_urls))) != 1:
        raise click.UsageError("give site ids, --all, --due or --start-url (one of them)")
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
    if due:
        from archive.state.store import shared_state

        sites = shared_state(out).due(sites)
        if not sites:
            click.echo("no site is due")
            return
    if max_pages:
        from dataclasses import replace

        sites = [replace(s, max_pages=max_pages) for s in sites]
    run_crawl(sites, out)


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
