"""Errors the library raises; the CLI turns each into one line on stderr and exit status 1."""


class ArchiveError(Exception):
    """Base of every error meant for the user: its message names what is wrong and where."""


class ConfigError(ArchiveError):
    """A site configuration file is unreadable or invalid."""


class WarcReadError(ArchiveError):
    """A WARC file or one of its records cannot be read."""


class InputError(ArchiveError):
    """A file given on the command line cannot be used."""
