"""`escg check`: every problem in a store, with file and line, and the safe fixes.

Unlike ordinary reads, which stop at the first problem, the check reads every
file on its own, collects every problem the model finds (syntax, unknown keys,
wrong types, impossible values), then checks every reference between files.
``fix`` mends only what is mechanical and safe: it renumbers an action id used
twice (as after a git merge of two clones that both added one), renames files
that do not match their id or year, and removes temporary files a killed
writer left behind.

The check is incremental by default. What it found in each meeting and action
file is kept in the index (the ``checks`` table), with a digest of everything
the files' references are checked against (people, organisations, themes, and
which meeting files there are, as the index counts its changes) and the
index's count of changes when it looked. The next check reads only the files
the index recorded since then (escg.store.index numbers each file it
records), and the actions raised at a meeting whose item count changed;
everything, when the digest changed. What is between files (papers in the
store, an action id used twice) is asked of the kept rows, and the store's
folders are listed again only where their mtime or ctime changed (for leftover
temporary files). So a check of an unchanged store reads no meeting or action
and does not walk 100,000 names. ``full=True`` (`escg check --full`), or a
store file the index does not cover (a symbolic link), reads and checks every
file, keeping nothing.
"""

from __future__ import annotations

import json
import os
from escg.core.records import field, record
from pathlib import Path
from typing import Any, Callable, Iterator

from escg.core import model
from escg.core.digests import sha1
from escg.core.patterns import Pattern
from escg.store import ACTIONS, CONFIG, FORWARD_PLAN, MEETINGS, PEOPLE, Store, workers
from escg.store.loader import Loaded, find_line, load, shown_name, utf8_name

FINDINGS = 4  # the shape of what the cache keeps per file: a change makes every file be read again
TEMPORARY = Pattern(r"\..+\.[A-Za-z0-9_]{6,}\.tmp")


@record(order=True)
class Problem:
    file: str
    line: int
    message: str
    fix: Callable[[], str] | None = field(default=None, compare=False, repr=False)
    # A note does not make the store unclean (a leftover temporary file: the real file is intact).
    note: bool = field(default=False, compare=False)
    # What the fix does, as data: ("move", source, target) or ("renumber", path), paths relative.
    spec: tuple | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


