"""`escg check`: every problem in a store, with file and line, and the safe fixes.

Unlike ordinary reads, which stop at the first problem, the check reads every
file on its own, collects every problem the model finds (syntax, unknown keys,
wrong types, impossible values), then checks every reference between files.
``fix`` mends only what is mechanical and safe: it renumbers an action id used
twice (as after a git merge of two clones that both added one), renames files
that do not match their id or year, and removes temporary files a killed
writer left behind.
"""

from __future__ import annotations

from escg.patterns import Pattern

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from escg import model
from escg.store import ACTIONS, CONFIG, FORWARD_PLAN, MEETINGS, PEOPLE, Store
from escg.store.loader import Loaded, find_line, load

TEMPORARY = Pattern(r"\..+\.[A-Za-z0-9_]{6,}\.tmp")


@dataclass(order=True)
class Problem:
    file: str
    line: int
    message: str
    fix: Callable[[], str] | None = field(default=None, compare=False, repr=False)
    # A note does not make the store unclean (a leftover temporary file: the real file is intact).
    note: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


class Checker:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.root = store.root
        self.problems: list[Problem] = []

    def show(self, path: Path) -> str:
        return self.store.show(path)

    def add(self, loaded: Loaded | Path, key_path: tuple, message: str, fix=None) -> None:
        if isinstance(loaded, Loaded):
            line = find_line(loaded.text, key_path) if key_path else None
            path = loaded.path
        else:
            line, path = None, loaded
        self.problems.append(Problem(self.show(path), line or 0, message, fix))

    def read(self, path: Path, parse: Callable[[dict, model.Problems], Any]) -> Loaded | None:
        """The file through the one loader, every problem collected; None if it could not be parsed."""
        loaded = load(path, parse, self.root, collect=True)
        self.problems += [Problem(p.file, p.line, p.message) for p in loaded.problems]
        return loaded if loaded.data is not None else None

    # --- the whole store -----------------------------------------------------

    def run(self) -> list[Problem]:
        group = self.read(self.root / CONFIG, model.group_from_toml)
        people_file = self.root / PEOPLE
        people = self.read(people_file, model.people_from_toml) if people_file.exists() else None
        orgs, persons = people.value if people else ({}, {})
        themes = group.value.themes if group else {}
        if group:
            from escg.errors import StoreError
            from escg.mail import settings

            try:
                settings(group.value)
            except StoreError as error:
                self.add(group, ("mail",), str(error).removeprefix("escg.toml: "))
        if group and group.value.chair and group.value.chair not in persons:
            self.add(group, ("chair",), f"the chair {group.value.chair!r} is not in people.toml")

        meetings = self._meetings()
        by_id = {loaded.value.id: loaded for loaded in meetings}
        # A meeting file that cannot be read still exists: references to it are not problems too.
        self.meeting_ids = {path.stem for path in (self.root / MEETINGS).glob("*/*.toml")}
        for loaded in meetings:
            self._meeting_references(loaded, persons, orgs, themes, by_id)
        plan_file = self.root / FORWARD_PLAN
        if plan_file.exists():
            plan = self.read(plan_file, model.forward_plan_from_toml)
            if plan:
                for index, item in enumerate(plan.value):
                    self._item_references(plan, ("items", index), item, persons, orgs, themes)
        self._actions(persons, orgs, themes, by_id)
        self._leftovers()
        self.problems.sort()
        return self.problems

    def _meetings(self) -> list[Loaded]:
        found = []
        folder = self.root / MEETINGS
        seen: dict[str, Path] = {}
        for path in sorted(folder.glob("*/*.toml")) if folder.is_dir() else []:
            if path.name.startswith("."):
                continue
            ident = path.stem
            loaded = self.read(path, lambda data, problems, ident=ident: model.meeting_from_toml(ident, data, problems))
            if ident in seen:
                self.add(path, (), f"meeting {ident} is also in {self.show(seen[ident])}")
                continue
            seen[ident] = path
            if loaded is None:
                continue
            year = f"{loaded.value.date.year:04d}"
            if model.MEETING_ID.fullmatch(ident) and path.parent.name != year and ident[:4] == year:
                target = folder / year / path.name
                self.add(path, (), f"a meeting in {year} belongs in meetings/{year}/",
                         fix=lambda path=path, target=target: _move(self.store, path, target))
            found.append(loaded)
        return found

    def _person(self, loaded: Loaded, key_path: tuple, ident: str | None, persons: dict, what: str) -> None:
        if ident and ident not in persons:
            self.add(loaded, key_path, f"{what} {ident!r} is not in people.toml")

    def _item_references(self, loaded: Loaded, path: tuple, item: model.AgendaItem, persons, orgs, themes) -> None:
        self._person(loaded, path + ("presenter",), item.presenter, persons, "presenter")
        self._person(loaded, path + ("submitted_by",), item.submitted_by, persons, "submitted_by")
        if item.org and item.org not in orgs:
            self.add(loaded, path + ("org",), f"organisation {item.org!r} is not in people.toml")
        if item.theme and item.theme not in themes:
            self.add(loaded, path + ("theme",), f"theme {item.theme!r} is not in escg.toml [themes]")
        for declaration in item.declarations:
            self._person(loaded, path + ("declarations",), declaration.person, persons, "declaration by")
        for paper in item.papers:
            parts = paper.replace("\\", "/").split("/")
            if "://" not in paper and (paper.startswith(("/", "~")) or ".." in parts):
                self.add(loaded, path + ("papers",), f"paper {paper!r} points outside the store")

    def _meeting_references(self, loaded: Loaded, persons, orgs, themes, by_id) -> None:
        meeting: model.Meeting = loaded.value
        self._person(loaded, ("chair",), meeting.chair, persons, "chair")
        for index, item in enumerate(meeting.items):
            self._item_references(loaded, ("items", index), item, persons, orgs, themes)
            if item.deferred_from and item.deferred_from not in self.meeting_ids:
                self.add(loaded, ("items", index, "deferred_from"), f"deferred from meeting {item.deferred_from}, which does not exist")
        record = meeting.attendance
        for key, label, names in (("present", "present:", record.present), ("apologies", "apologies from", record.apologies),
                                  ("absent", "absent:", record.absent)):
            for name in names:
                self._person(loaded, ("attendance", key), name, persons, label)
        for stand_in in record.substitutes.values():
            self._person(loaded, ("attendance", "substitutes"), stand_in, persons, "substitute")
        if meeting.minutes.approved_at and meeting.minutes.approved_at not in self.meeting_ids:
            self.add(loaded, ("minutes", "approved_at"), f"approved at meeting {meeting.minutes.approved_at}, which does not exist")
        if meeting.status.approved and not meeting.minutes.approved_at:
            self.add(loaded, ("status",), "the minutes are approved but [minutes] approved_at does not say at which meeting")

    def _actions(self, persons, orgs, themes, meetings: dict[str, Loaded]) -> None:
        folder = self.root / ACTIONS
        loaded_actions: list[Loaded] = []
        for path in sorted(folder.glob("*/*.toml")) if folder.is_dir() else []:
            if path.name.startswith("."):
                continue
            loaded = self.read(path, model.action_from_toml)
            if loaded is None:
                continue
            action: model.Action = loaded.value
            loaded_actions.append(loaded)
            self._person(loaded, ("owner",), action.owner, persons, "owner")
            if action.org and action.org not in orgs:
                self.add(loaded, ("org",), f"organisation {action.org!r} is not in people.toml")
            if action.theme and action.theme not in themes:
                self.add(loaded, ("theme",), f"theme {action.theme!r} is not in escg.toml [themes]")
            if action.meeting and action.meeting not in self.meeting_ids:
                self.add(loaded, ("meeting",), f"raised at meeting {action.meeting}, which does not exist")
            elif action.meeting in meetings and action.item:
                from escg.agenda import agenda_of

                held = meetings[action.meeting].value
                count = len(agenda_of(self.store, held).rows) if held.agenda_built else len(held.items)
                if held.agenda_built and action.item > count:
                    self.add(loaded, ("item",), f"meeting {action.meeting} has no item {action.item} (it has {count})")
            if not path.name.startswith(action.id + "-") and path.stem != action.id:
                tag = path.stem.rsplit("-", 1)[-1] if path.stem.count("-") >= 2 else "x"
                target = path.with_name(f"{action.id}-{tag}.toml")
                self.add(loaded, ("id",), f"the file name does not match the action's id {action.id}",
                         fix=lambda path=path, target=target: _move(self.store, path, target))
        by_id: dict[str, list[Loaded]] = {}
        for loaded in loaded_actions:
            by_id.setdefault(loaded.value.id, []).append(loaded)
        for ident, copies in by_id.items():
            if len(copies) < 2:
                continue
            copies.sort(key=lambda copy: (copy.value.created or date.max, copy.path.name))
            keep = copies[0]
            for other in copies[1:]:
                self.add(other, ("id",), f"action id {ident} is also used by {self.show(keep.path)} (as after a git merge)",
                         fix=lambda other=other: _renumber(self.store, other.path))

    def _leftovers(self) -> None:
        for path in sorted(self.root.rglob(".*.tmp")):
            if TEMPORARY.fullmatch(path.name) and path.is_file():
                self.problems.append(Problem(
                    self.show(path), 0, "a temporary file left by an interrupted write (the real file is intact)",
                    fix=lambda path=path: _remove(self.store, path), note=True))


