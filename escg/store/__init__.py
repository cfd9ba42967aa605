"""The store: a folder of TOML files that is the truth about one group.

``Store.discover`` finds it (``--store``, ``ESCG_STORE``, then the nearest folder
at or above the working directory holding ``escg.toml``). Reads are answered by
the index (escg.store.index) where there is one, else through the one loader
(escg.store.loader), and stop at the first problem with file:line. Writes go
through a ``Transaction``: taken under the store lock, re-reading fresh state,
every new file text validated before the first one is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from escg.core import model
from escg.core.errors import InputError, StoreError
from escg.store import journal, loader
from escg.store.files import StoreLock, atomic_delete, atomic_write
from escg.store.loader import display
from escg.store.query import ActionQuery, DecisionQuery, MeetingQuery  # noqa: F401 - the store's queries, imported from here

CONFIG = "escg.toml"
PEOPLE = "people.toml"
FORWARD_PLAN = "forward-plan.toml"
MEETINGS = "meetings"
ACTIONS = "actions"
COUNTER = ".escg-last-action"  # the highest action number given out here (local, never committed)


def _as_sql_sorts(folder: Path) -> str:
    """A year folder's key, so its files come in the order the index's ORDER BY path gives:
    as text, where "2025 copy/..." comes before "2025/..." (a path's parts would not)."""
    return folder.name + "/"


def _regular(path: Path) -> bool:
    """A regular file, not a link, FIFO or device: reads skip the others (as the index does;
    `escg check` reports them)."""
    import stat

    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


class Store:
    """One store folder. Reads go through the index (escg/store/index.py) when it
    can be used, else through the files themselves; both give the same answers
    (``ESCG_CROSSCHECK=1`` proves it on every read of the test suite)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, Any] = {}
        self._index: Any = None
        self._fresh = False
        # Called with (done, total) while a long index build parses files; the CLI draws a bar.
        self.on_progress: Callable[[int, int], None] | None = None
        # Taking the lock first undoes any change a killed process left half made.
        self.lock = StoreLock(root, on_acquire=lambda: journal.undo(root))

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
        store.recover()
        store.group  # noqa: B018 - read for its checks
        return store

    def recover(self) -> None:
        """If a change was left half made, undo it (under the lock) before reading."""
        if journal.pending(self.root):
            with self.lock:
                pass

    def path(self, relative: str | Path) -> Path:
        return self.root / relative

    def show(self, path: Path) -> str:
        return display(path, self.root)

    # --- the index ---------------------------------------------------------

    def index(self):
        """The index, brought up to date once per command; None if it cannot be used
        (a read-only or odd file system, or ESCG_NO_INDEX): then the files are read."""
        import sqlite3

        from escg.store.index import StoreIndex

        if os.environ.get("ESCG_NO_INDEX"):
            return None
        if self._index is None:
            self._index = StoreIndex(self.root)
        if not self._fresh:
            self.recover()
            try:
                self._index.refresh(report=self.on_progress)
            except (sqlite3.Error, OSError):
                self._index = None  # the files are the truth anyway
                return None
            self._fresh = True
        return self._index

    def _crosscheck(self, what: str, indexed: Any, compute: Callable[[], Any]) -> Any:
        if os.environ.get("ESCG_CROSSCHECK") and indexed != compute():
            raise AssertionError(f"the index and the files disagree on {what}")
        return indexed

    # --- reading -----------------------------------------------------------

    def _read(self, path: Path, parse: Callable[[dict, model.Problems], Any]) -> Any:
        return loader.read(path, parse, self.root)

    def _single(self, name: str, parse: Callable[[dict, model.Problems], Any], missing: Callable[[], Any]) -> Any:
        """escg.toml, people.toml or forward-plan.toml, parsed by the model."""
        if name not in self._cache:
            path = self.path(name)
            index = self.index()
            if index is not None:
                data = index.data(name)  # a problem in the file raises here, with its line
                value = loader.load(path, parse, self.root, data=data).value if data is not None else missing()
            elif path.exists():
                value = self._read(path, parse)
            else:
                value = missing()
            self._cache[name] = value
        return self._cache[name]

    @property
    def group(self) -> model.Group:
        return self._single(CONFIG, model.group_from_toml, lambda: self._read(self.path(CONFIG), model.group_from_toml))

    def _load_people(self) -> tuple[dict[str, model.Organisation], dict[str, model.Person]]:
        return self._single(PEOPLE, model.people_from_toml, lambda: ({}, {}))

    @property
    def orgs(self) -> dict[str, model.Organisation]:
        return self._load_people()[0]

    @property
    def people(self) -> dict[str, model.Person]:
        return self._load_people()[1]

    @property
    def forward_plan(self) -> list[model.AgendaItem]:
        return self._single(FORWARD_PLAN, model.forward_plan_from_toml, list)

    # --- meetings ----------------------------------------------------------

    def meeting_files(self) -> Iterator[tuple[str, Path]]:
        folder = self.path(MEETINGS)
        if not folder.is_dir():
            return
        for year in sorted(folder.iterdir(), key=_as_sql_sorts):
            if not year.is_dir() or year.is_symlink() or year.name.startswith(".") or not loader.utf8_name(year.name):
                continue
            for path in sorted(year.glob("*.toml")):
                if not path.name.startswith(".") and loader.utf8_name(path.name) and _regular(path):
                    yield path.stem, path

    def _parse_meeting(self, path: Path) -> model.Meeting:
        from escg.store.index import file_problem

        ident = path.stem
        meeting = loader.load(path, model.meeting_parser(ident), self.root).value
        problem = file_problem("meeting", path.relative_to(self.root).as_posix(), meeting)
        if problem:
            raise StoreError(problem)
        return meeting

    def _scan_meetings(self) -> dict[str, model.Meeting]:
        loaded = [self._parse_meeting(path) for _, path in self.meeting_files()]
        loaded.sort(key=lambda m: (m.date, m.id))
        return {meeting.id: meeting for meeting in loaded}

    @property
    def meetings(self) -> dict[str, model.Meeting]:
        """Every meeting in full, in date order (writes and whole-store work; reads use
        ``meeting_summaries`` and ``meeting``)."""
        if "meetings" not in self._cache:
            index = self.index()
            if index is None:
                self._cache["meetings"] = self._scan_meetings()
            else:
                found = [self._parse_meeting(self.path(path)) for path in index.meetings_in_order()]
                self._cache["meetings"] = {meeting.id: meeting for meeting in found}
        return self._cache["meetings"]

    def meetings_with_confidential_items(self) -> list[model.Meeting]:
        """The meetings with a confidential item on their agenda, in date order (from the
        index, only the meetings it lists as having one are parsed)."""
        def confidential(found) -> list[model.Meeting]:
            return [meeting for meeting in found if meeting.has_confidential_items]

        index = self.index()
        if index is None or "meetings" in self._cache:
            return confidential(self.meetings.values())
        return self._crosscheck("meetings with confidential items", confidential(
            self._parse_meeting(self.path(path)) for path in index.meetings_in_order(confidential=True)),
            lambda: confidential(self._scan_meetings().values()))

    def confidential_meeting_ids(self) -> set[str]:
        """The ids of the meetings with a confidential item on their agenda (from the index,
        without parsing a meeting: an action log asks it of every action's meeting)."""
        if "confidential ids" not in self._cache:
            index = self.index() if "meetings" not in self._cache else None
            if index is None:
                found = {m.id for m in self.meetings.values() if m.has_confidential_items}
            else:
                found = self._crosscheck("meetings with confidential items", index.confidential_ids(),
                                         lambda: {m.id for m in self._scan_meetings().values() if m.has_confidential_items})
            self._cache["confidential ids"] = found
        return self._cache["confidential ids"]

    def meeting_summaries(self) -> list[model.MeetingSummary]:
        """Every meeting in date order, as the index summarises it."""
        if "summaries" not in self._cache:
            index = self.index()
            if index is None:
                self._cache["summaries"] = [model.MeetingSummary.of(m) for m in self.meetings.values()]
            else:
                self._cache["summaries"] = self._crosscheck(
                    "meetings", index.meeting_rows(), lambda: [model.MeetingSummary.of(m) for m in self._scan_meetings().values()])
        return self._cache["summaries"]

    def meeting_summary(self, ident: str | None) -> model.MeetingSummary | None:
        """The summary of meeting ``ident``, or None (one row from the index, not all)."""
        if ident is None:
            return None
        found = self._cache.setdefault("by_id", {})
        if ident not in found:
            index = self.index() if "summaries" not in self._cache else None
            if index is None:
                found.update((m.id, m) for m in self.meeting_summaries())
                return found.get(ident)
            rows = self.select_meetings(MeetingQuery(ident=ident))
            found[ident] = rows[0] if rows else None
        return found[ident]

    DATES_ONE_BY_ONE = 64  # meeting dates asked one at a time before all are loaded at once

    def meeting_date(self, ident: str | None) -> date | None:
        """The date of meeting ``ident``, or None.

        From the index, the first few are asked one by one (`action show` needs one date,
        not 33,000 of a large store); after ``DATES_ONE_BY_ONE`` every date is loaded."""
        if ident is None:
            return None
        if "dates" not in self._cache:
            index = self.index() if "summaries" not in self._cache else None
            if index is None:
                self._cache["dates"] = {m.id: m.date for m in self.meeting_summaries()}
            elif len(asked := self._cache.setdefault("some dates", {})) < self.DATES_ONE_BY_ONE:
                if ident not in asked:
                    asked[ident] = self._crosscheck(
                        "a meeting's date", index.meeting_date(ident),
                        lambda: {m.id: m.date for m in self._all_summaries()}.get(ident))
                return asked[ident]
            else:
                self._cache["dates"] = self._crosscheck("meeting dates", index.meeting_dates(),
                                                        lambda: {m.id: m.date for m in self._all_summaries()})
        return self._cache["dates"].get(ident)

    def select_meetings(self, query: MeetingQuery) -> list[model.MeetingSummary]:
        """The summaries of the meetings matching ``query``, in its order: from the index
        (the rows asked for, not all), else from the files."""
        index = self.index() if "summaries" not in self._cache else None
        if index is None:
            return query.run(self.meeting_summaries())
        return self._crosscheck(f"meetings {query}", index.meeting_rows(*query.sql()),
                                lambda: query.run(self._all_summaries()))

    def meeting_near(self, base: date, *, after: bool, skip: model.MeetingSummary | None = None
                     ) -> model.MeetingSummary | None:
        """The first meeting not cancelled on or after ``base`` (``after``), or the last on
        or before it; with ``skip``, strictly after or before that meeting instead."""
        key = (skip.date, skip.id) if skip is not None else None
        if after:
            query = MeetingQuery(from_day=None if key else base, after=key, not_cancelled=True, limit=1)
        else:
            query = MeetingQuery(to_day=None if key else base, before=key, not_cancelled=True, newest_first=True,
                                 limit=1)
        rows = self.select_meetings(query)
        return rows[0] if rows else None

    def meetings_on(self, day: date) -> list[model.MeetingSummary]:
        """The meetings dated ``day``, cancelled ones too."""
        return self.select_meetings(MeetingQuery(day=day))

    def _all_summaries(self) -> list[model.MeetingSummary]:
        """Every meeting's summary from the files (what the index must agree with)."""
        return sorted((model.MeetingSummary.of(m) for m in self._scan_meetings().values()), key=lambda m: (m.date, m.id))

    def meeting(self, ident: str) -> model.Meeting | None:
        """One meeting in full, or None."""
        if "meetings" in self._cache:
            return self._cache["meetings"].get(ident)
        index = self.index()
        if index is None:
            return self.meetings.get(ident)
        found = self._crosscheck(f"the file of meeting {ident}", index.meetings_in_order(ident)[:1],
                                 lambda: [path.relative_to(self.root).as_posix() for i, path in self.meeting_files()
                                          if i == ident][:1])
        return self._parse_meeting(self.path(found[0])) if found else None

    def meeting_path(self, ident: str) -> Path:
        return self.path(MEETINGS) / ident[:4] / f"{ident}.toml"

    def decisions(self) -> list[model.Decision]:
        """Every decision of every meeting, in meeting and agenda order."""
        return self.select_decisions(DecisionQuery())

    def select_decisions(self, query: DecisionQuery) -> list[model.Decision]:
        """The decisions ``query`` selects, in meeting and agenda order: from the index (its
        rows asked for, not all), else from the files."""
        opening = sum(1 for s in self.group.standing if s.position == "start")

        def of(meetings) -> list[model.Decision]:
            return [d for m in meetings if query.takes_meeting(m) for d in model.decisions_of(m, opening)
                    if query.takes(d)]

        index = self.index()
        if index is None:
            return of(self.meetings.values())
        return self._crosscheck(f"decisions {query}", index.decisions(opening, *query.sql()),
                                lambda: of(self._scan_meetings().values()))

    # --- actions -----------------------------------------------------------
    # Actions are many (100,000 in a county's twenty years): reads ask the index
    # with an ActionQuery; without an index the same query runs over the files.

    def action_files(self) -> Iterator[Path]:
        folder = self.path(ACTIONS)
        if not folder.is_dir():
            return
        for year in sorted(folder.iterdir(), key=_as_sql_sorts):
            if year.is_dir() and not year.is_symlink() and not year.name.startswith(".") and loader.utf8_name(year.name):
                for path in sorted(year.glob("A-*.toml")):
                    if loader.utf8_name(path.name) and _regular(path):
                        yield path

    def _scan_actions(self) -> list[model.Action]:
        return [action for _, action in self._scan_action_files()]

    def _scan_action_files(self) -> list[tuple[str, model.Action]]:
        """(path relative to the store, action) of every action file, read from the files."""
        from escg.store.index import file_problem

        loaded = []
        for path in self.action_files():
            action = self._read(path, model.action_from_toml)
            relative = path.relative_to(self.root).as_posix()
            problem = file_problem("action", relative, action)
            if problem:
                raise StoreError(problem)
            loaded.append((relative, action))
        loaded.sort(key=lambda found: (found[1].number, found[1].id))
        return loaded

    def select_actions(self, query: ActionQuery) -> list[model.Action]:
        """The actions matching ``query``, in its order."""
        index = self.index()
        if index is None:
            return query.run(self._scan_actions())
        where, params, order = query.sql()
        return self._crosscheck(f"actions {query}", index.actions(where, params, order),
                                lambda: query.run(self._scan_actions()))

    def review_rows(self, query: ActionQuery) -> list[tuple]:
        """model.review_row of each action matching ``query``, in its order: from the index's
        columns, without reading each action back."""
        index = self.index()
        compute = lambda: [model.review_row(action) for action in query.run(self._scan_actions())]  # noqa: E731
        if index is None:
            return compute()
        return self._crosscheck(f"review rows {query}", index.review_rows(*query.sql()), compute)

    def action_json_halves(self, query: ActionQuery) -> list[tuple] | None:
        """For the review: see StoreIndex.halves; None without an index."""
        from escg.store.index import json_halves

        index = self.index()
        if index is None:
            return None
        return self._crosscheck(f"JSON halves {query}", index.halves(*query.sql()), lambda: [
            (*json_halves(action), action.status.value, _iso(action.due)) for action in query.run(self._scan_actions())])

    def action_keys(self, query: ActionQuery) -> list[tuple]:
        """(path, id, status, due, meeting, closed) of the actions matching ``query``, in
        its order: what an export keys the texts it kept by (escg.workflows.calendar)."""
        def compute() -> list[tuple]:
            found = self._scan_action_files()
            paths = {id(action): relative for relative, action in found}
            return [(paths[id(action)], action.id, action.status.value, _iso(action.due), action.meeting,
                     _iso(action.closed)) for action in query.run([action for _, action in found])]

        index = self.index()
        if index is None:
            return compute()
        return self._crosscheck(f"action keys {query}", index.action_keys(*query.sql()), compute)

    @property
    def actions(self) -> list[model.Action]:
        """Every action, in id order."""
        if "actions" not in self._cache:
            self._cache["actions"] = self.select_actions(ActionQuery())
        return self._cache["actions"]

    def check_actions(self) -> None:
        """Raise the first problem of any action file (before a write that lists them)."""
        index = self.index()
        if index is None:
            self._scan_actions()
        else:
            index.raise_errors("action")

    def action_paths_of(self, ident: str) -> list[Path]:
        """The file(s) holding action ``ident`` (two after a git merge of clashing clones)."""
        index = self.index()
        if index is not None:
            return self._crosscheck(f"the files of action {ident}", [self.path(r) for r in index.action_paths(ident)],
                                    lambda: self._action_paths_from_files(ident))
        return self._action_paths_from_files(ident)

    def _action_paths_from_files(self, ident: str) -> list[Path]:
        if not model.ACTION_ID.fullmatch(ident):
            return [path for path in self.action_files()
                    if path.name.startswith(ident + "-") or path.name == ident + ".toml"]
        # The files listed once a command, not once an action: `escg ics` asks for every
        # action's files (cached as the rest is, until a transaction or ``forget``).
        if "action paths" not in self._cache:
            found: dict[str, list[Path]] = {}
            for path in self.action_files():
                found.setdefault(model.action_id_in(path.stem), []).append(path)
            self._cache["action paths"] = found
        return list(self._cache["action paths"].get(ident, ()))

    def highest_action(self) -> int:
        index = self.index()
        if index is not None:
            return index.highest_action()
        return max((a.number for a in self._scan_actions()), default=0)

    def counted_action(self) -> int | None:
        """The number the local counter (COUNTER) holds; None without one.

        Read through the loader, so a FIFO there cannot hang a command and a folder
        cannot end it in a traceback; anything but a number refuses (StoreError), since
        reading past it could give out an id again. `escg check` reports it."""
        path = self.path(COUNTER)
        loaded = loader.load_text(path, self.root, collect=True)
        if loaded.text is None:
            problem = loaded.problems[0]
            if problem.message == "file not found":
                return None
            reason = problem.message.split(";")[0]  # not "escg ignores it": it refuses
            raise StoreError(f"{self.show(path)}: {reason}: delete it, and escg counts from the highest action "
                             f"id in the files")
        text = loaded.text.strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or len(text) > 9 or int(text) > 999_999_999:
            shown = repr(text if len(text) <= 40 else text[:40] + "...")
            raise StoreError(f"{self.show(path)}: not an action number ({shown}; ids go up to A-999999999): put back "
                             f"the highest action number given out here, or delete it, and escg counts from the "
                             f"highest action id in the files")
        return int(text)

    def forget(self) -> None:
        """Drop everything cached, so the next read sees the files as they are now."""
        self._cache.clear()
        self._fresh = False

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
        self.parsed: dict[Path, dict] = {}  # the TOML data of each staged store file, for the index
        self.unsealed: set[Path] = set()  # approved meetings this change may rewrite (approval, correction)

    def edit(self, path: Path, change: Callable[[Any], None], *,
             parse: Callable[[dict, model.Problems], Any], create: str = "") -> None:
        """Apply ``change`` to the tomlkit document of ``path`` (or of ``create`` if new)."""
        import tomlkit

        if path in self.writes and self.writes[path] is not None:
            text = self.writes[path]
        elif path.exists():
            text = loader.load(path, None, self.store.root).text
        else:
            text = create
        document = tomlkit.parse(text)
        change(document)
        written = tomlkit.dumps(document)
        if "\r\n" in text:  # keep the file's own line ending, not a mixture
            written = written.replace("\r\n", "\n").replace("\n", "\r\n")
        self.stage(path, written, parse=parse)

    def stage(self, path: Path, text: str, *, parse: Callable[[dict, model.Problems], Any]) -> None:
        """Stage new ``text`` for ``path`` after proving it parses and validates, and that
        the loader will read it back: a file over MAX_FILE would stop every later command."""
        if len(text) > loader.MAX_FILE // 4 and len(text.encode("utf-8")) > loader.MAX_FILE:
            raise InputError(f"{self.store.show(path)} would be {len(text.encode('utf-8')) / 1024 / 1024:.1f} MB, more "
                             f"than the {loader.MAX_FILE // (1024 * 1024)} MB escg reads in one store file; nothing "
                             f"was written")
        loaded = loader.load(path, parse, self.store.root, text=text, collect=True)
        if loaded.data is None:  # a bug of ours, never the user's
            raise StoreError(f"refusing to write invalid TOML to {self.store.show(path)}: {loaded.problems[0].message}")
        loaded.raise_first()
        self.writes[path] = text
        self.parsed[path] = loaded.data

    def stage_raw(self, path: Path, text: str) -> None:
        """Stage a non-TOML file (such as the local action counter)."""
        self.writes[path] = text

    def delete(self, path: Path) -> None:
        self.writes[path] = None
        self.parsed.pop(path, None)

    def commit(self) -> None:
        """Make the staged writes: one file atomically, several as one change (the journal).
        Files that are not store records (the action counter) follow, each on its own."""
        records = {path: text for path, text in self.writes.items() if text is None or path in self.parsed}
        self._refuse_sealed(records)
        singles = self.writes
        if len(records) > 1:
            journal.commit(self.store.root, records)
            singles = {path: text for path, text in self.writes.items() if path not in records}
        for path, text in singles.items():
            if text is None:
                atomic_delete(path, self.store.root)
            else:
                atomic_write(path, text, self.store.root)
        self._write_through()
        self.writes.clear()
        self.parsed.clear()

    def _refuse_sealed(self, records: dict[Path, str | None]) -> None:
        """No command changes approved minutes except by approving or correcting them:
        one guard here, whatever the command."""
        meetings = self.store.root / MEETINGS
        for path, text in records.items():
            if path in self.unsealed or meetings not in path.parents or not path.is_file():
                continue
            old = loader.load(path, None, self.store.root, collect=True)
            if old.text == text or not isinstance(old.data, dict) or old.data.get("status") != model.MeetingStatus.MINUTES_APPROVED:
                continue
            new = self.parsed.get(path)
            if isinstance(new, dict) and model.without_log(new) == model.without_log(old.data):
                continue  # only the circulation log grew: the record is as approved
            from escg.core.errors import ConflictError

            raise ConflictError(f"the minutes of {path.stem} are approved; approved minutes are a record and do not "
                                f"change (to correct them, edit the file and run `escg minutes correct {path.stem} --reason …`)")

    def _write_through(self) -> None:
        """Update the index rows of what was written, in one index transaction, so the next
        read answers from them. A file written less than RACY_NS before its stat (here,
        nearly always) is recorded as unsettled, so the next read parses that one file
        again: a hand edit at the same size in the same clock tick would otherwise keep
        its signature (escg.store.index). A failure here leaves the rows as they were,
        and the next read sees the files' new signatures and parses them."""
        import sqlite3

        from escg.store.index import INDEX_NAME, StoreIndex

        if os.environ.get("ESCG_NO_INDEX") or not (self.store.root / INDEX_NAME).is_file():
            return
        written = {path: (None if text is None else (text, self.parsed[path]))
                   for path, text in self.writes.items() if text is None or path in self.parsed}
        index = self.store._index or StoreIndex(self.store.root)
        try:
            index.write_through(written)
        except (sqlite3.Error, OSError):
            pass  # only a cache: the next read sees the files changed and parses them


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
