"""Bad site configs and names that try to leave the data directory."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from archive.errors import ConfigError
from archive.sites import adhoc_site, load_site_file, site_for_url
from tests.conftest import ARCHIVE
from tests.reliability.conftest import ENV, write_site

HEAD = 'id = "x"\nname = "n"\nstart_urls = ["http://a.example/"]\n'


@pytest.mark.parametrize(("text", "message"), [
    ('id = "x"\nname = "n"\nstart_urls = ["http://[::1/"]', "start_urls[0]: 'http://[::1/' is not a valid URL"),
    ('id = "x"\nname = "n"\nstart_urls = ["http://a:99999/"]', "start_urls[0]: 'http://a:99999/' is not a valid URL"),
    ('id = "x"\nname = "n"\nstart_urls = ["http://a b/"]', "start_urls[0]: 'http://a b/' contains spaces"),
    ('id = "x"\nname = "n"\nstart_urls = ["file:///etc/passwd"]', "start_urls[0]: 'file:///etc/passwd' is not an http"),
    (HEAD + 'feeds = ["http://a:x/"]', "feeds[0]:"),
    (HEAD + 'allow_addresses = ["localhost"]', "allow_addresses[0]: 'localhost' is not an IP address or network"),
    (HEAD + 'allow_addresses = ["10.0.0.0/33"]', "allow_addresses[0]: '10.0.0.0/33' is not an IP address"),
    (HEAD + 'allow_addresses = "127.0.0.1"', "allow_addresses: expected a list of strings"),
    (HEAD + 'allow_private = "yes"', "allow_private: expected bool"),
    (HEAD + 'article = ["(?P<x"]', "article[0]: '(?P<x' is not a valid regular expression"),
    (HEAD + 'follow = ["*"]', "follow[0]: '*' is not a valid regular expression"),
    (HEAD + 'alow_private = true', "alow_private: unknown key"),
    (HEAD + '[selectors]\nbody = "xpath://div["', "selectors.body:"),
    ('id = "x"\nname = "n"\nstart_urls = ["http://a/"\n', "invalid TOML"),
    ("id = 'x'\x00", "invalid TOML"),
])
def test_bad_config_is_one_line_naming_file_and_key(tmp_path, text, message):
    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_site_file(path)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_allow_addresses_is_read_as_networks(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text(HEAD + 'allow_addresses = ["127.0.0.1", "10.8.1.2/16", "fd00::/8"]')
    assert load_site_file(path).allow_addresses == ("127.0.0.1/32", "10.8.0.0/16", "fd00::/8")


def test_sites_check_reports_every_bad_file_and_keeps_the_good(tmp_path):
    (tmp_path / "good.toml").write_text('id = "good"\nname = "n"\nstart_urls = ["http://a.example/"]\n')
    (tmp_path / "bad1.toml").write_text('id = "bad1"\nname = "n"\nstart_urls = ["http://a/"]\ncolour = 1\n')
    (tmp_path / "bad2.toml").write_bytes(b"\xff\xfe not utf-8")
    (tmp_path / "bad3.toml").write_text('id = "bad3"\nname = "n"\nstart_urls = ["http://a/"]\nfollow = ["("]\n')
    result = subprocess.run([ARCHIVE, "sites", "check", "--sites", str(tmp_path)], capture_output=True, text=True,
                            timeout=60, env=ENV)
    assert result.returncode == 1
    assert "1 valid, 3 invalid" in result.stdout
    assert "Traceback" not in result.stderr
    for name, key in (("bad1", "colour"), ("bad2", "not UTF-8"), ("bad3", "follow[0]")):
        assert [line for line in result.stderr.splitlines() if f"{name}.toml: " in line and key in line]


@pytest.mark.parametrize("site_id", ["../etc", "a/b", "..", ".hidden", "A", "a\x00b", "a" * 65, ""])
def test_site_ids_that_could_name_other_paths_are_refused(tmp_path, site_id):
    path = tmp_path / "x.toml"
    path.write_text(f'id = "{site_id}"\nname = "n"\nstart_urls = ["http://a.example/"]\n'.replace("\x00", "\\u0000"))
    with pytest.raises(ConfigError):
        load_site_file(path)


@pytest.mark.parametrize("url", ["http://../", "http://.hidden/", "http://a:99999/", "http://a b/"])
def test_adhoc_start_urls_that_could_name_other_paths_are_refused(url):
    with pytest.raises(ConfigError):
        adhoc_site(url)


@pytest.mark.parametrize("url", ["http://../x", "http://a\x00b/", "http://.x/", "http://x:99999/", "http://[zz/",
                                 "http://%2e%2e/", "http://a\\b/"])
def test_site_of_a_captured_url_is_always_a_plain_name(url):
    site = site_for_url(url)
    assert site and "/" not in site and "\\" not in site and "\x00" not in site and not site.startswith(".")


def test_a_site_that_answers_nothing_fails_the_crawl_saying_so(tmp_path):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    write_site(tmp_path / "sites", "down", start_urls=[f"http://127.0.0.1:{port}/"], allow_addresses=["127.0.0.1"])
    result = subprocess.run([ARCHIVE, "crawl", "down", "--sites", str(tmp_path / "sites"), "--out",
                             str(tmp_path / "data")], capture_output=True, text=True, timeout=120, env=ENV)
    assert result.returncode == 1
    assert "Error: site down: no page could be fetched (" in result.stderr.splitlines()[-1]
    assert "down" in result.stdout  # the summary is printed all the same


# A trailing newline passed a `$`-anchored check once, and named a directory.
@pytest.mark.parametrize("site", ["../../outside", "campus\n"])
def test_extract_refuses_a_site_id_that_leaves_the_dataset(tmp_path, site):
    page = tmp_path / "page.html"
    page.write_text("<html><body><h1>标题</h1><p>正文</p></body></html>", encoding="utf-8")
    result = subprocess.run([ARCHIVE, "extract", str(page), "--site", site, "--out", str(tmp_path / "o")],
                            capture_output=True, text=True, timeout=60, env=ENV)
    assert result.returncode == 1
    assert f"--site: {site!r} is not a site id" in result.stderr
    assert not (tmp_path / "outside").exists() and not Path(tmp_path / "o").exists()


def test_no_shell_anywhere():
    """Nothing from a page is ever executed: no shell, eval or exec in the product code."""
    root = Path(__file__).parents[2]
    for path in [*root.glob("src/archive/**/*.py"), *root.glob("crawler/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        for needle in ("shell=True", "os.system(", "os.popen(", "eval(", "exec(", "pickle.loads("):
            assert needle not in text, f"{path}: {needle}"
