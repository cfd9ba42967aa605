"""The action index: a cache that follows the files, hand edits included, and loses nothing."""

import json
import os

import pytest

import stores

from escg.store import Store
from escg.store.index import INDEX_NAME


@pytest.fixture(scope="module")
def indexed_template(tmp_path_factory):
    def build(run, store):
        stores.add_people(stores.write_empty_store(store))
        for n in range(6):
            run(["action", "add", f"Action {n}", "--owner", "bob", "--due", f"2026-12-0{n + 1}"])
        run("action done A-006")

    return stores.build_once(tmp_path_factory, "indexed", build)


@pytest.fixture
def indexed(indexed_template, store_dir, run):
    root = stores.copy_store(indexed_template, store_dir)
    run("actions --json")  # the copy has no index: make it
    assert (root / INDEX_NAME).exists()
    return root


def ids(run, args="actions --json"):
    return [a["id"] for a in json.loads(run(args).stdout)]


def test_deleting_the_index_loses_nothing(run, indexed):
    before = run("actions --all --json").stdout
    for suffix in ("", "-wal", "-shm"):
        path = indexed / f"{INDEX_NAME}{suffix}"
        if path.exists():
            path.unlink()
    assert run("actions --all --json").stdout == before


def test_a_damaged_index_is_rebuilt(run, indexed):
    before = run("actions --all --json").stdout
    (indexed / INDEX_NAME).write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (indexed / f"{INDEX_NAME}{suffix}").unlink(missing_ok=True)
    assert run("actions --all --json").stdout == before


def test_hand_edit_in_place_is_seen(run, indexed):
    """An edit that writes the file in place (no rename, folder mtime unchanged)."""
    path = next((indexed / "actions").rglob("A-002-*.toml"))
    folder_mtime = path.parent.stat().st_mtime_ns
    with open(path, "r+") as handle:  # in place, as some editors save
        text = handle.read().replace('title = "Action 1"', 'title = "Edited by hand"')
        handle.seek(0)
        handle.write(text)
        handle.truncate()
    assert path.parent.stat().st_mtime_ns == folder_mtime
    rows = {a["id"]: a["title"] for a in json.loads(run("actions --json").stdout)}
    assert rows["A-002"] == "Edited by hand"


def test_hand_edit_by_rename_and_new_and_deleted_files_are_seen(run, indexed):
    path = next((indexed / "actions").rglob("A-003-*.toml"))
    replacement = path.with_name(".edit.tmp")
    replacement.write_text(path.read_text().replace('status = "open"', 'status = "done"\nclosed = 2026-11-23'))
    os.replace(replacement, path)  # how sed -i, git and many editors save
    assert "A-003" not in ids(run)
    copy = path.with_name("A-007-beef.toml")
    copy.write_text(path.read_text().replace('id = "A-003"', 'id = "A-007"').replace('status = "done"', 'status = "open"').replace("closed = 2026-11-23\n", ""))
    assert "A-007" in ids(run)
    copy.unlink()
    assert "A-007" not in ids(run, "actions --all --json")


def test_a_broken_file_is_reported_with_its_line(run, indexed):
    path = next((indexed / "actions").rglob("A-004-*.toml"))
    path.write_text(path.read_text().replace('status = "open"', 'status = "waiting"'))
    result = run("actions --json", code=6)
    assert f"{path.relative_to(indexed)}:" in result.stderr and "'status' must be one of" in result.stderr
    path.write_text(path.read_text().replace('status = "waiting"', 'status = "open"'))
    assert "A-004" in ids(run)


def test_the_same_answers_without_the_index(run, indexed, monkeypatch):
    with_index = run("actions --all --json").stdout
    monkeypatch.setenv("ESCG_NO_INDEX", "1")
    assert run("actions --all --json").stdout == with_index
    assert run("actions --overdue --due-within 30d --json").stdout == run("actions --json").stdout


def test_read_only_store_works_without_an_index(run, indexed, monkeypatch):
    from escg.store import index as index_module

    def refuse(*args, **kwargs):
        import sqlite3

        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(index_module.sqlite3, "connect", refuse)
    assert ids(run) == ["A-001", "A-002", "A-003", "A-004", "A-005"]


