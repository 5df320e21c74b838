"""`archive changes`: the edits and takedowns re-checks found."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archive.cli import data_option, main, refuse_output_in_archive, sites_option

FORMATS = ("table", "jsonl", "csv", "parquet", "atom")
KINDS = ("edited", "removed", "restored", "unreachable")


def _removed(text: str) -> str:
    return click.style(text, fg="red", strikethrough=True)


def _added(text: str) -> str:
    return click.style(text, fg="green", underline=True)


def _coloured(op: str, text: str) -> str:
    return _removed(text) if op == "-" else _added(text) if op == "+" else text


@main.command()
@click.argument("url", required=False)
@click.option("--site", "sites", multiple=True, help="Only these site ids (repeatable).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only these kinds (repeatable).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Found on or after this day (in the site's zone).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Found on or before this day (in the site's zone).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="atom: a feed to subscribe to.")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte order mark (for Excel).")
@data_option
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
@sites_option
def changes(url, sites, kinds, since, until, fmt, bom, data_dir, output, sites_dir) -> None:
    """Edits and takedowns of archived articles, as re-checks found them.

    Each event is one of: edited (a new version whose title, text, date, source,
    author, editor or attachments differ; classed metadata, minor, substantive or
    replaced), removed (gone on two checks at least the site's `removal_after` apart:
    404, 410, a redirect to the home or a list page, a "page not found" template),
    restored (live again after that), unreachable (a challenge page, 5xx or timeout
    on two checks that far apart; never a removal). With a URL: that article's history
    with its differences, coloured in a terminal.

    \b
    Examples:
      archive changes
      archive changes --site county --kind removed --since 2026-11-01
      archive changes https://www.example.gov.cn/art/2026/11/20/art_1_2.html
      archive changes --format csv --bom -o changes.csv
      archive changes --format atom -o changes.xml
    """
    from archive.changes.dataset import EventFilter, read_events
    from archive.changes.export import event_lines, history_lines, write_events
    from archive.datadir import DataDir
    from archive.dataset.files import check_sites
    from archive.zones import SiteZones

    if bom and fmt != "csv":
        raise click.UsageError("--bom applies to --format csv")
    if since and until and since > until:
        raise click.UsageError(f"--since {since:%Y-%m-%d} is after --until {until:%Y-%m-%d}")
    if fmt == "parquet" and output is None:
        raise click.UsageError("--format parquet needs -o FILE")
    refuse_output_in_archive(output, data_dir)
    check_sites(DataDir(data_dir).articles, sites)
    zones = SiteZones(sites_dir)
    events = read_events(data_dir, EventFilter(sites, kinds, url, since.date() if since else None,
                                               until.date() if until else None, zones))
    if fmt == "table" and output is None:
        if url is not None:
            style = _coloured if sys.stdout.isatty() else None
            if not events:
                click.echo(f"{url}: no change found (yet)")
                return
            click.echo(f"{url}\n{events[-1].title or ''}\n")
            from archive.changes.render import marked

            for line in history_lines(events, zones(events[0].site), style or marked):
                click.echo(line)
            return
        for line in event_lines(events, zones):
            click.echo(line)
        click.echo(f"\n{len(events)} events", err=True)
        return
    if fmt == "table":
        raise click.UsageError("--format table is for the terminal; give -o with jsonl, csv, parquet or atom")
    if output is None:
        write_events(events, fmt, sys.stdout.buffer, zones=zones, bom=bom)
        return
    partial = output.with_name(output.name + ".partial")
    with open(partial, "wb") as fh:
        written = write_events(events, fmt, fh, zones=zones, bom=bom)
    partial.replace(output)
    click.echo(f"{written} events written to {output}", err=True)
