"""Machine formats shared by every command: JSON and CSV (docs/json.md), and the
text of a plain table's cell.

No Typer, rich or Jinja here: the fast path (escg.cli.fast) prints listings with
these alone.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from escg.core.patterns import Pattern


def text(value: Any) -> str:
    """A value as one cell of text: lists joined, progress notes as 'date: note'."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, dict):
        if set(value) == {"date", "note"}:
            return f"{value['date']}: {value['note']}"
        return "; ".join(f"{k}={text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        separator = "; " if any(isinstance(v, dict) for v in value) else ", "
        return separator.join(text(v) for v in value)
    return str(value)


# What a terminal obeys instead of showing: C0 controls but tab and newline (ESC starts a
# colour, a title or a hidden link; BEL rings; CR overwrites), DEL, C1 controls, and the
# bidirectional marks, embeddings, overrides and isolates (U+202E turns text around).
_INVISIBLE = Pattern("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain_cell(value: Any) -> str:
    """One cell of a plain table: controls shown, whitespace runs (newlines too) made one space."""
    cell = text(value)
    if cell.isprintable() and "  " not in cell and cell[:1] != " " and cell[-1:] != " ":
        return cell  # the common case, checked in C
    return " ".join(visible(cell).split())


def visible(value: Any) -> str:
    """Text for a terminal: every control and bidi character shown as its escape (\\x1b, \\u202e)."""
    text = str(value)
    if text.isprintable():  # the common case, checked in C: every character _INVISIBLE finds is not
        return text
    return _INVISIBLE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}",
                          text)


def to_json(data: Any) -> str:
    """A list as one object a line (valid JSON, easy to grep, and json's C encoder: an
    indented dump takes its pure-Python path, ten times slower); anything else indented."""
    if isinstance(data, list):
        return json_rows([json.dumps(row, ensure_ascii=False, default=str) for row in data])
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def json_rows(rows: list[str]) -> str:
    """A JSON array of rows already encoded, one a line."""
    return "[\n" + ",\n".join(rows) + "\n]\n" if rows else "[]\n"


# A spreadsheet reads a cell that starts with one of these as a formula
# (=HYPERLINK("https://evil.example", "x"), or a DDE command); OWASP's advice is a quote first.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A value as one CSV cell: as ``text``, with store text that a spreadsheet would run
    as a formula prefixed with a single quote. Numbers are numbers: -3 stays -3."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    cell = text(value)
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def to_csv(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(key) for key in keys])
    for row in rows:
        writer.writerow([csv_cell(row.get(key)) for key in keys])
    return buffer.getvalue()
