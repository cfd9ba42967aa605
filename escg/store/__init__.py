"""The store: a folder of TOML files that is the truth about one group.

``Store.discover`` finds it (``--store``, ``ESCG_STORE``, then the nearest folder
at or above the working directory holding ``escg.toml``). Reads parse with
tomllib and stop at the first problem with file:line. Writes go through a
``Transaction``: taken under the store lock, re-reading fresh state, every new
file text validated before the first one is written.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from escg import model
from escg.errors import StoreError
from escg.store.files import StoreLock, atomic_delete, atomic_write, display, find_line, read_toml

CONFIG = "escg.toml"
PEOPLE = "people.toml"
FORWARD_PLAN = "forward-plan.toml"
MEETINGS = "meetings"
ACTIONS = "actions"


class Store:
    """One store folder; loads lazily and caches what it read."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._group: model.Group | None = None
        self._people: tuple[dict[str, model.Organisation], dict[str, model.Person]] | None = None
        self._meetings: dict[str, model.Meeting] | None = None
        self._forward: list[model.AgendaItem] | None = None
        self._actions: list[model.Action] | None = None
        self._index: Any = None
        self._index_fresh = 0  # 0 not refreshed, 1 folders only, 2 deeply
        # Called with (done, total) while a long index build parses files; the CLI draws a bar.
        self.on_progress: Callable[[int, int], None] | None = None
        self.lock = StoreLock(root)

    # --- finding -----------------------------------------------------------

    @classmethod
    def discover(cls, explicit: str | os.PathLike | None = None, cwd: Path | None = None) -> Store:
        """Find the store the way git finds .git; raise StoreError if there is none."""
        if explicit is None:
            explicit = os.environ.get("ESCG_STORE") or None
        if explicit is not None:
            root = Path(explicit).expanduser()
            if not (root / CONFIG).is_file():
                if not root.exists():
                    raise StoreError(f"no store at {root}: the folder does not exist (create one with `escg init {root}`)")
                raise StoreError(f"no store at {root}: it has no {CONFIG} (create one with `escg init {root}`)")
            return cls(root.resolve())
        here = (cwd or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / CONFIG).is_file():
                return cls(folder)
        raise StoreError(
            f"no store found: no {CONFIG} in {here} or any folder above it; "
            "use --store PATH, set ESCG_STORE, or create one with `escg init`"
        )

    @classmethod
    def open(cls, explicit: str | os.PathLike | None = None) -> Store:
        """Find the store and read escg.toml: a malformed one stops every command, with file:line."""
        store = cls.discover(explicit)
        store.group  # noqa: B018 - read for its checks
        return store

    def path(self, relative: str | Path) -> Path:
        return self.root / relative

    def show(self, path: Path) -> str:
        return display(path, self.root)

    # --- reading -----------------------------------------------------------

    def _read(self, path: Path, parse: Callable[[dict, model.Problems], Any]) -> Any:
        data, text = read_toml(path, self.root)
        problems = model.Problems()
        result = parse(data, problems)
        if problems:
            self.raise_problem(path, text, problems)
        return result

    def raise_problem(self, path: Path, text: str, problems: model.Problems) -> None:
        key_path, message = problems.items[0]
        line = find_line(text, key_path) if key_path else None
        where = f"{self.show(path)}:{line}" if line else self.show(path)
        raise StoreError(f"{where}: {message}")

    @property
    def group(self) -> model.Group:
        if self._group is None:
            self._group = self._read(self.path(CONFIG), model.group_from_toml)
        return self._group

    def _load_people(self) -> tuple[dict[str, model.Organisation], dict[str, model.Person]]:
        if self._people is None:
            path = self.path(PEOPLE)
            if not path.exists():
                self._people = ({}, {})
            else:
                self._people = self._read(path, model.people_from_toml)
        return self._people

    @property
    def orgs(self) -> dict[str, model.Organisation]:
        return self._load_people()[0]

    @property
    def people(self) -> dict[str, model.Person]:
        return self._load_people()[1]

    def meeting_files(self) -> Iterator[tuple[str, Path]]:
        folder = self.path(MEETINGS)
        if not folder.is_dir():
            return
        for year in sorted(folder.iterdir()):
            if not year.is_dir() or year.name.startswith("."):
                continue
            for path in sorted(year.glob("*.toml")):
                if not path.name.startswith("."):
                    yield path.stem, path

    @property
    def meetings(self) -> dict[str, model.Meeting]:
        """Every meeting, in date order."""
        if self._meetings is None:
            loaded = []
            for ident, path in self.meeting_files():
                meeting = self._read(path, lambda data, problems, ident=ident: model.meeting_from_toml(ident, data, problems))
                if path.parent.name != f"{meeting.date.year:04d}":
                    raise StoreError(f"{self.show(path)}: a meeting in {meeting.date.year} belongs in meetings/{meeting.date.year}/")
                loaded.append(meeting)
            loaded.sort(key=lambda m: (m.date, m.id))
            self._meetings = {meeting.id: meeting for meeting in loaded}
        return self._meetings

    def meeting_path(self, ident: str) -> Path:
        return self.path(MEETINGS) / ident[:4] / f"{ident}.toml"

    @property
    def forward_plan(self) -> list[model.AgendaItem]:
        if self._forward is None:
            path = self.path(FORWARD_PLAN)
            self._forward = self._read(path, model.forward_plan_from_toml) if path.exists() else []
        return self._forward

    def action_files(self) -> Iterator[Path]:
        folder = self.path(ACTIONS)
        if not folder.is_dir():
            return
        for year in sorted(folder.iterdir()):
            if year.is_dir() and not year.name.startswith("."):
                for path in sorted(year.glob("A-*.toml")):
                    yield path

    # Actions are many (100,000 in a county's twenty years), so they are read
    # through the index (escg/store/index.py), which re-parses only what changed.

    def _action_index(self, deep: bool = True):
        """The index, brought up to date; None if it cannot be used (then files are read).

        Reads refresh it deeply (also stat'ing open actions' files for edits made in
        place); finding a file or the highest id, as writes do, needs only the folders."""
        import sqlite3

        from escg.store.index import ActionIndex

        if os.environ.get("ESCG_NO_INDEX"):
            return None
        if self._index is None:
            self._index = ActionIndex(self.root, self.path(ACTIONS))
        wanted = 2 if deep else 1
        if self._index_fresh < wanted:
            try:
                self._index.refresh(deep=deep, report=self.on_progress)
            except (sqlite3.Error, OSError):
                self._index = None  # a read-only or odd file system: the files are the truth anyway
                return None
            self._index_fresh = wanted
        return self._index

    def query_actions(self, where: str = "", params: tuple = (), *,
                      keep: Callable[[model.Action], bool] | None = None,
                      order: str = "number, id") -> list[model.Action]:
        """Actions matching an SQL condition on the index columns (status, due, owner,
        org, meeting, theme, created, closed), or ``keep`` when the index is not in use."""
        index = self._action_index()
        if index is not None:
            return index.query(where, params, order)
        found = [a for a in self._scan_actions() if keep is None or keep(a)]
        if order.startswith("due"):
            found.sort(key=lambda a: (a.due is None, a.due or date.max, a.number, a.id))
        return found

    def _scan_actions(self) -> list[model.Action]:
        loaded = []
        for path in self.action_files():
            action = self._read(path, model.action_from_toml)
            if not path.name.startswith(action.id + "-") and path.stem != action.id:
                raise StoreError(f"{self.show(path)}: the file name does not start with its id {action.id}")
            loaded.append(action)
        loaded.sort(key=lambda a: (a.number, a.id))
        return loaded

    @property
    def actions(self) -> list[model.Action]:
        """Every action, in id order."""
        if self._actions is None:
            self._actions = self.query_actions()
        return self._actions

    def action_json_halves(self, where: str, params: tuple, order: str) -> list[tuple] | None:
        """For the review: see ActionIndex.halves; None without an index."""
        index = self._action_index()
        return index.halves(where, params, order) if index is not None else None

    def action_paths_of(self, ident: str) -> list[Path]:
        """The file(s) holding action ``ident`` (two after a git merge of clashing clones)."""
        index = self._action_index(deep=False)
        if index is not None:
            return index.paths_of(ident)
        folder = self.path(ACTIONS)
        return [path for path in self.action_files() if path.name.startswith(ident + "-")] if folder.is_dir() else []

    def highest_action(self) -> int:
        index = self._action_index(deep=False)
        if index is not None:
            return index.highest()
        return max((a.number for a in self._scan_actions()), default=0)

    def forget(self) -> None:
        """Drop everything cached, so the next read sees the files as they are now."""
        self._group = None
        self._people = None
        self._meetings = None
        self._forward = None
        self._actions = None
        self._index_fresh = 0

    # --- writing -----------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Take the lock, re-read from disk, and commit the staged writes on success."""
        with self.lock:
            self.forget()
            txn = Transaction(self)
            yield txn
            txn.commit()
            self.forget()


