"""The `archive` command: a thin shell over the library, one library call per command."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from archive import __version__
from archive.errors import DAMAGED_DATASET, ArchiveError, ConfigError, one_line

# Every command runs in a fresh process and most need few of the library's modules: each
# command imports what it uses, so `archive export` does not load the site configuration
# code and `archive crawl` does not load pyarrow's CSV writer.
if TYPE_CHECKING:
    from archive.sites import SiteConfig


def _default_sites_dir() -> Path:
    from archive.sites import DEFAULT_SITES_DIR

    return DEFAULT_SITES_DIR


sites_option = click.option(
    "--sites", "sites_dir", type=click.Path(path_type=Path, file_okay=False), default=_default_sites_dir,
    show_default="crawler/sites", envvar="ARCHIVE_SITES", help="Directory of site config files (<id>.toml).",
)
out_option = click.option(
    "--out", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("data"), show_default=True,
    help="Output directory: WARC files go to OUT/warc, the dataset to OUT/articles.",
)


class ArchiveGroup(click.Group):
    """Turns library errors, and the machine's (a file that cannot be written, a damaged
    dataset file), into one line on stderr and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            exc.ctx = None  # without it click prints the message alone, not the usage lines before it
            raise
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror
                                       else str(exc)) from None
        except Exception as exc:
            pyarrow = sys.modules.get("pyarrow")  # not imported: then not its error
            if pyarrow is None or not isinstance(exc, pyarrow.ArrowException):
                raise
            raise click.ClickException(f"{DAMAGED_DATASET}: {one_line(exc)}") from None


@click.group(cls=ArchiveGroup)
@click.version_option(__version__, prog_name="archive")
def main() -> None:
    """Archive Chinese official news sites: WARC captures and a Parquet article dataset."""


# -- crawl ----------------------------------------------------------------------------

