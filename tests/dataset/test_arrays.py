"""Arrow arrays built from buffers give what pyarrow's own constructors give."""

import dataclasses
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.dataset.arrays import TextTooLarge, utf8_array, with_prefix
from archive.dataset.fingerprint import simhash
from archive.dataset.schema import ARTICLE_SCHEMA, records_table
from archive.records import ArticleRecord, Attachment

CELLS = st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=6)), st.booleans()), max_size=30)


@settings(max_examples=300, deadline=None)
@given(cells=CELLS, skip=st.integers(0, 3), mask_skip=st.integers(0, 3))
def test_prefix_goes_before_exactly_the_chosen_cells(cells, skip, mask_skip):
    values = [v for v, _ in cells]
    text = utf8_array(["pad"] * skip + values).slice(skip)
    chosen = [flag and v is not None for v, flag in cells]
    where = pa.array([False] * mask_skip + chosen, pa.bool_()).slice(mask_skip)
    result = with_prefix(text, where, "'")
    result.validate(full=True)
    expected = [None if v is None else ("'" + v if c else v) for v, c in zip(values, chosen, strict=True)]
    assert result.equals(pa.array(expected, pa.string()))


# -- the dataset writer's tables -------------------------------------------------------

TEXT = st.one_of(st.none(), st.text(max_size=8))
MOMENT = st.one_of(st.none(), st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                                           timezones=st.sampled_from([UTC, timezone(timedelta(hours=8))])))
RECORDS = st.lists(st.builds(
    ArticleRecord, url=st.text(max_size=8), site=st.just("s"), title=TEXT, text=TEXT, published_at=MOMENT,
    published_date=st.one_of(st.none(), st.dates()),
    author=TEXT, views=st.one_of(st.none(), st.integers(-(2 ** 63), 2 ** 63 - 1)), views_observed_at=MOMENT,
    fetched_at=MOMENT, warc_offset=st.one_of(st.none(), st.integers(0, 2 ** 40)),
    page_count=st.integers(1, 2 ** 31 - 1), simhash=st.one_of(st.none(), st.integers(-(2 ** 63), 2 ** 63 - 1)),
    attachments=st.lists(st.builds(Attachment, title=TEXT, url=st.text(max_size=5)), max_size=3)), max_size=12)


def reference_row(record: ArticleRecord) -> dict:
    """A record as pyarrow's own conversion takes it: the dict of its fields."""
    row = {name: getattr(record, name) for name in ARTICLE_SCHEMA.names}
    row["simhash"] = record.simhash if record.simhash is not None else simhash(record.text)
    if record.published_date is None and record.published_at is not None:
        # a record the jobs did not finish: its Beijing day
        row["published_date"] = record.published_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    row["attachments"] = [dataclasses.asdict(a) for a in record.attachments]
    return row


@settings(max_examples=300, deadline=None)
@given(records=RECORDS)
def test_records_table_is_what_pyarrow_makes_of_the_rows(records):
    table = records_table(records)
    table.validate(full=True)
    assert table.equals(pa.Table.from_pylist([reference_row(r) for r in records], schema=ARTICLE_SCHEMA))


def test_records_table_splits_a_column_too_large_for_one_array(monkeypatch):
    import archive.dataset.schema

    def small_arrays(values):
        if len(values) > 3:
            raise TextTooLarge("more than 2 GB of text for one string array")
        return utf8_array(values)

    records = [ArticleRecord(url=f"u{n}", site="s", text=f"文{n}") for n in range(10)]
    expected = records_table(records)
    monkeypatch.setattr(archive.dataset.schema, "utf8_array", small_arrays)
    split = records_table(records)
    assert split.num_rows == 10 and split.column("url").num_chunks > 1
    assert split.equals(expected)


def test_a_number_no_column_holds_is_an_error_not_a_split(monkeypatch):
    import archive.dataset.schema

    built = []
    real = archive.dataset.schema.records_table
    monkeypatch.setattr(archive.dataset.schema, "records_table",
                        lambda records: built.append(len(records)) or real(records))
    records = [ArticleRecord(url=f"u{n}", site="s", warc_offset=2 ** 64 if n == 5 else n) for n in range(8)]
    with pytest.raises(OverflowError):
        real(records)
    assert built == []  # raised at once, not after halving the batch down to the bad row


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="naive datetime"):
        records_table([ArticleRecord(url="u", site="s", fetched_at=datetime(2024, 1, 1))])


def test_writing_the_dataset_does_not_import_pandas():
    code = ("import sys; from datetime import datetime, UTC; from archive.dataset.schema import records_table; "
            "from archive.records import ArticleRecord; "
            "records_table([ArticleRecord(url='u', site='s', text='文', fetched_at=datetime.now(UTC))]); "
            "print('pandas' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
