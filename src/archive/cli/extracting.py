"""`archive extract` and `archive reextract`: records made from WARC files."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from archive.cli import data_option, main, sites_option
from archive.jobs.time_bound import DEFAULT_PAGE_SECONDS

timeout_option = click.option(
    "--timeout", "page_seconds", type=click.FloatRange(min=0), default=DEFAULT_PAGE_SECONDS, show_default=True,
    metavar="SECONDS", help="Give up a page whose extraction takes longer, as an error naming it (0: no bound).",
)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", help="Address of a saved HTML file (default: its file:// URL).")
@click.option("--site", "site_id", help="Site id for the records (default: the host of each URL).")
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False),
              help="Write a Parquet dataset into OUT/articles instead of JSON Lines on stdout.")
@click.option("--workers", type=click.IntRange(1), help="Extraction processes (default: one per core).")
@timeout_option
@sites_option
def extract(inputs, url, site_id, out, workers, page_seconds, sites_dir) -> None:
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
    from archive.jobs.inputs import extract_inputs, iter_inputs, looks_like_warc
    from archive.sites import http_url, site_config_if_any

    if url is not None:
        if sum(not looks_like_warc(path) for path in iter_inputs(inputs)) != 1:
            raise click.UsageError("--url names the address of one saved HTML file: give exactly one")
        try:
            http_url(url, "--url")
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    config = site_config_if_any(sites_dir, site_id) if site_id else None
    found = extract_inputs(inputs, url=url, site=site_id, config=config, workers=workers, page_seconds=page_seconds)
    for error in found.errors:
        click.echo(f"error: {error}", err=True)
    if out:
        from archive.datadir import DataDir
        from archive.dataset.writer import append_new

        data = DataDir(out)
        written, skipped = append_new(data, found.records, found.views, found.attachments)
        click.echo(f"{written} records written to {data.articles}" + (f" ({skipped} already there)" if skipped else ""),
                   err=True)
    else:
        from archive.records import record_json
        from archive.zones import SiteZones

        # in each site's zone, as `archive export` writes the same rows
        zones = SiteZones(sites_dir)
        for record in found.records:
            sys.stdout.write(json.dumps(record_json(record, zones(record.site)), ensure_ascii=False) + "\n")
    if found.errors:
        raise click.ClickException(f"{len(found.errors)} input(s) could not be read completely")


@main.command()
@data_option
@click.option("--site", "site_ids", multiple=True, help="Only these sites (repeatable; default: every site "
                                                         "with WARC files).")
@click.option("--workers", type=click.IntRange(1), help="Extraction processes (default: one per core).")
@timeout_option
@sites_option
def reextract(data_dir, site_ids, workers, page_seconds, sites_dir) -> None:
    """Rebuild the article dataset (and views history, changes and attachments) from the WARC files.

    Every capture is extracted again with the current extractor; the new files replace
    the site's old ones in one swap, so each capture keeps exactly one row. A site's
    config (under --sites) applies when one exists. A site whose WARC files are damaged
    keeps its old rows.

    \b
    Examples:
      archive reextract --data /srv/archive
      archive reextract --data /srv/archive --site campus --site gov --workers 4
    """
    from archive.jobs.rebuild import reextract as rebuild
    from archive.jobs.rebuild import warc_files_by_site

    chosen = site_ids or tuple(sorted(warc_files_by_site(data_dir)))
    from archive.sites import site_config_if_any

    configs = {site: config for site in chosen if (config := site_config_if_any(sites_dir, site)) is not None}
    started = time.monotonic()
    outcomes = rebuild(data_dir, site_ids, workers=workers, configs=configs, page_seconds=page_seconds)
    click.echo(f"{'site':<20}{'WARC files':>11}{'records':>9}{'views':>7}{'changes':>9}{'attachments':>13}"
               f"{'old files':>11}  result")
    for o in outcomes:
        result = "replaced" if o.replaced else "kept old rows: " + "; ".join(o.errors)
        if o.replaced and o.kept_rows:
            result += f" ({o.kept_rows} rows not from these WARC files kept)"
        click.echo(f"{o.site:<20}{o.warc_files:>11}{o.rows:>9}{o.views:>7}{o.changes:>9}{o.attachments:>13}"
                   f"{o.old_files:>11}  {result}")
    click.echo(f"\n{sum(o.rows for o in outcomes)} records in {time.monotonic() - started:.1f}s", err=True)
    failed = [o.site for o in outcomes if not o.replaced]
    if failed:
        raise click.ClickException(f"site {', '.join(failed)}: not every capture could be extracted "
                                   "(why is said above); its old rows are kept")
