"""Site configuration: one TOML file per site, validated strictly.

Every error names the file, the key and what is wrong, so a user can fix a config from
the message alone, e.g. ``crawler/sites/x.toml: start_urls[0]: 'ftp://a' is not an
http(s) URL``.
"""

from __future__ import annotations

import ipaddress
import math
import re
import socket
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.attachments.policy import AttachmentPolicy, attachment_policy
from archive.domains import check_allowed_domain
from archive.errors import ConfigError
from archive.jobs.counters import CustomCounter
from archive.records import PAGE_KINDS, SELECTOR_FIELDS, ExtractionRules
from archive.url_patterns import check_url_pattern, url_patterns
from archive.zones import DEFAULT_ZONE_NAME, zone_named

# Site ids become directory and file names: keep them to a safe, portable alphabet. Every
# pattern here that validates is matched whole (fullmatch): with `match`, a `$` anchor
# also matches before a trailing newline, and "campus\n" would name a directory.
SITE_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
# Ad-hoc sites are named after their host (and port); IPv6 literals bring ':'.
ADHOC_ID_PATTERN = re.compile(r"[a-z0-9:][a-z0-9_.:-]{0,254}")

# The longest `delay` between requests to a site: six pages an hour. A longer one is a typo,
# and would hold up every stop of the crawl.
MAX_DELAY = 600

# When archived articles are checked again for edits and takedowns, after their
# publication (archive.changes.schedule), and how long a page must stay gone before
# its removal is declared (archive.changes.status).
DEFAULT_RECHECK = tuple(timedelta(hours=h) for h in (1, 6, 24, 72, 168, 720))
DEFAULT_REMOVAL_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class SiteConfig:
    id: str
    name: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    kind: str = "auto"
    follow: tuple[str, ...] = ()
    article: tuple[str, ...] = ()
    max_pages: int = 1000
    max_depth: int = 5
    delay: float = 1.0
    enabled: bool = True
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    selectors: dict[str, str] = field(default_factory=dict)
    obey_robots: bool = True
    allow_private: bool = False
    # Non-public addresses (IPs or networks) the site may be fetched from; see crawler/addresses.py.
    allow_addresses: tuple[str, ...] = ()
    every: timedelta | None = None
    refresh_days: float = 0
    counter_days: float = 30
    counter_every: timedelta = timedelta(days=1)
    stop_after_known: int = 10
    # List pages dated by their address are final this many days after that date (0: never).
    settled_days: float = 3
    counter: CustomCounter | None = None
    # IANA zone the site prints its times in (archive.zones): Beijing time unless it says.
    timezone: str = DEFAULT_ZONE_NAME
    recheck: tuple[timedelta, ...] = DEFAULT_RECHECK
    removal_after: timedelta = DEFAULT_REMOVAL_AFTER
    # the files its articles link: fetched, how large, of which types (archive.attachments.policy)
    attachments: AttachmentPolicy = AttachmentPolicy()
    source_file: str | None = None

    def matches_article(self, url: str) -> bool:
        return url_patterns(self.article).search(url)

    @property
    def rules(self) -> ExtractionRules:
        return ExtractionRules(kind=self.kind, selectors=dict(self.selectors), timezone=self.timezone)


def http_url(value: Any, where: str) -> str:
    """`value` if it is an http(s) URL with a host; ValueError naming `where` if not."""
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected a URL string, got {type(value).__name__}")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port out of range or not a number
    except ValueError as exc:
        raise ValueError(f"{where}: {value!r} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{where}: {value!r} is not an http(s) URL")
    if any(ch.isspace() or ord(ch) < 32 or ch == "\x7f" for ch in value):
        raise ValueError(f"{where}: {value!r} contains spaces or control characters")
    return value


def _string_list(value: Any, key: str, check=None) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"{key}: expected a list of strings, got {type(value).__name__}")
    items = []
    for i, item in enumerate(value):
        where = f"{key}[{i}]"
        if not isinstance(item, str):
            raise ValueError(f"{where}: expected a string, got {type(item).__name__}")
        items.append(check(item, where) if check else item)
    return tuple(items)


