"""Errors the library raises; the CLI turns each into one line on stderr and exit status 1."""


class ArchiveError(Exception):
    """Base of every error meant for the user: its message names what is wrong and where."""


class ConfigError(ArchiveError):
    """A site configuration file is unreadable or invalid."""


class WarcReadError(ArchiveError):
    """A WARC file or one of its records cannot be read."""


class InputError(ArchiveError):
    """A file given on the command line cannot be used."""


# Said before what pyarrow found wrong with a dataset file.
DAMAGED_DATASET = "a dataset file is damaged (`archive reextract --site SITE` rebuilds a site's rows from its WARC)"


def damage_reason(exc: BaseException) -> str:
    """What a reader found wrong, on one short printable line.

    warcio quotes the raw bytes it could not parse (binary, with line breaks), and a
    Python error from inside warcio names its own internals rather than the file's fault.
    """
    if isinstance(exc, (AttributeError, TypeError, KeyError, IndexError)):
        return "malformed WARC headers"
    text = " ".join(str(exc).split()).encode("unicode_escape").decode("ascii")
    return text if len(text) <= 120 else text[:117] + "..."
