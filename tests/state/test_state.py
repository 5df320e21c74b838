from datetime import UTC, datetime, timedelta

from archive.records import ArticleJob, CounterCapture, WarcPointer
from archive.sites import parse_site
from archive.state.store import CrawlState, shared_state


def site(site_id, every=None):
    data = {"id": site_id, "name": site_id, "start_urls": ["http://127.0.0.1/"]}
    if every:
        data["every"] = every
    return parse_site(data, f"{site_id}.toml")


def test_due_sites_are_those_whose_interval_has_passed(tmp_path):
    state = shared_state(tmp_path)
    hourly, daily, manual = site("hourly", "1h"), site("daily", "1d"), site("manual")
    for s in (hourly, daily):
        state.run_finished(state.run_started(s.id), "finished")
    failed = site("failed", "1h")
    state.run_finished(state.run_started(failed.id), "shutdown")
    assert [s.id for s in state.due([hourly, daily, manual, failed])] == ["failed"]
    two_hours_ago = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    state.db.execute("UPDATE runs SET finished = ? WHERE site = 'hourly'", (two_hours_ago,))
    assert [s.id for s in state.due([hourly, daily, manual])] == ["hourly"]


def test_jobs_survive_a_reopen(tmp_path):
    pointer = WarcPointer("/data/warc/a.warc.gz", 120, "<urn:uuid:1>")
    job = ArticleJob("http://127.0.0.1/a", "campus", [pointer], True,
                     CounterCapture("vsb", "http://127.0.0.1/c?x=1", WarcPointer("/data/warc/a.warc.gz", 900, "<c>")))
    state = CrawlState(tmp_path / "state.sqlite")
    state.article_submitted(job)
    state.close()
    again = CrawlState(tmp_path / "state.sqlite")
    assert list(again.pending_jobs("campus")) == [job]
    assert again.article_state(job.url).state == "pending"
    again.articles_done([(job.url, "done")])
    assert list(again.pending_jobs("campus")) == []
    assert again.counters_to_refresh("campus", timedelta(days=1)) == [(job.url, "vsb", "http://127.0.0.1/c?x=1")]
    again.close()


def test_many_urls_are_looked_up_in_chunks(tmp_path):
    from archive.records import ArticleJob, WarcPointer
    from archive.state.store import CrawlState

    state = CrawlState(tmp_path / "state.sqlite")
    urls = [f"http://news.example.cn/a/{n}.html" for n in range(1200)]
    pointer = WarcPointer("warc/x.warc.gz", 0, "<urn:uuid:1>")
    for url in urls[::3]:
        state.article_submitted(ArticleJob(url, "news", [pointer], False, None))
    for url in urls[1::3]:
        state.record_capture(url, "news", 404, etag=None, last_modified=None, payload_digest=None,
                             pointer=pointer, warc_date=None)
    states = state.article_states(urls)
    assert set(states) == set(urls[::3]) and {s.state for s in states.values()} == {"pending"}
    assert state.capture_statuses(urls) == dict.fromkeys(urls[1::3], 404)
