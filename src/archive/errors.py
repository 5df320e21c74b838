"""Errors the library raises; the CLI turns each into one line on stderr and exit status 1."""


class ArchiveError(Exception):
    """Base of every error meant for the user: its message names what is wrong and where."""


class ConfigError(ArchiveError):
    """A site configuration file is unreadable or invalid."""


class WarcReadError(ArchiveError):
    """A WARC file or one of its records cannot be read."""


class InputError(ArchiveError):
    """A file given on the command line cannot be used."""


class BucketError(ArchiveError):
    """An object storage bucket cannot be reached or written: its address, credentials or endpoint."""


# Said before what pyarrow found wrong with a dataset file.
DAMAGED_DATASET = "a dataset file is damaged (`archive reextract --site SITE` rebuilds a site's rows from its WARC)"


def one_line(exc: BaseException) -> str:
    """An exception's message with its line breaks and runs of spaces made single spaces."""
    return " ".join(str(exc).split())


class StateError(ArchiveError):
    """The crawl state cannot be read or written (a full disk, a damaged file)."""


class StateDamaged(StateError):
    """The crawl state file is damaged; `archive state rebuild` makes it again."""
