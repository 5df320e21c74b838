"""A record's publication time in its site's zone, and the day it prints."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from archive.records import ArticleRecord, record_json
from archive.zones import settle_dates

# extraction reads a page that prints no zone as Beijing time, with this zone
READ_AS_BEIJING = ZoneInfo("Asia/Shanghai")


def record(published):
    return ArticleRecord(url="http://a/1", site="s", published_at=published)


def test_a_date_only_page_prints_its_day():
    # an e-paper edition of the 19th: midnight of the 19th as extraction reads it
    settled = settle_dates(record(datetime(2026, 10, 19, tzinfo=READ_AS_BEIJING)))
    assert settled.published_date == date(2026, 10, 19)
    assert settled.published_at == datetime(2026, 10, 18, 16, tzinfo=UTC)
    shown = record_json(settled)
    assert (shown["published_at"], shown["published_date"]) == ("2026-10-19T00:00:00+08:00", "2026-10-19")


def test_a_site_elsewhere_reads_the_printed_clock_in_its_zone():
    settled = settle_dates(record(datetime(2026, 10, 19, tzinfo=READ_AS_BEIJING)), "America/New_York")
    assert settled.published_date == date(2026, 10, 19)
    assert record_json(settled, ZoneInfo("America/New_York"))["published_at"] == "2026-10-19T00:00:00-04:00"
    evening = settle_dates(record(datetime(2026, 10, 19, 21, 30, tzinfo=READ_AS_BEIJING)), "Europe/Paris")
    assert evening.published_at == datetime(2026, 10, 19, 19, 30, tzinfo=UTC)


def test_a_zone_the_page_prints_is_kept_and_the_day_is_the_sites():
    # <meta article:published_time="2026-10-18T16:00:00Z">: the 19th in Beijing
    printed = datetime(2026, 10, 18, 16, tzinfo=UTC)
    assert settle_dates(record(printed)).published_date == date(2026, 10, 19)
    paris = settle_dates(record(printed), "Europe/Paris")
    assert paris.published_at == printed and paris.published_date == date(2026, 10, 18)
    eight = timezone(timedelta(hours=8))
    assert settle_dates(record(datetime(2026, 10, 19, tzinfo=eight)), "Europe/Paris").published_date == \
        date(2026, 10, 18)


def test_an_undated_record_has_no_day():
    assert settle_dates(record(None)).published_date is None
