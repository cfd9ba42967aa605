"""A three-way merge of one store TOML file, key by key, for git's merge driver.

Two clones that change different parts of one file (one adds an agenda item,
the other records attendance) merge cleanly here, where git's line merge often
stops on neighbouring lines. ``merge(base, ours, theirs)`` works on the parsed
values and writes the result into *ours'* document with tomlkit, so ours'
comments, blank lines and key order are kept and only what theirs changed is
touched.

- Tables merge key by key; a key added, changed or removed on one side only
  takes that side's change.
- Arrays of tables (``[[items]]``, ``[[updates]]``) match entries by position
  when all three sides have the same count, else by title (or, without one, by
  the whole entry), then merge each pair; entries added on either side are kept,
  in order. An entry removed on one side and changed on the other is kept: an
  edit is never lost silently.
- Arrays of plain values (attendance, notes, papers) merge as sets, ours' order
  kept, theirs' additions appended, removals on either side applied.
- A value changed on both sides to different values is a conflict: that value
  alone is written between standard ``<<<<<<<``/``=======``/``>>>>>>>`` markers,
  so the file shows the choice and `escg check` refuses it until it is made.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT

from escg.core.errors import InputError
from escg.core.model import MeetingStatus
from escg.store import loader
from escg.store.edit import trim_table, plain, readable

_MISSING = object()
# A meeting's lifecycle, in order (MeetingStatus's, but for cancelled): when one side moved it
# on (attendance recorded: held) and the other further (a minute written: minutes-draft), the
# merge is the later, not a conflict.
LIFECYCLE = tuple(status.value for status in MeetingStatus if not status.cancelled)


def _resolve(key: str, ours: Any, theirs: Any) -> Any:
    """A top-level value both sides changed whose meaning settles it, or _MISSING."""
    if key == "status" and ours in LIFECYCLE and theirs in LIFECYCLE:
        return max(ours, theirs, key=LIFECYCLE.index)
    if key == "agenda_built" and isinstance(ours, bool) and isinstance(theirs, bool):
        return ours or theirs  # built on one side: built
    if key == "sequence" and isinstance(ours, int) and isinstance(theirs, int):
        return max(ours, theirs)  # a calendar revision only goes up
    return _MISSING


@dataclass
class Conflict:
    """One value both sides changed differently: where, and the two values (None: removed)."""

    path: str
    ours: Any
    theirs: Any

    def __str__(self) -> str:
        return f"{self.path}: changed on both sides"


class _Rows(list):
    """A merged array of tables: (index of the table in ours, or None if new, merged data) pairs."""


class _Merger:
    def __init__(self) -> None:
        self.conflicts: list[Conflict] = []

    def sentinel(self, path: str, ours: Any, theirs: Any) -> str:
        self.conflicts.append(Conflict(path, None if ours is _MISSING else ours, None if theirs is _MISSING else theirs))
        return f"@@escg-merge-conflict-{len(self.conflicts) - 1}@@"

    def value(self, base: Any, ours: Any, theirs: Any, path: str) -> Any:
        if _same(ours, theirs):
            return ours
        if _same(base, ours):
            return theirs
        if _same(base, theirs):
            return ours
        if isinstance(ours, Mapping) and isinstance(theirs, Mapping):
            return self.table(base if isinstance(base, Mapping) else {}, ours, theirs, path)
        if isinstance(ours, list) and isinstance(theirs, list):
            old = base if isinstance(base, list) else []
            if _tables(ours) and _tables(theirs) and _tables(old):
                return self.rows(old, ours, theirs, path)
            if not any(isinstance(v, (Mapping, list)) for v in [*old, *ours, *theirs]):
                return _set_merge(old, ours, theirs)
        return self.sentinel(path, ours, theirs)

    def table(self, base: Mapping, ours: Mapping, theirs: Mapping, path: str) -> dict:
        merged: dict[str, Any] = {}
        for key in [*ours, *(k for k in theirs if k not in ours)]:
            where = f"{path}.{key}" if path else key
            b, o, t = base.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING)
            if o is not _MISSING and t is not _MISSING:
                settled = _resolve(key, o, t) if not path and not _same(o, t) else _MISSING
                merged[key] = settled if settled is not _MISSING else self.value(None if b is _MISSING else b, o, t, where)
            elif b is _MISSING:
                merged[key] = o if t is _MISSING else t  # added on one side
            elif _same(b, o if t is _MISSING else t):
                continue  # removed on one side, untouched on the other
            else:
                merged[key] = self.sentinel(where, o, t)  # removed on one side, changed on the other
        return merged

    def rows(self, base: list, ours: list, theirs: list, path: str) -> _Rows:
        if len(base) == len(ours) == len(theirs):
            return _Rows((i, self.value(b, o, t, f"{path}[{i + 1}]"))
                         for i, (b, o, t) in enumerate(zip(base, ours, theirs)))
        base_keys, our_keys, their_keys = _keys(base), _keys(ours), _keys(theirs)
        base_by = dict(zip(base_keys, base))
        their_by = dict(zip(their_keys, theirs))
        result: list[tuple[Any, int | None, Any]] = []  # (key, index in ours, data)
        for index, (key, entry) in enumerate(zip(our_keys, ours)):
            where = f"{path}[{_label(key, index)}]"
            if key in their_by:
                result.append((key, index, self.value(base_by.get(key), entry, their_by[key], where)))
            elif key not in base_by or not _same(base_by[key], entry):
                result.append((key, index, entry))  # ours added it, or changed what theirs removed: kept
        placed = {key for key, _, _ in result}
        for position, (key, entry) in enumerate(zip(their_keys, theirs)):
            if key in placed or (key in base_by and _same(base_by[key], entry)):
                continue  # merged above, or removed by ours and untouched by theirs
            # After the entry that precedes it in theirs, if the result has it; else first.
            at = 0
            for before in reversed(their_keys[:position]):
                found = [i for i, (k, _, _) in enumerate(result) if k == before]
                if found:
                    at = found[0] + 1
                    break
            # ...and after ours' own additions there, so ours' new entries come first.
            while at < len(result) and result[at][1] is not None and result[at][0] not in base_by \
                    and result[at][0] not in their_by:
                at += 1
            result.insert(at, (key, None, entry))
            placed.add(key)
        return _Rows((index, data) for _, index, data in result)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b or (_canon(a) == _canon(b))


def _canon(value: Any) -> str:
    return json.dumps(_plain_rows(value), sort_keys=True, default=repr)


def _plain_rows(value: Any) -> Any:
    if isinstance(value, _Rows):
        return [_plain_rows(data) for _, data in value]
    if isinstance(value, Mapping):
        return {k: _plain_rows(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_rows(v) for v in value]
    return value


def _tables(values: list) -> bool:
    return all(isinstance(v, Mapping) for v in values)


def _keys(entries: list) -> list[tuple]:
    """A key per entry: its title (or, without one, the whole entry), and which occurrence."""
    seen: dict[Any, int] = {}
    keys = []
    for entry in entries:
        title = entry.get("title")
        ident = ("title", title) if isinstance(title, str) else ("entry", _canon(entry))
        seen[ident] = seen.get(ident, 0) + 1
        keys.append((*ident, seen[ident]))
    return keys


def _label(key: tuple, index: int) -> str:
    return repr(key[1]) if key[0] == "title" else str(index + 1)


def _set_merge(base: list, ours: list, theirs: list) -> list:
    removed = [v for v in base if v not in theirs]
    merged = [v for v in ours if v not in removed]
    for value in theirs:
        if value not in base and value not in merged:
            merged.append(value)
    return merged


def _apply(table: Any, merged: Mapping[str, Any]) -> None:
    """Make tomlkit ``table`` hold ``merged``, touching only what differs."""
    for key in list(table.keys()):
        if key not in merged:
            del table[key]
    for key, value in merged.items():
        old = table[key] if key in table else None
        if isinstance(value, _Rows):
            _apply_rows(table, key, value)
        elif isinstance(value, Mapping) and old is not None and hasattr(old, "keys") and not isinstance(old, AoT):
            _apply(old, value)
        elif isinstance(value, list) and value and _tables(value) and not isinstance(old, AoT):
            table[key] = _aot(value)  # an array of tables added by theirs: written as [[key]] tables
        elif old is None or not _same(plain(old), value):
            table[key] = readable(value)


def _aot(rows: list) -> Any:
    array = tomlkit.aot()
    for data in rows:
        table = tomlkit.table()
        _apply(table, _plain_rows(data))
        array.append(table)
    return array


def _apply_rows(container: Any, key: str, rows: _Rows) -> None:
    old = container[key] if key in container else None
    if not isinstance(old, AoT):
        container[key] = _aot([data for _, data in rows]) if rows else readable([])
        return
    tables = list(old)
    if [index for index, _ in rows] == list(range(len(tables))):
        for table, (_, data) in zip(tables, rows):
            _apply(table, data)
        return
    array = tomlkit.aot()
    for index, data in rows:
        table = tables[index] if index is not None else tomlkit.table()
        _apply(table, data)
        trim_table(table)
        array.append(table)
    if rows:
        container[key] = array
    else:
        del container[key]


def _inline(value: Any) -> Any:
    if isinstance(value, Mapping):
        table = tomlkit.inline_table()
        for k, v in value.items():
            table[k] = _inline(v)
        return table
    if isinstance(value, list):
        array = tomlkit.array()
        for v in value:
            array.append(_inline(v))
        return array
    return value


def _side(key: str, value: Any) -> str:
    if value is None:
        return ""
    return f"{key} = {tomlkit.item(_inline(_plain_rows(value))).as_string()}\n"


def _mark(text: str, conflicts: list[Conflict]) -> str:
    lines = text.splitlines(keepends=True)
    for number, conflict in enumerate(conflicts):
        token = f"@@escg-merge-conflict-{number}@@"
        for at, line in enumerate(lines):
            if token in line:
                key = line.split("=", 1)[0].strip()
                indent = line[: len(line) - len(line.lstrip())]
                lines[at] = (f"<<<<<<< ours\n{indent}{_side(key, conflict.ours)}=======\n"
                             f"{indent}{_side(key, conflict.theirs)}>>>>>>> theirs\n")
                break
    return "".join(lines)


def read_side(path: Path, side: str) -> str:
    """The text of one side git hands the driver ("" when git gives none), read as every
    store file is (escg.store.loader: the size bound, UTF-8, TOML). Raises InputError
    naming the side, and the caller merges its lines instead."""
    if not os.path.lexists(path):
        return ""
    loaded = loader.load(path, None, collect=True)
    if loaded.problems:
        problem = loaded.problems[0]
        where = f" (line {problem.line})" if problem.line else ""
        raise InputError(f"cannot merge: {side}: {problem.message}{where}")
    # Newlines as read_text gave them, which the driver read before: tomlkit keeps a line's
    # \r\n where it leaves the line alone and writes \n where it makes one, so a CRLF side
    # would come out with both.
    return (loaded.text or "").replace("\r\n", "\n").replace("\r", "\n")


def parse(text: str, side: str) -> Any:
    try:
        return tomlkit.parse(text)
    except Exception as error:  # tomlkit's parse errors have no common base worth naming
        raise InputError(f"cannot merge: {side} is not valid TOML ({error})") from None


def merge(base: str, ours: str, theirs: str) -> tuple[str, list[Conflict]]:
    """Merge ``theirs``' changes since ``base`` into ``ours``: the text, and the conflicts
    (each also left in the text between conflict markers). Raises InputError if a side
    is not TOML (the caller then falls back to a line merge)."""
    base_doc, ours_doc, theirs_doc = parse(base, "the common ancestor"), parse(ours, "ours"), parse(theirs, "theirs")
    merger = _Merger()
    merged = merger.table(plain(base_doc), plain(ours_doc), plain(theirs_doc), "")
    _apply(ours_doc, merged)
    text = tomlkit.dumps(ours_doc)
    if merger.conflicts:
        text = _mark(text, merger.conflicts)
    return text, merger.conflicts
