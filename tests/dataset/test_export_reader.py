"""The export reads its selection straight from the Parquet files; it must select exactly
what a pyarrow dataset scan with the same filter does, and format cells as before."""

import io
import json
import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from archive.dataset.days import day_start
from archive.dataset.export import _csv_column, write_export
from archive.dataset.files import dataset_files, open_dataset
from archive.dataset.schema import ARTICLE_SCHEMA, PARTITION_SCHEMA, VIEWS_SCHEMA
from archive.dataset.selection import newest_captures, select_rows
from archive.errors import InputError

SITES = ["gov", "campus", "a b", "portal"]


def moment(rng):
    if rng.random() < 0.1:
        return None
    return datetime(2026, 9, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 90 * 86400),
                                                         microseconds=rng.choice([0, rng.randint(0, 999999)]))


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """Several versions per URL (some tied, some undated), null record ids, files without
    newer columns, many small row groups, and a site id that needs escaping."""
    rng = random.Random(11)
    root = tmp_path_factory.mktemp("messy")
    for number in range(16):
        site = SITES[number % len(SITES)]
        day = f"2026-10-{1 + number % 9:02d}"
        directory = root / "articles" / f"site={site.replace(' ', '%20')}" / f"capture_date={day}"
        directory.mkdir(parents=True, exist_ok=True)
        rows = rng.randint(0, 40)
        columns = {name: [None] * rows for name in ARTICLE_SCHEMA.names}
        columns["url"] = [f"http://{site}/{rng.randint(0, 12)}" for _ in range(rows)]
        columns["title"] = [rng.choice([None, "=1+1", "标题", "-x"]) for _ in range(rows)]
        columns["published_at"] = [moment(rng) for _ in range(rows)]
        fetched = [moment(rng) for _ in range(rows)]
        columns["fetched_at"] = [f if rng.random() < 0.8 else datetime(2026, 11, 1, tzinfo=UTC) for f in fetched]
        columns["warc_record_id"] = [rng.choice([None, f"<urn:uuid:{rng.randint(0, 50)}>"]) for _ in range(rows)]
        columns["views"] = [rng.randint(0, 10**9) for _ in range(rows)]
        columns["attachments"] = [rng.choice([None, [], [{"title": "附件", "url": "http://x/1.pdf"}]])
                                  for _ in range(rows)]
        # the printed day: in New York for one site, a day before Beijing's some evenings;
        # missing from some rows of files another tool wrote
        zone = ZoneInfo("America/New_York" if site == "portal" else "Asia/Shanghai")
        columns["published_date"] = [None if p is None or number % 5 == 1 and rng.random() < 0.5
                                     else p.astimezone(zone).date() for p in columns["published_at"]]
        table = pa.table(columns, schema=ARTICLE_SCHEMA)
        if number % 3 == 0:  # written before these columns existed
            table = table.drop_columns(["simhash", "editor", "published_date"])
        pq.write_table(table, directory / f"part-{number}.parquet", row_group_size=7)
    # rows on the bounds of the date filter of the tests, one per row group
    directory = root / "articles" / "site=gov" / "capture_date=2026-11-01"
    directory.mkdir(parents=True, exist_ok=True)
    edges = [day_start(date(2026, 9, 20)), day_start(date(2026, 11, 1)), day_start(date(2026, 11, 1))]
    edges = [edges[0] - timedelta(microseconds=1), edges[0], edges[1] - timedelta(microseconds=1), edges[1]]
    columns = {name: [None] * len(edges) for name in ARTICLE_SCHEMA.names}
    columns.update(url=[f"http://gov/edge{i}" for i in range(len(edges))], published_at=edges,
                   published_date=[e.astimezone(ZoneInfo("Asia/Shanghai")).date() for e in edges],
                   warc_record_id=[f"<urn:uuid:edge{i}>" for i in range(len(edges))],
                   fetched_at=[datetime(2026, 11, 1, tzinfo=UTC)] * len(edges))
    pq.write_table(pa.table(columns, schema=ARTICLE_SCHEMA), directory / "part-edges.parquet", row_group_size=1)
    # days another zone prints, a day off Beijing's (New York behind it, Auckland ahead), each
    # beside a row of no printed day: only the publication times' statistics tell about those
    directory = root / "articles" / "site=portal" / "capture_date=2026-11-01"
    directory.mkdir(parents=True)
    beijing = ZoneInfo("Asia/Shanghai")
    published = [datetime(2026, 11, 1, 1, tzinfo=beijing)] * 2 + [datetime(2026, 9, 19, 22, tzinfo=beijing)] * 2
    columns = {name: [None] * len(published) for name in ARTICLE_SCHEMA.names}
    columns.update(url=[f"http://portal/zone{i}" for i in range(len(published))], published_at=published,
                   published_date=[date(2026, 10, 31), None, date(2026, 9, 20), None],
                   warc_record_id=[f"<urn:uuid:zone{i}>" for i in range(len(published))],
                   fetched_at=[datetime(2026, 11, 1, tzinfo=UTC)] * len(published))
    pq.write_table(pa.table(columns, schema=ARTICLE_SCHEMA), directory / "part-zones.parquet", row_group_size=2)
    for number in range(4):
        directory = root / "views" / f"site={SITES[number]}" / f"capture_date=2026-10-0{number + 1}"
        directory.mkdir(parents=True)
        readings = pa.table({"url": [f"http://{SITES[number]}/{i}" for i in range(9)],
                             "observed_at": [moment(rng) or datetime(2026, 10, 1, tzinfo=UTC) for _ in range(9)],
                             "views": list(range(9))}, schema=VIEWS_SCHEMA)
        pq.write_table(readings, directory / "part-views.parquet", row_group_size=4)
    return root


