"""What a site's `allowed_domains` entry may be.

A site's links are followed to its domains and every host below them, so an entry that
is a public suffix (`cn`, `edu.cn`, `gov.cn`), under which anyone registers sites, would
let the crawl wander over every site of the country, a university system or a
government. An entry of digits alone (`1`) matches the end of IP addresses
(`127.0.0.1`), not a name.

Public suffixes come from the Public Suffix List snapshot that tldextract ships (a
dependency of Scrapy already), read offline: nothing is downloaded at run time. The
entries that matter here (China's `cn`, `edu.cn`, `gov.cn`, province suffixes) have
stood unchanged for decades, so a snapshot's age does not matter.
"""

from __future__ import annotations

import functools
import ipaddress

import tldextract


@functools.cache
def _suffixes() -> tldextract.TLDExtract:
    # No URLs: the bundled snapshot, never the network; no cache directory to write.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def is_public_suffix(domain: str) -> bool:
    """Whether `domain` is itself a public suffix (ICANN's or a private one such as github.io)."""
    parts = _suffixes()(domain.strip(".").lower())
    return bool(parts.suffix) and not parts.domain and not parts.subdomain


def check_allowed_domain(domain: str, where: str) -> str:
    """`domain` if links may be followed to it and the hosts below it; a ValueError naming
    `where` and saying why not otherwise."""
    try:
        ipaddress.ip_address(domain)
        return domain
    except ValueError:
        pass
    if domain.rsplit(".", 1)[-1].isdigit():
        raise ValueError(f"{where}: {domain!r} is not a domain name: ending in digits, it would match the end of "
                         "IP addresses such as 127.0.0.1")
    if is_public_suffix(domain):
        raise ValueError(f"{where}: {domain!r} is a public suffix, under which anyone registers sites: name the "
                         f"site's own domain, such as 'example.{domain}'")
    return domain
