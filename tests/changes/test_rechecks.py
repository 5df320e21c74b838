"""Re-checks over loopback: a site whose articles are edited, deleted, restored, and
briefly unreachable between crawls; each change is one event, the rest none."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from lxml import html
from warcio.archiveiterator import ArchiveIterator

from tests.changes.site import PARAGRAPHS, ChangingSite, challenge, gone, redirect, template_not_found
from tests.conftest import run_archive
from tests.dataset.test_stats_report import run_chromium
from tests.reliability.hostile import Page

EDITED_PARAGRAPH = "会议要求，要聚焦道路交通、危险化学品、建筑施工、燃气等重点行业领域，持续开展专项整治行动。"


def hang_up(handler) -> None:
    """Close the connection without a word: a fetch that gets no answer at all."""
    handler.close_connection = True


def archive(*args: str) -> str:
    result = run_archive(*args)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def events(out: Path, *args: str) -> list[dict]:
    return [json.loads(line) for line in archive("changes", "--data", str(out), "--format", "jsonl", *args)
            .splitlines()]


def kinds(found: list[dict], site: ChangingSite) -> list[tuple[int, str, str | None]]:
    """(article number, kind, class) of each event, in article order."""
    number = {site.url(n): n for n in site.articles}
    return sorted((number[e["url"]], e["kind"], e["change_class"]) for e in found)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A crawl, then four sweeps (`archive crawl county --recheck`) with changes between them."""
    root = tmp_path_factory.mktemp("rechecks")
    out, sites = root / "data", root / "sites"
    with ChangingSite() as site:
        site.config(sites, removal_after="1s")
        common = ["county", "--sites", str(sites), "--out", str(out)]
        archive("crawl", *common)
        site.edit(1, title="第1号通知：县政府召开冬季安全生产工作会议")
        site.edit(2, paragraphs=(PARAGRAPHS[0], EDITED_PARAGRAPH, *PARAGRAPHS[2:]))
        site.edit(3, source="县政府办公室")
        site.edit(4, views=4321)  # only the counter
        site.answer(5, gone(404))
        site.answer(6, gone(410))
        site.answer(7, redirect("/"))
        site.answer(8, template_not_found())
        site.answer(9, gone(503))  # for one sweep only
        site.answer(10, challenge())  # for one sweep only
        site.answer(11, Page(writer=hang_up))  # for two sweeps: an unreachable spell
        site.answer(12, gone(404))  # deleted, then restored
        sweeps = []
        for restore in ((9, 10), (11, 12), (), ()):
            time.sleep(1.1)  # the sweeps of a loaded machine are still removal_after apart
            before = {n: site.hits(n) for n in site.articles}
            sweeps.append({"stdout": archive("crawl", *common, "--recheck"),
                           "hits": {n: site.hits(n) - before[n] for n in site.articles}})
            for n in restore:
                site.answer(n, None)
        found = events(out)
        yield {"site": site, "out": out, "sites": sites, "sweeps": sweeps, "events": found}


def test_each_change_is_one_event_and_nothing_else_is(history):
    assert kinds(history["events"], history["site"]) == [
        (1, "edited", "minor"), (2, "edited", "minor"), (3, "edited", "metadata"),
        (5, "removed", None), (6, "removed", None), (7, "removed", None), (8, "removed", None),
        (11, "restored", None), (11, "unreachable", None), (12, "removed", None), (12, "restored", None)]


def test_edits_show_what_changed(history):
    by_url = {(e["url"], e["kind"]): e for e in history["events"]}
    site = history["site"]
    title = by_url[(site.url(1), "edited")]
    assert title["fields"] == ["title"]
    assert title["diff"] == "title: 第1号通知：县政府召开[-秋-]{+冬+}季安全生产工作会议"
    paragraph = by_url[(site.url(2), "edited")]
    assert paragraph["fields"] == ["text"] and paragraph["diff"].startswith("text ¶2: ")
    assert "建筑施工{+、燃气+}等重点行业" in paragraph["diff"]
    source = by_url[(site.url(3), "edited")]
    assert source["diff"] == "source: 县[-应急管理局-]{+政府办公室+}"
    assert source["previous_record_id"] != source["new_record_id"]


def test_removals_say_why_and_when(history):
    by_url = {(e["url"], e["kind"]): e for e in history["events"]}
    site = history["site"]
    reasons = {n: by_url[(site.url(n), "removed")]["reason"] for n in (5, 6, 7, 8)}
    assert reasons[5] == "HTTP 404" and reasons[6] == "HTTP 410"
    assert reasons[7].startswith("redirect to the home or a list page")
    assert reasons[8].startswith("a page saying ")
    removed = by_url[(site.url(5), "removed")]
    # first seen gone by the first sweep, declared by the second
    assert removed["last_seen_live"] < removed["first_seen_gone"] < removed["detected_at"]
    restored = by_url[(site.url(12), "restored")]
    assert restored["reason"].startswith("back after being removed: HTTP 404")
    unreachable = by_url[(site.url(11), "unreachable")]
    assert unreachable["reason"].startswith("ResponseNeverReceived") or "Connection" in unreachable["reason"]


