"""The crawl state made again from what is the truth: the WARC files and the dataset.

The state only ever speeds re-crawls up. When its file is damaged (a disk fault, a copy
interrupted), `archive state rebuild` moves it aside and makes a new one: every capture
from the WARC files (the latest full capture of each URL, with the validators that make
re-fetches conditional), every article from the dataset. What the files do not hold is
left for the next crawl to learn again: which runs succeeded (so every site is due), which
articles a complete walk of the lists confirmed (so each list is walked to its end once,
which also brings in any page captured but never extracted: it has no row, so it is
fetched again, conditionally), which counters to re-read, and which hub pages rest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.compute as pc

from archive.datadir import STATE_COMPANIONS, DataDir
from archive.dataset.files import dataset_files, open_dataset
from archive.errors import InputError, WarcReadError
from archive.records import ArticleJob, WarcPointer
from archive.state.locks import holding_sites
from archive.state.store import CrawlState, RestoredCapture, forget_state
from archive.warc.names import site_of
from archive.warc.reader import ResponseEntry, scan_responses


@dataclass
class StateRebuild:
    """What a rebuild found and where the old file went."""

    path: Path
    moved_aside: Path | None = None
    captures: int = 0
    articles: int = 0
    errors: list[str] = field(default_factory=list)


def rebuild_state(data_dir: Path) -> StateRebuild:
    """Replace DATA/state.sqlite with one made from DATA/warc and DATA/articles.

    Every site's lock is held throughout, so no crawl runs against a half-made state.
    """
    data = DataDir(data_dir)
    by_site: dict[str, list[Path]] = {}
    for path in sorted(data.warc.glob("*.warc.gz")):
        site = site_of(path.name)
        if site is not None:
            by_site.setdefault(site, []).append(path)
    if not by_site and not dataset_files(data.articles):
        raise InputError(f"{data.root}: no WARC files and no dataset to rebuild the crawl state from")
    with holding_sites(data.root, sorted(by_site), "state rebuild", "rebuilding the state needs every site to itself"):
        forget_state(data.root)
        summary = StateRebuild(data.state_file)
        fresh = data.state_file.with_name(data.state_file.name + ".rebuilding")
        _remove_with_companions(fresh)
        state = CrawlState(fresh)
        try:
            for site, files in sorted(by_site.items()):
                summary.captures += _add_captures(state, site, files, summary.errors)
            summary.articles = _add_articles(state, data)
        finally:
            state.close()
        summary.moved_aside = _move_aside(data.state_file)
        os.replace(fresh, data.state_file)
        return summary


def _add_captures(state: CrawlState, site: str, files: list[Path], errors: list[str]) -> int:
    latest: dict[str, ResponseEntry] = {}
    for path in files:  # named by time: a later file holds later captures
        try:
            for entry in scan_responses(path):
                latest[entry.url] = entry
        except WarcReadError as exc:
            errors.append(str(exc))  # the captures before the damage are kept
    # Not marked as possible articles: the files do not say which pages continue an
    # article, and those must not become records of their own.
    rows = [RestoredCapture(entry.url, site, entry.status, entry.etag, entry.last_modified, entry.payload_digest,
                            entry.pointer, entry.warc_date, candidate=False) for entry in latest.values()]
    state.restore_captures(rows)
    return len(rows)


def _add_articles(state: CrawlState, data: DataDir) -> int:
    if not dataset_files(data.articles):
        return 0
    table = open_dataset(data.articles).to_table(
        columns=["url", "site", "warc_file", "warc_offset", "warc_record_id", "fetched_at"],
        filter=pc.is_valid(pc.field("warc_record_id")))
    # The earliest capture of each article: when it was first seen, and the job that made its row.
    table = table.sort_by([("url", "ascending"), ("fetched_at", "ascending")])
    jobs, seen = [], set()
    for row in table.to_pylist():
        if row["url"] in seen:
            continue
        seen.add(row["url"])
        pointer = WarcPointer(str(data.root / row["warc_file"]), row["warc_offset"], row["warc_record_id"])
        first_seen = (row["fetched_at"] or datetime.now(UTC)).astimezone(UTC)
        jobs.append((ArticleJob(row["url"], row["site"], [pointer], True), first_seen))
    state.restore_articles(jobs)
    return len(jobs)


def _move_aside(path: Path) -> Path | None:
    """Keep the old file (and its log) under a dated name: what it held may still matter to someone."""
    if not path.exists():
        return None
    aside = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S}")
    os.replace(path, aside)
    for end in STATE_COMPANIONS:
        companion = path.with_name(path.name + end)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + end))
    return aside


def _remove_with_companions(path: Path) -> None:
    for end in ("", *STATE_COMPANIONS):
        path.with_name(path.name + end).unlink(missing_ok=True)
