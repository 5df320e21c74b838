"""`archive sites`: see and validate the site configuration files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archive.cli import main, sites_option


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
