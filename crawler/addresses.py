"""Fetch only addresses a site may reach: no requests into loopback, private, link-local
or cloud-metadata ranges because a page on the open web linked or redirected there.

Three checks, because each one alone can be bypassed:

- before a request is sent, an IP-literal host in a forbidden range is refused;
- name resolution (one resolver for the whole process) refuses answers in forbidden
  ranges for hosts of sites that do not allow them;
- after the download, the address actually connected to (``response.ip_address``) is
  checked against the site's own allowance, so an answer that changed between lookup
  and connection (DNS rebinding) still never brings a page into the archive.

A site allows non-public addresses with ``allow_private = true`` (all of them) or
``allow_addresses = ["127.0.0.1", "10.8.0.0/16"]`` (exactly those).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

try:
    from scrapy.exceptions import CannotResolveHostError
except ImportError:  # Scrapy before 2.14 passes Twisted's error through
    CannotResolveHostError = DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

from archive.sites import SiteConfig
from crawler.settled import FROM_ARCHIVE

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_FETCHABLE_SCHEMES = ("http", "https")
# Recent Scrapy versions wrap Twisted's lookup error in one of their own.
_LOOKUP_ERRORS = (DNSLookupError, CannotResolveHostError)


def embedded_ipv4(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), else `ip` itself.

    ``::ffff:127.0.0.1`` reaches loopback as surely as ``127.0.0.1`` does.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def is_public(ip: IPAddress) -> bool:
    """Routable on the internet: not loopback, private, link-local, shared (CGNAT, where
    Alibaba Cloud's metadata service lives), reserved, documentation or multicast."""
    ip = embedded_ipv4(ip)
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses one site may fetch from: every public one, plus its allowances."""

    allow_private: bool = False
    allowed: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def for_site(cls, site: SiteConfig) -> AddressPolicy:
        return cls(site.allow_private, tuple(ipaddress.ip_network(a, strict=False) for a in site.allow_addresses))

    def permits(self, ip: IPAddress | str) -> bool:
        ip = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
        if is_public(ip) or self.allow_private:
            return True
        # An allowance may be written either way: 127.0.0.1 also allows ::ffff:127.0.0.1.
        forms = {ip, embedded_ipv4(ip)}
        return any(form in network for network in self.allowed for form in forms if network.version == form.version)


PUBLIC_ONLY = AddressPolicy()


def _covers(domains: Iterable[str], host: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


class _Registry:
    """The allowances of every site crawling in this process, for the shared resolver.

    One resolver serves every crawler of the process, so it cannot know which site asks;
    it allows an answer when a site whose domains cover the host allows it. Each
    crawler checks its own allowance again after connecting.
    """

    def __init__(self) -> None:
        self._sites: dict[int, tuple[tuple[str, ...], AddressPolicy]] = {}
        self._refused: dict[str, str] = {}

    def register(self, key: int, domains: Iterable[str], policy: AddressPolicy) -> None:
        self._sites[key] = (tuple(d.lower() for d in domains), policy)

    def unregister(self, key: int) -> None:
        self._sites.pop(key, None)

    def permits(self, host: str, ip: IPAddress | str) -> bool:
        host = host.lower().rstrip(".")
        policies = [policy for domains, policy in self._sites.values() if _covers(domains, host)]
        return any(policy.permits(ip) for policy in policies or [PUBLIC_ONLY])

    def refuse(self, host: str, address: str) -> None:
        self._refused[host.lower()] = address

    def refused(self, host: str) -> str | None:
        return self._refused.get(host.lower())


REGISTRY = _Registry()


class ForbiddenAnswer(DNSLookupError):
    """A name resolved to an address its site may not fetch.

    A DNSLookupError, so Twisted treats it as a failed lookup; the guard middleware
    recognises it through the registry and stops Scrapy from retrying it.
    """


@implementer(IResolverSimple)
class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing answers no site of the process may reach.

    Installed with ``TWISTED_DNS_RESOLVER``; cached answers are checked too, since the
    allowances depend on the site and sites come and go within one process.
    """

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 - Twisted's interface
        lookup = super().getHostByName(name, timeout)
        lookup.addCallback(self._check, name)
        return lookup

    @staticmethod
    def _check(address: str, name: str) -> str:
        if not REGISTRY.permits(name, address):
            REGISTRY.refuse(name, address)
            raise ForbiddenAnswer(f"{name} resolves to {address}, which this crawl may not fetch")
        return address


def _host_ip(url: str) -> IPAddress | None:
    host = urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


class AddressGuardMiddleware:
    """Downloader middleware enforcing the site's address policy around each download.

    It must sit closest to the downloader (above the WARC capture), so a response from a
    forbidden address is dropped before anything records it.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.policy = PUBLIC_ONLY

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_ADDRESS_GUARD_ENABLED"):
            raise NotConfigured("ARCHIVE_ADDRESS_GUARD_ENABLED is off")
        guard = cls(crawler)
        crawler.signals.connect(guard.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def spider_opened(self, spider) -> None:
        site = getattr(spider, "site", None)
        if site is not None:
            self.policy = AddressPolicy.for_site(site)
            REGISTRY.register(id(self), site.allowed_domains, self.policy)

    def spider_closed(self, spider) -> None:
        REGISTRY.unregister(id(self))

    def _refuse(self, reason: str, message: str):
        self.stats.inc_value(f"archive/address_refused/{reason}")
        log.warning("refused: %s", message)
        raise IgnoreRequest(message)

    def process_request(self, request):
        scheme = urlsplit(request.url).scheme.lower()
        if scheme not in _FETCHABLE_SCHEMES:
            self._refuse("scheme", f"{request.url}: only http and https are fetched")
        ip = _host_ip(request.url)
        if ip is not None and not self.policy.permits(ip):
            self._refuse("ip_literal", f"{request.url}: {ip} is a forbidden address for this site")
        return None

    def process_exception(self, request, exception):
        host = urlsplit(request.url).hostname or ""
        if isinstance(exception, _LOOKUP_ERRORS) and REGISTRY.refused(host):
            # Not a flaky lookup: retrying would only ask the same question again.
            self._refuse("dns", f"{request.url}: {host} resolves to {REGISTRY.refused(host)}, "
                                "a forbidden address for this site")
        return None

    def process_response(self, request, response):
        if FROM_ARCHIVE in response.flags:
            # Read back from the archive by the capture middleware: no connection was made.
            return response
        ip = response.ip_address
        if ip is None:
            # Every HTTP download knows its peer; a response without one cannot be vouched for.
            self._refuse("unknown_peer", f"{response.url}: unknown peer, treated as a forbidden address")
        if not self.policy.permits(ip):
            self._refuse("connected", f"{response.url}: answered from {ip}, a forbidden address for this site")
        return response
