"""`archive crawl --due` from cron: the checks due by each site's schedule, and no more."""

import json
import time

from tests.changes.site import ChangingSite, gone
from tests.conftest import run_archive


def test_due_runs_the_checks_due_and_lists_exactly_what_changed(tmp_path):
    out, sites = tmp_path / "data", tmp_path / "sites"
    # pages printing no time: the schedule counts from their first capture
    with ChangingSite(count=4, published=None) as site:
        site.config(sites, recheck=["3s", "1d"], removal_after="1s")
        due = ["crawl", "--due", "--sites", str(sites), "--out", str(out)]
        first = run_archive("crawl", "county", "--sites", str(sites), "--out", str(out))
        assert first.returncode == 0, first.stderr[-3000:]
        captured = time.monotonic()
        # the lists were crawled a moment ago (every = "1d") and no check is due yet
        assert run_archive(*due).stdout == "no site is due\n"
        site.edit(1, title="第1号通知：县政府召开冬季安全生产工作会议")
        site.answer(2, gone(404))
        time.sleep(max(0.0, captured + 3.5 - time.monotonic()))
        hits = len(site.server.hits)
        checks = run_archive(*due)
        assert checks.returncode == 0, checks.stderr[-3000:]
        # every article was due its 3 s check: the articles only, not the lists
        assert sorted(site.server.hits[hits:]) == sorted(site.articles[n].path for n in site.articles)
        assert "county: 4 archived articles checked again, 1 edited" in checks.stdout
        time.sleep(1.1)
        hits = len(site.server.hits)
        confirm = run_archive(*due)
        assert confirm.returncode == 0, confirm.stderr[-3000:]
        # only the page seen gone is checked again, to confirm its removal; the others wait a day
        assert site.server.hits[hits:] == [site.articles[2].path]
        assert run_archive(*due).stdout == "no site is due\n"
    listed = run_archive("changes", "--data", str(out), "--format", "jsonl")
    found = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(e["url"], e["kind"]) for e in found] == [(site.url(1), "edited"), (site.url(2), "removed")]
    assert found[0]["diff"] == "title: 第1号通知：县政府召开[-秋-]{+冬+}季安全生产工作会议"


def test_an_article_dropped_from_the_middle_of_its_list_is_checked_next():
    from crawler.rechecks import dropped_from_list

    before = ["a", "b", "c", "d", "e"]
    assert dropped_from_list(before, ["a", "b", "d", "e"]) == ["c"]
    # pushed off the end by a newer one: no sign of anything
    assert dropped_from_list(before, ["new", "a", "b", "c", "d"]) == []
    assert dropped_from_list(before, ["a", "e"]) == []  # a whole run gone: its neighbours went too


def test_a_list_dropping_an_article_brings_its_check_forward(tmp_path):
    out, sites = tmp_path / "data", tmp_path / "sites"
    with ChangingSite(count=5) as site:
        site.config(sites)
        crawl = ["crawl", "county", "--sites", str(sites), "--out", str(out)]
        assert run_archive(*crawl).returncode == 0
        site.unlisted.add(3)
        site.answer(3, gone(404))
        assert run_archive(*crawl).returncode == 0  # the list is read again: article 3 is missing from it
        hits = len(site.server.hits)
        checks = run_archive("crawl", "--due", "--sites", str(sites), "--out", str(out))
        assert checks.returncode == 0, checks.stderr[-3000:]
        assert site.server.hits[hits:] == [site.articles[3].path]


def test_options_that_cannot_be_used_as_given_are_refused(tmp_path):
    from click.testing import CliRunner

    from archive.cli import main

    for args, says in ((["crawl", "--due", "--recheck"], "--recheck applies to site ids or --all"),
                       (["changes", "--format", "parquet"], "--format parquet needs -o FILE"),
                       (["changes", "--bom"], "--bom applies to --format csv"),
                       (["changes", "--since", "2026-12-02", "--until", "2026-12-01"], "is after --until"),
                       (["changes", "--kind", "deleted"], "Invalid value for '--kind'"),
                       (["changes", "--data", str(tmp_path), "-o", str(tmp_path / "changes" / "x.csv"),
                         "--format", "csv"], "would write into the archive")):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and says in result.output, (args, result.output)
