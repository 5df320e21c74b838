"""Site configs that would stall a crawl: a URL pattern that backtracks for ever, a delay
of centuries. The crawl runs as `archive crawl` against a loopback server and is signalled
the way a user or systemd stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.errors import ConfigError
from archive.sites import adhoc_site, load_site_file, parse_site
from archive.warc.names import site_of
from tests.conftest import ARCHIVE
from tests.reliability.conftest import ENV, write_site
from tests.reliability.hostile import ARTICLE, HostileServer, Page, links, wait_for

HEAD = 'id = "x"\nname = "n"\nstart_urls = ["http://a.example/"]\n'
# `(a+)+$` tries every way of splitting a run of a's before it fails: 2^n steps for a
# backtracking engine, so a link of 60 a's and a '!' would take centuries.
CATASTROPHIC = "(a+)+$"
LONG_LINK = "/" + "a" * 60 + "!"


def routes(server: HostileServer, path: str) -> Page | None:
    if path == "/robots.txt":
        return Page(200, "User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
    if path == "/":
        return Page(200, links(LONG_LINK, "/ok/1.html", "/ok/2.html", "/ok/3.html"))
    if path.startswith("/ok/"):
        return Page(200, ARTICLE.replace("秋季", path[4:5]))
    return None


def start(tmp: Path, site_id: str) -> subprocess.Popen:
    return subprocess.Popen([ARCHIVE, "crawl", site_id, "--sites", str(tmp / "sites"), "--out", str(tmp / "data")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            start_new_session=True)


def stop(crawl: subprocess.Popen, signum: int, *, group: bool) -> tuple[float, str, str]:
    """Send `signum`; return the seconds the crawl took to exit, and its output."""
    sent = time.monotonic()
    if group:
        os.killpg(crawl.pid, signum)  # Ctrl-C in a terminal signals the whole group
    else:
        crawl.send_signal(signum)  # `kill PID`, systemd's first signal to the main process
    try:
        stdout, stderr = crawl.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(crawl.pid, signal.SIGKILL)
        crawl.communicate()
        pytest.fail(f"the crawl ignored {signal.Signals(signum).name} for 60 s")
    return time.monotonic() - sent, stdout, stderr


@pytest.fixture
def server():
    with HostileServer(routes) as running:
        yield running


@pytest.mark.parametrize(("key", "signum", "group"), [("follow", signal.SIGTERM, False),
                                                    ("article", signal.SIGINT, True)])
def test_a_catastrophic_pattern_neither_hangs_the_crawl_nor_outlives_a_signal(tmp_path, server, key, signum, group):
    patterns = {"follow": [CATASTROPHIC], "article": [r"/ok/\d\.html$"]}
    if key == "article":
        patterns = {"article": [r"/ok/\d\.html$", CATASTROPHIC]}
    # A delay keeps the crawl running after the first article, so that it is signalled mid-crawl.
    write_site(tmp_path / "sites", "slow", start_urls=[server.base + "/"], allow_addresses=["127.0.0.1"],
               delay=1.0, **patterns)
    crawl = start(tmp_path, "slow")
    # Matching the home page's links is where a backtracking engine spins: the articles
    # after the long link are requested only once every link was matched.
    reached = wait_for(lambda: server.count("/ok/") >= 1 or crawl.poll() is not None, timeout=60)
    assert crawl.poll() is None, "the crawl ended before it could be signalled"
    seconds, stdout, stderr = stop(crawl, signum, group=group)
    assert reached and server.count("/ok/") >= 1, stderr[-2000:]
    assert seconds < 20, f"{signal.Signals(signum).name} took {seconds:.0f} s"
    assert crawl.returncode == 1 and "interrupted" in stderr.splitlines()[-1], stderr[-2000:]
    assert "Traceback" not in stderr


def test_a_long_delay_does_not_hold_up_a_clean_stop(tmp_path, server):
    write_site(tmp_path / "sites", "patient", start_urls=[server.base + "/"], allow_addresses=["127.0.0.1"],
               article=[r"/ok/\d\.html$"], delay=600.0)
    for signum, group in ((signal.SIGTERM, False), (signal.SIGINT, True)):
        before = len(server.hits)
        crawl = start(tmp_path, "patient")
        # robots.txt goes at once; the home page then waits for the delay.
        assert wait_for(lambda before=before: len(server.hits) > before, timeout=60)
        time.sleep(1)
        seconds, stdout, stderr = stop(crawl, signum, group=group)
        assert seconds < 15, f"{signal.Signals(signum).name} waited {seconds:.0f} s for the delay"
        assert crawl.returncode == 1
        assert "interrupted; the next run goes on from there" in stderr.splitlines()[-1], stderr[-2000:]


@pytest.mark.parametrize(("text", "message"), [
    (HEAD + "delay = 1e308", "delay: must be at most 600"),
    (HEAD + "delay = 601", "delay: must be at most 600"),
])
def test_a_delay_beyond_ten_minutes_is_refused(tmp_path, text, message):
    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{path}: {message}"):
        load_site_file(path)


@pytest.mark.parametrize("site_id", ["campus\n", "campus\r\n", "\ncampus"])
def test_a_site_id_with_a_line_break_is_refused(site_id):
    with pytest.raises(ConfigError, match=r"^x\.toml: id: .* must be lower-case letters"):
        parse_site({"id": site_id, "name": "n", "start_urls": ["http://a.example/"]}, "x.toml")


def test_a_warc_file_name_with_a_line_break_is_no_warc_file_of_ours():
    name = "gov-20261019082100000000-00001-host-42-ab12.warc.gz"
    assert site_of(name) == "gov"
    assert site_of(name + "\n") is None


def the_one_invalid_file(sites: Path) -> str:
    """`archive sites check` of a folder of one good and one bad file: its one error line."""
    result = subprocess.run([ARCHIVE, "sites", "check", "--sites", str(sites)], capture_output=True, text=True,
                            timeout=60, env=ENV)
    assert result.returncode == 1
    assert "1 valid, 1 invalid" in result.stdout
    [line] = result.stderr.splitlines()
    return line


def test_sites_check_names_a_pattern_that_needs_backtracking(tmp_path):
    write_site(tmp_path, "good", start_urls=["http://a.example/"], follow=[CATASTROPHIC, r"/list_\d+\.html\Z"])
    write_site(tmp_path, "bad", start_urls=["http://a.example/"], article=[r"/a/\d+\.html$", r"^(?=(a+)+$)"])
    line = the_one_invalid_file(tmp_path)
    assert f"{tmp_path / 'bad.toml'}: article[1]: '^(?=(a+)+$)' cannot be matched in linear time" in line


@pytest.mark.parametrize(("domain", "message"), [
    ("cn", "'cn' is a public suffix"), ("edu.cn", "'edu.cn' is a public suffix"),
    ("gov.cn", "'gov.cn' is a public suffix"), ("github.io", "'github.io' is a public suffix"),
    ("1", "'1' is not a domain name"), ("0.1", "'0.1' is not a domain name"),
])
def test_an_allowed_domain_that_would_open_a_whole_suffix_is_refused(tmp_path, domain, message):
    write_site(tmp_path, "wide", start_urls=["http://www.example.edu.cn/"], allowed_domains=["example.edu.cn", domain])
    write_site(tmp_path, "narrow", start_urls=["http://www.gov.cn/"],
               allowed_domains=["www.gov.cn", "news.example.edu.cn", "127.0.0.1", "localhost"])
    line = the_one_invalid_file(tmp_path)
    assert f"{tmp_path / 'wide.toml'}: allowed_domains[1]: {message}" in line


def test_a_start_url_on_a_public_suffix_is_refused_when_it_names_the_domains():
    with pytest.raises(ConfigError, match=r"^x\.toml: allowed_domains \(the start URLs' hosts\): 'edu\.cn' is a "):
        parse_site({"id": "x", "name": "n", "start_urls": ["http://edu.cn/"]}, "x.toml")
    with pytest.raises(ConfigError, match=r"^--start-url: 'http://gov\.cn/': host: 'gov\.cn' is a public suffix"):
        adhoc_site("http://gov.cn/")


def test_counter_patterns_are_matched_in_linear_time_too():
    """`counter.find` runs over every article page, `counter.read` over the counter's answer
    in the reactor: a backtracking match would stall either, so both go through RE2. In a
    child process: a match running in C cannot be interrupted from here."""
    code = (
        "from archive.jobs.counters import CustomCounter, read_counter\n"
        "page = '<script>' + 'a' * 5000 + '!</script>'\n"
        "assert CustomCounter(find='(a+)+(\\\\d+)$', url='/c?id={1}').call_for(page, 'http://a.example/') is None\n"
        "assert read_counter('custom', b'a' * 1900 + b'!', '(a+)+(\\\\d+)$') is None\n"
        "assert read_counter('custom', b'hits: 42', 'hits: (\\\\d+)') == 42\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=ENV)
    assert result.returncode == 0, result.stderr[-2000:]