def scanned(root, sites=(), since=None, until=None, *, views=False, all_versions=False):
    """The selection as a pyarrow dataset scan with a filter expression gives it, and the
    latest versions by an Arrow group-by and join."""
    dataset = open_dataset(root / ("views" if views else "articles"), views=views)
    condition = pc.scalar(True)
    if sites:
        condition &= pc.field("site").isin(list(sites))
    columns = {name: pc.field(name) for name in dataset.schema.names}
    if views:
        if since:
            condition &= pc.field("observed_at") >= pa.scalar(day_start(since), pa.timestamp("us", "UTC"))
        if until:
            condition &= pc.field("observed_at") < pa.scalar(day_start(until + timedelta(days=1)),
                                                             pa.timestamp("us", "UTC"))
    else:
        # the printed day, or where a row has none the Beijing day of its publication time
        beijing_day = pc.field("published_at").cast(pa.timestamp("us", "Asia/Shanghai")).cast(pa.date32())
        columns["published_date"] = printed = pc.coalesce(pc.field("published_date"), beijing_day)
        if since:
            condition &= printed >= pa.scalar(since, pa.date32())
        if until:
            condition &= printed <= pa.scalar(until, pa.date32())
    if not views and not all_versions:
        keys = dataset.to_table(columns=["url", "fetched_at", "warc_record_id"], filter=condition)
        if keys.num_rows != pc.count_distinct(keys.column("url")).as_py():
            newest = keys.group_by("url").aggregate([("fetched_at", "max")]).rename_columns(["url", "fetched_at"])
            kept = keys.join(newest, keys=["url", "fetched_at"], join_type="inner")
            condition &= pc.field("warc_record_id").isin(kept.column("warc_record_id"))
    return dataset.to_table(columns=columns, filter=condition)


def selected(root, **options):
    rows = select_rows(root, **options)
    return pa.Table.from_batches(list(rows.batches), rows.schema), rows


@pytest.mark.parametrize("views,all_versions", [(False, False), (False, True), (True, False)])
@pytest.mark.parametrize("sites", [(), ("gov",), ("a b", "portal")])
@pytest.mark.parametrize("since,until", [(None, None), (date(2026, 9, 20), None), (None, date(2026, 10, 31)),
                                         (date(2026, 9, 20), date(2026, 10, 31))])
def test_selection_is_the_dataset_scan(messy, views, all_versions, sites, since, until):
    options = {"sites": sites, "since": since, "until": until, "views": views, "all_versions": all_versions}
    expected = scanned(messy, **options)
    got, rows = selected(messy, **options)
    assert got.schema == expected.schema
    assert got.to_pylist() == expected.to_pylist()
    assert rows.count() == expected.num_rows