def test_an_unchanged_page_costs_one_request_and_a_revisit(history):
    """Article 4 changed only its counter in the first sweep; after that it is unchanged."""
    for sweep in history["sweeps"]:
        # (a connection closed without an answer is tried again by the HTTP client itself)
        assert all(hits == 1 for n, hits in sweep["hits"].items() if n != 11), str(sweep["hits"])
    last = sorted((history["out"] / "warc").glob("*.warc.gz"))[-1]
    with open(last, "rb") as fh:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.http_headers.get_statuscode())
                   for r in ArchiveIterator(fh) if r.rec_type in ("response", "revisit")]
    url = history["site"].url(4)
    assert records.count(("revisit", url, "304")) == 1


def test_the_crawl_summary_counts_checks_and_findings_not_failures(history):
    first, second, *_ = history["sweeps"]
    assert "county: 12 archived articles checked again, 3 edited" in first["stdout"]
    assert "county: 12 archived articles checked again, 5 removed" in second["stdout"]
    row = next(line for line in first["stdout"].splitlines() if line.startswith("county "))
    # the 404, 410 and 503 answers are findings; the connection hung up is the failure
    assert row.split()[6] == "1"


def test_reextract_makes_the_same_events_from_the_warc_files(history, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(history["out"], copy)
    archive("reextract", "--data", str(copy), "--sites", str(history["sites"]))
    assert events(copy) == history["events"]
    # the failed fetch was kept as a metadata record
    metadata = []
    for path in (copy / "warc").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            metadata += [r.content_stream().read() for r in ArchiveIterator(fh) if r.rec_type == "metadata"]
    assert len(metadata) == 2 and all(m.startswith(b"fetch-failed: ") for m in metadata)


def test_a_rebuilt_state_keeps_what_was_declared(history, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(history["out"], copy)
    archive("state", "rebuild", "--data", str(copy))
    archive("crawl", "county", "--sites", str(history["sites"]), "--out", str(copy), "--recheck")
    # still removed: no second removal; article 12 still live: no second restoration
    assert events(copy) == history["events"]


def test_filters_and_the_history_of_one_article(history):
    out, site = history["out"], history["site"]
    assert {e["url"] for e in events(out, "--kind", "removed")} == {site.url(n) for n in (5, 6, 7, 8, 12)}
    assert events(out, "--site", "county", "--since", "2000-01-01", "--until", "2000-01-02") == []
    shown = archive("changes", "--data", str(out), site.url(12))
    assert "removed" in shown and "restored" in shown and "HTTP 404" in shown
    shown = archive("changes", "--data", str(out), site.url(2))
    assert "edited (minor: text)" in shown and "{+、燃气+}" in shown
    table = archive("changes", "--data", str(out))
    assert len([line for line in table.splitlines() if "county" in line]) == 11


def test_csv_parquet_and_atom(history, tmp_path):
    out = history["out"]
    archive("changes", "--data", str(out), "--format", "csv", "-o", str(tmp_path / "c.csv"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8"))))
    assert [r["kind"] for r in rows] == [e["kind"] for e in history["events"]]
    assert rows[0]["detected_at"].endswith("+08:00") and rows[0]["site"] == "county"
    archive("changes", "--data", str(out), "--format", "parquet", "-o", str(tmp_path / "c.parquet"))
    table = pq.read_table(tmp_path / "c.parquet")
    assert table.num_rows == 11 and str(table.schema.field("detected_at").type) == "timestamp[us, tz=UTC]"
    archive("changes", "--data", str(out), "--format", "atom", "-o", str(tmp_path / "c.xml"))
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(tmp_path / "c.xml").getroot()
    entries = feed.findall(f"{atom}entry")
    assert len(entries) == 11 and len({e.find(f"{atom}id").text for e in entries}) == 11
    edited = next(e for e in entries if e.find(f"{atom}title").text.startswith("Edited: 第1号"))
    assert "<del>秋</del><ins>冬</ins>" in edited.find(f"{atom}content").text


def test_the_report_shows_the_events_per_week_and_the_latest_with_their_differences(history, tmp_path):
    page = tmp_path / "report.html"
    archive("report", "--data", str(history["out"]), "-o", str(page))
    dom = html.fromstring(run_chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", page.as_uri()).stdout)
    [row] = dom.xpath("//table[@id='changes-per-week']/tbody/tr")
    assert [cell.text_content() for cell in row.xpath("td")][2:] == ["3", "5", "2", "1"]
    latest = dom.xpath("//div[@id='latest-changes']/div[@class='change']")
    assert [div.get("data-kind") for div in latest].count("removed") == 5 and len(latest) == 11
    assert dom.xpath("//div[@id='latest-changes']//del[text()='秋']/following-sibling::ins[1][text()='冬']")
    assert dom.get_element_by_id("total-articles").text_content() == "12"  # the page's script ran
