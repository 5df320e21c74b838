"""What `archive extract` is given on its command line: WARC files, directories, saved pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archive.errors import ArchiveError, WarcReadError
from archive.jobs.pool import worker_pool
from archive.jobs.time_bound import DEFAULT_PAGE_SECONDS, PageTimeout, bounded
from archive.records import ArticleRecord, ExtractionRules, FetchedPage
from archive.sites import SiteConfig, checked_site, site_for_url

if TYPE_CHECKING:
    from archive.records import AttachmentRow, ViewsRow


@dataclass
class InputsExtraction:
    """What the files named on a command line gave."""

    records: list[ArticleRecord] = field(default_factory=list)
    views: list[ViewsRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    attachments: list[AttachmentRow] = field(default_factory=list)


def extract_inputs(inputs: Sequence[Path], *, url: str | None = None, site: str | None = None,
                   config: SiteConfig | None = None, workers: int | None = None,
                   page_seconds: float = DEFAULT_PAGE_SECONDS) -> InputsExtraction:
    """Records from WARC files, directories of them and saved HTML pages (at `url` when
    one page is given); an input that gives nothing is an error naming it, not silence.
    A page whose extraction takes longer than `page_seconds` is an error naming it."""
    # Only the light part of extraction is imported here: the pool starts before the heavy
    # imports (the extractor's are the fork server's, made for every worker at once).
    from archive.jobs.warc_batch import extract_warcs

    paths = list(iter_inputs(inputs))
    warcs = [p for p in paths if looks_like_warc(p)]
    pages = [p for p in paths if not looks_like_warc(p)]
    found = InputsExtraction()
    found.errors += [f"{d}: no WARC files in this directory" for d in inputs
                     if d.is_dir() and not any(w.is_relative_to(d) for w in warcs)]
    with worker_pool(workers, page_seconds=page_seconds) as pool:
        if warcs:
            result = extract_warcs(warcs, pool, site=site, config=config)
            found.records += result.records
            found.views += result.views
            found.attachments += result.attachments
            found.errors += result.errors
        saved = [pool.submit(extract_html_file, path, url or path.resolve().as_uri(), site,
                             config.rules if config else None) for path in pages]
        for path, extraction in zip(pages, saved, strict=True):
            try:
                record = extraction.result()
            except PageTimeout as exc:
                found.errors.append(f"{path}: {exc}")
                continue
            except ArchiveError as exc:
                found.errors.append(str(exc))
                continue
            if record is None or not (record.title or record.text):
                found.errors.append(f"{path}: no article in it (no title, no text): is it an HTML page?")
            else:
                found.records.append(record)
    return found


@bounded
def extract_html_file(path: Path, url: str, site: str | None = None,
                      rules: ExtractionRules | None = None) -> ArticleRecord | None:
    """A saved HTML page: the user says it is an article, so it always gives a record.

    Runs in a worker."""
    from datetime import UTC, datetime

    from archive.extract import extract_article
    from archive.jobs.article import finished

    site = checked_site(site)
    try:
        body = path.read_bytes()
        fetched = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        raise WarcReadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    page = FetchedPage(url=url, status=200, headers={}, body=body, fetched_at=fetched)
    return finished(extract_article([page], site=site or site_for_url(url), rules=rules, force=True), rules)


def looks_like_warc(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz"))


def iter_inputs(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named on the command line; directories are searched for WARC files."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and looks_like_warc(p))
        else:
            yield path
