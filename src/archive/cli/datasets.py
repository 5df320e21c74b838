"""`archive export`, `stats`, `report` and `wacz`: what is made of an archive."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
from click.core import ParameterSource

from archive.cli import data_option, main, refuse_output_in_archive, sites_option


@main.command()
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "jsonl", "bulk"]), default="jsonl",
              show_default=True, help="bulk: action and document lines for the Elasticsearch/OpenSearch _bulk API.")
@click.option("--site", "sites", multiple=True, help="Only these site ids (repeatable).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="Printed on or after this day (published_date; with --views, read on or after it, China time).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]),
              help="Printed on or before this day (published_date; with --views, read on or before it).")
@data_option
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write here instead of stdout.")
@click.option("--views", is_flag=True, help="Export the view-count history instead (dates filter observed_at).")
@click.option("--attachments", is_flag=True,
              help="Export the attachments instead: one row per archived file, with its text (dates filter the "
                   "day its article prints).")
@click.option("--all-versions", is_flag=True, help="Every captured version of an article, not only the latest.")
@click.option("--dedup", is_flag=True,
              help="One record per cluster of near-duplicates (earliest published), with copies, copy_urls, "
                   "copy_sites.")
@click.option("--distance", type=click.IntRange(0, 8), default=6, show_default=True,
              help="With --dedup: largest SimHash distance (bits of 64) between near-duplicates.")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte order mark (for Excel).")
@click.option("--index", "index_name", help="bulk: index name put in each action (default: the one in the URL).")
@sites_option
def export(fmt, sites, since, until, data_dir, output, views, attachments, all_versions, dedup, distance, bom,
           index_name, sites_dir) -> None:
    """Export articles, filtered by site and the day they print.

    CSV and JSON Lines show times in each site's zone (the `timezone` key of its file
    under --sites; Beijing time, +08:00, by default), as `archive extract` prints them;
    Parquet keeps them in UTC. CSV cells that a spreadsheet would run as a formula
    (starting with = + - @, a tab or a carriage return) are prefixed with a quote. JSON
    Lines documents carry a stable `_id`. A progress bar shows on stderr when it is a
    terminal.

    \b
    Examples:
      archive export --format csv --bom --site campus -o campus.csv
      archive export --since 2026-10-01 --until 2026-10-31 > october.jsonl
      archive export --dedup --format parquet -o unique.parquet
      archive export --format bulk --index news -o news.ndjson
      archive export --views --site campus --format csv -o campus-views.csv
      archive export --attachments --site gov --format csv --bom -o gov-attachments.csv
    """
    from archive.datadir import DataDir
    from archive.dataset.export import write_export
    from archive.dataset.files import archived_sites
    from archive.dataset.selection import select_rows
    from archive.progress import Progress
    from archive.zones import SiteZones

    # An option that does not apply would be dropped without a word: the user meant something else.
    if bom and fmt != "csv":
        raise click.UsageError("--bom applies to --format csv")
    if index_name is not None and fmt != "bulk":
        raise click.UsageError("--index applies to --format bulk")
    if not dedup and click.get_current_context().get_parameter_source("distance") is ParameterSource.COMMANDLINE:
        raise click.UsageError("--distance applies to --dedup")
    if views and all_versions:
        raise click.UsageError("--all-versions applies to articles; the views history holds every reading")
    if attachments and (views or dedup):
        other = "--views" if views else "--dedup"
        raise click.UsageError(f"--attachments exports the attachments; it cannot go with {other}")
    if since and until and since > until:
        raise click.UsageError(f"--since {since:%Y-%m-%d} is after --until {until:%Y-%m-%d}")
    refuse_output_in_archive(output, data_dir)
    rows = select_rows(data_dir, sites, _day(since), _day(until), views=views, all_versions=all_versions,
                       dedup=dedup, max_distance=distance, attachments=attachments)
    zones = SiteZones(sites_dir)
    for site in sites or archived_sites(DataDir(data_dir).articles):
        zones(site)  # a site file naming no zone fails here, before a byte is written
    progress = Progress("exporting", eta=True)  # the row count is known before the first row
    if progress.enabled:
        progress.add_total(rows.count())
    with progress:
        options = {"bom": bom, "index": index_name, "progress": progress.advance, "zones": zones}
        if output:
            partial = output.with_name(output.name + ".partial")
            with open(partial, "wb") as fh:
                written = write_export(rows, fmt, fh, **options)
            partial.replace(output)
        else:
            written = write_export(rows, fmt, sys.stdout.buffer, **options)
    if output:
        what = "view readings" if views else "attachments" if attachments else "articles"
        click.echo(f"{written} {what} written to {output}", err=True)


@main.command()
@data_option
@click.option("--site", "sites", multiple=True, help="Only these site ids (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Everything as one JSON document.")
@sites_option
def stats(data_dir, sites, as_json, sites_dir) -> None:
    """Counts per site and day, extraction outcomes, field coverage, incomplete records.

    Reads the dataset, and checks that every WARC file it points into is there and
    whole: a missing or damaged one is an error line naming it (exit status 1, after
    the counts). Articles are counted by the day they print (published_date); times
    show in each site's zone (see `archive export --help`).

    \b
    Examples:
      archive stats --data /srv/archive
      archive stats --site campus --json | jq .coverage
    """
    from archive.dataset.stats import dataset_stats
    from archive.zones import SiteZones

    found = dataset_stats(data_dir, sites, zones=SiteZones(sites_dir))
    if as_json:
        click.echo(json.dumps(found.as_json(), ensure_ascii=False, indent=1, default=str))
    else:
        _print_stats(found)
    from archive.warc.integrity import damaged_warc_files

    damaged = damaged_warc_files(data_dir, sites)
    for warc in damaged:
        click.echo(f"Error: {warc}", err=True)
    if damaged:
        sys.exit(1)


def _print_stats(found) -> None:
    from archive.dataset.stats import REQUIRED_FIELDS

    click.echo(f"{'site':<20}{'articles':>9}{'captures':>9}{'incomplete':>11}{'doubted':>9}  published")
    for s in found.sites:
        span = f"{(s.first_published or '?')[:10]} .. {(s.last_published or '?')[:10]}"
        click.echo(f"{s.site:<20}{s.articles:>9}{s.captures:>9}{s.incomplete:>11}{s.doubted:>9}  {span}")
    click.echo("\ncaptured per day (UTC)")
    for site, day, rows in found.captured_per_day:
        click.echo(f"  {site:<20}{day:<12}{rows:>7}")
    click.echo("\npublished per day (as the pages print it)")
    for site, day, rows in found.published_per_day:
        click.echo(f"  {site:<20}{day:<12}{rows:>7}")
    click.echo("\noutcomes (page kind, extractor version, quality of the body)")
    for site, kind, rows in found.kinds:
        click.echo(f"  {site:<20}{kind:<12}{rows:>7}")
    for site, version, rows in found.extractor_versions:
        click.echo(f"  {site:<20}{version:<12}{rows:>7}")
    for site, quality, rows in found.qualities:
        click.echo(f"  {site:<20}{quality:<12}{rows:>7}")
    click.echo("\nfield coverage (share of records)")
    names = list(next(iter(found.coverage.values()), {}))
    widths = [max(10, len(n) + 2) for n in names]
    click.echo(f"  {'site':<18}" + "".join(f"{n:>{w}}" for n, w in zip(names, widths, strict=True)))
    for site, shares in found.coverage.items():
        click.echo(f"  {site:<18}" + "".join(f"{shares[n]:>{w}.0%}" for n, w in zip(names, widths, strict=True)))
    if found.attachment_types:
        click.echo("\nattachments (files archived, with text read, bytes)")
        click.echo(f"  {'site':<20}{'type':<9}{'files':>7}{'text':>7}{'coverage':>10}{'bytes':>13}")
        for kind in found.attachment_types:
            share = kind["with_text"] / kind["files"] if kind["files"] else 0.0
            click.echo(f"  {kind['site']:<20}{kind['file_type']:<9}{kind['files']:>7}{kind['with_text']:>7}"
                       f"{share:>10.0%}{kind['bytes']:>13,}")
        click.echo("  by status: " + ", ".join(f"{site} {status} {files}"
                                               for site, status, files in found.attachment_statuses))
    click.echo(f"\nincomplete records (missing {', '.join(REQUIRED_FIELDS)}): {len(found.incomplete)}")
    for row in found.incomplete[:20]:
        click.echo(f"  {row['site']:<20}{row['url']}  missing {', '.join(row['missing'])}")


@main.command()
@data_option
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=Path("report.html"),
              show_default=True, help="The HTML file to write.")
@click.option("--site", "sites", multiple=True, help="Only these site ids (repeatable).")
@click.option("--title", help="Title of the page.")
@sites_option
def report(data_dir, output, sites, title, sites_dir) -> None:
    """Write a self-contained HTML report with charts (opens offline in any browser).

    Articles per day per site, field coverage, view counts and their history, extraction
    outcomes, incomplete records. Reads the dataset only.

    \b
    Examples:
      archive report --data /srv/archive -o report.html
      archive report --site campus --title "青川大学新闻网" -o campus.html
    """
    from archive.dataset.report import write_report
    from archive.zones import SiteZones

    refuse_output_in_archive(output, data_dir)
    found = write_report(data_dir, output, sites, title, zones=SiteZones(sites_dir))
    click.echo(f"{sum(s.articles for s in found.sites)} articles from {len(found.sites)} sites -> {output}",
               err=True)


def _day(value) -> date | None:
    return value.date() if value else None


@main.command()
@data_option
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
    from archive.warc.wacz import build_wacz

    refuse_output_in_archive(output, data_dir)
    target = output or data_dir / f"{data_dir.resolve().name}.wacz"
    summary = build_wacz(data_dir, target, sites=sites, title=title)
    click.echo(f"{len(summary.warc_files)} WARC files, {summary.captures} captures, {summary.pages} pages "
               f"-> {summary.path} ({summary.size // 1024} KiB)", err=True)
