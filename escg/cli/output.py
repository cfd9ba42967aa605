"""One formatter per output format, chosen once per command: FORMATTERS for listings
and records, DOCUMENTS for the printed documents.

``table`` is a rich table on a terminal and plain aligned text when piped (never
colour codes); store text is never read as rich markup, and its control and bidi
characters are shown as escapes (``formats.visible``) in table and md; ``md`` is a GitHub-flavoured Markdown table; ``json`` is the
documented contract (docs/json.md); ``csv`` goes through the standard writer
with the JSON keys as its header.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from escg.core.records import record
from typing import Any

from escg.cli.params import echo
from escg.core.formats import plain_cell, text, to_csv, to_json, visible


Column = tuple[str, str]  # (key in the row, header shown in table/md)


def is_terminal() -> bool:
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def to_markdown(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    from escg.services.render import cell

    lines = ["| " + " | ".join(header for _, header in columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(cell(visible(text(row.get(key)))) for key, _ in columns) + " |")
    return "\n".join(lines) + "\n"


def to_plain(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    """Plain aligned text: a column of cells for each column, padded to its widest."""
    padded = []
    for key, header in columns:
        column = _plain_column([row.get(key) for row in rows])
        column.insert(0, header.upper())
        width = max(map(len, column))
        padded.append([cell.ljust(width) for cell in column])
    return "\n".join("  ".join(line).rstrip() for line in zip(*padded)) + "\n"


def _plain_column(values: list[Any]) -> list[str]:
    """``plain_cell`` of each value, a column at a time: a column of plain text (or of
    numbers) is checked as one joined text, in C, rather than a call a cell; `meeting
    list` and `decisions` print tens of thousands of rows."""
    kinds = set(map(type, values))
    if kinds == {int}:
        return list(map(str, values))
    if kinds <= {str, type(None)}:
        cells = [value or "" for value in values] if type(None) in kinds else values
        # Newline stands between the cells: not printable, so a cell holding one fails the
        # first test, and not a space, so a space at a cell's edge shows as one beside it.
        joined = "\n".join(cells)
        if (all(map(str.isprintable, cells)) and "  " not in joined and " \n" not in joined
                and "\n " not in joined and joined[:1] != " " and joined[-1:] != " "):
            return cells
    return [plain_cell(value) for value in values]


def print_rich(rows: Sequence[dict[str, Any]], columns: Sequence[Column], *, title: str | None = None,
               style: Callable[[dict[str, Any]], str | None] | None = None) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Store text goes in as Text, never as a str: rich would read [link=...] or [/x] in it as
    # markup (a hidden link; a crash), and :name: as an emoji. Controls are shown, not obeyed.
    table = Table(title=Text(visible(title)) if title is not None else None, header_style="bold",
                  title_justify="left", pad_edge=False)
    for _, header in columns:
        table.add_column(Text(visible(header)), overflow="fold")
    for row in rows:
        table.add_row(*(Text(visible(text(row.get(key)))) for key, _ in columns), style=style(row) if style else None)
    Console().print(table)


@record
class Listing:
    """What a list command prints: its rows, their columns and JSON/CSV keys, and how to show them."""

    rows: Sequence[dict[str, Any]]
    columns: Sequence[Column]
    keys: list[str]
    title: str | None = None
    style: Callable[[dict[str, Any]], str | None] | None = None
    empty: str = "nothing to show"


def _list_json(listing: Listing) -> None:
    echo(to_json([{key: row.get(key) for key in listing.keys} for row in listing.rows]), nl=False)


def _list_csv(listing: Listing) -> None:
    echo(to_csv(listing.rows, listing.keys), nl=False)


def _list_md(listing: Listing) -> None:
    echo(to_markdown(listing.rows, listing.columns), nl=False)


def _list_table(listing: Listing) -> None:
    if not listing.rows:
        echo(f"({listing.empty})", err=True)
    elif is_terminal():
        print_rich(listing.rows, listing.columns, title=listing.title, style=listing.style)
    else:
        echo(to_plain(listing.rows, listing.columns), nl=False)


def _record_lines(record: dict[str, Any], lines: Sequence[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [(label, value) for label, value in lines if value not in (None, "", [])]


def _record_json(record: dict[str, Any], lines: Sequence[tuple[str, Any]]) -> None:
    echo(to_json(record), nl=False)


def _record_csv(record: dict[str, Any], lines: Sequence[tuple[str, Any]]) -> None:
    # CSV is flat: nested lists and tables (such as a meeting's items) are left to --json.
    flat = {key: value for key, value in record.items() if not isinstance(value, (list, dict))
            or all(not isinstance(v, (list, dict)) for v in value)}
    echo(to_csv([flat], list(flat)), nl=False)


def _record_md(record: dict[str, Any], lines: Sequence[tuple[str, Any]]) -> None:
    from escg.services.render import cell

    echo("".join(f"- **{cell(label.strip())}:** {cell(visible(text(value)))}\n"
                 for label, value in _record_lines(record, lines)), nl=False)


def _record_table(record: dict[str, Any], lines: Sequence[tuple[str, Any]]) -> None:
    shown = _record_lines(record, lines)
    width = max((len(label) for label, _ in shown), default=0)
    echo("".join(f"{label.ljust(width)}  {visible(text(value))}\n" for label, value in shown), nl=False)


# The one registry: each output format, for lists and for single records.
FORMATTERS: dict[str, tuple[Callable[[Listing], None], Callable[..., None]]] = {
    "table": (_list_table, _record_table),
    "md": (_list_md, _record_md),
    "json": (_list_json, _record_json),
    "csv": (_list_csv, _record_csv),
}


def _template(store: Any, kind: str, format: str, context: dict) -> str:
    from escg.services.render import render

    return render(store, f"{kind}.{format}", context)


def _pdf(store: Any, kind: str, format: str, context: dict) -> bytes:
    from escg.integrations.pdf import document_pdf  # WeasyPrint, the pdf extra

    return document_pdf(store, kind, context)


def _docx(store: Any, kind: str, format: str, context: dict) -> bytes:
    from escg.integrations.word import document_docx

    return document_docx(store, kind, context)


# The documents (an agenda, minutes, the action log) in each format they are printed in:
# md and html through their templates, pdf through WeasyPrint, docx through python-docx.
DOCUMENTS: dict[str, Callable[[Any, str, str, dict], str | bytes]] = {
    "md": _template, "html": _template, "pdf": _pdf, "docx": _docx,
}


def document(store: Any, kind: str, format: str, context: dict) -> str | bytes:
    """``kind`` (agenda, minutes or actions) in ``format`` (DOCUMENTS); the caller checks
    the destination first (escg.cli.common.binary_target)."""
    return DOCUMENTS[format](store, kind, format, context)


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[Column], fmt: str, *,
         keys: Sequence[str] | None = None, title: str | None = None,
         style: Callable[[dict[str, Any]], str | None] | None = None,
         empty: str = "nothing to show") -> None:
    """Print ``rows`` in ``fmt``; ``keys`` are the JSON/CSV contract keys (default: all of a row)."""
    keys = list(keys or (rows[0].keys() if rows else [key for key, _ in columns]))
    FORMATTERS[fmt][0](Listing(rows, columns, keys, title, style, empty))


def emit_record(record: dict[str, Any], fmt: str, lines: Sequence[tuple[str, Any]]) -> None:
    """Print one record: ``json`` gives ``record``, the other formats ``lines`` of label: value."""
    FORMATTERS[fmt][1](record, lines)
