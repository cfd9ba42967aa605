"""Minimal in-place edits of a tomlkit document.

Only keys whose value changed are touched, so a hand-written comment, blank
line or key order elsewhere in the file survives, and a change shows as a small
git diff. Imported only by commands that write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tomlkit
from tomlkit.items import AoT, Whitespace


def plain(value: Any) -> Any:
    """The Python value of a tomlkit item (or of a plain value)."""
    return value.unwrap() if hasattr(value, "unwrap") else value


def sync_table(table: Any, data: Mapping[str, Any], keep: tuple[str, ...] = ()) -> None:
    """Make ``table`` hold exactly ``data`` (leaving the keys in ``keep`` alone),
    changing only what differs."""
    for key in list(table.keys()):
        if key not in data and key not in keep:
            del table[key]
    for key, value in data.items():
        if key in table:
            old = table[key]
            if plain(old) == value:
                continue
            if isinstance(value, Mapping) and hasattr(old, "keys") and not isinstance(old, AoT):
                sync_table(old, value)  # edit the sub-table in place, keeping its comments
                continue
            table[key] = readable(value)  # tomlkit keeps the line's comment and its spacing
        else:
            table[key] = readable(value)


def readable(value: Any) -> Any:
    """Lists of long text, or of small tables, one element a line (easier to read and diff),
    in a new table too."""
    if isinstance(value, Mapping) and not hasattr(value, "unwrap"):
        return {key: readable(entry) for key, entry in value.items()}
    if not isinstance(value, list) or not value:
        return value
    if all(isinstance(v, Mapping) for v in value):
        array = tomlkit.array()
        for entry in value:
            inline = tomlkit.inline_table()
            inline.update(entry)
            array.append(inline)
        array.multiline(True)
        return array
    if sum(len(str(v)) for v in value) > 60:
        array = tomlkit.array()
        for entry in value:
            array.append(entry)
        array.multiline(True)
        return array
    return value


def sync_tables(container: Any, key: str, entries: Mapping[str, Mapping[str, Any]],
                only: set[str] | None = None) -> None:
    """Make ``[key.<id>]`` tables match ``entries`` (id -> data), in place; with ``only``,
    just those ids (added, changed, or removed when missing from ``entries``)."""
    if key not in container:
        if not entries:
            return
        container[key] = tomlkit.table(is_super_table=True)
    section = container[key]
    for ident in list(section.keys()):
        if ident not in entries and (only is None or ident in only):
            del section[ident]
    for ident, data in entries.items():
        if ident in section:
            old = plain(section[ident])
            # Keys the file leaves to their defaults, or holds empty, stay as they are unless they change.
            wanted = {k: v for k, v in data.items() if k in old or v != DEFAULTS.get(k)}
            wanted.update({k: v for k, v in old.items() if k not in data and v in ("", [])})
            sync_table(section[ident], wanted)
        else:
            table = tomlkit.table()
            for name, value in data.items():
                table[name] = value
            table.add(tomlkit.nl())
            section[ident] = table


DEFAULTS = {"sector": "other", "membership": "member"}


def sync_array(container: Any, key: str, rows: Sequence[tuple[int | None, Mapping[str, Any]]]) -> None:
    """Make the array of tables ``[[key]]`` hold ``rows`` in order.

    Each row is (index of the table it came from in the file, or None if new,
    its data); a table that came from the file is reused, with its comments."""
    old = list(container[key]) if key in container else []
    if old and not isinstance(container[key], AoT):
        # Written by hand as an inline array (items = [{...}]): rewrite it as [[key]] tables.
        del container[key]
        old = []
    if old and [source for source, _ in rows] == list(range(len(old))):
        # Same tables in the same order: edit each in place, touching nothing else.
        for table, (_, data) in zip(old, rows):
            sync_table(table, data)
        return
    tables = []
    for source, data in rows:
        if source is not None and 0 <= source < len(old):
            table = old[source]
        else:
            table = tomlkit.table()
        sync_table(table, data)
        tables.append(table)
    if not tables:
        if key in container:
            del container[key]
        return
    for table in tables:
        trim_table(table)
    array = tomlkit.aot()
    for table in tables:
        array.append(table)
    container[key] = array


def trim_table(table: Any) -> None:
    """Drop a table's trailing blank lines and leading newlines, so that tomlkit's
    own single blank line between [[items]] blocks is the only one, however the
    tables are reordered."""
    body = table.value.body
    while body and body[-1][0] is None and isinstance(body[-1][1], Whitespace):
        body.pop()
    table.trivia.indent = table.trivia.indent.replace("\n", "")


def new_document(data: Mapping[str, Any], header: str | None = None) -> str:
    """Text of a new file holding ``data``, with an optional comment header."""
    document = tomlkit.document()
    if header:
        for line in header.splitlines():
            document.add(tomlkit.comment(line))
        document.add(tomlkit.nl())
    for key, value in data.items():
        document[key] = value
    return tomlkit.dumps(document)
