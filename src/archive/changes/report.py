"""The report's section on edits and takedowns: events per site per week, and the
latest events with their differences (archive.dataset.report puts it in the page)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from html import escape
from zoneinfo import ZoneInfo

from archive.changes.events import EDITED, REMOVED, RESTORED, UNREACHABLE, ChangeEvent
from archive.changes.render import diff_html

# The latest events shown whole, with their differences.
LATEST = 50
KINDS_SHOWN = (EDITED, REMOVED, RESTORED, UNREACHABLE)
_COLOURS = {EDITED: "#4e79a7", REMOVED: "#e15759"}


def _week(event: ChangeEvent, zone: ZoneInfo) -> str:
    year, week, _ = event.detected_at.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def changes_section(events: Sequence[ChangeEvent], zone_of: Callable[[str], ZoneInfo]) -> str:
    """The section's HTML: a chart of edits and removals per week, a table of every kind
    per site and week (weeks in each site's zone), and the latest events."""
    if not events:
        return ('<h2 id="changes">Edits and takedowns</h2><p class="muted">No edits or takedowns found: '
                're-checks of archived articles (`archive crawl --due`) find them.</p>')
    counts: Counter[tuple[str, str, str]] = Counter((e.site, _week(e, zone_of(e.site)), e.kind) for e in events)
    rows = sorted({(site, week) for site, week, _ in counts}, key=lambda r: (r[1], r[0]), reverse=True)
    head = "".join(f"<th>{kind}</th>" for kind in KINDS_SHOWN)
    body = "".join(f"<tr><td>{escape(site)}</td><td>{week}</td>"
                   + "".join(f'<td class="num">{counts[(site, week, kind)]}</td>' for kind in KINDS_SHOWN) + "</tr>"
                   for site, week in rows)
    table = (f'<table id="changes-per-week" class="sortable"><thead><tr><th>site</th><th>week</th>{head}</tr>'
             f"</thead><tbody>{body}</tbody></table>")
    latest = sorted(events, key=lambda e: e.detected_at, reverse=True)[:LATEST]
    items = "".join(_event_html(e, zone_of(e.site)) for e in latest)
    return (f'<h2 id="changes">Edits and takedowns</h2>'
            f'<p class="muted">What re-checks of archived articles found: {len(events)} events. A removal is '
            "declared after two checks saw the page gone; an unreachable page is never a removal.</p>"
            f"{_weekly_chart(counts)}{table}<h3>Latest events</h3><div id=\"latest-changes\">{items}</div>")


def _weekly_chart(counts: Counter[tuple[str, str, str]]) -> str:
    """Bars: edits and removals of all sites per week."""
    weeks = sorted({week for _, week, _ in counts})
    totals = {(week, kind): sum(n for (_, w, k), n in counts.items() if w == week and k == kind)
              for week in weeks for kind in _COLOURS}
    highest = max(totals.values()) or 1
    width, height, left = 960, 160, 40
    step = (width - left) / len(weeks)
    bar = min(max(step * 0.35, 1), 40)
    parts = [f'<svg id="chart-changes" class="chart" width="{width}" height="{height + 30}" '
             f'viewBox="0 0 {width} {height + 30}" role="img" aria-label="edits and removals per week">']
    for i, week in enumerate(weeks):
        x = left + i * step + step * 0.1
        for j, (kind, colour) in enumerate(_COLOURS.items()):
            n = totals[(week, kind)]
            h = n / highest * (height - 20)
            parts.append(f'<rect class="bar" x="{x + j * bar:.1f}" y="{height - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{colour}" data-week="{week}" data-kind="{kind}" data-count="{n}">'
                         f"<title>{week} {kind}: {n}</title></rect>")
        parts.append(f'<text x="{x + bar:.1f}" y="{height + 14}" text-anchor="middle">{week}</text>')
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{c}"></i>{k}</span>' for k, c in _COLOURS.items())
    return f'<div class="legend">{legend}</div>' + "".join(parts)


def _event_html(event: ChangeEvent, zone: ZoneInfo) -> str:
    when = event.detected_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    what = escape(event.kind + (f" ({event.change_class})" if event.change_class else ""))
    detail = diff_html(event.diff) if event.diff is not None else escape(event.reason or "")
    title = escape(event.title or event.url)
    return (f'<div class="change" data-kind="{escape(event.kind)}"><p><b>{what}</b> {when} '
            f'<span class="muted">{escape(event.site)}</span> <a href="{escape(event.url)}">{title}</a></p>'
            f'<p class="diff">{detail}</p></div>')
