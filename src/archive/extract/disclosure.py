"""The table of a government disclosure page (政府信息公开): 索引号, 发布机构, 发文字号,
成文日期, 主题分类, 有效性, printed above or under the headline."""

from __future__ import annotations

from .dates import parse_date
from .labels import labelled_values

# fields of the table, of which a disclosure page prints two or more
DISCLOSURE_FIELDS = ("index_number", "document_number", "document_date", "topic", "validity")
_MIN_FIELDS = 2


def read_disclosure(lines: list[str]) -> dict[str, str]:
    """The table's fields among `lines`, when they hold such a table (else nothing).

    The document date is given as the day it names, YYYY-MM-DD.
    """
    values = labelled_values(lines)
    found = {name: values[name] for name in DISCLOSURE_FIELDS if values.get(name)}
    if len(found) < _MIN_FIELDS:
        return {}
    if "document_date" in found:
        day = parse_date(found["document_date"])
        if day is None:
            del found["document_date"]
        else:
            found["document_date"] = day.date().isoformat()
    return found