class Checker:
    def __init__(self, store: Store, *, full: bool = True) -> None:
        self.store = store
        self.root = store.root
        self.full = full
        self.problems: list[Problem] = []
        self.twice = False  # a meeting id with two files was found
        self.confidential: set[str] = set()  # the meetings checked that have a confidential item
        self._inside = str(self.root) + os.sep  # a checked file's path starts so

    def show(self, path: Path) -> str:
        text = str(path)
        return text[len(self._inside):] if text.startswith(self._inside) else self.store.show(path)

    def relative(self, path: Path) -> str:
        text = str(path)
        if os.sep == "/" and text.startswith(self._inside):
            return text[len(self._inside):]  # what relative_to gives, without parsing the path again
        return path.relative_to(self.root).as_posix()

    def add(self, loaded: Loaded | Path, key_path: tuple, message: str, spec: tuple | None = None) -> None:
        if isinstance(loaded, Loaded):
            line = find_line(loaded.text, key_path) if key_path else None
            path = loaded.path
        else:
            line, path = None, loaded
        self.problems.append(self.revive(Problem(self.show(path), line or 0, message, spec=spec)))

    def revive(self, problem: Problem) -> Problem:
        """Give a problem its fix, from what its spec says."""
        spec = problem.spec
        if spec is not None:
            kind, *paths = spec
            full = lambda index: self.root / paths[index]  # noqa: E731 - made only when fixing
            if kind == "move":
                problem.fix = lambda: _move(self.store, full(0), full(1))
            elif kind == "renumber":
                problem.fix = lambda: _renumber(self.store, full(0))
            elif kind == "remove":
                problem.fix = lambda: _remove(self.store, full(0))
            elif kind == "freeze":
                problem.fix = lambda: _freeze(self.store, full(0))
        return problem

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
        # A file everything names that cannot be read is the one problem to see: checking every
        # reference against it would bury its line under hundreds of "not in people.toml".
        unreadable = []
        if people is None and people_file.exists():
            orgs, persons = _Anything(), _Anything()
            unreadable.append(PEOPLE)
        if group is None:
            themes = _Anything()
            unreadable.append(CONFIG)
        if group:
            from escg.core.errors import StoreError
            from escg.services.mail import settings

            try:
                settings(group.value)
            except StoreError as error:
                self.add(group, ("mail",), str(error).removeprefix("escg.toml: "))
        if group and group.value.chair and group.value.chair not in persons:
            self.add(group, ("chair",), f"the chair {group.value.chair!r} is not in people.toml")

        index = None if self.full else self.store.index()
        state = (index.check_state() or {}) if index is not None else {}
        listing = self._listing(state) if index is not None else None
        if listing is not None and listing.odd:
            index = None  # a store file the index does not cover (a link, say): read them all
        mark = len(self.problems)
        if index is not None:
            try:
                self._incremental(index, state, listing, persons, orgs, themes, group, unreadable)
                leftovers = listing.leftovers
            except _Uncached:  # the index cannot keep what was found (read only): check it all
                del self.problems[mark:]
                index = None
        if index is None:
            files, leftovers, others = self._files()
            self.meeting_ids = {_stem(relative) for relative, kind in files if kind == "meeting"}
            self._run(files, others, persons, orgs, themes)
        plan_file = self.root / FORWARD_PLAN
        if plan_file.exists():
            plan = self.read(plan_file, model.forward_plan_from_toml)
            if plan:
                for index_, item in enumerate(plan.value):
                    self._item_references(plan, ("items", index_), item, persons, orgs, themes)
                    if item.aim:
                        from escg.domain.agenda import aim_passed

                        if aim_passed(item.aim):
                            self.add(plan, ("items", index_, "aim"),
                                     f"aimed at {item.aim}, which has passed without placing it: place it with "
                                     f"`escg agenda place {index_ + 1}`, or change or remove its aim")
                    if item.deferred_from and item.deferred_from not in self.meeting_ids:
                        self.add(plan, ("items", index_, "deferred_from"),
                                 f"deferred from meeting {item.deferred_from}, which does not exist")
                self._missing_papers(plan_file, self._local_papers(plan, plan.value))
        from escg.domain.interests import check_register

        check_register(self, persons, orgs, themes)
        from escg.core.errors import StoreError

        try:
            self.store.counted_action()
        except StoreError as error:  # it would stop `escg action add`
            file, _, message = str(error).partition(": ")
            self.problems.append(Problem(file, 0, message))
        for path in leftovers:
            self.problems.append(self.revive(Problem(
                self.show(path), 0, "a temporary file left by an interrupted write (the real file is intact)",
                note=True, spec=("remove", self.relative(path)))))
        self.problems.sort()
        # The cause first: a problem in escg.toml or people.toml explains many others.
        first = {self.show(self.root / CONFIG), self.show(self.root / PEOPLE)}
        self.problems.sort(key=lambda problem: problem.file not in first)
        return self.problems

    def _run(self, files: list[tuple[str, str]], others: list[str], persons, orgs, themes,
             counted: Callable[[str], tuple[bool, int | None]] | None = None, across: bool = True) -> list[tuple]:
        """Check ``files`` ((path, kind), in path order) and report ``others`` (files in actions/
        that are not actions); returns a checks-table row per file checked on its own (not a
        second file of one meeting). ``counted`` says whether a meeting not among ``files`` is
        readable and its item count (None: every meeting is among them). ``across``: check
        here what is between files (papers, action ids used twice); else the caller does."""
        rows: list[tuple] = []
        counts: dict[str, int | None] = {}  # each readable meeting's item count (None: agenda not built)
        seen: dict[str, str] = {}
        meetings: list[str] = []  # the first file of each meeting id, checked on its own
        for relative, kind in files:
            if kind != "meeting":
                continue
            ident = _stem(relative)
            if ident in seen:
                path = self.root / relative
                self.read(path, model.meeting_parser(ident))
                self.add(path, (), f"meeting {ident} is also in {self.show(self.root / seen[ident])}")
                self.twice = True  # not kept: found again on every check while it lasts
                continue
            seen[ident] = relative
            meetings.append(relative)
        # Nothing is asked of the index (every meeting is among the files, and the meeting ids
        # are a set in this process): the files can be checked in worker processes.
        parallel = counted is None and isinstance(self.meeting_ids, set)
        each = self._each(lambda relative: self._meeting(self.root / relative, persons, orgs, themes), meetings, parallel)
        for relative, (problems, found) in zip(meetings, each):
            ident = _stem(relative)
            before = len(self.problems)
            self.problems += problems
            count = papers = None
            if found != "unreadable":
                if found["confidential"]:
                    self.confidential.add(ident)
                counts[ident] = found["count"]
                count = -1 if found["count"] is None else found["count"]  # -1: the agenda is not built
                papers = found["papers"] or None
                if across and papers:
                    self._missing_papers(self.root / relative, papers)
            rows.append((relative, "meeting", self._found(before), None if count is None else ident, count,
                         json.dumps(papers) if papers else None, None, None))

        def count_of(ident: str) -> tuple[bool, int | None]:
            if ident in counts:
                return True, counts[ident]
            return (False, None) if counted is None else counted(ident)

        by_id: dict[str, list[tuple[str, str | None]]] = {}
        for relative in others:
            self.add(self.root / relative, (), _other(relative))
        actions = [relative for relative, kind in files if kind == "action"]
        each = self._each(lambda relative: self._action(self.root / relative, persons, orgs, themes, count_of),
                          actions, parallel)
        for relative, (problems, found) in zip(actions, each):
            before = len(self.problems)
            self.problems += problems
            ident, created, meeting = found if found is not None else (None, None, None)
            rows.append((relative, "action", self._found(before), ident, None, None, meeting, created))
            if across and ident is not None:
                by_id.setdefault(ident, []).append((relative, created))
        for ident, copies in by_id.items():
            if len(copies) > 1:
                self._copies(ident, copies)
        return rows

    def _each(self, check: Callable[[str], Any], relatives: list[str], parallel: bool) -> list[tuple[list[Problem], Any]]:
        """(problems, result) of ``check(relative)`` for each file, in order; with ``parallel``,
        for many files, in worker processes forked from this one (escg.store.workers), which
        send back each problem as data (its fix is given here, from its spec). Every batch
        is in before this returns, so the workers have stopped."""
        if not (parallel and workers.worth(len(relatives)) and workers.forked()):
            return [_checked(self, check, relative) for relative in relatives]
        global _FORKED
        _FORKED = (self, check)  # what the workers, forked as the first batch goes, start with
        try:
            return [([self.revive(Problem(*found[:3], spec=found[3], note=found[4])) for found in problems], result)
                    for batch in workers.each_batch(_check_batch, workers.batches(relatives), "checking the store's files")
                    for problems, result in batch]
        finally:
            _FORKED = None

    def _found(self, before: int) -> str:
        """The problems added since ``before``, as the checks table keeps them."""
        return json.dumps([(p.line, p.message, p.spec, p.note) for p in self.problems[before:]])

    def _files(self) -> tuple[list[tuple[str, str]], list[Path], list[str]]:
        """Meeting and action files ((path relative with /, kind), in path order), leftover
        temporary files, and files in actions/ that are not actions. Paths are made only
        for the files read (a store has 100,000s)."""
        files, others, leftovers = [], [], []
        for folder, subfolders, names in os.walk(self.root):
            here = Path(folder)
            parts = here.relative_to(self.root).parts
            prefix = "/".join(parts) + "/"
            others += [shown_name(prefix + d) + "/" for d in sorted(subfolders) if _misnamed_folder(parts, d)]
            subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and not _misnamed_folder(parts, d))
            for name in sorted(names):
                place = _place(parts, name)
                if place == "leftover":
                    if (here / name).is_file():
                        leftovers.append(here / name)
                elif place == "other":
                    others.append(shown_name(prefix + name))
                elif place is not None:
                    files.append((prefix + name, place))
        return files, sorted(leftovers), others

    # --- what each file was found to hold, kept between checks ---------------

    def _listing(self, state: dict) -> "_Listing":
        """The store's folders as `_files` walks them, but only what the index does not hold:
        leftover temporary files, files in actions/ that are not actions, and meeting or
        action files the index does not cover (``odd``: a symbolic link, say). A folder
        whose mtime and ctime are as the last check saw them is not listed again (a restored
        backup puts the mtime back, never the ctime)."""
        import time

        kept: dict[str, list] = state.get("dirs") or {}
        dirs: dict[str, list] = {}
        listing = _Listing()
        settled = time.time_ns() - 2_000_000_000  # as escg.store.index.RACY_NS: may change again within its tick

        def visit(relative: str, path: str) -> None:
            try:
                info = os.stat(path, follow_symlinks=False)
            except OSError:
                return
            stamp = f"{info.st_mtime_ns}:{info.st_ctime_ns}"
            entry = kept.get(relative)
            if entry is None or entry[0] != stamp:
                recent = max(info.st_mtime_ns, info.st_ctime_ns) >= settled
                entry = [None if recent else stamp, *self._list(relative, path)]
            dirs[relative] = entry
            _, subfolders, leftovers, others, odd = entry
            listing.leftovers += [Path(path, name) for name in leftovers]
            listing.others += others
            listing.odd += odd
            if relative == MEETINGS:
                listing.meeting_dirs += subfolders
            for name in subfolders:
                visit(f"{relative}/{name}" if relative else name, os.path.join(path, name))

        visit("", str(self.root))
        listing.leftovers.sort()
        listing.others.sort()
        listing.state = dirs
        return listing

    def _list(self, relative: str, path: str) -> tuple[list[str], list[str], list[str], list[str]]:
        """(subfolders to walk, leftover temporary files, files that are not actions, odd files) of one folder."""
        subfolders, leftovers, others, odd = [], [], [], []
        parts = tuple(relative.split("/")) if relative else ()
        for entry in os.scandir(path):
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if _misnamed_folder(parts, name):
                    others.append(shown_name(f"{relative}/{name}") + "/")
                elif not name.startswith(".") and not entry.is_symlink():
                    subfolders.append(name)
                continue
            place = _place(parts, name)
            if place == "leftover":
                if os.path.isfile(entry.path):
                    leftovers.append(name)
            elif place == "other":
                others.append(shown_name(f"{relative}/{name}"))
            elif place is not None and not entry.is_file(follow_symlinks=False):
                odd.append(f"{relative}/{name}")  # not a regular file: the index leaves it out
        subfolders.sort()
        return subfolders, leftovers, others, odd

    def _incremental(self, index, state: dict, listing: "_Listing", persons, orgs, themes, group,
                     unreadable: list[str]) -> None:
        """Check only the files recorded in the index since the last check (all of them when
        what they are checked against changed), and take the rest from what it found then
        (``state``: what the last check kept of itself)."""
        import sqlite3

        # Which meeting files there are, as the index counts its changes (listing 30,000 paths
        # to hash them would cost more than the rest of an unchanged check).
        universe = [FINDINGS, unreadable, sorted(persons), sorted(orgs), sorted(themes), index.meeting_set(),
                    [(s.id, s.position) for s in group.value.standing] if group else []]
        digest = _digest(universe)
        top = index.last_change()
        self.twice = False
        if state.get("digest") != digest or state.get("seq", 0) > top:
            # What every file is checked against changed (or nothing was kept): check them all.
            everything = True
            files = index.store_files()
            self.meeting_ids = {_stem(relative) for relative in index.meeting_paths()}
            rows = self._run(files, listing.others, persons, orgs, themes, across=False)
            checked = {relative for relative, _ in files}
            candidates = None
        else:
            everything = False
            self.meeting_ids = _MeetingIds(index, listing.meeting_dirs)
            files = index.changed_since(state["seq"], top)
            before = index.checked([relative for relative, _ in files])
            rows = self._run([f for f in files if f[1] == "meeting"], [], persons, orgs, themes,
                             index.checked_count, across=False)
            # An action is checked against the item count of its meeting: when that changed
            # (or the meeting became readable or not), check its actions again.
            recounted: set[str] = set()
            for relative, _, _, ident, count, *_ in rows:
                old = before.get(relative, (None, None))
                if old != (ident, count):
                    recounted.update(i for i in (old[0], ident) if i)
            actions = {relative for relative, kind in files if kind == "action"}
            actions.update(index.actions_naming(sorted(recounted)) if recounted else [])
            fresh = {row[3]: (True, None if row[4] < 0 else row[4]) for row in rows if row[4] is not None}
            # A meeting that cannot be read now has no count: not the one the last check kept.
            fresh.update((_stem(row[0]), (False, None)) for row in rows if row[3] is None)
            rows += self._run(sorted((relative, "action") for relative in actions), listing.others, persons, orgs,
                              themes, lambda ident: fresh[ident] if ident in fresh else index.checked_count(ident),
                              across=False)
            checked = {row[0] for row in rows} | {relative for relative, _ in files}
            # An action id used twice can only start or stop being so where an action file changed.
            candidates = None if state.get("twice") is None else set(state["twice"])
        if candidates is not None:
            candidates.update(before[relative][0] for relative in actions if before.get(relative, (None,))[0])
            candidates.update(row[3] for row in rows if row[1] == "action" and row[3])
        # A meeting file twice is found again each time (it is not kept): check everything next time.
        kept = {"digest": None if self.twice else digest, "seq": top, "dirs": listing.state,
                "twice": sorted(candidates) if candidates is not None else None}
        try:
            index.save_checks(rows, kept, everything)
            ids = index.action_ids_used_twice() if candidates is None else sorted(candidates)
        except (sqlite3.Error, OSError):
            raise _Uncached() from None
        twice = []
        for ident in ids:
            copies = index.action_copies(ident)
            if len(copies) > 1:
                twice.append(ident)
                self._copies(ident, copies)
        if twice != kept["twice"]:
            try:
                index.save_checks([], {**kept, "twice": twice}, False)
            except (sqlite3.Error, OSError):
                pass  # the next check looks at more ids than it needs to
        for relative, problems in index.check_findings():
            if relative in checked:
                continue  # checked this time, and already reported
            shown = relative if os.sep == "/" else relative.replace("/", os.sep)  # as show() has it
            for line, message, spec, note in json.loads(problems):
                self.problems.append(self.revive(Problem(shown, line, message, note=note,
                                                         spec=tuple(spec) if spec else None)))
        for relative, papers in index.check_papers():
            self._missing_papers(self.root / relative, json.loads(papers))

    def _copies(self, ident: str, copies: list[tuple[str, str | None]]) -> None:
        """The problems of an action id used by several files: (path, created) of each. The
        first created (then by name) is kept; the others are copies or renumbered."""
        ordered = sorted(copies, key=lambda copy: (copy[1] or "9999-12-31", copy[0].rsplit("/", 1)[-1], copy[0]))
        keep = self.root / ordered[0][0]
        kept = load(keep, None, self.root, collect=True).data
        for other in (self.root / relative for relative, _ in ordered[1:]):
            loaded = load(other, None, self.root, collect=True)
            if loaded.data is not None and loaded.data == kept:
                # The same action twice (a merge tool's A-012-769d_LOCAL_4242.toml): one copy goes.
                self.add(loaded, (), f"a second copy of action {ident}, identical to {self.show(keep)}",
                         spec=("remove", self.relative(other)))
                continue
            self.add(loaded, ("id",), f"action id {ident} is also used by {self.show(keep)} (as after a git merge)",
                     spec=("renumber", self.relative(other)))

    # --- meetings ------------------------------------------------------------

    def _meeting(self, path: Path, persons, orgs, themes) -> dict | str:
        """The meeting's problems; returns its item count (None if not built) and its local papers."""
        ident = path.stem
        loaded = self.read(path, model.meeting_parser(ident))
        if loaded is None:
            return "unreadable"
        year = f"{loaded.value.date.year:04d}"
        if model.MEETING_ID.fullmatch(ident) and path.parent.name != year and ident[:4] == year:
            self.add(path, (), f"a meeting in {year} belongs in meetings/{year}/",
                     spec=("move", self.relative(path), f"{MEETINGS}/{year}/{path.name}"))
        held: model.Meeting = loaded.value
        frozen = held.minutes.frozen if held.status.approved else None
        # Approved minutes name people as they were: one since removed from people.toml is no problem there.
        self._meeting_references(loaded, {**{p.id: p for p in frozen.people}, **persons} if frozen else persons,
                                 orgs, {**frozen.themes, **themes} if frozen else themes)
        self._record(loaded, held)
        if held.status.cancelled:
            for index, item in enumerate(held.items):
                if item.standing is None and item.status in model.SHOWN_ITEMS:
                    self.add(loaded, ("items", index), f"item {item.title[:60]!r} is still placed on this cancelled "
                             "meeting, where no agenda shows it; defer it with `escg agenda defer`")
        count = None
        if held.agenda_built:
            from escg.domain.agenda import agenda_of

            count = len(agenda_of(self.store, held).rows)
        return {"count": count, "papers": self._local_papers(loaded, held.items),
                "confidential": held.has_confidential_items}

    def _record(self, loaded: Loaded, held: model.Meeting) -> None:
        """Approved minutes still as approved (their digest), or a note that they are not frozen."""
        from escg.domain.minutes import verify

        why = verify(held, loaded.data)
        if why:
            self.add(loaded, ("minutes", "record", "digest") if held.minutes.frozen else ("status",), why)
        elif held.status.approved and held.minutes.frozen is None:
            line = find_line(loaded.text, ("minutes",)) or find_line(loaded.text, ("status",)) or 0
            self.problems.append(self.revive(Problem(
                self.show(loaded.path), line, "the approved minutes have no [minutes.record] (approved before escg "
                "froze them), so later edits to people and actions still change them",
                note=True, spec=("freeze", self.relative(loaded.path)))))

    def _local_papers(self, loaded: Loaded, items: list[model.AgendaItem]) -> list[list]:
        """[line, paper] of each paper that names a file in the store (checked on every run:
        a paper can be added or removed without its meeting changing)."""
        found = []
        for index, item in enumerate(items):
            for paper in item.papers:
                if not model.WEB_LINK.fullmatch(paper.strip()) and not model.paper_problem(paper):
                    found.append([find_line(loaded.text, ("items", index, "papers")) or 0, paper])
        return found

    def _missing_papers(self, path: Path, papers: list[list]) -> None:
        for line, paper in papers:
            if not (self.root / paper).is_file():
                self.problems.append(self.revive(Problem(
                    self.show(path), line, f"paper {paper!r} is not in the store (add the file or remove it from the item)")))

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

    def _meeting_references(self, loaded: Loaded, persons, orgs, themes) -> None:
        meeting: model.Meeting = loaded.value
        self._person(loaded, ("chair",), meeting.chair, persons, "chair")
        self._person(loaded, ("vice_chair",), meeting.vice_chair, persons, "vice-chair")
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

    # --- actions -------------------------------------------------------------

    def _action(self, path: Path, persons, orgs, themes,
                count_of: Callable[[str], tuple[bool, int | None]]) -> tuple[str, str | None, str | None] | None:
        """The action's problems; returns its id, its created date and the meeting it names
        (whose item count it was checked against), or None if it could not be read."""
        loaded = self.read(path, model.action_from_toml)
        if loaded is None:
            return None
        action: model.Action = loaded.value
        self._person(loaded, ("owner",), action.owner, persons, "owner")
        if action.org and action.org not in orgs:
            self.add(loaded, ("org",), f"organisation {action.org!r} is not in people.toml")
        if action.theme and action.theme not in themes:
            self.add(loaded, ("theme",), f"theme {action.theme!r} is not in escg.toml [themes]")
        if action.meeting and action.meeting not in self.meeting_ids:
            self.add(loaded, ("meeting",), f"raised at meeting {action.meeting}, which does not exist")
        elif action.meeting and action.item:
            readable, count = count_of(action.meeting)
            if readable and count is not None and action.item > count:
                self.add(loaded, ("item",), f"meeting {action.meeting} has no item {action.item} (it has {count})")
        if not path.name.startswith(action.id + "-") and path.stem != action.id:
            tag = path.stem.rsplit("-", 1)[-1] if path.stem.count("-") >= 2 else "x"
            self.add(loaded, ("id",), f"the file name does not match the action's id {action.id}",
                     spec=("move", self.relative(path), self.relative(path.with_name(f"{action.id}-{tag}.toml"))))
        return action.id, action.created.isoformat() if action.created else None, action.meeting