def test_the_index_is_ignored_by_git(indexed):
    assert ".escg-index*" in (indexed / ".gitignore").read_text()


def test_a_long_build_reports_progress(run, people_store):
    """A first run over thousands of files reports its progress (the CLI draws a bar on a terminal)."""
    from escg.core import model
    # An index of the store as it was (escg.toml, people.toml, forward-plan.toml): the
    # progress counts the 2,501 new files only.
    run("actions --all --json")
    assert (people_store / INDEX_NAME).exists()
    from escg.store.edit import new_document
    from escg.store.files import atomic_write

    for n in range(1, 2502):
        action = model.Action(model.action_id(n), f"Bulk {n}", "bob", "police", status="open")
        atomic_write(people_store / "actions" / "2026" / f"{action.id}-beef.toml", new_document(action.to_toml()), durable=False)
    store = Store(people_store)
    seen = []
    store.on_progress = lambda done, total: seen.append((done, total))
    assert len(store.actions) == 2501
    assert seen[0] == (500, 2501) and seen[-1] == (2501, 2501)


def test_review_rows_are_what_json_would_write(run, indexed, monkeypatch):
    """The index splices each row's RAG between two stored halves: the bytes must be
    exactly json.dumps of the contract, for every filter."""
    for args in ("actions --json", "actions --all --json", "actions --overdue --due-within 3d --json",
                 "actions --closed --json", "actions --owner bob --json"):
        spliced = run(args).stdout
        monkeypatch.setenv("ESCG_NO_INDEX", "1")
        assert run(args).stdout == spliced, args
        monkeypatch.delenv("ESCG_NO_INDEX")


def test_a_broken_file_is_not_reported_as_unknown(run, indexed):
    path = next((indexed / "actions").rglob("A-002-*.toml"))
    path.write_text(path.read_text().replace("due = 2026-12-02", 'due = "2026-12-02"'))
    result = run("action show A-002", code=6)
    assert "'due' must be a TOML date" in result.stderr


def test_data_kept_as_json_comes_back_as_it_was():
    """The index keeps each file's TOML data as JSON, dates tagged with \\x01 (escg.store.loader).
    The quick encoder must write what the long one writes, and fall back to it for a string
    that itself starts with, or holds, \\x01."""
    import datetime
    import tomllib
    from pathlib import Path

    from escg.store.loader import _encode, decode, encode

    def long_way(data):
        return json.dumps(_encode(data), ensure_ascii=False, separators=(",", ":"))

    repo = Path(__file__).resolve().parent.parent
    cases = [tomllib.loads(path.read_text(encoding="utf-8")) for path in sorted((repo / "agendas").rglob("*.toml"))]
    cases += [{"a": "\x01x", "d": datetime.date(2026, 1, 2)}, {"k\x01": 1}, {"s": "\\u0001", "t": datetime.time(9, 30)},
              {"x": [datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.timezone.utc), {"y": "é\x02"}], "n": float("nan")},
              {"only": "\x01"}, {}]
    for data in cases:
        assert encode(data) == long_way(data)
        assert repr(decode(encode(data))) == repr(data)  # repr: nan != nan
    assert decode(encode({"a": "\x01d2026-01-01"})) == {"a": "\x01d2026-01-01"}  # not a date


def _tables(root) -> dict[str, list]:
    import sqlite3

    db = sqlite3.connect(root / INDEX_NAME)
    try:
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY path").fetchall()
                for table in ("files", "actions", "meetings", "decisions", "confidential")}
    finally:
        db.close()


def _indexes(root) -> list[tuple[str, str]]:
    """The index's own SQL indexes, (name, statement): a first build in workers makes most
    of them once its rows are in, and must end with the same ones."""
    import sqlite3

    db = sqlite3.connect(root / INDEX_NAME)
    try:
        return db.execute("SELECT name, sql FROM sqlite_master WHERE type='index' ORDER BY name").fetchall()
    finally:
        db.close()


def _build(root) -> None:
    from escg.store.index import StoreIndex

    for suffix in ("", "-wal", "-shm"):
        (root / f"{INDEX_NAME}{suffix}").unlink(missing_ok=True)
    index = StoreIndex(root)
    try:
        index.refresh()
    finally:
        index.close()


