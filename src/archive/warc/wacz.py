"""Package a crawl as a WACZ 1.1.1 file: WARCs, a CDXJ index and a pages list in one zip.

Layout inside the zip::

    archive/<name>.warc.gz        stored, not deflated, so replay can read ranges
    indexes/index.cdx             sorted CDXJ, filenames relative to archive/
    pages/pages.jsonl             one entry per article page
    datapackage.json              sha256 digest and size of every file above
    datapackage-digest.json       sha256 digest of datapackage.json

ReplayWeb.page and pywb open such a file as it is; `wacz validate` checks it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from archive import __version__
from archive.datadir import DataDir
from archive.errors import InputError
from archive.warc.cdxj import CdxjEntry, index_entries

WACZ_VERSION = "1.1.1"
SOFTWARE = f"official-news-archiver/{__version__}"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHUNK = 1 << 20


@dataclass(frozen=True)
class WaczSummary:
    """What went into a WACZ file."""

    path: Path
    warc_files: tuple[str, ...]
    captures: int
    pages: int
    size: int


def select_warcs(warc_dir: Path, sites: Sequence[str] = ()) -> list[Path]:
    """The WARC files of `warc_dir`, in name order; only those of `sites` when given.

    Files are named ``<site>-<UTC time>-...``; the digits after the site id keep
    site "gov" from taking the files of a site called "gov-hk".
    """
    paths = sorted(warc_dir.glob("*.warc.gz")) if warc_dir.is_dir() else []
    if not sites:
        return paths
    pattern = re.compile("|".join(rf"{re.escape(site)}-\d{{14}}" for site in sites))
    return [p for p in paths if pattern.match(p.name)]


def _iso(timestamp: str) -> str:
    return datetime.strptime(timestamp, "%Y%m%d%H%M%S").strftime("%Y-%m-%dT%H:%M:%SZ")


def _page_id(url: str, ts: str) -> str:
    return hashlib.sha1(f"{ts} {url}".encode()).hexdigest()[:32]


def _article_pages(articles: Path, by_record: dict[tuple[str, int], CdxjEntry]) -> list[dict]:
    """Pages for the article rows whose response record is in the package."""
    if not any(articles.glob("site=*/capture_date=*/*.parquet")):
        return []
    from archive.dataset.files import open_dataset  # pyarrow is only needed when a dataset exists

    table = open_dataset(articles).to_table(columns=["url", "title", "fetched_at", "warc_file", "warc_offset"])
    pages = []
    for row in table.to_pylist():
        if not row["warc_file"] or row["warc_offset"] is None:
            continue
        entry = by_record.get((PurePosixPath(row["warc_file"]).name, row["warc_offset"]))
        if entry is None:
            continue
        # The capture's own time, so the page opens the exact record the row came from.
        page = {"url": row["url"], "ts": _iso(entry.timestamp)}
        if row["title"]:
            page["title"] = row["title"]
        pages.append(page)
    return pages


def _html_pages(entries: Sequence[CdxjEntry]) -> list[dict]:
    return [
        {"url": e.fields["url"], "ts": _iso(e.timestamp)}
        for e in entries
        if e.fields.get("status") == "200" and e.fields.get("mime", "").lower() in HTML_TYPES
    ]


def collect_pages(data_dir: Path, entries: Sequence[CdxjEntry]) -> list[dict]:
    """Article pages from the dataset when it has any for these WARCs, else every HTML 200."""
    by_record = {(e.fields["filename"], int(e.fields["offset"])): e for e in entries}
    pages = _article_pages(DataDir(data_dir).articles, by_record) or _html_pages(entries)
    unique = {(p["ts"], p["url"]): p for p in pages}
    return [{"id": _page_id(url, ts), **page} for (ts, url), page in sorted(unique.items())]


def _jsonl(header: dict, rows: Sequence[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [header, *rows]).encode("utf-8")


class _PackageWriter:
    """Adds files to the zip and remembers the digest and size of each for datapackage.json."""

    def __init__(self, zf: zipfile.ZipFile, when: datetime) -> None:
        self.zf = zf
        self.date_time = when.timetuple()[:6]
        self.resources: list[dict] = []

    def _record(self, path: str, digest: str, size: int) -> None:
        name = PurePosixPath(path).name.lower()
        self.resources.append({"name": name, "path": path, "hash": f"sha256:{digest}", "bytes": size})

    def add_file(self, source: Path, path: str) -> None:
        info = zipfile.ZipInfo(path, self.date_time)
        info.compress_type = zipfile.ZIP_STORED
        # Known in advance so zipfile picks ZIP64 headers for WARCs past 4 GiB.
        info.file_size = source.stat().st_size
        digest, size = hashlib.sha256(), 0
        with open(source, "rb") as src, self.zf.open(info, "w") as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
        self._record(path, digest.hexdigest(), size)

    def add_bytes(self, path: str, data: bytes, *, listed: bool = True) -> None:
        info = zipfile.ZipInfo(path, self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zf.writestr(info, data)
        if listed:
            self._record(path, hashlib.sha256(data).hexdigest(), len(data))


def build_wacz(
    data_dir: Path, out: Path, *, sites: Sequence[str] = (), title: str | None = None
) -> WaczSummary:
    """Package data_dir/warc/*.warc.gz (only those of `sites` when given) as a WACZ at `out`.

    Pages come from the article dataset at data_dir/articles when it covers these
    WARCs, otherwise from every HTML response with status 200. The file is written
    under a temporary name and renamed, so `out` is either the old file or a whole one.
    """
    data_dir, out = Path(data_dir), Path(out)
    warcs = select_warcs(DataDir(data_dir).warc, sites)
    if not warcs:
        which = f" of site(s) {', '.join(sites)}" if sites else ""
        raise InputError(f"{DataDir(data_dir).warc}: no WARC files (*.warc.gz){which} to package")

    entries = index_entries(warcs)
    pages = collect_pages(data_dir, entries)
    created = datetime.now(UTC).replace(microsecond=0)

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
            package = _PackageWriter(zf, created)
            for warc in warcs:
                package.add_file(warc, f"archive/{warc.name}")
            package.add_bytes("indexes/index.cdx", "".join(e.line + "\n" for e in entries).encode("utf-8"))
            package.add_bytes(
                "pages/pages.jsonl",
                _jsonl({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}, pages),
            )
            datapackage = {
                "profile": "data-package",
                "wacz_version": WACZ_VERSION,
                "title": title or f"Web archive of {', '.join(sites) if sites else data_dir.resolve().name}",
                "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "software": SOFTWARE,
                "resources": package.resources,
            }
            datapackage_bytes = json.dumps(datapackage, indent=2, ensure_ascii=False).encode("utf-8")
            package.add_bytes("datapackage.json", datapackage_bytes, listed=False)
            digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(datapackage_bytes).hexdigest()}
            package.add_bytes("datapackage-digest.json", json.dumps(digest, indent=2).encode("utf-8"), listed=False)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return WaczSummary(
        path=out,
        warc_files=tuple(w.name for w in warcs),
        captures=len(entries),
        pages=len(pages),
        size=out.stat().st_size,
    )
