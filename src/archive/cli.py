"""The `archive` command: a thin shell over the library, one library call per command."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import click

from archive import __version__
from archive.errors import ArchiveError, ConfigError
from archive.records import record_json
from archive.sites import DEFAULT_SITES_DIR, SiteConfig, adhoc_site, load_sites

sites_option = click.option(
    "--sites", "sites_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_SITES_DIR,
    show_default="crawler/sites", envvar="ARCHIVE_SITES", help="Directory of site config files (<id>.toml).",
)
out_option = click.option(
    "--out", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("data"), show_default=True,
    help="Output directory: WARC files go to OUT/warc, the dataset to OUT/articles.",
)


class ArchiveGroup(click.Group):
    """Turns library errors into one line on stderr and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=ArchiveGroup)
@click.version_option(__version__, prog_name="archive")
def main() -> None:
    """Archive Chinese official news sites: WARC captures and a Parquet article dataset."""


# -- crawl ----------------------------------------------------------------------------

def _chosen_sites(sites_dir: Path, ids: tuple[str, ...], every: bool) -> list[SiteConfig]:
    sites, errors = load_sites(sites_dir)
    by_id = {s.id: s for s in sites}
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if every:
        chosen = [s for s in sites if s.enabled]
    else:
        bad_files = {Path(str(e).split(":", 1)[0]).stem for e in errors}
        unknown = [i for i in ids if i not in by_id and i not in bad_files]
        if unknown:
            raise ConfigError(f"{sites_dir}: no site {', '.join(map(repr, unknown))} (see `archive sites list`)")
        chosen = [by_id[i] for i in ids if i in by_id]
    if not chosen:
        raise ConfigError(f"{sites_dir}: no valid site to crawl")
    return chosen


def _print_summary(outcomes, out: Path, seconds: float) -> None:
    header = f"{'site':<20}{'fetched':>9}{'articles':>10}{'revisits':>10}{'failures':>10}  finish"
    click.echo(header)
    click.echo("-" * len(header))
    for o in outcomes:
        click.echo(f"{o.site:<20}{o.pages_fetched:>9}{o.articles:>10}{o.revisits:>10}{o.failures:>10}  "
                   f"{o.finish_reason}")
    total = sum(o.articles for o in outcomes)
    click.echo(f"\n{total} articles from {sum(o.pages_fetched for o in outcomes)} pages in {seconds:.1f}s")
    click.echo(f"WARC files: {out / 'warc'}")
    for path in sorted((out / "warc").glob("*.warc.gz")):
        click.echo(f"  {path}")
    click.echo(f"dataset:    {out / 'articles'}")


def run_crawl(sites: list[SiteConfig], out: Path, overrides: dict | None = None) -> None:
    """Crawl and print the summary; a site locked by another crawl is an error after the rest ran."""
    from crawler.run import crawl_sites  # Scrapy is imported only by the commands that crawl

    started = time.monotonic()
    outcomes, busy = crawl_sites(sites, out, overrides)
    if outcomes:
        _print_summary(outcomes, out, time.monotonic() - started)
    if busy:
        for exc in busy[1:]:
            click.echo(f"Error: {exc}", err=True)
        raise busy[0]


def _due(sites: list[SiteConfig], out: Path) -> list[SiteConfig]:
    from datetime import UTC, datetime

    from archive.state import shared_state

    state = shared_state(out)
    now = datetime.now(UTC)
    due = []
    for site in sites:
        last = state.last_success(site.id)
        if site.every is not None and (last is None or now - last >= site.every):
            due.append(site)
    return due


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
    sites = [adhoc_site(url) for url in start_urls] if start_urls else _chosen_sites(sites_dir, site_ids, every or due)
    if due:
        sites = _due(sites, out)
        if not sites:
            click.echo("no site is due")
            return
    if max_pages:
        from dataclasses import replace

        sites = [replace(s, max_pages=max_pages) for s in sites]
    run_crawl(sites, out)


# -- demo -----------------------------------------------------------------------------

@main.command()
@out_option
def demo(out: Path) -> None:
    """Serve the embedded demo sites on 127.0.0.1, crawl them, and summarise the result.

    \b
    Example:
      archive demo --out /tmp/demo-data
    """
    from archive.demo import DemoServer

    with DemoServer() as server, tempfile.TemporaryDirectory() as config_dir:
        for site_id, base in server.base_urls.items():
            click.echo(f"serving demo site {site_id:<10} at {base}/")
        server.write_site_configs(Path(config_dir))
        sites, errors = load_sites(Path(config_dir))
        if errors:
            raise errors[0]
        run_crawl(sites, out, {"LOG_LEVEL": "WARNING"})


# -- extract --------------------------------------------------------------------------

@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", help="Address of a saved HTML file (default: its file:// URL).")
@click.option("--site", "site_id", help="Site id for the records (default: the host of each URL).")
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False),
              help="Write a Parquet dataset into OUT/articles instead of JSON Lines on stdout.")
