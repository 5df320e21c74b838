"""The zone a site prints its times in, and times and days as that zone shows them.

Chinese pages print Beijing time and never say so; a site elsewhere names its zone with
the `timezone` key of its config. A record's instants are stored in UTC; what a reader
sees (JSON Lines, CSV, the printed day) is in the site's zone, the same everywhere.

Kept free of the site-config code: `archive export` finds a site's zone by reading that
one key, without loading the rest of the configuration machinery.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from archive.errors import ConfigError, one_line

if TYPE_CHECKING:
    from archive.records import ArticleRecord

DEFAULT_ZONE_NAME = "Asia/Shanghai"
DEFAULT_ZONE = ZoneInfo(DEFAULT_ZONE_NAME)


def zone_named(value: object, where: str) -> ZoneInfo:
    """The IANA zone `value` names; ValueError naming `where` when it names none."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: expected an IANA time zone name such as 'Asia/Shanghai', got {value!r}")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{where}: {value!r} is not a time zone this system knows (IANA names such as "
                         "'Asia/Shanghai' or 'Europe/Paris')") from None


def local_iso(moment: datetime, zone: ZoneInfo = DEFAULT_ZONE) -> str:
    """ISO 8601 text of an instant as `zone` shows it: 2026-10-19T00:00:00+08:00."""
    return moment.astimezone(zone).isoformat()


def printed_day(moment: datetime, zone: ZoneInfo = DEFAULT_ZONE) -> date:
    return moment.astimezone(zone).date()


def _read_without_zone(moment: datetime) -> bool:
    """Whether extraction attached Beijing time itself (the page printed no zone), as
    against a zone the page printed (a fixed offset, or UTC)."""
    return getattr(moment.tzinfo, "key", None) == DEFAULT_ZONE_NAME


def settle_dates(record: ArticleRecord | None, zone_name: str = DEFAULT_ZONE_NAME) -> ArticleRecord | None:
    """The record's publication time read in its site's zone, and the day it prints.

    A page that prints no zone is read as Beijing time by extraction; on a site whose
    config names another zone, the same printed clock is read in that zone instead.
    A date-only page comes out of extraction as midnight of its day in the zone it was
    read in, so its day in that zone is the day it prints. (A relative time, "3小时前",
    is read against the capture and named Beijing time too: on a site in another zone
    it moves by the difference between the zones.)
    """
    if record is None or record.published_at is None:
        return record
    zone = ZoneInfo(zone_name)
    if zone_name != DEFAULT_ZONE_NAME and _read_without_zone(record.published_at):
        record.published_at = record.published_at.replace(tzinfo=zone)
    record.published_date = printed_day(record.published_at, zone)
    return record


class SiteZones:
    """The zone of each site, from the `timezone` key of `<sites_dir>/<site>.toml`; a site
    without a file there (an ad-hoc crawl's host) or without the key is in Beijing time."""

    def __init__(self, sites_dir: Path | None = None) -> None:
        self.sites_dir = sites_dir
        self._known: dict[str | None, ZoneInfo] = {}

    def __call__(self, site: str | None) -> ZoneInfo:
        if site not in self._known:
            self._known[site] = self._read(site)
        return self._known[site]

    def _read(self, site: str | None) -> ZoneInfo:
        if self.sites_dir is None or not site or "/" in site or site.startswith("."):
            return DEFAULT_ZONE
        path = Path(self.sites_dir) / f"{site}.toml"
        if not path.is_file():
            return DEFAULT_ZONE
        try:
            config = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read its timezone ({one_line(exc)})") from None
        if "timezone" not in config:
            return DEFAULT_ZONE
        try:
            return zone_named(config["timezone"], "timezone")
        except ValueError as exc:
            raise ConfigError(f"{path}: {exc}") from None
