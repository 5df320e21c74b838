"""SSRF: a page may link or redirect anywhere; only addresses the site allows are fetched.

127.0.0.2 stands for "allowed" and 127.0.0.1 for "forbidden" here (the site config allows
exactly 127.0.0.2): both are loopback, so no test traffic ever leaves the machine.
"""

from __future__ import annotations

import ipaddress

import pytest

from archive.sites import adhoc_site
from crawler.addresses import PUBLIC_ONLY, AddressPolicy, is_public
from tests.reliability.conftest import captured_urls, rows, run_crawl, write_site
from tests.reliability.hostile import ARTICLE, HostileServer, Page, links


def forbidden_routes(server, path):
    return Page(200, ARTICLE.replace("秋季", "内网"))  # what a metadata service would answer


@pytest.fixture(scope="module")
def servers():
    with HostileServer(forbidden_routes, host="127.0.0.1") as forbidden:
        port = forbidden.base.rsplit(":", 1)[1]

        def public_routes(server, path):
            if path == "/":
                return Page(200, links("/ok.html", f"http://127.0.0.1:{port}/literal.html",
                                       f"http://localhost:{port}/by-name.html", "/redirect.html", "/to-file.html"))
            if path == "/redirect.html":
                return Page(302, b"", {"Location": f"http://127.0.0.1:{port}/redirected.html"})
            if path == "/to-file.html":
                return Page(302, b"", {"Location": "file:///etc/hostname"})
            if path == "/ok.html":
                return Page(200, ARTICLE)
            return None

        with HostileServer(public_routes, host="127.0.0.2") as public:
            yield public, forbidden


def test_links_and_redirects_to_forbidden_addresses_are_never_sent(servers, tmp_path):
    public, forbidden = servers
    write_site(tmp_path / "sites", "pub", start_urls=[public.base + "/"], allow_addresses=["127.0.0.2"],
               allowed_domains=["127.0.0.2", "127.0.0.1", "localhost"], delay=0.0)
    before = len(forbidden.hits)
    result, stats = run_crawl(tmp_path, out=tmp_path / "out", sites=tmp_path / "sites")
    assert result.returncode == 0, result.stderr[-3000:]
    assert forbidden.hits[before:] == [], "a request reached the forbidden address"
    stats = stats["pub"]
    assert stats["archive/address_refused/ip_literal"] >= 2  # a link to a literal, a redirect target
    assert stats["archive/address_refused/dns"] >= 1  # localhost resolves to 127.0.0.1
    assert stats["archive/fetch_failed/forbidden_address"] >= 3
    assert [r["url"] for r in rows(tmp_path / "out")] == [public.base + "/ok.html"]
    assert not [u for u in captured_urls(tmp_path / "out") if not u.startswith("http")]  # no file:// read


def test_an_address_that_slips_past_name_checks_is_dropped_after_connecting(servers, tmp_path):
    """With the guarded resolver swapped for Scrapy's plain one (as if DNS had answered
    differently at lookup and at connection), the address connected to still decides."""
    public, forbidden = servers
    port = forbidden.base.rsplit(":", 1)[1]
    write_site(tmp_path / "sites", "rebind", start_urls=[f"http://localhost:{port}/page.html"],
               allowed_domains=["localhost"], allow_addresses=["127.0.0.2"], delay=0.0)
    result, stats = run_crawl(tmp_path, out=tmp_path / "out", sites=tmp_path / "sites",
                              overrides={"TWISTED_DNS_RESOLVER": "scrapy.resolver.CachingThreadedResolver"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert stats["rebind"]["archive/address_refused/connected"] >= 1
    assert captured_urls(tmp_path / "out") == []  # nothing from it archived …
    assert rows(tmp_path / "out") == []  # … or extracted


def test_allow_private_allows_every_loopback_address(servers, tmp_path):
    public, forbidden = servers
    write_site(tmp_path / "sites", "lan", start_urls=[public.base + "/"], allow_private=True,
               allowed_domains=["127.0.0.2", "127.0.0.1"], delay=0.0)
    result, stats = run_crawl(tmp_path, out=tmp_path / "out", sites=tmp_path / "sites")
    assert result.returncode == 0, result.stderr[-3000:]
    assert not [k for k in stats["lan"] if k.startswith("archive/address_refused/")]
    assert forbidden.base + "/literal.html" in captured_urls(tmp_path / "out")


def test_adhoc_crawl_allows_only_its_start_address(servers, tmp_path):
    public, forbidden = servers
    assert adhoc_site(public.base + "/").allow_addresses == ("127.0.0.2",)
    before = len(forbidden.hits)
    result, stats = run_crawl(tmp_path, out=tmp_path / "out", start_url=public.base + "/")
    assert result.returncode == 0, result.stderr[-3000:]
    assert forbidden.hits[before:] == []
    assert public.base + "/ok.html" in captured_urls(tmp_path / "out")


@pytest.mark.parametrize("address", ["127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255",
                                     "192.168.1.1", "169.254.169.254", "100.100.100.200", "0.0.0.0", "::1",
                                     "fc00::1", "fd00:ec2::254", "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                                     "2002:7f00:1::", "64:ff9b::a9fe:a9fe", "224.0.0.1"])
def test_non_public_ranges_are_forbidden_by_default(address):
    assert not is_public(ipaddress.ip_address(address))
    assert not PUBLIC_ONLY.permits(address)
    assert AddressPolicy(allow_private=True).permits(address)


def test_allowances_are_exact():
    policy = AddressPolicy(allowed=(ipaddress.ip_network("127.0.0.2/32"), ipaddress.ip_network("10.8.0.0/16")))
    assert policy.permits("127.0.0.2") and policy.permits("10.8.3.4") and policy.permits("::ffff:127.0.0.2")
    assert not policy.permits("127.0.0.1") and not policy.permits("10.9.0.1")
    assert PUBLIC_ONLY.permits("1.1.1.1") and PUBLIC_ONLY.permits("2400:3200::1")