_FORKED: tuple[Checker, Callable[[str], Any]] | None = None  # a parallel check's checker and check


def _checked(checker: Checker, check: Callable[[str], Any], relative: str) -> tuple[list[Problem], Any]:
    """(the problems found, the result) of ``check(relative)``, kept apart from the checker's others."""
    others = checker.problems
    checker.problems = found = []
    try:
        result = check(relative)
    finally:
        checker.problems = others
    return found, result


def _check_batch(relatives: list[str]) -> list[tuple[list[tuple], Any]]:
    """In a worker: (problems as data, result) of the check of each file."""
    checker, check = _FORKED
    done = []
    for relative in relatives:
        problems, result = _checked(checker, check, relative)
        done.append(([(p.file, p.line, p.message, p.spec, p.note) for p in problems], result))
    return done


class _Listing:
    """What `Checker._listing` found in the store's folders."""

    def __init__(self) -> None:
        self.leftovers: list[Path] = []
        self.others: list[str] = []
        self.odd: list[str] = []
        self.meeting_dirs: list[str] = []
        self.state: dict[str, list] = {}


class _MeetingIds:
    """Whether a meeting id has a file, asked of the index (a check that reads a few files
    should not list 30,000 meetings to know)."""

    def __init__(self, index, folders: list[str]) -> None:
        self.index, self.folders, self.known = index, folders, {}

    def __contains__(self, ident: object) -> bool:
        if not isinstance(ident, str):
            return False
        if ident not in self.known:
            self.known[ident] = any(self.index.has_file(f"{MEETINGS}/{folder}/{ident}.toml") for folder in self.folders)
        return self.known[ident]