@click.option("--workers", type=click.IntRange(1), help="Extraction processes (default: one per core).")
@sites_option
def extract(inputs, url, site_id, out, workers, sites_dir) -> None:
    """Extract article records from WARC files or saved HTML pages, without network.

    A WARC input gives a record for every article page among its HTML responses; an
    HTML input is taken as one article. Damaged WARC files are reported and skipped.
    With --site naming a configured site, its article patterns and selectors apply,
    so the records are those the crawl made.

    \b
    Examples:
      archive extract data/warc/*.warc.gz > articles.jsonl
      archive extract page.html --url https://www.example.gov.cn/a/1.html
      archive extract data/warc --out rebuilt
    """
    from archive.extraction import extract_html_file, extract_warcs, iter_inputs, looks_like_warc, worker_pool
    from archive.parquet import DatasetWriter

    config = _site_config(sites_dir, site_id) if site_id else None
    paths = list(iter_inputs(inputs))
    warcs = [p for p in paths if looks_like_warc(p)]
    records, errors = [], []
    with worker_pool(workers) as pool:
        if warcs:
            result = extract_warcs(warcs, pool, site=site_id, config=config)
            records += result.records
            errors += result.errors
        for path in paths:
            if path in warcs:
                continue
            try:
                record = extract_html_file(path, url or path.resolve().as_uri(), site_id)
            except ArchiveError as exc:
                errors.append(str(exc))
            else:
                records += [record] if record else []
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if out:
        articles = DatasetWriter(out / "articles")
        for record in records:
            articles.add(record)
        articles.close()
        views = DatasetWriter(out / "views", views=True)
        for row in result.views if warcs else []:
            views.add(row)
        views.close()
        click.echo(f"{articles.rows_written} records written to {out / 'articles'}", err=True)
    else:
        for record in records:
            sys.stdout.write(json.dumps(record_json(record), ensure_ascii=False) + "\n")
    if errors:
        raise click.ClickException(f"{len(errors)} input(s) could not be read completely")


# -- export ---------------------------------------------------------------------------

@main.command()
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "jsonl"]), default="jsonl", show_default=True)
@click.option("--site", "sites", multiple=True, help="Only these site ids (repeatable).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Published on or after this day (China time).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Published on or before this day (China time).")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("data"),
              show_default=True, help="Directory holding articles/.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write here instead of stdout.")
@click.option("--views", is_flag=True, help="Export the view-count history instead (dates filter observed_at).")
@click.option("--all-versions", is_flag=True, help="Every captured version of an article, not only the latest.")
def export(fmt, sites, since, until, data_dir, output, views, all_versions) -> None:
    """Export articles, filtered by site and publication date.

    \b
    Examples:
      archive export --format csv --site campus -o campus.csv
      archive export --since 2026-10-01 --until 2026-10-31 > october.jsonl
      archive export --views --site campus --format csv -o campus-views.csv
    """
    from archive.export import select, write_export

    scanner = select(data_dir, sites, _day(since), _day(until), views=views, all_versions=all_versions)
    if output:
        partial = output.with_name(output.name + ".partial")
        with open(partial, "wb") as fh:
            rows = write_export(scanner, fmt, fh)
        partial.replace(output)
        click.echo(f"{rows} articles written to {output}", err=True)
    else:
        write_export(scanner, fmt, sys.stdout.buffer)


def _site_config(sites_dir: Path, site_id: str) -> SiteConfig | None:
    """The config of `site_id` when one exists; ad-hoc site ids have none."""
    path = sites_dir / f"{site_id}.toml"
    if not path.is_file():
        return None
    from archive.sites import load_site_file

    return load_site_file(path)


def _day(value) -> date | None:
    return value.date() if value else None


# -- wacz -----------------------------------------------------------------------------

@main.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("data"),
              show_default=True, help="Directory holding warc/ (and articles/ for the pages list).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="The .wacz file to write (default: DATA/<name of DATA>.wacz).")
@click.option("--site", "sites", multiple=True, help="Only these sites' WARC files (repeatable).")
@click.option("--title", help="Title of the package.")
def wacz(data_dir, output, sites, title) -> None:
    """Package WARC files as a WACZ for ReplayWeb.page and other web-archive tools.

    \b
    Examples:
      archive wacz --data /srv/archive -o archive.wacz
      archive wacz --site campus --title "青川大学新闻网 2026"
    """
    from archive.wacz import build_wacz

    target = output or data_dir / f"{data_dir.resolve().name}.wacz"
    summary = build_wacz(data_dir, target, sites=sites, title=title)
    click.echo(f"{len(summary.warc_files)} WARC files, {summary.captures} captures, {summary.pages} pages "
               f"-> {summary.path} ({summary.size // 1024} KiB)", err=True)


# -- sites ----------------------------------------------------------------------------

@main.group()
def sites() -> None:
    """See and validate site configuration."""


@sites.command("list")
@sites_option
def sites_list(sites_dir: Path) -> None:
    """List configured sites.

    \b
    Example:
      archive sites list --sites crawler/sites
    """
    found, errors = load_sites(sites_dir)
    for site in found:
        state = "" if site.enabled else "  (disabled)"
        click.echo(f"{site.id:<20}{site.kind:<10}{site.name}  {' '.join(site.start_urls)}{state}")
    for error in errors:
        click.echo(f"error: {error}", err=True)


@sites.command("check")
@sites_option
def sites_check(sites_dir: Path) -> None:
    """Validate every site file; exit 1 if any is invalid.

    \b
    Example:
      archive sites check --sites my-sites/
    """
    found, errors = load_sites(sites_dir)
    for error in errors:
        click.echo(str(error), err=True)
    click.echo(f"{len(found)} valid, {len(errors)} invalid site file(s) in {sites_dir}")
    if errors:
        sys.exit(1)
