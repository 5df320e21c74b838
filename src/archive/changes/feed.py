"""An Atom feed (RFC 4287) of change events: subscribe to a site's edits and takedowns.

Each event is an entry, newest first, whose id is stable (the same event always has the
same id, so a feed reader shows it once however often the feed is made again); its
content is the difference as HTML, with <del> and <ins>.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime

from archive import __version__
from archive.changes.events import ChangeEvent
from archive.changes.render import diff_html

ATOM = "http://www.w3.org/2005/Atom"
_KIND_WORDS = {"edited": "Edited", "removed": "Removed", "restored": "Restored", "unreachable": "Unreachable"}


def event_id(event: ChangeEvent) -> str:
    key = f"{event.url}\x00{event.kind}\x00{_utc(event.detected_at)}\x00{event.new_record_id or ''}"
    return "urn:sha1:" + hashlib.sha1(key.encode("utf-8")).hexdigest()


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(events: Sequence[ChangeEvent], title: str = "Edits and takedowns", feed_id: str | None = None) -> bytes:
    """The feed of `events`, newest first, as UTF-8 XML."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    newest = sorted(events, key=lambda e: e.detected_at, reverse=True)
    _text(feed, "id", feed_id or "urn:sha1:" + hashlib.sha1(title.encode("utf-8")).hexdigest())
    _text(feed, "title", title)
    _text(feed, "updated", _utc(newest[0].detected_at) if newest else _utc(datetime.now(UTC)))
    generator = _text(feed, "generator", "official-news-archiver")
    generator.set("version", __version__)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "official-news-archiver")
    for event in newest:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", event_id(event))
        _text(entry, "title", f"{_KIND_WORDS.get(event.kind, event.kind)}: {event.title or event.url}")
        ET.SubElement(entry, f"{{{ATOM}}}link", href=event.url)
        _text(entry, "updated", _utc(event.detected_at))
        ET.SubElement(entry, f"{{{ATOM}}}category", term=event.kind)
        if event.change_class:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=event.change_class)
        ET.SubElement(entry, f"{{{ATOM}}}category", term=event.site)
        _text(entry, "summary", _summary(event))
        if event.diff is not None:
            _text(entry, "content", diff_html(event.diff)).set("type", "html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _summary(event: ChangeEvent) -> str:
    parts = [f"{event.site}: {event.kind}"]
    if event.change_class:
        parts.append(f"({event.change_class}; {', '.join(event.fields)})")
    if event.reason:
        parts.append(f"({event.reason})")
    return " ".join(parts)


def _text(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = text
    return element