class _Uncached(Exception):
    """The index cannot keep what the check found."""


class _Anything(dict):
    """Every id is in it: the stand-in for people, organisations or themes from a file that
    cannot be read, so their references are not reported while its own problem is."""

    def __contains__(self, key: object) -> bool:
        return True

    def get(self, key: Any, default: Any = None) -> Any:
        return default


def _place(parts: tuple[str, ...], name: str) -> str | None:
    """What a file ``name`` in the folder ``parts`` (relative to the store) is to the check:
    "leftover" (a temporary file of an interrupted write), "meeting" or "action" (a store
    file), "other" (in an actions folder, but not named as an action), or None."""
    if name.startswith(".") and name.endswith(".tmp") and TEMPORARY.fullmatch(name):
        return "leftover"
    if len(parts) != 2 or parts[0] not in (MEETINGS, ACTIONS) or not name.endswith(".toml") or name.startswith("."):
        return None
    if not utf8_name(name):
        return "other"  # reads leave it out: reported (_other) so that it is renamed
    if parts[0] == MEETINGS:
        return "meeting"
    return "action" if name.startswith("A-") else "other"


def _misnamed_folder(parts: tuple[str, ...], name: str) -> bool:
    """A year folder of meetings/ or actions/ named in bytes that are not UTF-8: reads
    leave out what it holds (escg.store.index), so the check reports it (``_other``)."""
    return len(parts) == 1 and parts[0] in (MEETINGS, ACTIONS) and not utf8_name(name)