def test_a_first_build_in_worker_processes_records_what_one_process_does(example_store, monkeypatch):
    """A first build of a large store parses in a process per core and records each batch as
    it arrives: every row must be what parsing in this process records (a broken file too)."""
    from escg.store import index

    (example_store / "actions" / "2026" / "A-900-broken.toml").write_text('id = "A-900"\ntitle = \n')
    _build(example_store)
    serial = _tables(example_store)
    indexes = _indexes(example_store)
    assert len(serial["files"]) > 40 and any(row[7] for row in serial["files"])  # an error row
    assert len(indexes) > 10
    _in_workers(monkeypatch, 7)  # several batches
    reports = []

    def here(*args):
        raise AssertionError("parsed in this process")

    monkeypatch.setattr(index.StoreIndex, "_parse_serial", here)
    for suffix in ("", "-wal", "-shm"):
        (example_store / f"{INDEX_NAME}{suffix}").unlink(missing_ok=True)
    built = index.StoreIndex(example_store)
    try:
        built.refresh(lambda done, total: reports.append((done, total)))
    finally:
        built.close()
    assert _tables(example_store) == serial
    assert _indexes(example_store) == indexes
    total = len(serial["files"])
    assert reports[-1] == (total, total) and len(reports) == -(-total // 7)


def _in_workers(monkeypatch, batch: int) -> None:
    from escg.store import workers

    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(workers, "BATCH", batch)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def test_an_interrupted_first_build_keeps_what_it_recorded(example_store, monkeypatch):
    """A batch a transaction: a build that fails part way keeps the batches it recorded,
    stops its workers, and the next read records the rest."""
    import multiprocessing

    from escg.store import index

    _build(example_store)
    whole = _tables(example_store)
    indexes = _indexes(example_store)
    _in_workers(monkeypatch, 5)
    calls = []
    original = index.StoreIndex._store

    def store(self, db, parsed):
        calls.append(len(parsed))
        if len(calls) == 3:
            raise OSError("disk full")
        return original(self, db, parsed)

    monkeypatch.setattr(index.StoreIndex, "_store", store)
    for suffix in ("", "-wal", "-shm"):
        (example_store / f"{INDEX_NAME}{suffix}").unlink(missing_ok=True)
    built = index.StoreIndex(example_store)
    with pytest.raises(OSError, match="disk full"):
        built.refresh()
    built.close()
    assert multiprocessing.active_children() == []
    assert len(_tables(example_store)["files"]) == 10  # two batches of five
    assert _indexes(example_store) != indexes  # those the build makes at its end are not there yet
    monkeypatch.setattr(index.StoreIndex, "_store", original)
    again = index.StoreIndex(example_store)
    again.refresh()
    again.close()
    assert _tables(example_store) == whole
    assert _indexes(example_store) == indexes  # made again as the index was opened


def test_a_worker_that_dies_stops_the_build_with_an_error(example_store, monkeypatch):
    """Killed or out of memory: the build must not wait for ever for the dead worker."""
    import multiprocessing

    from escg.core.errors import EscgError, StoreError
    from escg.store import index

    _in_workers(monkeypatch, 5)
    original = index.parse_file

    def dies(root, relative, kind, *args, **kwargs):
        if relative.endswith("2026-12-03.toml"):
            os._exit(9)  # in the worker process
        return original(root, relative, kind, *args, **kwargs)

    monkeypatch.setattr(index, "parse_file", dies)
    built = index.StoreIndex(example_store)
    with pytest.raises(EscgError, match="stopped unexpectedly") as stopped:
        built.refresh()
    assert not isinstance(stopped.value, StoreError)  # exit 1, not 6: the store is not at fault
    built.close()
    assert multiprocessing.active_children() == []


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="reads /proc")
def test_workers_leave_when_their_parent_is_killed():
    """A command killed with SIGKILL cannot stop its worker processes: they must not wait on
    their pipes for ever."""
    import signal
    import subprocess
    import sys
    import time

    code = ("import time\n"
            "from escg.store import workers\n"
            "for _ in workers.each_batch(time.sleep, [0.2] * 40, 'sleeping'):\n"
            "    print('working', flush=True)\n"
            "    break\n"
            "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert parent.stdout.readline() == "working\n"  # a first batch is done: the workers run
    children = _children(parent.pid)
    assert children
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and [pid for pid in children if _running(pid)]:
        time.sleep(0.1)
    assert not [pid for pid in children if _running(pid)]


def _stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, parent, ...), or None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _children(parent: int) -> list[int]:
    return [int(name) for name in os.listdir("/proc") if (fields := _stat(name)) and int(fields[1]) == parent]


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, nor a zombie waiting to be reaped)."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def test_a_rebuild_in_workers_over_an_index_replaces_every_row(example_store, monkeypatch):
    """2,000 files changed at once (a git checkout) are parsed by the workers too: each
    batch replaces the rows the index had of its files."""
    _build(example_store)
    before = _tables(example_store)
    path = next(p for p in sorted((example_store / "actions").rglob("A-*.toml")) if 'status = "open"' in p.read_text())
    path.write_text(path.read_text().replace('status = "open"', 'status = "done"\nclosed = 2026-11-23'))
    ident = path.name[:5]
    for file in example_store.rglob("*.toml"):
        os.utime(file, ns=(file.stat().st_atime_ns, file.stat().st_mtime_ns + 1_000_000_000))
    _in_workers(monkeypatch, 4)
    from escg.store import index

    built = index.StoreIndex(example_store)
    built.refresh()
    built.close()
    after = _tables(example_store)
    _build(example_store)  # from nothing, in this process
    expected = _tables(example_store)
    drop = lambda rows: [(row[0], *row[7:9]) for row in rows]  # noqa: E731 - not the signature or seq
    assert drop(after["files"]) == drop(expected["files"])
    assert after["actions"] != before["actions"]
    assert {table: rows for table, rows in after.items() if table != "files"} == {
        table: rows for table, rows in expected.items() if table != "files"}
    assert [row for row in after["actions"] if row[1] == ident][0][3] == "done"


