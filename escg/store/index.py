"""The action index: a cache in <store>/.escg-index.sqlite that read commands use.

The files stay the truth: deleting the index loses nothing, and it is never
committed (.gitignore). It is brought up to date on every use, incrementally:

* Each actions/<year>/ folder's mtime is compared with the one indexed. Any
  file created, deleted or renamed in a folder changes its mtime: every escg
  write (atomic rename), git checkout and pull, `sed -i`, and editors that save
  by renaming. Only a changed folder is listed and its files stat'ed; only a
  changed file (mtime, size or inode) is parsed again.
* An edit made in place, without a rename, leaves the folder's mtime alone.
  ``refresh(deep=True)`` therefore also stats every file of an open action (the
  ones a review shows); with 5,000 files or fewer it stats them all.

Stat'ing every file costs about 3 µs a file here (0.3 s at 100,000), which is
why the whole-store stat is reserved for smaller stores.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from escg import model
from escg.errors import StoreError
from escg.store.files import MAX_FILE, display, find_line, toml_error

INDEX_NAME = ".escg-index.sqlite"
VERSION = "4"
FULL_STAT_LIMIT = 5_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER);
CREATE TABLE IF NOT EXISTS actions (
    path TEXT PRIMARY KEY, dir TEXT, mtime_ns INTEGER, size INTEGER, ino INTEGER,
    id TEXT, number INTEGER, status TEXT, due TEXT, owner TEXT, org TEXT, meeting TEXT,
    theme TEXT, created TEXT, closed TEXT, error TEXT, data TEXT, head TEXT, tail TEXT);
CREATE INDEX IF NOT EXISTS actions_by_status ON actions (status, due, number);
CREATE INDEX IF NOT EXISTS actions_by_id ON actions (id);
CREATE INDEX IF NOT EXISTS actions_by_dir ON actions (dir);
CREATE INDEX IF NOT EXISTS actions_broken ON actions (path) WHERE error IS NOT NULL;
"""


def _dump(action: model.Action) -> str:
    return json.dumps(action.to_toml(), default=str, ensure_ascii=False, separators=(",", ":"))


def _load(text: str) -> model.Action:
    data = json.loads(text)
    day = date.fromisoformat
    return model.Action(
        id=data["id"], title=data["title"], owner=data["owner"], org=data.get("org"),
        due=day(data["due"]) if "due" in data else None, status=data["status"],
        meeting=data.get("meeting"), item=data.get("item"), theme=data.get("theme"),
        created=day(data["created"]) if "created" in data else None,
        closed=day(data["closed"]) if "closed" in data else None,
        updates=[model.Update(day(u["date"]), u["note"], u.get("from_owner"),
                              None if "from_due" not in u else u["from_due"] if u["from_due"] == "none" else day(u["from_due"]))
                 for u in data.get("updates", [])],
    )