def _other(relative: str) -> str:
    """Why a file in meetings/ or actions/ (``_place``: "other", its name as ``shown_name``
    writes it) is no store file. Every other .toml file of meetings/ is a meeting, and of
    actions/ an action when its name starts A-: the rest are named in bytes that are not
    UTF-8, as is a year folder (``_misnamed_folder``: its name ends with /). escg never
    renames or renumbers them."""
    if relative.endswith("/"):
        return "the folder name is not UTF-8 text; escg ignores the folder and what it holds: rename it"
    if relative.startswith(MEETINGS + "/") or relative.rsplit("/", 1)[-1].startswith("A-"):
        return "the file name is not UTF-8 text; escg ignores the file: rename it"
    return "not an action file (actions are named A-<number>-<tag>.toml); escg ignores it"


def _stem(relative: str) -> str:
    """meetings/2026/2026-10-01.toml -> 2026-10-01"""
    return relative.rsplit("/", 1)[-1].removesuffix(".toml")


def _digest(value: Any) -> str:
    return sha1(json.dumps(value, default=str).encode()).hexdigest()


def check(store: Store, *, full: bool = False) -> list[Problem]:
    """Every problem in the store, sorted by file and line (``full``: read every file again)."""
    checker = Checker(store, full=full)
    found = checker.run()
    if not full and os.environ.get("ESCG_CROSSCHECK"):
        exhaustive = Checker(store, full=True).run()
        if [str(p) for p in found] != [str(p) for p in exhaustive]:
            raise AssertionError("the incremental check and the full check disagree")
    # A full check has read every meeting, so it knows which have a confidential item without
    # the index (which a fresh clone does not have yet: building it costs more than the check).
    return found + _leaks(store, found, full, checker.confidential if full else None)


