"""`archive state`: check the crawl state, and make it again from the WARC files and the dataset."""

from __future__ import annotations

import click

from archive.cli import data_option, main


@main.group()
def state() -> None:
    """Check or rebuild the crawl state (DATA/state.sqlite)."""


@state.command("check")
@data_option
def state_check(data_dir) -> None:
    """Read the whole crawl state; exit 1, saying how to rebuild it, if it is damaged.

    \b
    Example:
      archive state check --data /srv/archive
    """
    from archive.datadir import DataDir
    from archive.state.store import CrawlState

    path = DataDir(data_dir).state_file
    if not path.exists():
        raise click.ClickException(f"{path}: no crawl state here (nothing was crawled into {data_dir})")
    CrawlState(path).check()
    click.echo(f"{path}: sound")


@state.command("rebuild")
@data_option
def state_rebuild(data_dir) -> None:
    """Make the crawl state again from the WARC files and the dataset.

    The old file is kept beside it under a dated name. Every site is due afterwards, and
    its next crawl walks each list to its end once.

    \b
    Example:
      archive state rebuild --data /srv/archive
    """
    from archive.state.rebuild import rebuild_state

    found = rebuild_state(data_dir)
    for error in found.errors:
        click.echo(f"error: {error}", err=True)
    aside = f"; the old one is {found.moved_aside}" if found.moved_aside else ""
    click.echo(f"{found.path}: {found.captures} captures, {found.articles} articles{aside}")
