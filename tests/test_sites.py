from pathlib import Path

import pytest

from archive.errors import ConfigError
from archive.sites import adhoc_site, load_site_file, load_sites

GOOD = """
id = "{id}"
name = "青川大学新闻网"
kind = "campus"
start_urls = ["https://news.example.edu.cn/"]
follow = ['/xwzx/']
article = ['/info/\\d+/\\d+\\.htm$']
max_pages = 50
delay = 2
[selectors]
title = "h1.arti_title"
body = "xpath://div[@class='v_news_content']"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_site_loads_with_defaults(tmp_path):
    site = load_site_file(write(tmp_path, "qc", GOOD.format(id="qc")))
    assert site.id == "qc"
    assert site.allowed_domains == ("news.example.edu.cn",)
    assert site.delay == 2.0 and site.max_depth == 5 and site.enabled
    assert site.rules.selectors["title"] == "h1.arti_title"
    assert site.rules.timezone == "Asia/Shanghai"


def test_a_site_elsewhere_names_its_zone(tmp_path):
    text = GOOD.format(id="eu").replace("delay = 2\n", 'delay = 2\ntimezone = "Europe/Paris"\n')
    site = load_site_file(write(tmp_path, "eu", text))
    assert site.timezone == site.rules.timezone == "Europe/Paris"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('id = "x"\nname = "n"\nstart_urls = ["ftp://a"]', "start_urls[0]: 'ftp://a' is not an http(s) URL"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nfollow = ["(unclosed"]', "follow[0]: '(unclosed'"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\ncolour = 1', "colour: unknown key"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nkind = "blog"', "kind: 'blog' is not one of"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nmax_pages = true', "max_pages: expected int, got bool"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nmax_pages = 0', "max_pages: must be at least 1"),
        ('id = "x"\nname = "n"', "start_urls: required key is missing"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\n[selectors]\ntitel = "h1"', "selectors.titel: unknown"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\n[selectors]\ntitle = "h1[["', "selectors.title:"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nallowed_domains = ["http://a/"]', "allowed_domains[0]"),
        ('id = "x"\nname = "n"\nstart_urls = [', "invalid TOML"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nevery = "often"', "every: 'often' is not an interval"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nevery = "99999999999999d"', "is longer than any"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\ndelay = nan', "delay: expected a finite number, got nan"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nrefresh_days = inf', "refresh_days: expected a finite"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nallowed_domains = []', "allowed_domains: empty"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\n[counter]\nurl = "/c"', "counter.find: required"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\n[counter]\nfind = "(x"\nurl = "/c"', "counter.find:"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\n[counter]\nfind = "x"\nurl = "/c"\nread = "\\\\d+"',
         "counter.read: '\\\\d+' needs a group"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\n[counter]\nfind = "x"\nurl = "/c"\nhow = 1',
         "counter.how: unknown key"),
        ('id = "y"\nname = "n"\nstart_urls = ["http://a/"]', "id: 'y' must match the file name 'x'"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\ntimezone = "Beijing"',
         "timezone: 'Beijing' is not a time zone this system knows"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\ntimezone = "../../etc/passwd"', "timezone: '../../etc"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\ntimezone = 8', "timezone: expected an IANA time zone"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nrecheck = ["1d", "6h"]',
         "recheck[1]: '6h' must be longer than '1d' (the offsets grow)"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nrecheck = ["1 week"]', "recheck[0]: '1 week' is not an"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nrecheck = "1h"', "recheck: expected a list of strings"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nremoval_after = 6', "removal_after: expected str"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\nattachments = true',
         "attachments: expected a table with enabled, max_mb, types"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\n[attachments]\nmax_mb = 0',
         "attachments.max_mb: expected a number of megabytes above 0 and at most 60, got 0"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\n[attachments]\nmax_mb = 500', "at most 60, got 500"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\n[attachments]\ntypes = ["pdf", "exe"]',
         "attachments.types[1]: 'exe' is not a file type"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\n[attachments]\nenabled = "no"',
         "attachments.enabled: expected true or false, got str"),
        ('id = "x"\nname = "n"\nstart_urls = ["http://a/"]\n[attachments]\nsize = 3',
         "attachments.size: unknown key (known keys: enabled, max_mb, types)"),
    ],
)
def test_bad_site_file_names_file_and_key(tmp_path, text, message):
    path = write(tmp_path, "x", text)
    with pytest.raises(ConfigError) as caught:
        load_site_file(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_attachments_are_fetched_by_default_and_each_site_says_how(tmp_path):
    site = load_site_file(write(tmp_path, "qc", GOOD.format(id="qc")))
    assert site.attachments.enabled and site.attachments.max_bytes == 30 << 20
    assert "image" not in site.attachments.types and {"pdf", "docx", "ofd", "zip", "et"} <= set(site.attachments.types)
    text = GOOD.format(id="qd") + '[attachments]\nmax_mb = 2.5\ntypes = ["pdf", "ofd"]\n'
    site = load_site_file(write(tmp_path, "qd", text))
    assert site.attachments.max_bytes == int(2.5 * 1024 * 1024) and site.attachments.types == ("pdf", "ofd")
    assert site.attachments.wants("pdf") and not site.attachments.wants("docx")
    assert site.attachments.wants(None) and site.attachments.wants("unknown")  # not known before it is fetched
    site = load_site_file(write(tmp_path, "qe", GOOD.format(id="qe") + "[attachments]\nenabled = false\n"))
    assert not site.attachments.enabled


def test_path_traversal_in_id_is_rejected(tmp_path):
    path = write(tmp_path, "x", 'id = "../etc"\nname = "n"\nstart_urls = ["http://a/"]')
    with pytest.raises(ConfigError, match="id: '../etc' must be lower-case"):
        load_site_file(path)


def test_one_bad_file_does_not_hide_the_good_ones(tmp_path):
    write(tmp_path, "good", GOOD.format(id="good"))
    write(tmp_path, "bad", 'id = "bad"\nname = "n"\nstart_urls = ["ftp://a"]')
    sites, errors = load_sites(tmp_path)
    assert [s.id for s in sites] == ["good"]
    assert len(errors) == 1 and "bad.toml: start_urls[0]" in str(errors[0])


def test_adhoc_site_stays_on_its_host():
    site = adhoc_site("http://127.0.0.1:8123/news/")
    assert site.id == "127.0.0.1-8123"
    assert site.allowed_domains == ("127.0.0.1",)
    assert site.article == () and site.kind == "auto"
    with pytest.raises(ConfigError, match="--start-url: 'javascript:x' is not an http"):
        adhoc_site("javascript:x")


def test_shipped_site_configs_are_valid():
    from archive import DEFAULT_SITES_DIR

    sites, errors = load_sites(DEFAULT_SITES_DIR)
    assert errors == []
    assert sites, "crawler/sites ships at least one example config"
