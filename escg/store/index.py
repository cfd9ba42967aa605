"""The store index: a cache in <store>/.escg-index.sqlite that every read uses.

The files stay the truth: deleting the index loses nothing, and it is never
committed (.gitignore). It holds a row for every store file (escg.toml,
people.toml, forward-plan.toml, each meeting and each action): its stat
signature, the file's first problem if it has one, the TOML data as JSON of the
three top files (escg.store.loader.encode), and derived
rows the read commands query: ``actions`` (the columns of a review, its data,
and the JSON contract in two halves around ``rag``),
``meetings`` (date, status, times, chair, counts) and ``decisions``.

Freshness is exact: ``refresh`` stats every indexed file (mtime, size, inode,
ctime) and lists again every folder whose mtime changed, so an edit made in
place, a rename, a git checkout or a restore is seen by the next read. In a
store of ``WATCH_FROM`` files or more, the store's watcher (escg.store.watch)
names the files changed since the last read, and only those are statted;
whenever it cannot know, or does not answer, every file is. Only a
changed file is parsed again; a first build parses in a process per core
while this one records each batch as it arrives (``_apply``). Writes made by
escg update their rows as they commit (``write_through``).

Each file row carries ``seq``, the index's count of changes when it was recorded
(meta ``seq``, which forgetting a file counts too), so ``escg check`` can ask for
the files recorded since it last looked (``changed_since``) and keep what it found
in ``checks``; forgetting a file forgets its check too. Meta ``meeting_set`` counts
the changes of which meeting files there are (one added, removed or renamed).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from datetime import date
from stat import S_ISLNK, S_ISREG
from pathlib import Path
from typing import Any, Iterable, Iterator

from escg.core import model
from escg.core.errors import StoreError
from escg.store import loader, workers

INDEX_NAME = ".escg-index.sqlite"
VERSION = "11"
WATCH_FROM = 1000  # indexed files from which a store gets a watcher (escg.store.watch): statting
# 1,000 files and reading their rows costs about 5 ms a read here, asking a watcher about 1.4 ms
FOLDERS = ("meetings", "actions")
# A file or folder changed this shortly before it was statted may be changed again within
# the same tick of its timestamps, with the same size and times: "racily clean", as git
# calls it. It is recorded with RACY for its ctime, so that no stat matches it and the next
# read lists or parses it again, by then settled. The tick is a few ms on Linux kernels that
# keep times in nanoseconds; a file system whose times are whole milliseconds or coarser
# (FAT and exFAT, 10 ms to 2 s; ext4 with small inodes, 1 s) gets COARSE_RACY_NS.
RACY_NS = 20_000_000
COARSE_RACY_NS = 2_000_000_000
RACY = -1
TOP = {"escg.toml": "config", "people.toml": "people", "forward-plan.toml": "forward"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER, ctime_ns INTEGER);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, dir TEXT, kind TEXT, mtime_ns INTEGER, size INTEGER, ino INTEGER,
    ctime_ns INTEGER, error TEXT, data TEXT, seq INTEGER);
CREATE INDEX IF NOT EXISTS files_by_dir ON files (dir);
CREATE INDEX IF NOT EXISTS files_by_seq ON files (seq);
CREATE INDEX IF NOT EXISTS files_with_errors ON files (kind, path) WHERE error IS NOT NULL;
CREATE TABLE IF NOT EXISTS actions (
    path TEXT PRIMARY KEY, id TEXT, number INTEGER, status TEXT, due TEXT, owner TEXT, org TEXT,
    meeting TEXT, item INTEGER, theme TEXT, created TEXT, closed TEXT, data TEXT, head TEXT, tail TEXT,
    title TEXT);
CREATE INDEX IF NOT EXISTS actions_by_status ON actions (status, due, number);
CREATE INDEX IF NOT EXISTS actions_by_id ON actions (id);
CREATE INDEX IF NOT EXISTS actions_by_meeting ON actions (meeting);
CREATE INDEX IF NOT EXISTS actions_by_owner ON actions (owner);
CREATE INDEX IF NOT EXISTS actions_by_closed ON actions (closed) WHERE closed IS NOT NULL;
CREATE TABLE IF NOT EXISTS meetings (
    path TEXT PRIMARY KEY, id TEXT, date TEXT, status TEXT, start TEXT, "end" TEXT, venue TEXT,
    online TEXT, chair TEXT, built INTEGER, placed INTEGER, people TEXT, orgs TEXT);
CREATE INDEX IF NOT EXISTS meetings_by_date ON meetings (date, id);
CREATE INDEX IF NOT EXISTS meetings_by_id ON meetings (id);
CREATE TABLE IF NOT EXISTS decisions (
    path TEXT, meeting TEXT, date TEXT, number INTEGER, title TEXT, theme TEXT, seq INTEGER, text TEXT);
CREATE INDEX IF NOT EXISTS decisions_by_path ON decisions (path);
CREATE INDEX IF NOT EXISTS decisions_by_date ON decisions (date, meeting);
CREATE TABLE IF NOT EXISTS confidential (path TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS checks (
    path TEXT PRIMARY KEY, kind TEXT, problems TEXT, ident TEXT, count INTEGER, papers TEXT, meeting TEXT,
    created TEXT);
CREATE INDEX IF NOT EXISTS checks_found ON checks (path) WHERE problems != '[]';
CREATE INDEX IF NOT EXISTS checks_papers ON checks (path) WHERE papers IS NOT NULL;
CREATE INDEX IF NOT EXISTS checks_by_ident ON checks (kind, ident);
CREATE INDEX IF NOT EXISTS checks_by_meeting ON checks (meeting) WHERE meeting IS NOT NULL;
CREATE TABLE IF NOT EXISTS rendered (kind TEXT, path TEXT, key TEXT, text TEXT, PRIMARY KEY (kind, path));
"""