def _address(value: str, where: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not an IP address or network such as '10.0.0.0/8'") from None
    return str(network)


# A host name or IPv4 address: no scheme, port, path, user, space or control character.
_DOMAIN = re.compile(r"[^\s/:@?#\[\]\\%]+")


def _domain(value: str, where: str) -> str:
    if not _DOMAIN.fullmatch(value) or any(not ch.isprintable() for ch in value):
        raise ValueError(f"{where}: {value!r} is not a domain name (no scheme, port or path)")
    return check_allowed_domain(value.lower(), where)


def _typed(value: Any, key: str, kind: type, minimum: float | None = None, maximum: float | None = None):
    # bool is an int subclass: `max_pages = true` must not pass as 1.
    if isinstance(value, bool) and kind is not bool:
        raise ValueError(f"{key}: expected {kind.__name__}, got bool")
    if kind is float and isinstance(value, int):
        value = float(value)
    if not isinstance(value, kind):
        raise ValueError(f"{key}: expected {kind.__name__}, got {type(value).__name__}")
    if kind is float and not math.isfinite(value):  # TOML allows nan and inf
        raise ValueError(f"{key}: expected a finite number, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{key}: must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{key}: must be at most {maximum}, got {value}")
    return value


_INTERVAL = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(value: str, where: str) -> timedelta:
    """'30m', '6h', '1d' -> timedelta."""
    match = _INTERVAL.fullmatch(value)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{where}: {value!r} is not an interval such as '30m', '6h' or '1d'")
    try:
        return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    except OverflowError:
        raise ValueError(f"{where}: {value!r} is longer than any interval can be") from None


def _recheck(value: Any) -> tuple[timedelta, ...]:
    items = _string_list(value, "recheck")
    offsets = tuple(parse_interval(item, f"recheck[{n}]") for n, item in enumerate(items))
    for n in range(1, len(offsets)):
        if offsets[n] <= offsets[n - 1]:
            raise ValueError(f"recheck[{n}]: {items[n]!r} must be longer than {items[n - 1]!r} (the offsets grow)")
    return offsets


def _counter(value: Any) -> CustomCounter:
    if not isinstance(value, dict):
        raise ValueError("counter: expected a table with find, url and read")
    for key in value:
        if key not in ("find", "url", "read"):
            raise ValueError(f"counter.{key}: unknown key (known keys: find, url, read)")
    for key in ("find", "url"):
        if not isinstance(value.get(key), str) or not value[key].strip():
            raise ValueError(f"counter.{key}: required, a non-empty string")
    for key in ("find", "read"):
        if key in value:
            check_url_pattern(_typed(value[key], f"counter.{key}", str), f"counter.{key}")
    if "read" in value and re.compile(value["read"]).groups < 1:
        raise ValueError(f"counter.read: {value['read']!r} needs a group around the number, e.g. '(\\d+)'")
    return CustomCounter(**value)


def _selectors(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError("selectors: expected a table of field = selector")
    out = {}
    for name, selector in value.items():
        if name not in SELECTOR_FIELDS:
            raise ValueError(f"selectors.{name}: unknown field (expected one of {', '.join(SELECTOR_FIELDS)})")
        if not isinstance(selector, str) or not selector.strip():
            raise ValueError(f"selectors.{name}: expected a non-empty CSS or 'xpath:' selector")
        _check_selector(selector, f"selectors.{name}")
        out[name] = selector
    return out


def _check_selector(selector: str, where: str) -> None:
    from lxml import etree
    from lxml.cssselect import CSSSelector

    try:
        if selector.startswith("xpath:"):
            etree.XPath(selector[len("xpath:"):])
        else:
            CSSSelector(selector)
    except Exception as exc:  # both libraries raise several unrelated types
        raise ValueError(f"{where}: {selector!r} is not a valid selector ({exc})") from None


# key -> how to turn the TOML value into the SiteConfig value
_FIELDS = {
    "id": lambda v: _typed(v, "id", str),
    "name": lambda v: _typed(v, "name", str),
    "kind": lambda v: _typed(v, "kind", str),
    "start_urls": lambda v: _string_list(v, "start_urls", http_url),
    "allowed_domains": lambda v: _string_list(v, "allowed_domains", _domain),
    "follow": lambda v: _string_list(v, "follow", check_url_pattern),
    "article": lambda v: _string_list(v, "article", check_url_pattern),
    "max_pages": lambda v: _typed(v, "max_pages", int, 1),
    "max_depth": lambda v: _typed(v, "max_depth", int, 0),
    "delay": lambda v: _typed(v, "delay", float, 0, MAX_DELAY),
    "enabled": lambda v: _typed(v, "enabled", bool),
    "feeds": lambda v: _string_list(v, "feeds", http_url),
    "sitemaps": lambda v: _string_list(v, "sitemaps", http_url),
    "selectors": _selectors,
    "obey_robots": lambda v: _typed(v, "obey_robots", bool),
    "every": lambda v: parse_interval(_typed(v, "every", str), "every"),
    "refresh_days": lambda v: _typed(v, "refresh_days", float, 0),
    "counter_days": lambda v: _typed(v, "counter_days", float, 0),
    "counter_every": lambda v: parse_interval(_typed(v, "counter_every", str), "counter_every"),
    "stop_after_known": lambda v: _typed(v, "stop_after_known", int, 1),
    "settled_days": lambda v: _typed(v, "settled_days", float, 0),
    "counter": _counter,
    "allow_private": lambda v: _typed(v, "allow_private", bool),
    "allow_addresses": lambda v: _string_list(v, "allow_addresses", _address),
    "timezone": lambda v: zone_named(v, "timezone").key,
    "recheck": _recheck,
    "removal_after": lambda v: parse_interval(_typed(v, "removal_after", str), "removal_after"),
    "attachments": attachment_policy,
}
_REQUIRED = ("id", "name", "start_urls")


def parse_site(data: dict[str, Any], source: str) -> SiteConfig:
    """Validate one site's TOML table; raise ConfigError naming `source` and the key."""
    try:
        values = _validate(data)
    except ValueError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return SiteConfig(**values, source_file=source)


def _validate(data: dict[str, Any]) -> dict[str, Any]:
    for key in data:
        if key not in _FIELDS:
            raise ValueError(f"{key}: unknown key (known keys: {', '.join(_FIELDS)})")
    for key in _REQUIRED:
        if key not in data:
            raise ValueError(f"{key}: required key is missing")
    values = {key: convert(data[key]) for key, convert in _FIELDS.items() if key in data}
    if not SITE_ID_PATTERN.fullmatch(values["id"]):
        raise ValueError(f"id: {values['id']!r} must be lower-case letters, digits, '.', '_' or '-'")
    if values.get("kind", "auto") not in PAGE_KINDS:
        raise ValueError(f"kind: {values['kind']!r} is not one of {', '.join(PAGE_KINDS)}")
    if not values["start_urls"]:
        raise ValueError("start_urls: at least one URL is required")
    if values.get("allowed_domains") == ():
        raise ValueError("allowed_domains: empty, so no link could be followed (leave it out to allow the start "
                         "URLs' hosts)")
    if "allowed_domains" not in values:
        hosts = sorted({urlsplit(u).hostname for u in values["start_urls"]})
        values["allowed_domains"] = tuple(check_allowed_domain(h, "allowed_domains (the start URLs' hosts)")
                                          for h in hosts)
    return values


def load_site_file(path: Path) -> SiteConfig:
    """Read and validate one site file; its id must match the file name."""
    try:
        # utf-8-sig: editors on Windows save UTF-8 with a byte order mark, which TOML does not allow.
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    site = parse_site(data, str(path))
    if site.id != path.stem:
        raise ConfigError(f"{path}: id: {site.id!r} must match the file name {path.stem!r}")
    return site


def load_sites(directory: Path) -> tuple[list[SiteConfig], list[ConfigError]]:
    """All site files of a directory: the valid ones, and one error per invalid file.

    An invalid file does not stop the others from loading, so one broken config never
    blocks the crawl of the rest.
    """
    if not directory.is_dir():
        raise ConfigError(f"{directory}: sites directory does not exist")
    sites, errors = [], []
    for path in sorted(directory.glob("*.toml")):
        try:
            sites.append(load_site_file(path))
        except ConfigError as exc:
            errors.append(exc)
    return sites, errors


def adhoc_site(start_url: str) -> SiteConfig:
    """A config for `archive crawl --start-url`: stay on that host, detect articles by content."""
    try:
        http_url(start_url, "--start-url")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    parts = urlsplit(start_url)
    host = parts.hostname or ""
    site_id = host if parts.port is None else f"{host}-{parts.port}"
    if not ADHOC_ID_PATTERN.fullmatch(site_id):
        raise ConfigError(f"--start-url: {start_url!r}: host {host!r} cannot name a site")
    try:
        check_allowed_domain(host, f"--start-url: {start_url!r}: host")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return SiteConfig(
        id=site_id,
        name=host,
        start_urls=(start_url,),
        allowed_domains=(host,),
        kind="auto",
        # The user named this host, so its own address is allowed even when private
        # (an intranet portal, a local mirror); nothing else non-public is.
        allow_addresses=own_addresses(host),
    )


def own_addresses(host: str) -> tuple[str, ...]:
    """The addresses `host` stands for: itself when an IP literal, else what it resolves to now."""
    try:
        return (str(ipaddress.ip_address(host)),)
    except ValueError:
        pass
    try:
        answers = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):  # unresolvable now: the crawl will report it
        return ()
    return tuple(sorted({str(ipaddress.ip_address(a[4][0].split("%")[0])) for a in answers}))


_UNSAFE = re.compile(r"[^a-z0-9_.:-]")


def site_for_url(url: str) -> str:
    """The site id of an ad-hoc capture: its host, with the port when it is not the default."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "unknown").lower(), parts.port
    except ValueError:  # a WARC from elsewhere may hold any string as its target URI
        return "unknown"
    site = host if port is None else f"{host}-{port}"
    # The id names a partition directory: nothing from a URL may steer where it goes.
    return site if ADHOC_ID_PATTERN.fullmatch(site) else _UNSAFE.sub("_", site).lstrip(".") or "unknown"


def checked_site(site: str | None) -> str | None:
    """A site id given by the user, refused when it could lead a path out of the dataset."""
    if site is not None and not ADHOC_ID_PATTERN.fullmatch(site):
        raise ConfigError(f"--site: {site!r} is not a site id (letters, digits, '.', '_', '-', ':')")
    return site


def site_config_if_any(sites_dir: Path, site_id: str) -> SiteConfig | None:
    """The config of `site_id` when one exists; ad-hoc site ids have none."""
    path = sites_dir / f"{site_id}.toml"
    return load_site_file(path) if path.is_file() else None


def choose_sites(sites_dir: Path, ids: Sequence[str], *, enabled: bool
                 ) -> tuple[list[SiteConfig], list[ConfigError], list[str]]:
    """The sites named by `ids` (or, with `enabled`, every enabled one); the invalid site
    files met, which a caller reports without stopping the other sites; and the ids that
    have no site file at all."""
    sites, errors = load_sites(sites_dir)
    if enabled:
        return [s for s in sites if s.enabled], errors, []
    by_id = {s.id: s for s in sites}
    bad_files = {Path(str(e).split(":", 1)[0]).stem for e in errors}
    unknown = [i for i in ids if i not in by_id and i not in bad_files]
    return [by_id[i] for i in ids if i in by_id], errors, unknown