def test_meeting_dates_asked_one_by_one_then_all_at_once(example_store, monkeypatch):
    """`action show` asks the index for one meeting's date; a long listing, after a few, for
    all of them: every answer is the meeting's date, or None for no such meeting."""
    monkeypatch.setattr(Store, "DATES_ONE_BY_ONE", 3)
    store = Store(example_store)
    expected = {m.id: m.date for m in store.meeting_summaries()}
    fresh = Store(example_store)
    asked = [*expected, "2020-01-01", None, *expected]
    assert len(expected) > 3
    assert [fresh.meeting_date(ident) for ident in asked] == [expected.get(ident) for ident in asked]
    assert "dates" in fresh._cache  # it went on to load them all


def test_the_index_keeps_the_data_of_the_top_files_only(example_store, run):
    """A meeting is read in full from its file, an action from its row of ``actions``: the
    files table keeps no copy of them (at 100,000 actions the copies made the index larger
    than the store)."""
    run("agenda render next")
    files = {path: (kind, data) for path, _, kind, *_, data, _ in _tables(example_store)["files"]}
    kept = {path for path, (kind, data) in files.items() if data is not None}
    assert kept == {"escg.toml", "people.toml", "forward-plan.toml"} & set(files)
    assert {"meeting", "action"} <= {kind for kind, _ in files.values()}