# The indexes a first build makes once its rows are in (_defer_indexes): all but those its own
# statements need (the primary keys; decisions_by_path) and those of ``checks``, empty then.
# One statement a line in SCHEMA, as written there.
DEFERRED = [line for line in SCHEMA.splitlines() if line.startswith("CREATE INDEX")
            and " decisions_by_path " not in line and " ON checks " not in line]
DEFERRED_NAMES = [line.split()[5] for line in DEFERRED]


def kind_of(relative: str) -> str | None:
    """Which kind of store file a path relative to the store is, or None."""
    if relative in TOP:
        return TOP[relative]
    if not loader.utf8_name(relative):
        return None  # the index cannot hold its name; `escg check` says to rename it
    parts = relative.split("/")
    if len(parts) != 3 or not parts[2].endswith(".toml") or parts[1].startswith(".") or parts[2].startswith("."):
        return None
    if parts[0] == "meetings":
        return "meeting"
    if parts[0] == "actions" and parts[2].startswith("A-"):
        return "action"
    return None


def _as_recorded(signature: tuple, statted: int) -> tuple:
    """The stat signature to record (its ctime last): RACY for the ctime of a file or folder
    changed within RACY_NS (COARSE_RACY_NS where its times are whole milliseconds) of
    ``statted``, the time just before its stat."""
    ctime = signature[-1]
    window = COARSE_RACY_NS if ctime % 1_000_000 == 0 else RACY_NS
    return signature if ctime < statted - window else (*signature[:-1], RACY)


def _not_regular(path: str, relative: str, result: os.stat_result) -> tuple[os.stat_result | None, bool]:
    """What the index keeps of a store file that is not a regular file (``result``, its own
    stat), and whether to stat it on every read. A meeting or action file that is a link, a
    FIFO or a device is no store file (the folders' listing leaves it out, as reads without
    the index do; `escg check` reports it). escg.toml, people.toml or forward-plan.toml as a
    link is read through it (the loader follows a link inside the store): its signature is
    its target's, or none while the link leads nowhere (dangling, a loop: as reads without
    the index, which find no file there), and it is statted on every read, as a file with a
    hard link outside the store is, since a change to its target raises no event in the
    store's folders. Anything else is recorded as it is, for the loader to refuse (a FIFO as
    escg.toml stops every command, as it does without the index)."""
    if relative not in TOP:
        return None, False
    if S_ISLNK(result.st_mode):
        try:
            return os.stat(path), True
        except OSError:
            return None, True
    return result, False


def parser(kind: str, relative: str):
    """The model's parse function for a file of ``kind``."""
    if kind == "config":
        return model.group_from_toml
    if kind == "people":
        return model.people_from_toml
    if kind == "forward":
        return model.forward_plan_from_toml
    if kind == "meeting":
        return model.meeting_parser(relative.rsplit("/", 1)[1][:-5])
    return model.action_from_toml


def file_problem(kind: str, relative: str, value: Any) -> str | None:
    """A problem of where a file is rather than what it holds."""
    if kind == "meeting" and relative.split("/")[1] != f"{value.date.year:04d}":
        return f"{relative}: a meeting in {value.date.year} belongs in meetings/{value.date.year}/"
    if kind == "action":
        name = relative.rsplit("/", 1)[1]
        if not name.startswith(value.id + "-") and name[:-5] != value.id:
            return f"{relative}: the file name does not start with its id {value.id}"
    return None


KEEPS_DATA = ("config", "people", "forward")  # the kinds whose files' TOML data ``files`` keeps


def parse_file(root: str, relative: str, kind: str, text: str | None = None,
               data: dict | None = None) -> tuple[str | None, str | None, list[tuple[str, tuple]]]:
    """(error, data JSON, derived rows) of one file; the rows are (table, values) pairs.

    Runs in a worker process during a first build, so it takes and returns plain values."""
    base = Path(root)
    loaded = loader.load(base / relative, parser(kind, relative), base, collect=True, text=text, data=data)
    if loaded.problems:
        return str(loaded.problems[0]), None, []
    problem = file_problem(kind, relative, loaded.value)
    if problem:
        return problem, None, []
    # Only the three small top files keep their data here: an action is read from its row of
    # ``actions``, and a meeting shown in full from its file (keeping every meeting's data as
    # JSON made the index larger than the store and the first build a fifth slower).
    data = loader.encode(loaded.data) if kind in KEEPS_DATA else None
    return None, data, derived(kind, relative, loaded.value)


def derived(kind: str, relative: str, value: Any) -> list[tuple[str, tuple]]:
    if kind == "action":
        action: model.Action = value
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return [("actions", (relative, action.id, action.number, action.status.value, iso(action.due),
                             action.owner, action.org, action.meeting, action.item, action.theme,
                             iso(action.created), iso(action.closed), dump_action(action),
                             *json_halves(action), action.title))]
    if kind != "meeting":
        return []
    meeting: model.Meeting = value
    rows: list[tuple[str, tuple]] = [("meetings", (relative, *model.MeetingSummary.of(meeting).row()))]
    if meeting.has_confidential_items:
        rows.append(("confidential", (relative,)))
    for seq, decision in enumerate(model.decisions_of(meeting, 0)):
        rows.append(("decisions", (relative, meeting.id, meeting.date.isoformat(), decision.item, decision.title,
                                   decision.theme, seq, decision.text)))
    return rows


