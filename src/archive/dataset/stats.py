"""Counts over the dataset: per site and day, extraction outcomes, field coverage.

Reads only DATA/articles and DATA/views (never the network, never the WARC files). A
capture that gave no article record is not in the dataset; the crawl summary and
`archive extract` report those. Here an extraction "failure" is a record missing a field
every article should have (title, text or publication time).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from archive.datadir import DataDir
from archive.dataset.days import printed_day_expression
from archive.dataset.files import check_sites, open_dataset
from archive.errors import InputError
from archive.zones import DEFAULT_ZONE, SiteZones, local_iso

COVERAGE_FIELDS = ("title", "text", "published_at", "publisher", "source", "author", "editor", "views",
                   "page", "subtitle", "column", "attachments")
REQUIRED_FIELDS = ("title", "text", "published_at")
# the quality of rows written before extraction judged its bodies
NOT_JUDGED = "not judged"


@dataclass
class SiteCounts:
    site: str
    articles: int            # distinct URLs
    captures: int            # rows: every captured version
    incomplete: int          # rows missing a required field
    first_capture: str | None        # times in the site's zone
    last_capture: str | None
    first_published: str | None      # printed days
    last_published: str | None
    views_observations: int = 0
    articles_with_views: int = 0
    doubted: int = 0         # rows whose body failed a check of extraction (quality other than ok)
    attachments: int = 0             # files archived (rows of the attachments dataset)
    attachments_with_text: int = 0   # of which text was read (status ok)


@dataclass
class DatasetStats:
    sites: list[SiteCounts] = field(default_factory=list)
    # (site, day, rows): day of capture (UTC, the partition) and the day the page prints
    captured_per_day: list[tuple[str, str, int]] = field(default_factory=list)
    published_per_day: list[tuple[str, str, int]] = field(default_factory=list)
    coverage: dict[str, dict[str, float]] = field(default_factory=dict)   # site -> field -> share of rows
    kinds: list[tuple[str, str, int]] = field(default_factory=list)        # (site, kind, rows)
    extractor_versions: list[tuple[str, str, int]] = field(default_factory=list)
    qualities: list[tuple[str, str, int]] = field(default_factory=list)    # (site, quality, rows)
    incomplete: list[dict] = field(default_factory=list)                  # {site, url, missing}
    top_views: list[dict] = field(default_factory=list)                   # {site, url, title, views}
    views_history: list[dict] = field(default_factory=list)               # {url, observed_at, views}: site's zone
    # per site and file type: {site, file_type, files, with_text, bytes}; per site and status: (site, status, files)
    attachment_types: list[dict] = field(default_factory=list)
    attachment_statuses: list[tuple[str, str, int]] = field(default_factory=list)

    def as_json(self) -> dict:
        return asdict(self)


def _present(name: str) -> pc.Expression:
    if name == "attachments":
        return pc.coalesce(pc.list_value_length(pc.field(name)), pa.scalar(0, pa.int32())) > 0
    if name in ("text", "title"):
        return pc.coalesce(pc.utf8_length(pc.field(name)), pa.scalar(0, pa.int32())) > 0
    return pc.field(name).is_valid()


def _grouped(table: pa.Table, keys: list[str]) -> list[tuple]:
    counted = table.group_by(keys).aggregate([([], "count_all")]).sort_by([(k, "ascending") for k in keys])
    return list(zip(*(counted.column(c).to_pylist() for c in [*keys, "count_all"]), strict=True))


def _filled(table: pa.Table, name: str, value: str) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, pc.fill_null(table.column(name), value))


def dataset_stats(data_dir: Path, sites: tuple[str, ...] = (), top: int = 15,
                  zones: SiteZones | None = None) -> DatasetStats:
    """The counts of the dataset under DATA (optionally of some sites only); times in
    each site's zone (`zones`; default Beijing time)."""
    zone_of = zones or (lambda _site: DEFAULT_ZONE)
    root = DataDir(data_dir).articles
    if not root.is_dir():
        raise InputError(f"{root}: no article dataset here (run `archive crawl` or `archive demo` first)")
    check_sites(root, sites)
    dataset = open_dataset(root)
    condition = pc.field("site").isin(list(sites)) if sites else None
    columns = {name: pc.field(name) for name in ("url", "site", "capture_date", "published_at", "fetched_at",
                                                  "kind", "extractor_version", "views", "title", "quality")}
    columns |= {f"has_{name}": _present(name) for name in COVERAGE_FIELDS}
    columns["printed_day"] = printed_day_expression()
    table = dataset.to_table(columns=columns, filter=condition)
    table = table.append_column("published_day", pc.fill_null(table.column("printed_day").cast(pa.string()), "undated"))
    stats = DatasetStats()
    stats.captured_per_day = _grouped(table, ["site", "capture_date"])
    stats.published_per_day = _grouped(table, ["site", "published_day"])
    stats.kinds = _grouped(_filled(table, "kind", "unknown"), ["site", "kind"])
    stats.extractor_versions = _grouped(_filled(table, "extractor_version", "unknown"), ["site", "extractor_version"])
    stats.qualities = _grouped(_filled(table, "quality", NOT_JUDGED), ["site", "quality"])
    views = _views(Path(data_dir), sites)
    files = _attachments(Path(data_dir), sites)
    if files is not None:
        stats.attachment_statuses = _grouped(files, ["site", "status"])
        stats.attachment_types = _attachment_types(files)
    for site in sorted(set(table.column("site").to_pylist())):
        rows = table.filter(pc.equal(table.column("site"), site))
        stats.sites.append(_site_counts(site, rows, views, zone_of(site)))
        for kind in stats.attachment_types:
            if kind["site"] == site:
                stats.sites[-1].attachments += kind["files"]
                stats.sites[-1].attachments_with_text += kind["with_text"]
        stats.coverage[site] = {name: pc.mean(rows.column(f"has_{name}").cast(pa.float64())).as_py()
                                for name in COVERAGE_FIELDS}
    for row in table.to_pylist():
        missing = [name for name in REQUIRED_FIELDS if not row[f"has_{name}"]]
        if missing:
            stats.incomplete.append({"site": row["site"], "url": row["url"], "missing": missing})
    stats.top_views = _top_views(table, top)
    if views is not None and stats.top_views:
        wanted = pc.is_in(views.column("url"), pa.array([r["url"] for r in stats.top_views[:5]]))
        history = views.filter(wanted).sort_by([("url", "ascending"), ("observed_at", "ascending")])
        stats.views_history = [{"url": r["url"], "observed_at": local_iso(r["observed_at"], zone_of(r["site"])),
                                "views": r["views"]} for r in history.to_pylist()]
    return stats