@pytest.mark.parametrize("views", [False, True])
def test_a_site_with_no_articles_is_an_error_naming_it(messy, views):
    with pytest.raises(InputError, match=r"^--site nosuch: no articles of this site in .*articles "
                                         r"\(sites there: a b, campus, gov, portal\)$"):
        select_rows(messy, sites=("gov", "nosuch"), views=views)


def test_the_latest_version_filter_applies(messy):
    every, _ = selected(messy, all_versions=True)
    latest, _ = selected(messy)
    assert 0 < latest.num_rows < every.num_rows


def test_rows_on_the_bounds_of_the_dates(messy):
    table, _ = selected(messy, sites=("gov",), since=date(2026, 9, 20), until=date(2026, 10, 31))
    assert sorted(u for u in table.column("url").to_pylist() if "edge" in u) == ["http://gov/edge1", "http://gov/edge2"]


def test_newest_captures_keeps_ties_and_never_undated_rows():
    stamp = pa.timestamp("us", "UTC")
    keys = pa.table({
        "url": ["a", "a", "a", "b", "b", "c"],
        "fetched_at": pa.array([1, 3, 3, None, None, 2], pa.int64()).cast(stamp),
        "warc_record_id": ["a1", "a3", "a3bis", "b1", "b2", "c2"],
    })
    assert newest_captures(keys).to_pylist() == ["a3", "a3bis", "c2"]
    assert newest_captures(keys.filter(pc.equal(keys.column("url"), "c"))) is None
    assert newest_captures(keys.slice(0, 0)) is None


def test_site_pruned_file_listing_is_the_filtered_full_listing(messy):
    root = messy / "articles"
    every = dataset_files(root)
    for sites in (["gov"], ["a b", "portal"], ["nosuch"]):
        assert dataset_files(root, sites) == [p for p in every if any(f"site={s.replace(' ', '%20')}/" in p
                                                                      for s in sites)]


def test_list_cells_are_the_json_of_each_list():
    kind = ARTICLE_SCHEMA.field("attachments").type
    values = [None, [], [{"title": "附件 \"一\"", "url": "http://x/1.pdf", "sha1": "ab", "status": "ok"}], [],
              [{"title": None, "url": "u\n", "sha1": None, "status": None}]]
    cells = _csv_column(pa.array(values, kind)).to_pylist()
    assert cells == [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
    assert _csv_column(pa.array([[], None], kind)).to_pylist() == ["[]", None]


def test_formula_guard_only_touches_formula_cells():
    column = pa.array(["=1", "+8", "-x", "@a", "\tt", "\rr", "a=1", "中文", None, ""])
    assert _csv_column(column).to_pylist() == ["'=1", "'+8", "'-x", "'@a", "'\tt", "'\rr", "a=1", "中文", None, ""]
    safe = pa.array(["a", "b=", None])
    assert _csv_column(safe).to_pylist() == ["a", "b=", None]


def test_export_does_not_load_pandas_or_the_dataset_module(messy, tmp_path):
    # pyarrow imports pandas (0.3 s) on its first conversion of Python values, and
    # pyarrow.dataset imports it on import: a third of a typical export's time.
    script = f"""
import sys
from archive.cli import main
for fmt in ("csv", "parquet"):
    main(["export", "--data", {str(messy)!r}, "--site", "gov", "--since", "2026-09-20", "--format", fmt,
          "-o", {str(tmp_path)!r} + "/out." + fmt], standalone_mode=False)
loaded = [m for m in ("pandas", "pyarrow.dataset", "archive.sites") if m in sys.modules]
print(",".join(loaded))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
    expected = scanned(messy, sites=("gov",), since=date(2026, 9, 20))
    assert pq.read_table(tmp_path / "out.parquet").to_pylist() == expected.to_pylist()


def test_partition_columns_come_from_the_directory_names(messy):
    table, _ = selected(messy, sites=("a b",), all_versions=True)
    assert set(table.column("site").to_pylist()) == {"a b"}
    assert table.schema.names[-2:] == PARTITION_SCHEMA.names


def test_parquet_export_of_the_selection(messy):
    out = io.BytesIO()
    rows = select_rows(messy, since=date(2026, 9, 20))
    written = write_export(rows, "parquet", out)
    table = pq.read_table(io.BytesIO(out.getvalue()))
    assert written == table.num_rows == scanned(messy, since=date(2026, 9, 20)).num_rows