# What json.dumps(value, ensure_ascii=False) and json.dumps(value, default=str, ensure_ascii=False,
# separators=(",", ":")) write, from one encoder each: json.dumps makes an encoder a call when
# given options, three times an action in a cold build.
_contract = json.JSONEncoder(ensure_ascii=False).encode
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


def json_halves(action: model.Action) -> tuple[str, str]:
    """The action's JSON contract as json.dumps writes it, before "rag" and after it (each
    without the comma and space beside it): the listing writes each row as head, rag, tail."""
    head, tail = model.contract_parts(action)
    return _contract(head)[:-1], _contract(tail)[1:]


def dump_action(action: model.Action) -> str:
    return _compact(action.to_toml())


_ACTION_STATUS = {status.value: status for status in model.ActionStatus}  # as ActionStatus(v), without Enum's call


def load_action(text: str) -> model.Action:
    data = json.loads(text)
    day = date.fromisoformat
    return model.Action(
        id=data["id"], title=data["title"], owner=data["owner"], org=data.get("org"),
        due=day(data["due"]) if "due" in data else None, status=_ACTION_STATUS[data["status"]],
        meeting=data.get("meeting"), item=data.get("item"), theme=data.get("theme"),
        created=day(data["created"]) if "created" in data else None,
        closed=day(data["closed"]) if "closed" in data else None,
        updates=[model.Update(day(u["date"]), u["note"], u.get("from_owner"),
                              None if "from_due" not in u else u["from_due"] if u["from_due"] == "none" else day(u["from_due"]))
                 for u in data.get("updates", [])],
    )


def _parse_batch(args: tuple[str, list[tuple[str, str]]]) -> list[tuple]:
    root, batch = args
    return [(relative, kind, *parse_file(root, relative, kind)) for relative, kind in batch]


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction: committed if the block ends, rolled back if it raises."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


