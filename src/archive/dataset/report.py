"""A self-contained HTML report of the dataset: tables and inline SVG charts.

One file, nothing fetched when it opens (no CDN, no web font): it can be mailed, put on
an intranet or opened from disk. Charts are SVG drawn here, so they show even with
scripts off; a small inline script adds sortable tables and the headline total.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from archive.dataset.stats import COVERAGE_FIELDS, DatasetStats, dataset_stats
from archive.zones import SiteZones

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")
FONT = "'Noto Sans CJK SC','WenQuanYi Zen Hei','Source Han Sans SC','Microsoft YaHei',sans-serif"

STYLE = f"""
body {{ font-family: {FONT}; margin: 2em auto; max-width: 1100px; color: #222; }}
h1 {{ font-size: 1.6em; }} h2 {{ font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }}
table {{ border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }}
th {{ background: #f3f3f3; cursor: pointer; }} td.num {{ text-align: right; }}
.legend span {{ display: inline-block; margin-right: 1.2em; }}
.legend i {{ display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.3em; vertical-align: middle; }}
svg text {{ font-family: {FONT}; font-size: 11px; fill: #333; }}
.muted {{ color: #777; }}
.change p {{ margin: 0.2em 0; }} .change {{ margin-bottom: 0.8em; }}
del {{ color: #b00; background: #fdd; }} ins {{ color: #070; background: #dfd; text-decoration: none; }}
"""

SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var total = data.sites.reduce(function (sum, s) { return sum + s.articles; }, 0);
  document.getElementById('total-articles').textContent = String(total);
  document.querySelectorAll('table.sortable th').forEach(function (th, column) {
    th.addEventListener('click', function () {
      var body = th.closest('table').tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var numeric = rows.every(function (r) { return !isNaN(parseFloat(r.cells[th.cellIndex].textContent)); });
      rows.sort(function (a, b) {
        var x = a.cells[th.cellIndex].textContent, y = b.cells[th.cellIndex].textContent;
        return numeric ? parseFloat(y) - parseFloat(x) : x.localeCompare(y);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  document.body.setAttribute('data-ready', 'yes');
})();
"""


def _colors(sites: list[str]) -> dict[str, str]:
    return {site: PALETTE[i % len(PALETTE)] for i, site in enumerate(sites)}


def _legend(colors: dict[str, str]) -> str:
    items = "".join(f'<span><i style="background:{c}"></i>{escape(s)}</span>' for s, c in colors.items())
    return f'<div class="legend">{items}</div>'


def _per_day_chart(stats: DatasetStats, colors: dict[str, str]) -> str:
    """Stacked bars: articles per day they print, one colour per site."""
    counts: dict[str, dict[str, int]] = {}
    for site, day, rows in stats.published_per_day:
        counts.setdefault(day, {})[site] = rows
    days = sorted(counts)
    if not days:
        return '<p class="muted">No articles.</p>'
    highest = max(sum(c.values()) for c in counts.values())
    width, height, left, bottom = 960, 260, 40, 70
    step = (width - left) / len(days)
    bar = max(step * 0.8, 1)
    parts = [f'<svg id="chart-per-day" class="chart" width="{width}" height="{height + bottom}" '
             f'viewBox="0 0 {width} {height + bottom}" role="img" aria-label="articles per day per site">']
    for tick in range(0, highest + 1, max(1, highest // 5)):
        y = height - tick / highest * (height - 20)
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    label_every = max(1, len(days) // 24)
    for i, day in enumerate(days):
        x = left + i * step + (step - bar) / 2
        y = height
        for site, rows in sorted(counts[day].items()):
            h = rows / highest * (height - 20)
            y -= h
            parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{colors[site]}" data-site="{escape(site)}" data-day="{day}" data-count="{rows}">'
                         f'<title>{escape(site)} {day}: {rows}</title></rect>')
        if i % label_every == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height + 12}" text-anchor="end" '
                         f'transform="rotate(-45 {x + bar / 2:.1f} {height + 12})">{day}</text>')
    parts.append("</svg>")
    return _legend({s: colors[s] for s in colors}) + "".join(parts)


def _coverage_chart(stats: DatasetStats) -> str:
    """A heat map: the share of each site's records that have each field."""
    sites = list(stats.coverage)
    cell_w, cell_h, left, top = 66, 26, 110, 24
    width, height = left + cell_w * len(COVERAGE_FIELDS), top + cell_h * len(sites) + 4
    parts = [f'<svg id="chart-coverage" class="chart" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="field coverage per site">']
    for j, name in enumerate(COVERAGE_FIELDS):
        parts.append(f'<text x="{left + j * cell_w + cell_w / 2}" y="{top - 8}" text-anchor="middle">{name}</text>')
    for i, site in enumerate(sites):
        y = top + i * cell_h
        parts.append(f'<text x="{left - 8}" y="{y + cell_h / 2 + 4}" text-anchor="end">{escape(site)}</text>')
        for j, name in enumerate(COVERAGE_FIELDS):
            share = stats.coverage[site][name] or 0.0
            x = left + j * cell_w
            parts.append(f'<rect class="cell" x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                         f'fill="#2c7fb8" fill-opacity="{0.08 + 0.92 * share:.2f}" data-site="{escape(site)}" '
                         f'data-field="{name}" data-share="{share:.3f}"><title>{escape(site)} {name}: '
                         f'{share:.0%}</title></rect>'
                         f'<text x="{x + cell_w / 2 - 1}" y="{y + cell_h / 2 + 4}" text-anchor="middle" '
                         f'style="fill:{"#fff" if share > 0.55 else "#333"}">{share:.0%}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _views_chart(stats: DatasetStats, colors: dict[str, str]) -> str:
    """Horizontal bars: the most viewed articles by their latest count."""
    if not stats.top_views:
        return '<p class="muted">No view counts in the dataset.</p>'
    highest = max(r["views"] for r in stats.top_views) or 1
    bar_h, left, width = 22, 330, 960
    height = bar_h * len(stats.top_views) + 10
    parts = [f'<svg id="chart-views" class="chart" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="most viewed articles">']
    for i, row in enumerate(stats.top_views):
        y = 5 + i * bar_h
        length = row["views"] / highest * (width - left - 70)
        title = row["title"] or row["url"]
        short = title if len(title) <= 24 else title[:23] + "…"
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(short)}</text>'
                     f'<rect class="bar" x="{left}" y="{y + 2}" width="{length:.1f}" height="{bar_h - 6}" '
                     f'fill="{colors.get(row["site"], PALETTE[0])}" data-site="{escape(row["site"])}" '
                     f'data-views="{row["views"]}"><title>{escape(title)} ({escape(row["site"])}): '
                     f'{row["views"]}</title></rect>'
                     f'<text x="{left + length + 6:.1f}" y="{y + 15}">{row["views"]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _history_chart(stats: DatasetStats) -> str:
    """Lines: how the counts of the most viewed articles grew over the observations."""
    series: dict[str, list[tuple[datetime, int]]] = {}
    for row in stats.views_history:
        series.setdefault(row["url"], []).append((datetime.fromisoformat(row["observed_at"]), row["views"]))
    if not series:
        return '<p class="muted">No views history.</p>'
    times = [t for points in series.values() for t, _ in points]
    start, span = min(times), max((max(times) - min(times)).total_seconds(), 1.0)
    highest = max(v for points in series.values() for _, v in points) or 1
    width, height, left = 960, 220, 60
    parts = [f'<svg id="chart-views-history" class="chart" width="{width}" height="{height + 30}" '
             f'viewBox="0 0 {width} {height + 30}" role="img" aria-label="views over time">',
             f'<text x="{left}" y="{height + 24}">{_minute(start)}</text>',
             f'<text x="{width}" y="{height + 24}" text-anchor="end">{_minute(max(times))}</text>']
    for i, (url, points) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        coords = [(left + (t - start).total_seconds() / span * (width - left - 10),
                   height - v / highest * (height - 20)) for t, v in points]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline class="series" points="{path}" fill="none" stroke="{color}" stroke-width="2" '
                     f'data-url="{escape(url)}"><title>{escape(url)}</title></polyline>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"><title>{v}</title></circle>'
                  for (x, y), (_, v) in zip(coords, points, strict=True)]
    parts.append("</svg>")
    titles = {r["url"]: r["title"] or r["url"] for r in stats.top_views}
    legend = {titles.get(url, url): PALETTE[i % len(PALETTE)] for i, url in enumerate(series)}
    return _legend(legend) + "".join(parts)


def _minute(moment: datetime) -> str:
    """2026-10-19 08:30 +08:00: a time of the views history, in the zone its site shows."""
    return moment.strftime("%Y-%m-%d %H:%M ") + moment.isoformat()[19:]


def _table(table_id: str, header: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{escape(str(v))}</td>' if j in numeric else f"<td>{escape(str(v))}</td>"
                         for j, v in enumerate(row)) + "</tr>"
        for row in rows)
    return f'<table id="{table_id}" class="sortable"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


# Inside <script>, `</script` ends the element and `<!--` followed by `<script` makes the
# parser skip the next `</script>`: the page's own script would become data. JSON read
# by JSON.parse means the same with every `<`, `>` and `&` written as a \u escape.
_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _script_safe(json_text: str) -> str:
    """JSON text that cannot end or change the <script> element holding it."""
    return json_text.translate(_SCRIPT_ESCAPES)


def render_report(stats: DatasetStats, title: str = "Archive dataset report", changes: str = "") -> str:
    """The report page for `stats`, as one HTML string; `changes` is the section on edits
    and takedowns (archive.changes.report)."""
    colors = _colors([s.site for s in stats.sites])
    sites_table = _table(
        "site-counts",
        ["site", "articles", "captures", "incomplete", "first published", "last published", "view readings"],
        [[s.site, s.articles, s.captures, s.incomplete, (s.first_published or "")[:10],
          (s.last_published or "")[:10], s.views_observations] for s in stats.sites],
        numeric={1, 2, 3, 6})
    outcomes = _table("outcomes", ["site", "page kind", "records"], [list(r) for r in stats.kinds], numeric={2})
    versions = _table("extractor-versions", ["site", "extractor version", "records"],
                      [list(r) for r in stats.extractor_versions], numeric={2})
    incomplete = (_table("incomplete", ["site", "url", "missing"],
                         [[r["site"], r["url"], ", ".join(r["missing"])] for r in stats.incomplete[:500]])
                  if stats.incomplete else '<p id="incomplete" class="muted">Every record has a title, a text '
                                           'and a publication time.</p>')
    data = _script_safe(json.dumps(stats.as_json(), ensure_ascii=False, default=str))
    attachments = _attachments_section(stats)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="zh-Hans">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{escape(title)}</title><style>{STYLE}</style></head>
<body>
<h1>{escape(title)}</h1>
<p><span id="total-articles">{sum(s.articles for s in stats.sites)}</span> articles from {len(stats.sites)} sites.
<span class="muted">Generated {generated}.</span></p>
<h2>Sites</h2>
{sites_table}
<h2>Articles per day per site</h2>
<p class="muted">By the day each page prints (in its site's zone).</p>
{_per_day_chart(stats, colors)}
<h2>Field coverage</h2>
<p class="muted">Share of each site's records that have the field.</p>
{_coverage_chart(stats)}
<h2>View counts</h2>
{_views_chart(stats, colors)}
<h2>Views over time</h2>
{_history_chart(stats)}
{changes}
<h2>Attachments</h2>
{attachments}
<h2>Extraction outcomes</h2>
{outcomes}
{versions}
<h2>Incomplete records</h2>
{incomplete}
<script type="application/json" id="report-data">{data}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""


def _attachments_section(stats: DatasetStats) -> str:
    """Files archived per site and type, the share whose text was read, and why the others were not."""
    if not stats.attachment_types:
        return '<p id="attachments" class="muted">No attachments in the dataset.</p>'
    types = _table("attachments", ["site", "file type", "files", "with text", "text coverage", "bytes"],
                   [[k["site"], k["file_type"], k["files"], k["with_text"],
                     f"{k['with_text'] / k['files']:.0%}" if k["files"] else "", k["bytes"]]
                    for k in stats.attachment_types], numeric={2, 3, 5})
    statuses = _table("attachment-statuses", ["site", "status", "files"],
                      [list(r) for r in stats.attachment_statuses], numeric={2})
    return types + statuses


def write_report(data_dir: Path, output: Path, sites: tuple[str, ...] = (), title: str | None = None,
                 zones: SiteZones | None = None) -> DatasetStats:
    """Write the report of the dataset under DATA to `output` (atomically) and return its
    stats; times in each site's zone (`zones`; default Beijing time)."""
    from archive.changes.dataset import EventFilter, read_events
    from archive.changes.report import changes_section

    stats = dataset_stats(data_dir, sites, zones=zones)
    zone_of = zones or SiteZones()
    section = changes_section(read_events(data_dir, EventFilter(sites, zone_of=zone_of)), zone_of)
    page = render_report(stats, title or f"Archive dataset report: {Path(data_dir).resolve().name}", section)
    partial = output.with_name(output.name + ".partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(output)
    return stats