def _leaks(store: Store, found: list[Problem], full: bool, confidential: set[str] | None = None) -> list[Problem]:
    """Confidential text where the public may read it (escg.workflows.confidential.leaks); looked for
    only in a store that reads cleanly (else rendering would only repeat its problems).

    What it found is kept in the index under a key of the index's count of changes, today,
    the templates and escg's code, so a check of an unchanged store reads it back
    (``full``: searched again). With ESCG_CROSSCHECK, a result read back is compared with
    a search made again. ``confidential``: the meetings with a confidential item, if known."""
    if any(not p.note for p in found) or not (confidential if confidential is not None
                                              else store.confidential_meeting_ids()):
        return []  # (a store without confidential items need not load the renderer to know)
    from escg.core.errors import EscgError
    from escg.workflows.confidential import leaks

    index = None if full else store.index()
    inputs = _leak_inputs(store) if index is not None else None
    seen = index.last_change() if inputs is not None else None
    key = _digest([seen, inputs]) if inputs is not None else None
    kept = index.kept("leaks") if key is not None else None
    try:
        if isinstance(kept, dict) and kept.get("key") == key and isinstance(kept.get("found"), list):
            result = [tuple(pair) for pair in kept["found"]]
            if os.environ.get("ESCG_CROSSCHECK") and result != leaks(store):
                raise AssertionError("the kept leak search and a new one disagree")
        else:
            result = leaks(store)
            # Kept only if nothing was recorded meanwhile (another command's write): else the
            # result might be of files older than the key says.
            if key is not None and index.last_change() == seen:
                import sqlite3

                try:
                    index.keep("leaks", {"key": key, "found": result})
                except (sqlite3.Error, OSError):
                    pass  # the next check searches again
    except EscgError as error:  # a store template that does not render is a problem of its own
        return [Problem("templates", 0, f"cannot render a public form to check it: {error}")]
    return [Problem(file, 0, message) for file, message in result]


