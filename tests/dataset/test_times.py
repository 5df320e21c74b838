"""Times as CSV shows them are the text `archive extract` prints: Python's isoformat of
the instant in the site's zone."""

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from archive.dataset.days import DayRange, with_printed_days
from archive.dataset.export import _csv_column
from archive.dataset.times import iso_text, zone_rows
from archive.errors import ConfigError
from archive.zones import SiteZones, local_iso

STAMP = pa.timestamp("us", "UTC")
ZONES = ["Asia/Shanghai", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]


def instants(rng, count):
    """Times of the archive's decades and of China's summer time (1986-1991), whole
    seconds and not, around midnight and the changes of clocks."""
    values = []
    for _ in range(count):
        start = datetime(rng.choice([1986, 1990, 2003, 2026, 2037]), 1, 1, tzinfo=UTC)
        values.append(start + timedelta(seconds=rng.randint(0, 365 * 86400),
                                        microseconds=rng.choice([0, 0, 1, rng.randint(0, 999999)])))
    return values + [datetime(2026, 10, 18, 16, tzinfo=UTC), None]


@pytest.mark.parametrize("name", ZONES)
def test_csv_times_are_isoformat_in_the_zone(name):
    zone = ZoneInfo(name)
    values = instants(random.Random(name), 3000)
    column = pa.array(values, STAMP)
    assert _csv_column(column, [(zone, None)]).to_pylist() == [None if v is None else local_iso(v, zone)
                                                               for v in values]


def test_beijing_time_by_default():
    column = pa.array([datetime(2026, 10, 18, 16, tzinfo=UTC), datetime(1991, 7, 1, tzinfo=UTC)], STAMP)
    # China kept summer time until 1991
    assert _csv_column(column).to_pylist() == ["2026-10-19T00:00:00+08:00", "1991-07-01T09:00:00+09:00"]


def test_times_past_the_fast_range_take_pythons_path():
    values = [datetime(2026, 10, 18, 16, tzinfo=UTC), datetime(2040, 7, 1, 12, tzinfo=UTC),
              datetime(999, 12, 31, 23, 59, tzinfo=UTC), None]
    for name in ("Europe/Paris", "Asia/Shanghai"):
        zone = ZoneInfo(name)
        assert iso_text(pa.array(values, STAMP), [(zone, None)]).to_pylist() == [
            None if v is None else local_iso(v, zone) for v in values]
    assert iso_text(pa.nulls(3, STAMP)).to_pylist() == [None] * 3


def test_each_row_in_its_sites_zone(tmp_path):
    (tmp_path / "paris.toml").write_text('timezone = "Europe/Paris"\n', encoding="utf-8")
    (tmp_path / "gov.toml").write_text('id = "gov"\n', encoding="utf-8")
    moment = datetime(2026, 7, 1, 12, tzinfo=UTC)
    sites = pa.array(["gov", "paris", "adhoc.example.cn", None, "paris"])
    text = iso_text(pa.array([moment] * 5, STAMP), zone_rows(sites, SiteZones(tmp_path))).to_pylist()
    assert text == ["2026-07-01T20:00:00+08:00", "2026-07-01T14:00:00+02:00", "2026-07-01T20:00:00+08:00",
                    "2026-07-01T20:00:00+08:00", "2026-07-01T14:00:00+02:00"]


def test_a_bad_timezone_in_a_site_file_is_one_line_naming_it(tmp_path):
    (tmp_path / "x.toml").write_text('timezone = "Mars/Olympus"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^\S+x\.toml: timezone: 'Mars/Olympus' is not a time zone"):
        SiteZones(tmp_path)("x")


def test_old_rows_get_their_beijing_day_and_a_range_selects_by_it():
    published = [datetime(2026, 10, 18, 16, tzinfo=UTC), datetime(2026, 10, 18, 15, 59, tzinfo=UTC), None]
    old = pa.table({"published_at": pa.array(published, STAMP)})
    filled = with_printed_days(old)
    assert filled.column("published_date").to_pylist() == [date(2026, 10, 19), date(2026, 10, 18), None]
    days = DayRange.of(date(2026, 10, 19), date(2026, 10, 19), views=False)
    assert days.mask(old).to_pylist() == [True, False, None]
    # a day another zone printed is the day, whatever Beijing's is
    printed = filled.set_column(1, "published_date", pa.array([None, date(2026, 10, 19), None], pa.date32()))
    assert days.mask(printed).to_pylist() == [True, True, None]
