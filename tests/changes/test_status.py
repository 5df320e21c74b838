"""The page status state machine: what a run of checks declares, and when."""

from datetime import UTC, datetime, timedelta

from archive.changes.diff import compare
from archive.changes.schedule import next_check, scheduled_check
from archive.changes.status import Observation, Watch, advance
from archive.changes.verdict import GONE, LIVE, UNKNOWN, UNREACHABLE, Verdict
from archive.records import ArticleRecord

T0 = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SIX_HOURS = timedelta(hours=6)


def watch() -> Watch:
    return Watch.first_capture("http://a/1.htm", "s", "<r0>", None, T0, "标题", T0 - HOUR)


def seen(hours: float, kind: str, reason: str = "", *, record_id: str | None = None, diff=None) -> Observation:
    return Observation(T0 + timedelta(hours=hours), Verdict(kind, reason or kind), record_id or f"<r{hours}>",
                       full=True, diff=diff)


def run(w: Watch, *observations: Observation) -> list[tuple[str, float]]:
    """The events the observations declare, as (kind, hours after T0)."""
    found = []
    for o in observations:
        found += [(e.kind, (e.detected_at - T0) / HOUR) for e in advance(w, o, SIX_HOURS)]
    return found


def test_a_removal_needs_two_checks_removal_after_apart():
    w = watch()
    assert run(w, seen(1, GONE, "HTTP 404"), seen(3, GONE, "HTTP 404")) == []
    events = advance(w, seen(7, GONE, "HTTP 410"), SIX_HOURS)
    [removed] = events
    assert (removed.kind, removed.first_seen_gone, removed.last_seen_live) == ("removed", T0 + HOUR, T0)
    assert removed.reason == "HTTP 404, then HTTP 410" and removed.previous_record_id == "<r0>"
    assert run(w, seen(30, GONE)) == []  # declared once
    assert w.status == "removed"


def test_a_page_live_again_in_between_is_no_removal():
    w = watch()
    assert run(w, seen(1, GONE), seen(5, LIVE), seen(8, GONE), seen(12, GONE)) == []
    assert w.pending == GONE and w.pending_since == T0 + timedelta(hours=8)


def test_transient_failures_declare_nothing_and_do_not_break_a_gone_streak():
    w = watch()
    assert run(w, seen(1, UNREACHABLE, "HTTP 503"), seen(2, LIVE), seen(3, UNREACHABLE, "a challenge page"),
               seen(4, LIVE)) == []
    assert run(w, seen(5, GONE), seen(8, UNREACHABLE), seen(9, UNKNOWN), seen(12, GONE)) == [("removed", 12)]


def test_an_unreachable_spell_is_declared_once_and_is_never_a_removal():
    w = watch()
    assert run(w, seen(1, UNREACHABLE, "HTTP 503"), seen(7, UNREACHABLE, "HTTP 503"), seen(20, UNREACHABLE)) == \
        [("unreachable", 7)]
    assert w.status == "unreachable"
    assert run(w, seen(21, LIVE)) == [("restored", 21)]


def test_restored_after_a_removal_and_edited_when_it_came_back_changed():
    w = watch()
    before = ArticleRecord(url="u", site="s", title="标题", text="正文。")
    after = ArticleRecord(url="u", site="s", title="新标题", text="正文。")
    events = run(w, seen(1, GONE), seen(8, GONE), seen(30, LIVE, diff=compare(before, after)))
    assert events == [("removed", 8), ("restored", 30), ("edited", 30)]
    assert w.live_record_id == "<r30>" and w.changed_at == T0 + timedelta(hours=30)


def test_an_unchanged_answer_repeats_the_verdict_of_the_capture_it_repeats():
    w = watch()
    run(w, seen(1, UNREACHABLE, "a challenge page"))
    assert (w.last_verdict, w.last_reason) == (UNREACHABLE, "a challenge page")


def test_the_watch_survives_the_state_store():
    w = watch()
    run(w, seen(1, GONE, "HTTP 404"))
    assert Watch.from_json(w.to_json()) == w


def test_checks_follow_the_schedule_after_publication_then_the_age_of_the_version():
    offsets = [HOUR, SIX_HOURS, timedelta(days=1), timedelta(days=30)]
    published = T0 - HOUR
    assert scheduled_check(published, T0, T0, offsets) == published + SIX_HOURS  # 1 h had passed at the capture
    assert scheduled_check(published, published + timedelta(days=2), T0, offsets) == published + timedelta(days=30)
    # after the last offset: as long again as the version has stood, at least the last offset
    late = published + timedelta(days=31)
    assert scheduled_check(published, late, T0, offsets) == late + timedelta(days=31) - HOUR
    assert scheduled_check(published, late, late - HOUR, offsets) == late + timedelta(days=30)
    assert scheduled_check(published, late + timedelta(days=5000), T0, offsets) == \
        late + timedelta(days=5000) + timedelta(days=365)
    assert scheduled_check(published, T0, T0, []) is None


def test_a_gone_check_brings_the_next_one_forward_to_confirm_it():
    w = watch()
    offsets = [timedelta(days=30)]
    assert next_check(w, offsets, SIX_HOURS) == T0 - HOUR + timedelta(days=30)
    run(w, seen(2, GONE))
    assert next_check(w, offsets, SIX_HOURS) == T0 + timedelta(hours=8)
    assert next_check(w, [], SIX_HOURS) == T0 + timedelta(hours=8)