def _chosen_sites(sites_dir: Path, ids: tuple[str, ...], every: bool) -> list[SiteConfig]:
    from archive.sites import load_sites

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
    # A site down or unreachable is worth a failing exit (cron mails it); a few failures are not.
    unreachable = [o for o in outcomes if o.pages_fetched == 0 and o.failures]
    for o in unreachable:
        click.echo(f"Error: site {o.site}: no page could be fetched ({o.failures} failures; the log says why)",
                   err=True)
    # Scrapy's finish reason after Ctrl-C or SIGTERM: what was fetched is kept, the rest is not done.
    interrupted = [o.site for o in outcomes if o.finish_reason == "shutdown"]
    if interrupted:
        click.echo(f"Error: crawl of {', '.join(interrupted)} interrupted; the next run goes on from there",
                   err=True)
    if busy:
        for exc in busy[1:]:
            click.echo(f"Error: {exc}", err=True)
        raise busy[0]
    if unreachable or interrupted:
        sys.exit(1)


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
    from archive.sites import adhoc_site

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

    A WARC (or ARC) input gives a record for every article page among its HTML responses;
    an HTML input is taken as one article. Damaged WARC files are reported and skipped.
    With --site naming a configured site, its article patterns and selectors apply,
    so the records are those the crawl made.

    \b
    Examples:
      archive extract data/warc/*.warc.gz > articles.jsonl
      archive extract page.html --url https://www.example.gov.cn/a/1.html
      archive extract data/warc --out rebuilt
    """
    # Only the light part of extraction here, pyarrow later: the pool starts before the
    # heavy imports (the extractor's are the fork server's, made for every worker at once).
    from archive.extraction import extract_html_file, extract_warcs, iter_inputs, looks_like_warc, worker_pool
    from archive.records import record_json

    config = _site_config(sites_dir, site_id) if site_id else None
    paths = list(iter_inputs(inputs))
    warcs = [p for p in paths if looks_like_warc(p)]
    pages = [p for p in paths if not looks_like_warc(p)]
    if url is not None:
        from archive.sites import http_url

        if len(pages) != 1:
            raise click.UsageError("--url names the address of one saved HTML file: give exactly one")
        try:
            http_url(url, "--url")
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    records, errors = [], []
    errors += [f"{d}: no WARC files in this directory" for d in inputs
               if d.is_dir() and not any(w.is_relative_to(d) for w in warcs)]
    with worker_pool(workers) as pool:
        if warcs:
            result = extract_warcs(warcs, pool, site=site_id, config=config)
            records += result.records
            errors += result.errors
        for path in pages:
            try:
                record = extract_html_file(path, url or path.resolve().as_uri(), site_id)
            except ArchiveError as exc:
                errors.append(str(exc))
                continue
            if record is None or not (record.title or record.text):
                errors.append(f"{path}: no article in it (no title, no text): is it an HTML page?")
            else:
                records.append(record)
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if out:
        from archive.parquet import DatasetWriter, written_keys

        # Adding to a dataset never repeats a row: a second run over the same files (or
        # one finishing what a killed run began) writes only what is not there yet. A
        # capture is its WARC record; a saved page, which has none, its URL and text.
        def capture(record_id, url, text_sha1):
            return (record_id,) if record_id is not None else (None, url, text_sha1)

        stored_records = {capture(*key) for key in
                          written_keys(out / "articles", ["warc_record_id", "url", "content_sha1"])}
        articles = DatasetWriter(out / "articles")
        for record in records:
            key = capture(record.warc_record_id, record.url, record.content_sha1)
            if key not in stored_records:
                articles.add(record)
                stored_records.add(key)
        articles.close()
        stored_views = written_keys(out / "views", ["url", "observed_at"])
        views = DatasetWriter(out / "views", views=True)
        for row in result.views if warcs else []:
            if (row.url, row.observed_at) not in stored_views:
                views.add(row)
                stored_views.add((row.url, row.observed_at))
        views.close()
        skipped = len(records) - articles.rows_written
        click.echo(f"{articles.rows_written} records written to {out / 'articles'}"
                   + (f" ({skipped} already there)" if skipped else ""), err=True)
    else:
        for record in records:
            sys.stdout.write(json.dumps(record_json(record), ensure_ascii=False) + "\n")
    if errors:
        raise click.ClickException(f"{len(errors)} input(s) could not be read completely")


# -- export ---------------------------------------------------------------------------

@main.command()
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "jsonl", "bulk"]), default="jsonl",
              show_default=True, help="bulk: action and document lines for the Elasticsearch/OpenSearch _bulk API.")
@click.option("--site", "sites", multiple=True, help="Only these site ids (repeatable).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Published on or after this day (China time).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Published on or before this day (China time).")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("data"),
              show_default=True, help="Directory holding articles/.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write here instead of stdout.")
@click.option("--views", is_flag=True, help="Export the view-count history instead (dates filter observed_at).")
@click.option("--all-versions", is_flag=True, help="Every captured version of an article, not only the latest.")
@click.option("--dedup", is_flag=True,
              help="One record per cluster of near-duplicates (earliest published), with copies, copy_urls, "
                   "copy_sites.")
@click.option("--distance", type=click.IntRange(0, 8), default=6, show_default=True,
              help="With --dedup: largest SimHash distance (bits of 64) between near-duplicates.")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte order mark (for Excel).")
@click.option("--index", "index_name", help="bulk: index name put in each action (default: the one in the URL).")
def export(fmt, sites, since, until, data_dir, output, views, all_versions, dedup, distance, bom, index_name) -> None:
    """Export articles, filtered by site and publication date.

    CSV cells that a spreadsheet would run as a formula (starting with = + - @, a tab or
    a carriage return) are prefixed with a quote. JSON Lines documents carry a stable
    `_id`. A progress bar shows on stderr when it is a terminal.

    \b
    Examples:
      archive export --format csv --bom --site campus -o campus.csv
      archive export --since 2026-10-01 --until 2026-10-31 > october.jsonl
      archive export --dedup --format parquet -o unique.parquet
      archive export --format bulk --index news -o news.ndjson
      archive export --views --site campus --format csv -o campus-views.csv
    """
    from archive.export import write_export
    from archive.progress import Progress
    from archive.selection import select_rows

    # An option that does not apply would be dropped without a word: the user meant something else.
    if bom and fmt != "csv":
        raise click.UsageError("--bom applies to --format csv")
    if index_name is not None and fmt != "bulk":
        raise click.UsageError("--index applies to --format bulk")
    if not dedup and click.get_current_context().get_parameter_source("distance") is ParameterSource.COMMANDLINE:
        raise click.UsageError("--distance applies to --dedup")
    if views and all_versions:
        raise click.UsageError("--all-versions applies to articles; the views history holds every reading")
    if since and until and since > until:
        raise click.UsageError(f"--since {since:%Y-%m-%d} is after --until {until:%Y-%m-%d}")
    _outside_archive(output, data_dir)
    rows = select_rows(data_dir, sites, _day(since), _day(until), views=views, all_versions=all_versions,
                       dedup=dedup, max_distance=distance)
    progress = Progress("exporting", eta=True)  # the row count is known before the first row
    if progress.enabled:
        progress.add_total(rows.count())
    with progress:
        options = {"bom": bom, "index": index_name, "progress": progress.advance}
        if output:
            partial = output.with_name(output.name + ".partial")
            with open(partial, "wb") as fh:
                written = write_export(rows, fmt, fh, **options)
            partial.replace(output)
        else:
            written = write_export(rows, fmt, sys.stdout.buffer, **options)
    if output:
        what = "view readings" if views else "articles"
        click.echo(f"{written} {what} written to {output}", err=True)


# -- reextract ------------------------------------------------------------------------

@main.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("data"),
              show_default=True, help="Directory holding warc/, articles/ and views/.")
@click.option("--site", "site_ids", multiple=True, help="Only these sites (repeatable; default: every site "
                                                         "with WARC files).")
@click.option("--workers", type=click.IntRange(1), help="Extraction processes (default: one per core).")
@sites_option
def reextract(data_dir, site_ids, workers, sites_dir) -> None:
    """Rebuild the article dataset (and views history) from the WARC files.

    Every capture is extracted again with the current extractor; the new files replace
    the site's old ones in one swap, so each capture keeps exactly one row. A site's
    config (under --sites) applies when one exists. A site whose WARC files are damaged
    keeps its old rows.

    \b
    Examples:
      archive reextract --data /srv/archive
      archive reextract --data /srv/archive --site campus --site gov --workers 4
    """
    from archive.reextract import reextract as rebuild
    from archive.reextract import warc_files_by_site

    chosen = site_ids or tuple(sorted(warc_files_by_site(data_dir)))
    configs = {site: config for site in chosen if (config := _site_config(sites_dir, site)) is not None}
    started = time.monotonic()
    outcomes = rebuild(data_dir, site_ids, workers=workers, configs=configs)
    click.echo(f"{'site':<20}{'WARC files':>11}{'records':>9}{'views':>7}{'old files':>11}  result")
    for o in outcomes:
        result = "replaced" if o.replaced else "kept old rows: " + "; ".join(o.errors)
        if o.replaced and o.kept_rows:
            result += f" ({o.kept_rows} rows not from these WARC files kept)"
        click.echo(f"{o.site:<20}{o.warc_files:>11}{o.rows:>9}{o.views:>7}{o.old_files:>11}  {result}")
    click.echo(f"\n{sum(o.rows for o in outcomes)} records in {time.monotonic() - started:.1f}s", err=True)
    failed = [o.site for o in outcomes if not o.replaced]
    if failed:
        raise click.ClickException(f"site {', '.join(failed)}: WARC files could not be read completely")


# -- stats and report -----------------------------------------------------------------

@main.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("data"),
              show_default=True, help="Directory holding articles/ (and views/).")
@click.option("--site", "sites", multiple=True, help="Only these site ids (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Everything as one JSON document.")
def stats(data_dir, sites, as_json) -> None:
    """Counts per site and day, extraction outcomes, field coverage, incomplete records.

    Reads the dataset only.

    \b
    Examples:
      archive stats --data /srv/archive
      archive stats --site campus --json | jq .coverage
    """
    from archive.stats import REQUIRED_FIELDS, dataset_stats

    found = dataset_stats(data_dir, sites)
    if as_json:
        click.echo(json.dumps(found.as_json(), ensure_ascii=False, indent=1, default=str))
        return
    click.echo(f"{'site':<20}{'articles':>9}{'captures':>9}{'incomplete':>11}  published")
    for s in found.sites:
        span = f"{(s.first_published or '?')[:10]} .. {(s.last_published or '?')[:10]}"
        click.echo(f"{s.site:<20}{s.articles:>9}{s.captures:>9}{s.incomplete:>11}  {span}")
    click.echo("\ncaptured per day")
    for site, day, rows in found.captured_per_day:
        click.echo(f"  {site:<20}{day:<12}{rows:>7}")
    click.echo("\noutcomes (page kind, extractor version)")
    for site, kind, rows in found.kinds:
        click.echo(f"  {site:<20}{kind:<12}{rows:>7}")
    for site, version, rows in found.extractor_versions:
        click.echo(f"  {site:<20}{version:<12}{rows:>7}")
    click.echo("\nfield coverage (share of records)")
    names = list(next(iter(found.coverage.values()), {}))
    click.echo(f"  {'site':<18}" + "".join(f"{n[:9]:>10}" for n in names))
    for site, shares in found.coverage.items():
        click.echo(f"  {site:<18}" + "".join(f"{shares[n]:>10.0%}" for n in names))
    click.echo(f"\nincomplete records (missing {', '.join(REQUIRED_FIELDS)}): {len(found.incomplete)}")
    for row in found.incomplete[:20]:
        click.echo(f"  {row['site']:<20}{row['url']}  missing {', '.join(row['missing'])}")


@main.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("data"),
              show_default=True, help="Directory holding articles/ (and views/).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=Path("report.html"),
              show_default=True, help="The HTML file to write.")
@click.option("--site", "sites", multiple=True, help="Only these site ids (repeatable).")
@click.option("--title", help="Title of the page.")
def report(data_dir, output, sites, title) -> None:
    """Write a self-contained HTML report with charts (opens offline in any browser).

    Articles per day per site, field coverage, view counts and their history, extraction
    outcomes, incomplete records. Reads the dataset only.

    \b
    Examples:
      archive report --data /srv/archive -o report.html
      archive report --site campus --title "青川大学新闻网" -o campus.html
    """
    from archive.report import write_report

    _outside_archive(output, data_dir)
    found = write_report(data_dir, output, sites, title)
    click.echo(f"{sum(s.articles for s in found.sites)} articles from {len(found.sites)} sites -> {output}",
               err=True)


def _site_config(sites_dir: Path, site_id: str) -> SiteConfig | None:
    """The config of `site_id` when one exists; ad-hoc site ids have none."""
    path = sites_dir / f"{site_id}.toml"
    if not path.is_file():
        return None
    from archive.sites import load_site_file

    return load_site_file(path)


def _day(value) -> date | None:
    return value.date() if value else None


# What a data directory keeps; a file written over or into one of them would damage the
# archive it was made from (a WARC file replaced by an export, a stray file in a dataset).
_ARCHIVE_PARTS = ("warc", "articles", "views", "indexes", "locks", "state.sqlite", "state.sqlite-wal",
                  "state.sqlite-shm")


def _outside_archive(output: Path | None, data_dir: Path) -> None:
    if output is None:
        return
    target = output.resolve()
    for part in _ARCHIVE_PARTS:
        kept = (data_dir / part).resolve()
        if target == kept or kept in target.parents:
            raise click.UsageError(f"-o {output}: would write into the archive ({data_dir / part})")


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

    _outside_archive(output, data_dir)
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
    """List configured sites; exit 1 if a site file is invalid.

    \b
    Example:
      archive sites list --sites crawler/sites
    """
    from archive.sites import load_sites

    found, errors = load_sites(sites_dir)
    for site in found:
        state = "" if site.enabled else "  (disabled)"
        click.echo(f"{site.id:<20}{site.kind:<10}{site.name}  {' '.join(site.start_urls)}{state}")
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if errors:
        sys.exit(1)


@sites.command("check")
@sites_option
def sites_check(sites_dir: Path) -> None:
    """Validate every site file; exit 1 if any is invalid.

    \b
    Example:
      archive sites check --sites my-sites/
    """
    from archive.sites import load_sites

    found, errors = load_sites(sites_dir)
    for error in errors:
        click.echo(str(error), err=True)
    click.echo(f"{len(found)} valid, {len(errors)} invalid site file(s) in {sites_dir}")
    if errors:
        sys.exit(1)
