"""The values that travel between crawler, WARC files, extraction and the dataset."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from archive.zones import DEFAULT_ZONE, DEFAULT_ZONE_NAME, local_iso


@dataclass(frozen=True)
class WarcPointer:
    """Where one response record lives: enough to read it back with a single seek."""

    file: str
    offset: int
    record_id: str


@dataclass(frozen=True)
class FetchedPage:
    """One HTTP response as extraction sees it.

    `body` has its Content-Encoding (gzip, deflate, br) undone but is otherwise the bytes
    the server sent: the charset is still to be decided by extraction. Header names are
    lower-case; a repeated header keeps its last value.
    """

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    pointer: WarcPointer | None = None
    ip_address: str | None = None
    # WARC-Truncated of the record: "length" for a body not kept because it passed a
    # size limit (an attachment over its site's `max_mb`)
    truncated: str | None = None


# A number past this is no view count (an id, a phone number, digits run together) and
# would not fit the dataset's int64 column: it is read as no count at all.
MAX_VIEWS = 10**12


@dataclass(frozen=True)
class Attachment:
    """A document an article links; `sha1` and `status` are those of its row in the
    attachments dataset (archive.attachments), None while it has none."""

    title: str | None
    url: str
    sha1: str | None = None
    status: str | None = None


@dataclass
class ArticleRecord:
    """One article, the row of the Parquet dataset and the object of the JSON Lines output.

    Field meanings are those of the record contract in the README; a field the page does
    not show is None, never "".
    """

    url: str
    site: str
    title: str | None = None
    text: str | None = None
    published_at: datetime | None = None
    # The day the page prints, in the site's zone (archive.zones.settle_dates).
    published_date: date | None = None
    publisher: str | None = None
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    views: int | None = None
    views_observed_at: datetime | None = None
    page: str | None = None
    language: str | None = None
    fetched_at: datetime | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_record_id: str | None = None
    content_sha1: str | None = None
    extractor_version: str | None = None
    subtitle: str | None = None
    column: str | None = None
    kind: str | None = None
    page_count: int = 1
    attachments: list[Attachment] = field(default_factory=list)
    # 64-bit SimHash of the text (archive.dataset.fingerprint), filled by the extraction workers.
    simhash: int | None = None
    # "ok", or the check the body fails (archive.extract.agreement): no candidate passed it
    quality: str | None = None
    # the table of a government disclosure page (政府信息公开)
    index_number: str | None = None     # 索引号
    document_number: str | None = None  # 发文字号
    document_date: str | None = None    # 成文日期 / 发文日期, YYYY-MM-DD
    topic: str | None = None            # 主题分类
    validity: str | None = None         # 有效性


@dataclass(frozen=True)
class CounterCapture:
    """The view-counter request an article made: its family, URL and, once fetched, capture.

    `answer` is the fetched answer itself while the crawl holds it in memory; only the
    pointer is kept in the crawl state.
    """

    family: str
    url: str
    pointer: WarcPointer | None = None
    read_pattern: str | None = None
    answer: FetchedPage | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ArticleJob:
    """An article handed from the crawler to extraction.

    `pages` are its pages as fetched, carried with the job while the crawl holds them;
    `pointers` say where they are archived, enough to redo the work from WARC (a job a
    killed run left, `archive extract`). Only the pointers are kept in the crawl state.
    """

    url: str
    site: str
    pointers: list[WarcPointer]
    force: bool
    counter: CounterCapture | None = None
    pages: tuple[FetchedPage, ...] = field(default=(), compare=False, repr=False)
    # the article's attachments the crawl read, with their sha1 and status: the record
    # extracted from `pages` gets them (archive.attachments.outcomes)
    attachments: tuple[Attachment, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class ExtractedArticle:
    """A one-page article the crawl's workers extracted as they read its links; record
    None: the page turned out to be no article. The job stays what redoes it from WARC."""

    job: ArticleJob
    record: ArticleRecord | None


@dataclass(frozen=True)
class ViewsRow:
    """One reading of an article's view count: a row of the views history."""

    url: str
    site: str
    observed_at: datetime
    views: int


@dataclass(frozen=True)
class ViewsObservation:
    """A view count read again later from an article's counter endpoint."""

    url: str
    site: str
    family: str
    answer: bytes
    observed_at: datetime


@dataclass(frozen=True)
class AttachmentCapture:
    """An archived attachment to read, and the article that links it.

    `pointer` is the response record holding the file's bytes (for a file archived as a
    revisit of an identical one, that one's record); `url` the address it was fetched
    from, `title` the link's text on the article page.
    """

    site: str
    article_url: str
    url: str
    title: str | None
    pointer: WarcPointer
    # the article's printed day: exports filter attachments by it, as articles
    published_date: date | None = None
    fetched_at: datetime | None = None


@dataclass
class AttachmentRow:
    """One archived attachment: a row of the attachments dataset (see the README)."""

    url: str
    site: str
    article_url: str
    title: str | None = None
    filename: str | None = None
    media_type: str | None = None
    file_type: str | None = None
    size: int | None = None
    sha1: str | None = None
    page_count: int | None = None
    sheet_count: int | None = None
    text: str | None = None
    status: str = "ok"
    reason: str | None = None
    published_date: date | None = None
    fetched_at: datetime | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_record_id: str | None = None
    reader_version: str | None = None


SELECTOR_FIELDS = ("title", "body", "published_at", "publisher", "source", "author", "editor", "views")
PAGE_KINDS = ("auto", "campus", "gov", "portal", "epaper", "docshare")


@dataclass(frozen=True)
class ExtractionRules:
    """What a site's config tells extraction: its page kind and per-field selectors.

    A selector is CSS, or XPath when written as "xpath:<expr>"; it overrides the
    heuristics for its field.
    """

    kind: str = "auto"
    selectors: dict[str, str] = field(default_factory=dict)
    # IANA zone the site prints its times in (archive.zones)
    timezone: str = DEFAULT_ZONE_NAME


def record_json(record: ArticleRecord, zone: tzinfo | None = None) -> dict:
    """The JSON Lines form of a record: ISO 8601 times in `zone` (default Beijing time) as
    `archive export` writes them, the printed day as YYYY-MM-DD, attachments as objects."""
    out = {}
    for name, value in vars(record).items():
        if isinstance(value, datetime):
            value = local_iso(value, zone or DEFAULT_ZONE)
        elif isinstance(value, date):
            value = value.isoformat()
        elif name == "attachments":
            value = [{"title": a.title, "url": a.url, "sha1": a.sha1, "status": a.status} for a in value]
        out[name] = value
    return out
