"""One formatter per output format, chosen once per command.

``table`` is a rich table on a terminal and plain aligned text when piped (never
colour codes); ``md`` is a GitHub-flavoured Markdown table; ``json`` is the
documented contract (docs/json.md); ``csv`` goes through the standard writer
with the JSON keys as its header.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from escg.cli.params import echo
from escg.formats import text, to_csv, to_json


TABLE_FORMATS = ("table", "md", "json", "csv")


Column = tuple[str, str]  # (key in the row, header shown in table/md)


def is_terminal() -> bool:
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def to_markdown(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    from escg.render import cell

    lines = ["| " + " | ".join(header for _, header in columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(cell(text(row.get(key))) for key, _ in columns) + " |")
    return "\n".join(lines) + "\n"


def to_plain(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    cells = [[header.upper() for _, header in columns]]
    for row in rows:
        cells.append([" ".join(text(row.get(key)).split()) for key, _ in columns])
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    out = []
    for line in cells:
        out.append("  ".join(value.ljust(width) for value, width in zip(line, widths)).rstrip())
    return "\n".join(out) + "\n"


def print_rich(rows: Sequence[dict[str, Any]], columns: Sequence[Column], *, title: str | None = None,
               style: Callable[[dict[str, Any]], str | None] | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, header_style="bold", title_justify="left", pad_edge=False)
    for _, header in columns:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(text(row.get(key)) for key, _ in columns), style=style(row) if style else None)
    Console().print(table)


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[Column], fmt: str, *,
         keys: Sequence[str] | None = None, title: str | None = None,
         style: Callable[[dict[str, Any]], str | None] | None = None,
         empty: str = "nothing to show") -> None:
    """Print ``rows`` in ``fmt``; ``keys`` are the JSON/CSV contract keys (default: all of a row)."""
    keys = list(keys or (rows[0].keys() if rows else [key for key, _ in columns]))
    if fmt == "json":
        echo(to_json([{key: row.get(key) for key in keys} for row in rows]), nl=False)
    elif fmt == "csv":
        echo(to_csv(rows, keys), nl=False)
    elif fmt == "md":
        echo(to_markdown(rows, columns), nl=False)
    elif not rows:
        echo(f"({empty})", err=True)
    elif is_terminal():
        print_rich(rows, columns, title=title, style=style)
    else:
        echo(to_plain(rows, columns), nl=False)


def emit_record(record: dict[str, Any], fmt: str, lines: Sequence[tuple[str, Any]]) -> None:
    """Print one record: ``json`` gives ``record``, the other formats ``lines`` of label: value."""
    shown = [(label, value) for label, value in lines if value not in (None, "", [])]
    if fmt == "json":
        echo(to_json(record), nl=False)
    elif fmt == "csv":
        # CSV is flat: nested lists and tables (such as a meeting's items) are left to --json.
        flat = {key: value for key, value in record.items() if not isinstance(value, (list, dict))
                or all(not isinstance(v, (list, dict)) for v in value)}
        echo(to_csv([flat], list(flat)), nl=False)
    elif fmt == "md":
        from escg.render import cell

        echo("".join(f"- **{cell(label.strip())}:** {cell(text(value))}\n" for label, value in shown), nl=False)
    else:
        width = max((len(label) for label, _ in shown), default=0)
        echo("".join(f"{label.ljust(width)}  {text(value)}\n" for label, value in shown), nl=False)