def _leak_inputs(store: Store) -> str | None:
    """What the leak search depends on besides the store's files (which the index's count
    of changes stands for): today (a document's dates and RAG labels), the templates and
    the code that renders them, and the files of escg and Jinja (the code that makes the
    documents); None if they cannot be read."""
    from escg.core import dates
    from escg.services.render import templates_digest

    templates = templates_digest(store)
    if templates is None:
        return None
    try:
        from importlib.util import find_spec

        spec = find_spec("jinja2")
        folders = [str(Path(__file__).parent.parent)] + ([os.path.dirname(spec.origin)] if spec and spec.origin else [])
        code = []
        for folder in folders:
            for top, dirs, names in os.walk(folder):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for name in sorted(names):
                    if name.endswith(".py"):
                        info = os.stat(os.path.join(top, name))
                        code.append((top, name, info.st_size, info.st_mtime_ns))
    except (OSError, ImportError, ValueError):
        return None
    return _digest([dates.today(), templates, code])


def fix(store: Store, problems: list[Problem]) -> Iterator[tuple[bool, Any]]:
    """Apply the safe fixes under the store lock, each as it comes: (True, what changed),
    or (False, the EscgError) for one that cannot be made now (the next fixes are still
    made, and what it would have mended is found again by the check that follows). Close
    it (contextlib.closing) if you stop early: the lock is held until it ends."""
    from escg.core.errors import EscgError

    with store.lock:
        try:
            for problem in problems:
                if problem.fix is not None:
                    try:
                        yield True, problem.fix()
                    except EscgError as error:
                        yield False, error
        finally:
            store.forget()


# --- the fixes ---------------------------------------------------------------


def _move(store: Store, source: Path, target: Path) -> str:
    from escg.core.errors import ConflictError
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


def _freeze(store: Store, path: Path) -> str:
    """Freeze approved minutes that have no record yet, as a recorded correction."""
    from escg.domain.minutes import correct

    store.forget()
    correct(store, path.stem, "frozen by `escg check --fix`: approved before escg kept an approval record")
    return f"froze the approved minutes of {path.stem} (recorded as a correction)"


def _renumber(store: Store, path: Path) -> str:
    """Give the action in ``path`` the next free id, in the file and its name."""
    import tomlkit

    from escg.domain.actions import next_number
    from escg.store import COUNTER
    from escg.store.files import atomic_delete, atomic_write

    store.forget()
    number = next_number(store)
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