def test_the_meeting_before_and_the_action_log_are_searched_not_scanned(example_store):
    """The agenda's previous meeting and its action log (open, or closed since) are asked of the
    index's own indexes: a table scan there cost 43 ms and 35 ms a call at 100,000 actions."""
    from datetime import date

    from escg.domain import meetings
    from escg.store.query import OPEN, ActionQuery

    summaries = Store(example_store).meeting_summaries()
    store = Store(example_store)  # one that has not read every summary: it asks the index
    index = store.index()

    class Recording:  # the connection, noting each statement and its parameters
        def __init__(self, db):
            self.db, self.asked = db, []

        def execute(self, sql, params=()):
            self.asked.append((sql, params))
            return self.db.execute(sql, params)

        def __getattr__(self, name):
            return getattr(self.db, name)

    index._db = recording = Recording(index.db())
    middle = summaries[len(summaries) // 2]
    assert meetings.previous_meeting(store, middle) == [m for m in summaries[:len(summaries) // 2]
                                                        if not m.status.cancelled][-1]
    assert meetings.following_meeting(store, middle) == [m for m in summaries[len(summaries) // 2 + 1:]
                                                         if not m.status.cancelled][0]
    where, params, order = ActionQuery(statuses=OPEN, closed_after=date(2026, 6, 1), by_due=True).sql()
    queries = [(sql, values) for sql, values in recording.asked if "FROM meetings WHERE" in sql]
    queries.append((f"SELECT data FROM actions WHERE {where} ORDER BY {order}", params))
    assert len(queries) == 3
    for sql, values in queries:
        plan = [row[3] for row in index.db().execute(f"EXPLAIN QUERY PLAN {sql}", values)]
        assert not [step for step in plan if step.startswith("SCAN")], (sql, plan)
        if "LIMIT 1" in sql:  # the one meeting is read off the date index in order, not sorted out of many
            assert not [step for step in plan if "TEMP B-TREE" in step], (sql, plan)


@pytest.mark.parametrize("no_index", [False, True], ids=["index", "files"])
def test_a_misnamed_action_file_concerns_its_own_name_only(run, indexed, monkeypatch, no_index):
    """A file named for one action that holds another: the index and the files give the
    same answers. With the index, that one file made every `action show` fail."""
    path = next((indexed / "actions").rglob("A-002-*.toml"))
    path.rename(path.with_name("A-099" + path.name[5:]))
    if no_index:
        monkeypatch.setenv("ESCG_NO_INDEX", "1")
    assert "A-003" in run("action show A-003").stdout
    assert run("action show A-002", code=4).stderr == "error: unknown action A-002; see `escg actions --all`\n"
    shown = f"actions/{path.parent.name}/A-099{path.name[5:]}"
    assert run("action show A-099", code=6).stderr == (
        f"error: {shown}: the file name does not start with its id A-002\n")


def test_a_file_removed_while_the_index_reads_it_is_gone_not_broken(run, example_store, monkeypatch):
    """Listed, then removed (or renamed) before it was read: the read that builds the index
    answers without it, as the next one would, rather than failing with "file not found"."""
    from escg.store import index

    victim = next(p for p in sorted((example_store / "actions").rglob("A-*.toml")))
    ident = victim.name[:5]
    for suffix in ("", "-wal", "-shm"):
        (example_store / f"{INDEX_NAME}{suffix}").unlink(missing_ok=True)
    original = index.parse_file

    def parse_file(root, relative, kind, *args, **kwargs):
        if relative.endswith(victim.name):
            victim.unlink(missing_ok=True)
        return original(root, relative, kind, *args, **kwargs)

    monkeypatch.setattr(index, "parse_file", parse_file)
    listed = json.loads(run(["--store", str(example_store), "actions", "--all", "--json"]).stdout)
    assert listed and ident not in {a["id"] for a in listed}


def test_every_meeting_query_gives_the_same_meetings_from_the_index_and_the_files(example_store, monkeypatch):
    """MeetingQuery as SQL on the index and as matches() on the files, for every mix of its
    filters around the example store's dates (one of them a cancelled meeting's)."""
    import itertools
    from datetime import date, timedelta

    from escg.store.query import MeetingQuery

    monkeypatch.delenv("ESCG_CROSSCHECK", raising=False)  # compared here, not by the store
    store = Store(example_store)
    every = store._all_summaries()
    assert any(m.status.cancelled for m in every)
    cancelled = next(m for m in every if m.status.cancelled)
    days = [None, cancelled.date, cancelled.date - timedelta(days=1), date(2026, 12, 3), date(2030, 1, 1)]
    keys = [None, (cancelled.date, cancelled.id), (date(2026, 12, 3), "2026-12-03"), (date(2026, 12, 3), "2026-12-03b")]
    asked, found = 0, 0
    for ident, day, from_day, to_day, after, before, not_cancelled, newest_first, limit in itertools.product(
            [None, cancelled.id, "2026-12-03"], days[:2], days, days, keys, keys[:3], [False, True], [False, True],
            [None, 1, 2]):
        query = MeetingQuery(ident=ident, day=day, from_day=from_day, to_day=to_day, after=after, before=before,
                             not_cancelled=not_cancelled, newest_first=newest_first, limit=limit)
        rows = store.select_meetings(query)
        assert rows == query.run(every), query
        asked, found = asked + 1, found + bool(rows)
    assert "summaries" not in store._cache  # every one was asked of the index
    assert asked == 3 * 2 * 5 * 5 * 4 * 3 * 2 * 2 * 3 and found > 1000


def test_meeting_queries_by_status_and_chair_agree_from_the_index_and_the_files(example_store, monkeypatch, run):
    """MeetingQuery's statuses, chair, person and org, as SQL and as matches(), mixed with
    its other filters."""
    import itertools
    from datetime import date

    from escg.core import model
    from escg.store.query import MeetingQuery

    run("meeting edit 2027-02-04 --chair mark-thornton")
    monkeypatch.delenv("ESCG_CROSSCHECK", raising=False)  # compared here, not by the store
    store = Store(example_store)
    every = store._all_summaries()
    chairs = sorted({m.chair for m in every if m.chair})
    assert chairs == ["mark-thornton"]
    statuses = [None, frozenset(), model.WITH_MINUTES, model.DRAFT_MINUTES,
                frozenset({model.MeetingStatus.CANCELLED, model.MeetingStatus.PLANNED})]
    people = [None, "mark-thornton", "helen-marsh", "mark", "nobody"]  # "mark" is part of an id only
    orgs = [None, "ecc", "southend", "e"]  # "e" is part of an id only
    found = 0
    for wanted, chair, person, org, to_day, not_cancelled, newest_first, limit in itertools.product(
            statuses, [None, chairs[0], "nobody"], people, orgs, [None, date(2026, 12, 3)], [False, True],
            [False, True], [None, 1]):
        query = MeetingQuery(statuses=wanted, chair=chair, person=person, org=org, to_day=to_day,
                             not_cancelled=not_cancelled, newest_first=newest_first, limit=limit)
        rows = store.select_meetings(query)
        assert rows == query.run(every), query
        found += bool(rows)
    assert "summaries" not in store._cache and found > 20


def test_two_files_of_one_action_come_in_the_same_order_from_the_index_and_the_files(example_store, run):
    """After a clashing merge two files can hold one id: every listing (crosschecked) orders
    them as the files are read, by path."""
    import shutil

    first = sorted((example_store / "actions").rglob("A-003-*.toml"))[0]
    shutil.copy(first, first.with_name("A-003-0000.toml"))
    for args in ("ics --actions", "actions --all --json", "actions --closed", "actions --all --format csv"):
        run(args)  # ESCG_CROSSCHECK: the index and the files must agree, ties included


def test_two_files_of_one_action_in_folders_that_sort_apart_come_in_one_order(example_store, run, monkeypatch):
    """"2025 copy/" sorts before "2025/" as text (the index's ORDER BY path) but after it as
    a path's parts (the files' listing): every listing and the "used twice" error named the
    copies in different orders with and without the index (an adversary's fuzzer)."""
    import shutil

    first = next((example_store / "actions" / "2025").glob("A-001-*.toml"))
    (example_store / "actions" / "2025 copy").mkdir()
    shutil.copy(first, example_store / "actions" / "2025 copy" / "A-001-bbbb.toml")
    for args in ("actions --all --format csv", "ics --actions"):
        run(args)  # ESCG_CROSSCHECK: the index and the files must agree, ties included
    indexed = run("action show A-001", code=5).stderr
    assert indexed.index("2025 copy/") < indexed.index("2025/A-001")
    monkeypatch.setenv("ESCG_NO_INDEX", "1")
    assert run("action show A-001", code=5).stderr == indexed


def test_a_second_file_of_an_action_that_cannot_be_read_says_so_either_way(example_store, run, monkeypatch):
    """A merge conflict left in a second file of A-020: the index said what is wrong with
    that file (exit 6), the files' path that the id is used twice (exit 5)."""
    original = next((example_store / "actions").rglob("A-020-*.toml"))
    conflicted = original.with_name("A-020-9c1d.toml")
    conflicted.write_text(f"<<<<<<< HEAD\n{original.read_text()}=======\n>>>>>>> theirs\n")
    for command in ("action show A-020", "action done A-020"):
        indexed = run(command, code=6).stderr
        assert "A-020-9c1d.toml:1: invalid TOML" in indexed
        monkeypatch.setenv("ESCG_NO_INDEX", "1")
        assert run(command, code=6).stderr == indexed
        monkeypatch.delenv("ESCG_NO_INDEX")


def test_a_file_named_in_bytes_that_are_not_utf8_is_left_out_and_reported(run, indexed, monkeypatch):
    # Its name arrives as surrogates, which SQLite, JSON and the terminal refuse: every read
    # leaves the file out, with the index or without, and `escg check` says to rename it.
    folder = indexed / "actions" / "2026"
    source = next(folder.glob("A-001-*.toml")).read_text()
    odd = os.path.join(os.fsencode(folder), b"A-030-\xff.toml")
    with open(odd, "w", encoding="utf-8") as handle:
        handle.write(source.replace('"A-001"', '"A-030"'))
    meeting = os.path.join(os.fsencode(indexed / "meetings"), b"2026", b"2026-12-0\xe9.toml")
    os.makedirs(os.path.dirname(meeting), exist_ok=True)
    with open(meeting, "w", encoding="utf-8") as handle:
        handle.write('date = 2026-12-07\nstart = "10:00"\nend = "12:00"\n')
    folder_named = os.path.join(os.fsencode(indexed / "actions"), b"20\xe9")
    os.makedirs(folder_named)
    with open(os.path.join(folder_named, b"A-031-beef.toml"), "w", encoding="utf-8") as handle:
        handle.write(source.replace('"A-001"', '"A-031"'))
    listed = ids(run, "actions --all --json")  # the crosscheck compares it with the files
    assert "A-030" not in listed and "A-031" not in listed and len(listed) == 6
    assert run("meeting list --json").stdout == "[]\n"
    for args in ("check", "check --full"):
        found = run(args, code=6).stdout
        assert "actions/2026/A-030-\\xff.toml: the file name is not UTF-8 text; escg ignores the file: rename it" in found
        assert "meetings/2026/2026-12-0\\xe9.toml: the file name is not UTF-8 text" in found
        assert "actions/20\\xe9: the folder name is not UTF-8 text; escg ignores the folder and what it holds" in found
    monkeypatch.setenv("ESCG_NO_INDEX", "1")
    assert ids(run, "actions --all --json") == listed


def test_every_decision_query_gives_the_same_decisions_from_the_index_and_the_files(example_store, monkeypatch):
    """DecisionQuery as SQL on the index and in Python on the files, every mix of its filters."""
    import itertools
    from datetime import date

    from escg.store.query import DecisionQuery

    monkeypatch.delenv("ESCG_CROSSCHECK", raising=False)  # compared here, not by the store
    store = Store(example_store)
    every = store.decisions()
    assert len({d.meeting for d in every}) > 2 and len({d.theme for d in every}) > 2
    meetings = [None, every[0].meeting, every[-1].meeting, "2099-01-01"]
    themes = [None, every[0].theme, every[-1].theme, "no-such-theme"]
    found = 0
    for meeting, theme, since in itertools.product(meetings, themes, [None, date(2026, 6, 1), date(2099, 1, 1)]):
        query = DecisionQuery(meeting=meeting, theme=theme, since=since)
        rows = store.select_decisions(query)
        monkeypatch.setenv("ESCG_NO_INDEX", "1")
        assert Store(example_store).select_decisions(query) == rows, query
        monkeypatch.delenv("ESCG_NO_INDEX")
        assert rows == [d for d in every if (meeting is None or d.meeting == meeting)
                        and (theme is None or d.theme == theme)
                        and (since is None or store.meeting_date(d.meeting) >= since)], query
        found += bool(rows)
    assert found > 10
