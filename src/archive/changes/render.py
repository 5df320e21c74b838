"""An edit's difference as people read it: in the dataset and CSV (marks), in a terminal
(colours), in the HTML report and the Atom feed (<del> and <ins>).

One line a changed field or paragraph; long unchanged stretches inside a changed
paragraph are cut to CONTEXT characters either side of what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from archive.changes.diff import FieldChange, ParagraphChange, RecordDiff, Span

CONTEXT = 30
# op ("=", "-" or "+") and text -> the text as shown
Style = Callable[[str, str], str]


def marked(op: str, text: str) -> str:
    """Plain text: [-removed-] and {+added+}, as `git diff --word-diff` writes them."""
    return {"-": f"[-{text}-]", "+": f"{{+{text}+}}"}.get(op, text)


def html_marked(op: str, text: str) -> str:
    tag = {"-": "del", "+": "ins"}.get(op)
    return f"<{tag}>{escape(text)}</{tag}>" if tag else escape(text)


def diff_text(diff: RecordDiff) -> str:
    """The difference in plain text, one line a change."""
    return "\n".join(diff_lines(diff, marked))


def diff_html(diff: RecordDiff) -> str:
    return "<br>".join(diff_lines(diff, html_marked, label=lambda text: f"<b>{escape(text)}</b>"))


def diff_lines(diff: RecordDiff, style: Style, label: Callable[[str], str] = str) -> list[str]:
    lines: list[str] = []
    for change in diff.changes:
        if change.parts:
            lines += [f"{label(_part_label(change.field, part))} {_part(part, style)}" for part in change.parts]
        else:
            lines.append(f"{label(change.field + ':')} {_field(change, style)}")
    return lines


def _field(change: FieldChange, style: Style) -> str:
    if change.spans:
        return _spans(change.spans, style)
    return f"{style('-', change.before or '(none)')} → {style('+', change.after or '(none)')}"


def _part_label(field: str, part: ParagraphChange) -> str:
    if field == "text":
        where = part.after_index if part.op == "added" else part.before_index
        return f"text ¶{where}" + ("" if part.op == "changed" else f" {part.op}") + ":"
    return f"{field} {part.op}:"


def _part(part: ParagraphChange, style: Style) -> str:
    if part.op == "changed":
        return _spans(part.spans, style)
    return style("+", part.after or "") if part.op == "added" else style("-", part.before or "")


def _spans(spans: tuple[Span, ...], style: Style) -> str:
    out = []
    for n, (op, text) in enumerate(spans):
        if op == "=":
            text = _trimmed(text, first=n == 0, last=n == len(spans) - 1)
        out.append(style(op, text))
    return "".join(out)


def _trimmed(text: str, *, first: bool, last: bool) -> str:
    """An unchanged stretch cut to CONTEXT characters next to each change it touches."""
    keep_head = 0 if first else CONTEXT
    keep_tail = 0 if last else CONTEXT
    if len(text) <= keep_head + keep_tail + 1:
        return text
    return text[:keep_head] + "…" + (text[len(text) - keep_tail:] if keep_tail else "")