class StoreIndex:
    """Every file of one store, as indexed."""

    _token: list[str | None] | None = None  # the watcher's token, to record with the rows (refresh)

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / INDEX_NAME
        self._db: sqlite3.Connection | None = None

    # --- the database ------------------------------------------------------

    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        if self.path.is_symlink():
            raise sqlite3.OperationalError("the index is a symbolic link; not following it")
        for attempt in range(2):
            db = None
            try:
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                row = None
                try:
                    row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
                except sqlite3.OperationalError:
                    pass  # a new file: no tables yet
                if row is not None and row[0] != VERSION:
                    raise sqlite3.DatabaseError("index from another version")
                db.executescript(SCHEMA)
                if row is None:
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (VERSION,))
                return db
            except sqlite3.DatabaseError:
                # A damaged or outdated index is only a cache: start it again.
                if db is not None:
                    try:
                        db.close()
                    except sqlite3.Error:
                        pass
                for suffix in ("", "-wal", "-shm"):
                    try:
                        os.unlink(f"{self.path}{suffix}")
                    except FileNotFoundError:
                        pass
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # --- keeping it fresh --------------------------------------------------

    def refresh(self, report=None) -> None:
        """Bring the index up to date with the files (see the module's docstring): only
        the files the store's watcher says changed, or else every file."""
        db = self.db()
        token, changed = self._ask_watcher(db)
        # The watcher's token is recorded in the transaction that records what it named, so
        # that two reads at once cannot pair one's older rows with the other's newer token
        # (the next read would then not ask about a file whose row is stale). Without rows
        # to record, it is recorded on its own: a token going back costs only work.
        self._token = [token] if token is not None or changed is None else None
        if changed is not None:
            self._refresh_paths(db, changed, report)
        else:
            self._refresh_all(db, report)
        if self._token is not None:
            self._set_meta(db, "watch", self._token[0])
            self._token = None

    def _meta(self, db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, db: sqlite3.Connection, key: str, value: str | None) -> None:
        if self._meta(db, key) == value:
            return
        if value is None:
            db.execute("DELETE FROM meta WHERE key=?", (key,))
        else:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _ask_watcher(self, db: sqlite3.Connection) -> tuple[str | None, list[str] | None]:
        """(the watcher's new token, the files changed since the last read); the files
        are None when every file must be statted (no watcher, or it cannot know)."""
        files = self._meta(db, "files")
        threshold = int(os.environ.get("ESCG_WATCH_FROM") or WATCH_FROM)
        if files is None or int(files) < threshold:
            return None, None
        from escg.store import watch

        if not watch.wanted():
            return None, None
        answer = watch.ask(self.root, self._meta(db, "watch"))
        if answer is None:
            if watch.usable(self.root):  # a watcher that answers has checked this itself
                watch.start(self.root)  # the next read asks it
            return None, None
        return answer

    def _refresh_paths(self, db: sqlite3.Connection, changed: list[str], report) -> None:
        """Stat (and parse if changed) only the files the watcher named, and those with
        another name outside the store (``linked``)."""
        root = str(self.root) + os.sep
        pending: list[tuple[str, str]] = []
        gone: list[str] = []
        stats: dict[str, tuple] = {}
        linked = self._linked(db)
        was = set(linked)
        statted = time.time_ns()
        for relative in dict.fromkeys([*changed, *was]):
            kind = kind_of(relative)
            if kind is None:
                continue
            row = db.execute("SELECT mtime_ns, size, ino, ctime_ns FROM files WHERE path=?", (relative,)).fetchone()
            followed = False
            try:
                result = os.stat(root + relative, follow_symlinks=False)
                if not S_ISREG(result.st_mode):
                    result, followed = _not_regular(root + relative, relative, result)
            except (FileNotFoundError, NotADirectoryError):
                result = None
            if result is None:  # gone, or no store file (a link, a FIFO): as a full refresh leaves it out
                if followed:
                    linked.add(relative)  # a top file's link leading nowhere yet: looked at again
                else:
                    linked.discard(relative)
                if row is not None:
                    gone.append(relative)
                continue
            if followed or result.st_nlink > 1:
                linked.add(relative)
            else:
                linked.discard(relative)
            signature = (result.st_mtime_ns, result.st_size, result.st_ino, result.st_ctime_ns)
            if row != signature:
                stats[relative] = _as_recorded(signature, statted)
                pending.append((relative, kind))
        if linked != was:
            self._set_meta(db, "linked", json.dumps(sorted(linked)) if linked else None)
        if pending or gone:
            self._apply(db, pending, gone, stats, None, report)

    def _linked(self, db: sqlite3.Connection) -> set[str]:
        """The store files that have another name (a hard link) as last statted. An edit made
        through the other name raises no inotify event in the store's folders, so every read
        that the watcher answers stats these as well (git and escg never make such links;
        ``cp -al`` and hard-link backups do)."""
        text = self._meta(db, "linked")
        return set(json.loads(text)) if text else set()

    def _refresh_all(self, db: sqlite3.Connection, report) -> None:
        root = str(self.root) + os.sep
        statted = time.time_ns()  # before any folder or file is statted
        known = {path: (dir_, (mtime, size, ino, ctime)) for path, dir_, mtime, size, ino, ctime in db.execute(
            "SELECT path, dir, mtime_ns, size, ino, ctime_ns FROM files")}
        # A folder is listed again when its mtime or its ctime changed: restoring a backup
        # (cp -a, tar -x) puts a folder's mtime back over a file added since, but its ctime
        # says so, as no program can set it.
        known_dirs = {path: (mtime, ctime) for path, mtime, ctime in db.execute(
            "SELECT path, mtime_ns, ctime_ns FROM dirs")}
        seen_dirs: dict[str, tuple[int, int]] = {}
        listed: dict[str, list[str]] = {}  # folder -> file names, for folders that changed
        for folder in FOLDERS:
            try:
                entries = list(os.scandir(root + folder))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False) or (
                        not loader.utf8_name(entry.name)):  # as no file in it is a store file
                    continue
                relative = f"{folder}/{entry.name}"
                info = entry.stat(follow_symlinks=False)
                seen_dirs[relative] = _as_recorded((info.st_mtime_ns, info.st_ctime_ns), statted)
                if known_dirs.get(relative) != (info.st_mtime_ns, info.st_ctime_ns):
                    listed[relative] = [e.name for e in os.scandir(entry.path)
                                        if e.is_file(follow_symlinks=False)]
        pending: list[tuple[str, str]] = []
        gone: list[str] = []
        stats: dict[str, tuple] = {}
        candidates = [path for path, (dir_, _) in known.items() if dir_ not in listed and (dir_ in seen_dirs or dir_ == "")]
        gone += [path for path, (dir_, _) in known.items() if dir_ not in seen_dirs and dir_ != ""]
        for relative in TOP:
            if relative not in known:
                candidates.append(relative)
        for folder, names in listed.items():
            indexed = {path for path, (dir_, _) in known.items() if dir_ == folder}
            present = set()
            for name in names:
                relative = f"{folder}/{name}"
                if kind_of(relative) is None:
                    continue
                present.add(relative)
                candidates.append(relative)
            gone += sorted(indexed - present)
        stat, regular = os.stat, S_ISREG
        linked = []
        for relative in candidates:
            followed = False
            try:
                result = stat(root + relative, follow_symlinks=False)
                if not regular(result.st_mode):
                    result, followed = _not_regular(root + relative, relative, result)
            except (FileNotFoundError, NotADirectoryError):
                result = None
            if followed:
                linked.append(relative)
            if result is None:
                if relative in known:
                    gone.append(relative)
                continue
            if not followed and result.st_nlink > 1:
                linked.append(relative)
            signature = (result.st_mtime_ns, result.st_size, result.st_ino, result.st_ctime_ns)
            if known.get(relative, (None, None))[1] != signature:
                stats[relative] = _as_recorded(signature, statted)
                pending.append((relative, kind_of(relative) or ""))
        count = len(known) - len(gone) + sum(1 for relative in stats if relative not in known)
        if self._meta(db, "files") != str(count):
            self._set_meta(db, "files", str(count))  # whether the store is large enough for a watcher
        self._set_meta(db, "linked", json.dumps(sorted(linked)) if linked else None)
        if not pending and not gone and seen_dirs == known_dirs:
            return
        self._apply(db, pending, gone, stats, seen_dirs, report)

    def _apply(self, db: sqlite3.Connection, pending: list[tuple[str, str]], gone: list[str],
               stats: dict[str, tuple], seen_dirs: dict[str, tuple[int, int]] | None, report) -> None:
        """Parse what changed and record it, with what went.

        A few files are parsed first, then recorded in one transaction. Many (2,000 or more,
        as in a first build) are parsed by worker processes while this one records each
        batch as it comes, a transaction a batch: recording overlaps parsing, no more than a
        few batches are held in memory, other commands wait for the write lock a batch at a
        time rather than for the whole build, and a build that is interrupted keeps what
        it recorded (the next read goes on from there). The folders' mtimes are recorded
        last, once every file is."""
        if not workers.worth(len(pending)):
            self._record(db, gone, self._parse_serial(pending, report), stats, seen_dirs, final=True)
            return
        deferred = self._defer_indexes(db)
        batches = self._parse_parallel(pending, report)
        try:
            for parsed in batches:
                self._record(db, gone, parsed, stats, None)
                gone = []
        finally:
            batches.close()  # if recording failed: stops the workers
        self._record(db, gone, [], stats, seen_dirs, deferred, final=True)

    def _defer_indexes(self, db: sqlite3.Connection) -> list[str]:
        """On a first build, the query indexes (``DEFERRED``) dropped until every row is in;
        returns the statements that make them then. Made once from the whole table rather
        than kept up to date row by row, they cost the recording process about a quarter
        less at 100,000 actions (about 7.3 to 5.3 s of CPU, measured alone). The indexes
        the build's own statements use stay. A build that stops half way gets them back from SCHEMA as the
        index is next opened; a read meanwhile is answered without them, as rightly."""
        if db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is not None:
            return []
        with _transaction(db):
            for name in DEFERRED_NAMES:
                db.execute(f"DROP INDEX IF EXISTS {name}")
        return DEFERRED

    def _record(self, db: sqlite3.Connection, gone: list[str], parsed: list[tuple], stats: dict[str, tuple],
                seen_dirs: dict[str, tuple[int, int]] | None, indexes: list[str] = (), final: bool = False) -> None:
        """One transaction: forget the files that went, record the files parsed, and the folders
        (and make the ``indexes`` a first build deferred). The last of a refresh (``final``)
        records the watcher's token too (``refresh``)."""
        # A file removed or renamed after it was listed, before it was read, is gone, not
        # broken ("file not found" would fail this read; the next one would find it gone).
        root = str(self.root) + os.sep
        vanished = {relative for relative, _, error, *_ in parsed
                    if error is not None and not os.path.lexists(root + relative)}
        if vanished:  # forgotten only if indexed: forgetting counts as a change (``seq``)
            gone = [*gone, *sorted(r for r in vanished
                                   if db.execute("SELECT 1 FROM files WHERE path=?", (r,)).fetchone())]
            parsed = [entry for entry in parsed if entry[0] not in vanished]
        with _transaction(db):
            if final:
                token, self._token = self._token, None
                if token is not None:
                    self._set_meta(db, "watch", token[0])
            for statement in indexes:
                db.execute(statement)
            for relative in gone:
                self._forget(db, relative)
            self._store(db, [(relative, kind, stats[relative], error, data, rows)
                             for relative, kind, error, data, rows in parsed])
            if seen_dirs is not None:
                db.execute("DELETE FROM dirs")
                db.executemany("INSERT INTO dirs VALUES (?, ?, ?)",
                               [(path, mtime, ctime) for path, (mtime, ctime) in seen_dirs.items()])

    def _parse_serial(self, pending: list[tuple[str, str]], report) -> list[tuple]:
        root = str(self.root)
        done = []
        for number, (relative, kind) in enumerate(pending, start=1):
            done.append((relative, kind, *parse_file(root, relative, kind)))
            if report is not None and len(pending) >= workers.PARALLEL_FROM and (
                    number % workers.BATCH == 0 or number == len(pending)):
                report(number, len(pending))
        return done

    def _parse_parallel(self, pending: list[tuple[str, str]], report) -> Iterator[list[tuple]]:
        """The parsed files in batches, in order, from worker processes (escg.store.workers)."""
        root = str(self.root)
        done = 0
        for result in workers.each_batch(_parse_batch, [(root, batch) for batch in workers.batches(pending)],
                                         "reading the store's files for its index",
                                         "; what it had recorded is kept, and the next command goes on from there"):
            done += len(result)
            if report is not None:
                report(done, len(pending))
            yield result

    ROWS = ("files", "actions", "meetings", "decisions", "confidential")  # the tables a file's rows are in

    def _forget(self, db: sqlite3.Connection, relative: str) -> None:
        if kind_of(relative) == "meeting":
            self._meetings_changed(db)
        # A file gone is a change too (``last_change``): what was kept of the store as it was,
        # such as the leak search of `escg check`, is not the store's any more.
        self._set_meta(db, "seq", str(int(self._meta(db, "seq") or 0) + 1))
        for table in (*self.ROWS, "checks"):
            db.execute(f"DELETE FROM {table} WHERE path=?", (relative,))

    @staticmethod
    def _among(db: sqlite3.Connection, sql: str, values: list) -> list[tuple]:
        """The rows of ``sql``, whose ``IN ({})`` is filled with ``values``, asked 500 at a time
        (SQLite limits the parameters of one statement)."""
        rows: list[tuple] = []
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            rows += db.execute(sql.format(",".join("?" * len(chunk))), chunk).fetchall()
        return rows

    def _meetings_changed(self, db: sqlite3.Connection) -> None:
        """Count a change of which meeting files there are (meta ``meeting_set``, for `escg check`)."""
        self._set_meta(db, "meeting_set", str(int(self._meta(db, "meeting_set") or 0) + 1))

    def _store(self, db: sqlite3.Connection, parsed: list[tuple[str, str, tuple, str | None, str | None, list]]) -> None:
        """Record files as parsed: (path, kind, signature, error, data, rows), replacing what
        the index had of them. One statement a table (a first build records 100,000s of files):
        each table's rows keep the order of the files and of their rows."""
        paths = [(relative,) for relative, *_ in parsed]
        meetings = [relative for relative, kind, *_ in parsed if kind == "meeting"]
        if meetings and len(self._among(db, "SELECT path FROM files WHERE path IN ({})", meetings)) < len(meetings):
            self._meetings_changed(db)  # a meeting file that was not there
        for table in self.ROWS:
            db.executemany(f"DELETE FROM {table} WHERE path=?", paths)
        # Each file recorded gets the next number of the index's count of changes, so that
        # `escg check` can ask what changed since it last looked (changed_since).
        seq = int(self._meta(db, "seq") or 0)
        db.executemany("INSERT INTO files VALUES (?,?,?,?,?,?,?,?,?,?)", [
            (relative, relative.rsplit("/", 1)[0] if "/" in relative else "", kind, *signature, error, data, seq + number)
            for number, (relative, kind, signature, error, data, _) in enumerate(parsed, start=1)])
        if parsed:
            self._set_meta(db, "seq", str(seq + len(parsed)))
        grouped: dict[tuple[str, int], list[tuple]] = {}
        for *_, rows in parsed:
            for table, values in rows:
                grouped.setdefault((table, len(values)), []).append(values)
        for (table, width), values in grouped.items():
            db.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * width)})", values)

    def write_through(self, written: dict[Path, tuple[str, dict] | None]) -> None:
        """Record the files a transaction just wrote (text and data), or removed (None)."""
        db = self.db()
        root = str(self.root)
        with _transaction(db):
            for path, staged in written.items():
                try:
                    relative = path.relative_to(self.root).as_posix()
                except ValueError:
                    continue
                kind = kind_of(relative)
                if kind is None:
                    continue
                if staged is None:
                    self._forget(db, relative)
                    continue
                statted = time.time_ns()
                result = os.stat(path, follow_symlinks=False)
                signature = _as_recorded((result.st_mtime_ns, result.st_size, result.st_ino, result.st_ctime_ns),
                                         statted)
                text, data = staged
                self._store(db, [(relative, kind, signature, *parse_file(root, relative, kind, text=text, data=data))])

    # --- queries -----------------------------------------------------------

    def raise_errors(self, *kinds: str) -> None:
        """Raise the first problem of any file of these kinds (served by a partial index)."""
        marks = ",".join("?" * len(kinds))
        row = self.db().execute(f"SELECT error FROM files WHERE error IS NOT NULL AND kind IN ({marks}) "
                                "ORDER BY path LIMIT 1", kinds).fetchone()
        if row:
            raise StoreError(row[0])

    def data(self, relative: str) -> dict | None:
        """The TOML data of one file (None if it is not there); its problem, if any, raises."""
        row = self.db().execute("SELECT error, data FROM files WHERE path=?", (relative,)).fetchone()
        if row is None:
            return None
        if row[0]:
            raise StoreError(row[0])
        return loader.decode(row[1])

    def meetings_in_order(self, ident: str | None = None, confidential: bool = False) -> list[str]:
        """The file of every meeting in date order, or of the one with id ``ident``, or
        (``confidential``) of those with a confidential item on their agenda; a meeting
        file that cannot be read raises its problem (``meeting_paths`` lists every one)."""
        self.raise_errors("meeting")
        join = "JOIN confidential c ON c.path = m.path" if confidential else ""
        where, params = ("WHERE m.id = ?", (ident,)) if ident else ("", ())
        return [path for path, in self.db().execute(
            f"SELECT m.path FROM meetings m {join} {where} ORDER BY m.date, m.id", params)]

    def confidential_ids(self) -> set[str]:
        """The ids of the meetings with a confidential item (the ``confidential`` table)."""
        self.raise_errors("meeting")
        return {ident for ident, in self.db().execute(
            "SELECT m.id FROM meetings m JOIN confidential c ON c.path = m.path")}

    SUMMARY = 'SELECT id, date, status, start, "end", venue, online, chair, built, placed, people, orgs FROM meetings'

    def meeting_rows(self, where: str = "", params: tuple = (), order: str = "date, id",
                     limit: int | None = None) -> list[model.MeetingSummary]:
        """Meeting summaries in date order; ``where`` narrows them (SQL on the meetings table)."""
        self.raise_errors("meeting")
        sql = f"{self.SUMMARY} {'WHERE ' + where if where else ''} ORDER BY {order}{f' LIMIT {limit}' if limit else ''}"
        return [model.MeetingSummary.from_row(row) for row in self.db().execute(sql, params)]

    def meeting_date(self, ident: str | None) -> date | None:
        """The date of the meeting with id ``ident`` (one indexed row), or None."""
        self.raise_errors("meeting")
        row = self.db().execute("SELECT date FROM meetings WHERE id=?", (ident,)).fetchone()
        return date.fromisoformat(row[0]) if row else None

    def meeting_dates(self) -> dict[str, date]:
        """Each meeting's date by id (what the "raised at" column needs, without whole rows)."""
        self.raise_errors("meeting")
        day = date.fromisoformat
        return {ident: day(text) for ident, text in self.db().execute("SELECT id, date FROM meetings")}

    def decisions(self, opening_standing: int, where: str = "", params: tuple = ()) -> list[model.Decision]:
        """The decisions, in meeting then agenda order; ``where`` (DecisionQuery.sql) narrows them."""
        self.raise_errors("meeting")
        return [model.Decision(meeting, number if built else number + opening_standing, title, text, theme)
                for meeting, built, number, title, text, theme in self.db().execute(
                    "SELECT d.meeting, m.built, d.number, d.title, d.text, d.theme FROM decisions d "
                    f"JOIN meetings m ON m.path = d.path {'WHERE ' + where if where else ''} "
                    "ORDER BY m.date, m.id, d.seq", params)]

    def actions(self, where: str, params: Iterable[Any], order: str) -> list[model.Action]:
        self.raise_errors("action")
        sql = f"SELECT data FROM actions WHERE {where or '1'} ORDER BY {order}"
        return [load_action(row[0]) for row in self.db().execute(sql, tuple(params))]

    def review_rows(self, where: str, params: Iterable[Any], order: str) -> list[tuple]:
        """The matching actions as model.review_row gives them: the columns of a listing."""
        self.raise_errors("action")
        sql = (f"SELECT id, due, status, owner, org, title, meeting, item FROM actions WHERE {where or '1'} "
               f"ORDER BY {order}")
        return self.db().execute(sql, tuple(params)).fetchall()

    def halves(self, where: str, params: Iterable[Any], order: str) -> list[tuple[str, str, str, str | None]]:
        """(JSON before "rag", JSON after it, status, due) of the matching actions."""
        self.raise_errors("action")
        sql = f"SELECT head, tail, status, due FROM actions WHERE {where or '1'} ORDER BY {order}"
        return self.db().execute(sql, tuple(params)).fetchall()

    def action_paths(self, ident: str) -> list[str]:
        """The files holding action ``ident``. A file named for it that cannot be read
        raises its problem (say so, not "unknown"), as reading the files by name does; a
        broken file of another action is no concern of this one."""
        row = self.db().execute(
            "SELECT error FROM files WHERE error IS NOT NULL AND kind='action' AND (path GLOB ? OR path GLOB ?) "
            "ORDER BY path LIMIT 1", (f"actions/*/{ident}-*", f"actions/*/{ident}.toml")).fetchone()
        if row:
            raise StoreError(row[0])
        return [row[0] for row in self.db().execute("SELECT path FROM actions WHERE id=? ORDER BY path", (ident,))]

    def highest_action(self) -> int:
        row = self.db().execute("SELECT max(number) FROM actions").fetchone()
        return row[0] or 0

    # --- what escg check found, kept for the next check (escg/workflows/check.py) --------

    def check_state(self) -> dict | None:
        """What the last check kept of itself (its digest, the last change it saw, the
        action ids it found twice, the folders it listed), or None."""
        text = self._meta(self.db(), "check")
        return json.loads(text) if text else None

    def last_change(self) -> int:
        """The index's count of changes: it grows whenever a file is recorded or forgotten."""
        return int(self._meta(self.db(), "seq") or 0)

    def kept(self, name: str) -> Any:
        """What ``keep`` kept under ``name`` (JSON data), or None."""
        text = self._meta(self.db(), f"kept:{name}")
        return json.loads(text) if text else None

    def keep(self, name: str, value: Any) -> None:
        """Keep ``value`` (JSON data) under ``name``, for a later command to read back."""
        db = self.db()
        with _transaction(db):
            self._set_meta(db, f"kept:{name}", json.dumps(value))

    def changed_since(self, seq: int, until: int) -> list[tuple[str, str]]:
        """(path, kind) of the meeting and action files recorded after change ``seq``, in path order."""
        return self.db().execute("SELECT path, kind FROM files WHERE seq > ? AND seq <= ? "
                                 "AND kind IN ('meeting', 'action') ORDER BY path", (seq, until)).fetchall()

    def store_files(self) -> list[tuple[str, str]]:
        """(path, kind) of every meeting and action file, in path order."""
        return self.db().execute("SELECT path, kind FROM files WHERE kind IN ('meeting', 'action') "
                                 "ORDER BY path").fetchall()

    def meeting_set(self) -> int:
        """A number that changes whenever a meeting file is added, removed or renamed."""
        return int(self._meta(self.db(), "meeting_set") or 0)

    def meeting_paths(self) -> list[str]:
        """The path of every meeting file, readable or not (the meetings table is far narrower
        to read than the files table)."""
        return [row[0] for row in self.db().execute(
            "SELECT path FROM meetings UNION ALL SELECT path FROM files WHERE error IS NOT NULL AND kind = 'meeting'")]

    def has_file(self, relative: str) -> bool:
        return self.db().execute("SELECT 1 FROM files WHERE path=?", (relative,)).fetchone() is not None

    def checked(self, paths: list[str]) -> dict[str, tuple[str | None, int | None]]:
        """path -> (ident, count) of what the last check kept of these files."""
        return {path: (ident, count) for path, ident, count in self._among(
            self.db(), "SELECT path, ident, count FROM checks WHERE path IN ({})", paths)}

    def checked_count(self, ident: str) -> tuple[bool, int | None]:
        """(whether meeting ``ident`` was readable at the last check, its item count or None)."""
        row = self.db().execute("SELECT count FROM checks WHERE kind='meeting' AND ident=? AND count IS NOT NULL",
                                (ident,)).fetchone()
        return (False, None) if row is None else (True, None if row[0] < 0 else row[0])

    def actions_naming(self, meetings: list[str]) -> list[str]:
        """The action files the last check found raised at these meetings."""
        return [row[0] for row in self._among(
            self.db(), "SELECT path FROM checks WHERE meeting IN ({}) AND kind='action'", meetings)]

    def action_copies(self, ident: str) -> list[tuple[str, str | None]]:
        """(path, created) of every action file the check found with id ``ident``."""
        return self.db().execute("SELECT path, created FROM checks WHERE kind='action' AND ident=?", (ident,)).fetchall()

    def action_ids_used_twice(self) -> list[str]:
        return [row[0] for row in self.db().execute(
            "SELECT ident FROM checks WHERE kind='action' AND ident IS NOT NULL GROUP BY ident HAVING count(*) > 1")]

    def check_findings(self) -> list[tuple[str, str]]:
        """(path, problems as JSON) of each file in which the check found something."""
        return self.db().execute("SELECT path, problems FROM checks WHERE problems != '[]'").fetchall()

    def check_papers(self) -> list[tuple[str, str]]:
        """(path, [[line, paper], ...] as JSON) of each meeting that names a paper in the store."""
        return self.db().execute("SELECT path, papers FROM checks WHERE papers IS NOT NULL").fetchall()

    def save_checks(self, rows: list[tuple], state: dict, everything: bool) -> None:
        """Keep what the check found in ``rows`` (a row of the checks table per file), and its
        state; ``everything``: the rows are the whole store's, replacing what was kept."""
        db = self.db()
        with _transaction(db):
            if everything:
                db.execute("DELETE FROM checks")
            db.executemany("INSERT OR REPLACE INTO checks VALUES (?,?,?,?,?,?,?,?)", rows)
            self._set_meta(db, "check", json.dumps(state))

    # --- text made from a file, kept for the next run under a key of its inputs (escg/workflows/calendar.py) ---

    # A file recorded as racily clean (ctime RACY) is keyed by the number it was recorded
    # under, which each parse of it renews: what was kept of it (escg ics) is never reused.
    SIGNATURE = (f"CASE WHEN f.ctime_ns = {RACY} THEN 'unsettled:' || f.seq "
                 "ELSE f.mtime_ns || ':' || f.size || ':' || f.ino || ':' || f.ctime_ns END")

    def signature_of(self, relative: str) -> str:
        """The stat signature of one indexed file, or "" when it is not indexed."""
        row = self.db().execute(f"SELECT {self.SIGNATURE} FROM files f WHERE path=?", (relative,)).fetchone()
        return row[0] if row else ""

    def meeting_signatures(self) -> list[tuple[str, str, str]]:
        """(id, path, stat signature) of every meeting, in date order."""
        self.raise_errors("meeting")
        return self.db().execute(f"SELECT m.id, m.path, {self.SIGNATURE} FROM meetings m JOIN files f "
                                 "ON f.path = m.path ORDER BY m.date, m.id").fetchall()

    def action_signatures(self) -> list[tuple[str, str, str]]:
        """(id, path, stat signature) of every action file."""
        self.raise_errors("action")
        return self.db().execute(f"SELECT a.id, a.path, {self.SIGNATURE} FROM actions a JOIN files f "
                                 "ON f.path = a.path").fetchall()

    def action_keys(self, where: str, params: Iterable[Any], order: str) -> list[tuple]:
        """(path, id, status, due, meeting, closed) of the matching actions, in order."""
        self.raise_errors("action")
        sql = f"SELECT path, id, status, due, meeting, closed FROM actions WHERE {where or '1'} ORDER BY {order}"
        return self.db().execute(sql, tuple(params)).fetchall()

    def actions_at(self, paths: list[str]) -> dict[str, model.Action]:
        """The actions in these files, by path."""
        return {path: load_action(data) for path, data in self._among(
            self.db(), "SELECT path, data FROM actions WHERE path IN ({})", paths)}

    def rendered(self, kind: str) -> dict[str, tuple[str, str]]:
        """path -> (key, text) of what was kept of ``kind``."""
        return {path: (key, text) for path, key, text in self.db().execute(
            "SELECT path, key, text FROM rendered WHERE kind=?", (kind,))}

    def save_rendered(self, kind: str, rows: dict[str, tuple[str, str]]) -> None:
        """Keep ``rows`` (path -> (key, text)), and forget what was kept of files that went.
        The index is a cache: when it cannot be written (read-only), nothing is kept."""
        db = self.db()
        try:
            with _transaction(db):
                db.executemany("INSERT OR REPLACE INTO rendered VALUES (?,?,?,?)",
                               [(kind, path, key, text) for path, (key, text) in rows.items()])
                db.execute("DELETE FROM rendered WHERE path NOT IN (SELECT path FROM files)")
        except sqlite3.OperationalError:
            pass  # read only, or busy: nothing is kept

    def count(self, kind: str) -> int:
        return self.db().execute("SELECT count(*) FROM files WHERE kind=?", (kind,)).fetchone()[0]