def check(store: Store) -> list[Problem]:
    """Every problem in the store, sorted by file and line."""
    return Checker(store).run()


def fix(store: Store, problems: list[Problem]) -> list[str]:
    """Apply the safe fixes, under the store lock; returns what was changed."""
    done = []
    with store.lock:
        for problem in problems:
            if problem.fix is not None:
                done.append(problem.fix())
        store.forget()
    return done


# --- the fixes ---------------------------------------------------------------


def _move(store: Store, source: Path, target: Path) -> str:
    from escg.errors import ConflictError
    from escg.store.files import fsync_dir

    if target.exists():
        raise ConflictError(f"cannot move {store.show(source)}: {store.show(target)} already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    source.rename(target)
    fsync_dir(target.parent)
    fsync_dir(source.parent)
    return f"moved {store.show(source)} to {store.show(target)}"


def _remove(store: Store, path: Path) -> str:
    from escg.store.files import atomic_delete

    atomic_delete(path, store.root)
    return f"removed {store.show(path)}"


def _renumber(store: Store, path: Path) -> str:
    """Give the action in ``path`` the next free id, in the file and its name."""
    import tomlkit

    from escg.actions import COUNTER, _next_number
    from escg.store.files import atomic_delete, atomic_write

    store.forget()
    number = _next_number(store)
    new_id = model.action_id(number)
    text = load(path, None, store.root).text
    document = tomlkit.parse(text)
    old_id = str(document["id"])
    document["id"] = new_id
    text_out = tomlkit.dumps(document)
    if text_out.startswith(f"# Action {old_id}\n"):
        text_out = f"# Action {new_id}\n" + text_out[len(f"# Action {old_id}\n"):]
    tag = path.stem.rsplit("-", 1)[-1]
    target = path.with_name(f"{new_id}-{tag}.toml")
    atomic_write(target, text_out, store.root)
    atomic_delete(path, store.root)
    atomic_write(store.path(COUNTER), f"{number}\n", store.root)
    store.forget()
    return f"renumbered {old_id} in {store.show(path)} to {new_id} ({store.show(target)})"
