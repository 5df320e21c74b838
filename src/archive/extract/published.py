"""The publication time: what the page states, from the most trusted statement down.

An e-paper's own record of the edition comes first. A labelled time beside the headline
(发布时间：…) or in a disclosure table is what the page prints as its publication and wins
over the structured sources a template fills in (publication metas, JSON-LD), which may
be those of a later republication; then dates in the byline zone
between the headline and the text; then what script data agrees on, the date in the
address, a document's date. Never a date from the text, a sidebar or a list of other
articles: the zones read are the headline's surroundings.
"""

from __future__ import annotations

import re
from datetime import datetime

from .dates import SHANGHAI, date_from_url, has_date, parse_date, parse_relative, strip_dates
from .labels import labelled_values
from .metadata import META_FIELDS

# a line about recommended or related articles carries their dates, not this one's
_OTHER_ARTICLES = re.compile(r"推荐|相关|上一篇|下一篇|热门|最新文章")
# script data naming the publication time: {"pubtime": "…"}, var publishDate = '…'
_SCRIPT_DATE = re.compile(
    r"(?i)\b(?:pub(?:lish)?_?(?:time|date)|release_?(?:time|date)|fbsj|fbrq|article_?(?:time|date)|news_?time|"
    r"post_?time)\b[\"']?\s*[:=]\s*[\"']((?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}[^\"']{0,12})[\"']"
)
# … or as seconds since 1970: WeChat articles' `var ct = "1716163200"`
_SCRIPT_EPOCH = re.compile(r"\b(?:ct|create_time|publish_time|pub_?time)\s*=\s*[\"']?(1[0-9]{9})[\"']?")
_EARLY_INFO_REACH = 5
_EARLY_INFO_CHARS = 12


def early_info_lines(body_lines: list[str]) -> list[str]:
    """Dated info lines among the first lines of the text ("2003-7-24 某某晚报" under a kicker and
    bylines), which the header zone missed because a line of text came first."""
    return [
        line
        for line in body_lines[:_EARLY_INFO_REACH]
        if len(line) <= 40
        and has_date(line)
        and len(strip_dates(line).strip(" \t|｜丨:：-,()（）")) <= _EARLY_INFO_CHARS
    ]


def script_date(scripts: list[str]) -> str | None:
    """The publication time script data names, when it names only one (lists of other
    articles in script data carry a time each)."""
    found = {match.group(1) for script in scripts for match in _SCRIPT_DATE.finditer(script)}
    found |= {
        datetime.fromtimestamp(int(match.group(1)), SHANGHAI).isoformat()
        for script in scripts
        for match in _SCRIPT_EPOCH.finditer(script)
    }
    days = {str(parse_date(value))[:10] for value in found}
    return next(iter(found)) if len(days) == 1 and found else None


def published_at(
    *,
    header_lines: list[str],
    above_lines: list[str],
    tail_lines: list[str],
    body_lines: list[str],
    meta: dict[str, str],
    enp: dict[str, str],
    scripts: list[str],
    url: str,
    fetched_at: datetime,
    document_date: str | None = None,
) -> datetime | None:
    """The publication time of a page from the statements around its headline."""
    shown = [labelled_values(lines).get("date") for lines in (header_lines, above_lines)]
    byline = [line for line in header_lines if has_date(line) and not _OTHER_ARTICLES.search(line)]
    statements = [
        # the e-paper's own record of its edition comes first
        enp.get("date"),
        *shown,
        *(meta.get(key) for key in META_FIELDS["published_at"]),
        *byline,
        *early_info_lines(body_lines),
        *(meta.get(key) for key in META_FIELDS["page_date"]),
    ]
    found = [value for value in (parse_date(statement) for statement in statements if statement) if value]
    if not found:
        scripted = script_date(scripts)
        found = [value for value in [parse_date(scripted)] if value] if scripted else []
    if found:
        chosen = found[0]
        if chosen.hour == chosen.minute == 0:
            # a day-only statement (a table cell, a meta) and the page prints the time too
            for other in found[1:]:
                if other.date() == chosen.date() and (other.hour or other.minute):
                    return other
        return chosen
    for line in header_lines[:4]:
        value = parse_relative(line, fetched_at)
        if value:
            return value
    value = date_from_url(url) or (parse_date(document_date) if document_date else None)
    if value:
        return value
    labelled_below = labelled_values([line for line in tail_lines if not _OTHER_ARTICLES.search(line)]).get("date")
    return parse_date(labelled_below) if labelled_below else None