class Transaction:
    """Writes staged during one command, validated together, then made atomically."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.writes: dict[Path, str | None] = {}

    def edit(self, path: Path, change: Callable[[Any], None], *,
             parse: Callable[[dict, model.Problems], Any], create: str = "") -> None:
        """Apply ``change`` to the tomlkit document of ``path`` (or of ``create`` if new)."""
        import tomlkit

        if path in self.writes and self.writes[path] is not None:
            text = self.writes[path]
        elif path.exists():
            text = read_toml(path, self.store.root)[1]
        else:
            text = create
        document = tomlkit.parse(text)
        change(document)
        self.stage(path, tomlkit.dumps(document), parse=parse)

    def stage(self, path: Path, text: str, *, parse: Callable[[dict, model.Problems], Any]) -> None:
        """Stage new ``text`` for ``path`` after proving it parses and validates."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:  # a bug of ours, never the user's
            raise StoreError(f"refusing to write invalid TOML to {self.store.show(path)}: {error}") from None
        problems = model.Problems()
        parse(data, problems)
        if problems:
            self.store.raise_problem(path, text, problems)
        self.writes[path] = text

    def stage_raw(self, path: Path, text: str) -> None:
        """Stage a non-TOML file (such as the local action counter)."""
        self.writes[path] = text

    def delete(self, path: Path) -> None:
        self.writes[path] = None

    def commit(self) -> None:
        for path, text in self.writes.items():
            if text is None:
                atomic_delete(path, self.store.root)
            else:
                atomic_write(path, text, self.store.root)
        self.writes.clear()