class ActionIndex:
    """The actions of one store, as indexed; falls back to reading files if the index cannot be used."""

    def __init__(self, root: Path, folder: Path) -> None:
        self.root = root
        self.folder = folder
        self.path = root / INDEX_NAME
        self._db: sqlite3.Connection | None = None
        self.fresh = False

    # --- the database ------------------------------------------------------

    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        for attempt in range(2):
            try:
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(SCHEMA)
                row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
                if row is None:
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (VERSION,))
                elif row[0] != VERSION:
                    raise sqlite3.DatabaseError("index from another version")
                return db
            except sqlite3.DatabaseError:
                # A damaged or outdated index is only a cache: start it again.
                try:
                    db.close()
                except Exception:  # noqa: BLE001 - closing a broken connection may fail too
                    pass
                for suffix in ("", "-wal", "-shm"):
                    try:
                        os.unlink(f"{self.path}{suffix}")
                    except FileNotFoundError:
                        pass
                if attempt:
                    raise
        raise AssertionError("unreachable")

    # --- keeping it fresh --------------------------------------------------

    def refresh(self, deep: bool = False, report=None) -> None:
        """Bring the index up to date with the files (see the module's docstring)."""
        if not self.folder.is_dir():
            db = self.db()
            db.execute("DELETE FROM actions")
            db.execute("DELETE FROM dirs")
            return
        db = self.db()
        known_dirs = dict(db.execute("SELECT path, mtime_ns FROM dirs"))
        present = []
        changed = []
        for entry in os.scandir(self.folder):
            if not entry.is_dir() or entry.name.startswith("."):
                continue
            present.append(entry.name)
            mtime = entry.stat().st_mtime_ns
            if known_dirs.get(entry.name) != mtime:
                changed.append((entry.name, mtime))
        gone = set(known_dirs) - set(present)
        count = None
        if deep:
            count = db.execute("SELECT count(*) FROM actions").fetchone()[0]
        if not changed and not gone and not deep:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            for name in gone:
                db.execute("DELETE FROM actions WHERE dir=?", (name,))
                db.execute("DELETE FROM dirs WHERE path=?", (name,))
            pending = []
            for name, _ in changed:
                pending += self._rescan(db, name)
            # Parsing is the slow part (a first run after a clone parses every file).
            for done, (path, full, stat) in enumerate(pending, start=1):
                self._store(db, path, full, stat)
                if report is not None and len(pending) > 2000 and (done % 500 == 0 or done == len(pending)):
                    report(done, len(pending))
            for name, mtime in changed:
                db.execute("INSERT OR REPLACE INTO dirs VALUES (?, ?)", (name, mtime))
            if deep:
                where = "" if count <= FULL_STAT_LIMIT else "WHERE status='open' OR error IS NOT NULL"
                rows = db.execute(f"SELECT path, mtime_ns, size, ino FROM actions {where}").fetchall()
                base = f"{self.folder}{os.sep}"  # plain strings: pathlib costs more than the stat here
                for path, mtime_ns, size, ino in rows:
                    try:
                        stat = os.stat(base + path)
                    except FileNotFoundError:
                        db.execute("DELETE FROM actions WHERE path=?", (path,))
                        continue
                    if (stat.st_mtime_ns, stat.st_size, stat.st_ino) != (mtime_ns, size, ino):
                        self._store(db, path, self.folder / path, stat)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.fresh = True

    def _rescan(self, db: sqlite3.Connection, name: str) -> list[tuple[str, Path, os.stat_result]]:
        """Drop the rows of files gone from folder ``name``; return the files to parse."""
        folder = self.folder / name
        indexed = {path: (mtime, size, ino) for path, mtime, size, ino in db.execute(
            "SELECT path, mtime_ns, size, ino FROM actions WHERE dir=?", (name,))}
        seen = set()
        pending = []
        for entry in os.scandir(folder):
            if not (entry.name.startswith("A-") and entry.name.endswith(".toml")) or not entry.is_file():
                continue
            path = f"{name}/{entry.name}"
            seen.add(path)
            stat = entry.stat()
            if indexed.get(path) != (stat.st_mtime_ns, stat.st_size, stat.st_ino):
                pending.append((path, folder / entry.name, stat))
        for path in set(indexed) - seen:
            db.execute("DELETE FROM actions WHERE path=?", (path,))
        return pending

    def _store(self, db: sqlite3.Connection, path: str, full: Path, stat: os.stat_result) -> None:
        action, error = self._parse(full, stat)
        name = path.split("/", 1)[0]
        if action is None:
            db.execute("INSERT OR REPLACE INTO actions (path, dir, mtime_ns, size, ino, error) VALUES (?,?,?,?,?,?)",
                       (path, name, stat.st_mtime_ns, stat.st_size, stat.st_ino, error))
            return
        head, tail = model.contract_parts(action)
        db.execute(
            "INSERT OR REPLACE INTO actions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (path, name, stat.st_mtime_ns, stat.st_size, stat.st_ino, action.id, action.number, action.status,
             action.due.isoformat() if action.due else None, action.owner, action.org, action.meeting, action.theme,
             action.created.isoformat() if action.created else None,
             action.closed.isoformat() if action.closed else None, error, _dump(action),
             json.dumps(head, ensure_ascii=False)[:-1], json.dumps(tail, ensure_ascii=False)[1:]))

    def _parse(self, full: Path, stat: os.stat_result) -> tuple[model.Action | None, str | None]:
        shown = display(full, self.root)
        if stat.st_size > MAX_FILE:
            return None, f"{shown}: larger than {MAX_FILE // (1024 * 1024)} MB; not a store file"
        try:
            text = full.read_bytes().decode("utf-8")
            data = tomllib.loads(text)
        except UnicodeDecodeError:
            return None, f"{shown}: not valid UTF-8 text"
        except tomllib.TOMLDecodeError as error:
            return None, toml_error(full, text, error, self.root)
        except OSError as error:
            return None, f"{shown}: cannot read: {error.strerror}"
        problems = model.Problems()
        action = model.action_from_toml(data, problems)
        if problems:
            key_path, message = problems.items[0]
            line = find_line(text, key_path) if key_path else None
            return None, f"{shown}:{line}: {message}" if line else f"{shown}: {message}"
        if not full.name.startswith(action.id + "-") and full.stem != action.id:
            return None, f"{shown}: the file name does not start with its id {action.id}"
        return action, None

    # --- queries -----------------------------------------------------------

    def _raise_errors(self) -> None:
        # Served by the partial index actions_broken: no scan of a healthy store.
        row = self.db().execute("SELECT error FROM actions WHERE error IS NOT NULL ORDER BY path LIMIT 1").fetchone()
        if row:
            raise StoreError(row[0])

    def query(self, where: str = "", params: Iterable[Any] = (), order: str = "number, id") -> list[model.Action]:
        self._raise_errors()
        sql = "SELECT data FROM actions WHERE error IS NULL" + (f" AND ({where})" if where else "") + f" ORDER BY {order}"
        return [_load(row[0]) for row in self.db().execute(sql, tuple(params))]

    def halves(self, where: str, params: Iterable[Any], order: str) -> list[tuple[str, str, str, str | None]]:
        """(JSON before "rag", JSON after it, status, due) of the matching actions."""
        self._raise_errors()
        sql = f"SELECT head, tail, status, due FROM actions WHERE error IS NULL AND ({where}) ORDER BY {order}"
        return self.db().execute(sql, tuple(params)).fetchall()

    def paths(self) -> dict[str, list[Path]]:
        found: dict[str, list[Path]] = {}
        for ident, path in self.db().execute("SELECT id, path FROM actions WHERE error IS NULL ORDER BY path"):
            found.setdefault(ident, []).append(self.folder / path)
        return found

    def paths_of(self, ident: str) -> list[Path]:
        self._raise_errors()  # a broken file may be the one asked for: say so, not "unknown"
        return [self.folder / row[0] for row in self.db().execute(
            "SELECT path FROM actions WHERE id=? ORDER BY path", (ident,))]

    def highest(self) -> int:
        row = self.db().execute("SELECT max(number) FROM actions").fetchone()
        return row[0] or 0

    def count(self) -> int:
        return self.db().execute("SELECT count(*) FROM actions").fetchone()[0]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
