"""Property-based tests: no exception escapes the functions that meet web content."""

from __future__ import annotations

import gzip
import ipaddress
import zlib
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.errors import ConfigError
from archive.extract import bylines, cleaning, dates, labels
from archive.extract.charset import decode_html
from archive.extract.html import parse_html, text_lines
from archive.extract.language import detect_language
from archive.jobs.counters import find_counter, read_counter
from archive.sites import parse_site
from archive.warc.content_encoding import TooLarge, brotli, decode_content, zstd  # the codecs the reader has
from crawler.addresses import PUBLIC_ONLY, AddressPolicy
from crawler.traps import is_calendar, strip_session_ids, trap_reason, url_pattern

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Text with what pages are made of: CJK, full-width punctuation, digits, labels, markup.
PAGE_TEXT = st.text(alphabet=st.sampled_from(list("来源作者责任编辑发布时间浏览次年月日：:　 \n\t0123456789-/.<>&;"))
                    | st.characters(), max_size=300)
LINES = st.lists(PAGE_TEXT, max_size=25)
URLS = st.one_of(
    st.text(max_size=200),
    st.builds(lambda path, query: f"http://127.0.0.1/{path}?{query}", st.text(max_size=80), st.text(max_size=80)),
    st.from_regex(r"https?://[a-z0-9.\-]{1,20}(:\d{1,6})?(/[\w;=%.\-]{0,12}){0,6}(\?[\w=&;%\-]{0,60})?",
                  fullmatch=True),
)


@FAST
@given(LINES)
def test_cleaning_never_raises(lines):
    assert isinstance(cleaning.clean_lines(list(lines)), list)
    assert isinstance(cleaning.join_fragments(list(lines)), list)
    assert isinstance(cleaning.trim_chrome_tail(list(lines)), list)
    for line in lines:
        cleaning.is_boilerplate(line)
        cleaning.repair_conversion_damage(line)
        cleaning.strip_trailing_editor(line)


@FAST
@given(LINES)
def test_bylines_never_raise(lines):
    for finder in (bylines.inline_authors, bylines.header_byline, bylines.signature_unit, bylines.editor_credit,
                   bylines.outlet_after_date, bylines.posted_by, bylines.cited_source):
        finder(list(lines))
    bylines.bare_credits(list(lines), set())


@FAST
@given(PAGE_TEXT)
def test_dates_labels_and_language_never_raise(text):
    dates.parse_date(text, datetime(2026, 10, 19, tzinfo=UTC))
    dates.strip_dates(text)
    dates.date_from_url(text)
    for _, value in labels.find_labels(text):
        labels.clean_person_value(value)
        labels.clean_plain_value(value)
    labels.parse_views(text)
    detect_language(text, "zh-CN")


@FAST
@given(st.binary(max_size=2000), st.sampled_from(["", "text/html; charset=gb2312", "text/html; charset=x-bogus",
                                                  "text/html; charset=utf-16", "text/html; charset=\x00"]))
def test_decoding_and_parsing_bytes_never_raise(body, content_type):
    text = decode_html(body, {"content-type": content_type})
    root = parse_html(text)
    if root is not None:
        text_lines(root)
    find_counter(text, "http://127.0.0.1/info/1/2.htm")
    for family in ("vsb", "jeecms", "dedecms", "phpcms", "nope"):
        read_counter(family, body)


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


# How servers encode a body, by the Content-Encoding they then send.
ENCODERS = {"gzip": gzip.compress, "x-gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress,
            "zstd": zstd.compress, "gzip, br": lambda data: brotli.compress(gzip.compress(data)), "bogus": bytes,
            "": bytes}


@FAST
@given(st.binary(max_size=3000), st.sampled_from(sorted(ENCODERS)))
def test_content_decoding_gives_back_what_the_server_encoded(payload, encoding):
    assert decode_content(ENCODERS[encoding](payload), encoding, 1 << 20) == payload
    assert decode_content(_raw_deflate(payload), "deflate", 1 << 20) == payload  # deflate without its zlib wrapper


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd", "gzip, br"])
def test_a_body_mislabelled_as_encoded_is_kept_as_it_came(encoding):
    plain = "<html><body>并未压缩的正文</body></html>".encode()
    assert decode_content(plain, encoding, 1 << 20) == plain


def test_only_a_body_past_the_bound_is_refused():
    bomb = gzip.compress(bytes(2 << 20))
    with pytest.raises(TooLarge):
        decode_content(bomb, "gzip", 1 << 20)


@FAST
@given(URLS)
def test_trap_rules_never_raise(url):
    assert isinstance(strip_session_ids(url), str)
    trap_reason(url, max_length=1024, max_params=12, max_repeats=2)
    try:
        url_pattern(url)
        is_calendar(url)
    except ValueError:
        pass  # unparsable: trap_reason has refused it already
    stripped = strip_session_ids(url)
    assert strip_session_ids(stripped) == stripped  # stripping is done in one pass


@FAST
@given(st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)))
def test_address_policy_is_total_and_monotonic(ip):
    public = PUBLIC_ONLY.permits(ip)
    assert AddressPolicy(allow_private=True).permits(ip)
    network = ipaddress.ip_network(ip)
    assert AddressPolicy(allowed=(network,)).permits(ip)
    assert PUBLIC_ONLY.permits(str(ip)) == public  # the same verdict for the address written out


TOML_VALUES = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                                     st.text(max_size=30)),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                       max_size=3), max_leaves=8)


@FAST
@given(st.dictionaries(st.sampled_from(["id", "name", "start_urls", "allowed_domains", "follow", "article",
                                        "max_pages", "delay", "selectors", "allow_private", "allow_addresses",
                                        "every", "feeds", "kind", "bogus"]), TOML_VALUES, max_size=8))
def test_any_config_table_is_accepted_or_refused_with_a_config_error(data):
    data = {k: v for k, v in data.items() if v is not None}
    try:
        parse_site(data, "fuzz.toml")
    except ConfigError as exc:
        assert str(exc).startswith("fuzz.toml: ")
