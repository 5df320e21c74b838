"""The `archive` command: a thin shell over the library, one library call per command.

Every command runs in a fresh process and most need few of the library's modules: each
command imports what it uses, so `archive export` does not load the site configuration
code and `archive crawl` does not load pyarrow's CSV writer. The commands live in the
modules beside this one, by what they work on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archive import DEFAULT_SITES_DIR, __version__
from archive.errors import DAMAGED_DATASET, ArchiveError, one_line

sites_option = click.option(
    "--sites", "sites_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_SITES_DIR,
    show_default="crawler/sites", envvar="ARCHIVE_SITES", help="Directory of site config files (<id>.toml).",
)
out_option = click.option(
    "--out", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("data"), show_default=True,
    help="Output directory: WARC files go to OUT/warc, the dataset to OUT/articles.",
)
data_option = click.option(
    "--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("data"),
    show_default=True, help="The data directory (what `archive crawl --out` wrote).",
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


def refuse_output_in_archive(output: Path | None, data_dir: Path) -> None:
    """A file written over or into the archive's own parts would damage what it was made from."""
    from archive.datadir import DataDir

    part = DataDir(data_dir).part_holding(output) if output is not None else None
    if part is not None:
        raise click.UsageError(f"-o {output}: would write into the archive ({part})")


# The commands register themselves on `main` as their modules are imported.
from archive.cli import (  # noqa: E402, F401
    changes,
    crawling,
    datasets,
    extracting,
    site_files,
    state_files,
    status,
    uploading,
)