def _site_counts(site: str, rows: pa.Table, views: pa.Table | None, zone: ZoneInfo) -> SiteCounts:
    def bound(column: str, which: str) -> str | None:
        value = getattr(pc, which)(rows.column(column)).as_py()
        if isinstance(value, datetime):
            return local_iso(value, zone)
        return value.isoformat() if value is not None else None

    complete = pc.and_(pc.and_(rows.column("has_title"), rows.column("has_text")), rows.column("has_published_at"))
    counts = SiteCounts(
        site=site,
        articles=pc.count_distinct(rows.column("url")).as_py(),
        captures=rows.num_rows,
        incomplete=rows.num_rows - pc.sum(complete.cast(pa.int64())).as_py(),
        doubted=pc.sum(pc.and_(pc.is_valid(rows.column("quality")),
                               pc.not_equal(rows.column("quality"), "ok")).cast(pa.int64())).as_py() or 0,
        first_capture=bound("fetched_at", "min"), last_capture=bound("fetched_at", "max"),
        first_published=bound("printed_day", "min"), last_published=bound("printed_day", "max"),
    )
    if views is not None:
        mine = views.filter(pc.equal(views.column("site"), site))
        counts.views_observations = mine.num_rows
        counts.articles_with_views = pc.count_distinct(mine.column("url")).as_py() if mine.num_rows else 0
    return counts


def _views(data_dir: Path, sites: tuple[str, ...]) -> pa.Table | None:
    root = DataDir(data_dir).views
    if not root.is_dir():
        return None
    condition = pc.field("site").isin(list(sites)) if sites else None
    return open_dataset(root, views=True).to_table(filter=condition)


def _attachments(data_dir: Path, sites: tuple[str, ...]) -> pa.Table | None:
    """The attachments' site, type, status and size (not their texts)."""
    root = DataDir(data_dir).attachments
    if not root.is_dir():
        return None
    condition = pc.field("site").isin(list(sites)) if sites else None
    table = open_dataset(root, attachments=True).to_table(
        columns={"site": pc.field("site"), "file_type": pc.field("file_type"), "status": pc.field("status"),
                 "size": pc.field("size"), "with_text": pc.equal(pc.field("status"), "ok")}, filter=condition)
    return table.set_column(1, "file_type", pc.fill_null(table.column("file_type"), "unknown"))


def _attachment_types(files: pa.Table) -> list[dict]:
    counted = files.group_by(["site", "file_type"]).aggregate(
        [([], "count_all"), ("with_text", "sum"), ("size", "sum")]).sort_by([("site", "ascending"),
                                                                              ("file_type", "ascending")])
    return [{"site": row["site"], "file_type": row["file_type"], "files": row["count_all"],
             "with_text": row["with_text_sum"] or 0, "bytes": row["size_sum"] or 0} for row in counted.to_pylist()]


def _top_views(table: pa.Table, top: int) -> list[dict]:
    """The most viewed articles, by the latest count of their latest capture."""
    counted = table.filter(pc.is_valid(table.column("views")))
    if counted.num_rows == 0:
        return []
    counted = counted.sort_by([("fetched_at", "descending")])
    seen, best = set(), []
    for row in counted.select(["site", "url", "title", "views"]).to_pylist():
        if row["url"] not in seen:
            seen.add(row["url"])
            best.append(row)
    return sorted(best, key=lambda r: (-r["views"], r["url"]))[:top]
