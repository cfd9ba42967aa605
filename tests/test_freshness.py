"""Freshness is exact: any change to any file is seen by the next read, whatever the size.

The old index stat'ed only open actions above 5,000 files, so a closed action
reopened by an in-place edit (an editor that truncates and rewrites) vanished
from the review. These tests make the store larger than that and edit files in
every way a person, git or a restore script would.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import types
from datetime import date
from pathlib import Path

import pytest

import stores
from escg.core import model
from escg.store.edit import new_document

MANY = 5_200  # more than the old full-stat threshold of 5,000


def store_files() -> dict[str, str]:
    """MANY closed actions and one held meeting: {path in the store: text}."""
    files = {
        "escg.toml": 'name = "Big Group"\nshort = "BG"\n',
        "people.toml": '[orgs.police]\nname = "Police"\n\n[people.bob]\nname = "Bob"\norg = "police"\n',
        "meetings/2026/2026-10-01.toml": 'date = 2026-10-01\nstart = "10:00"\nend = "12:00"\nstatus = "held"\n',
    }
    for number in range(1, MANY + 1):
        action = model.Action(model.action_id(number), f"Closed {number}", "bob", "police",
                              status="done", created=date(2026, 1, 1), closed=date(2026, 1, 1))
        files[f"actions/2026/{action.id}-beef.toml"] = new_document(action.to_toml())
    return files


def write_files(root: Path, files: dict[str, str]) -> None:
    for name in sorted({os.path.dirname(name) for name in files}):
        (root / name).mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        with open(root / name, "w", encoding="utf-8") as handle:
            handle.write(text)


@pytest.fixture(scope="module")
def big():
    """The texts, made once for the module."""
    return store_files()


@pytest.fixture
def store(big, tmp_path, monkeypatch):
    """Each test writes its own store from the texts, in a fresh folder of its own: on a
    RAM file system when there is one (5,200 new files take about 0.2 s there, 1-3 s
    on this machine's disk), else in tmp_path. Removed after the test."""
    ram = stores.ram_dir()
    folder = Path(tempfile.mkdtemp(prefix="escg-freshness-", dir=ram)) if ram else tmp_path
    root = folder / "big"
    try:
        write_files(root, big)
        monkeypatch.setenv("ESCG_STORE", str(root))
        yield root
    finally:
        if ram:
            shutil.rmtree(folder, ignore_errors=True)


def open_ids(run) -> list[str]:
    return [a["id"] for a in json.loads(run("actions --json").stdout)]


def rewrite_in_place(path, old: str, new: str) -> None:
    """Truncate and rewrite the same inode, as many editors and restore scripts do;
    keep the folder's mtime as it was."""
    folder_mtime = path.parent.stat().st_mtime_ns
    with open(path, "r+") as handle:
        text = handle.read()
        assert old in text
        handle.seek(0)
        handle.write(text.replace(old, new))
        handle.truncate()
    assert path.parent.stat().st_mtime_ns == folder_mtime


def reopen_in_place(path) -> None:
    rewrite_in_place(path, 'status = "done"\ncreated = 2026-01-01\nclosed = 2026-01-01\n',
                     'status = "open"\ncreated = 2026-01-01\n')


def test_a_closed_action_reopened_in_place_is_seen(run, store):
    assert open_ids(run) == []  # the index is built, every action closed
    path = store / "actions" / "2026" / "A-4711-beef.toml"
    reopen_in_place(path)
    assert open_ids(run) == ["A-4711"]


def test_an_in_place_edit_that_keeps_size_and_mtime_is_seen(run, store):
    """A restore that puts back the old mtime (cp -p, tar, rsync -t) with the same size."""
    assert open_ids(run) == []
    path = store / "actions" / "2026" / "A-042-beef.toml"
    before = path.stat()
    rewrite_in_place(path, 'title = "Closed 42"', 'title = "Closed 24"')
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    shown = json.loads(run("action show A-042 --json").stdout)
    assert shown["title"] == "Closed 24"
    listed = {a["id"]: a["title"] for a in json.loads(run("actions --all --json").stdout)}
    assert listed["A-042"] == "Closed 24"


def test_renames_deletions_and_new_files_are_seen(run, store):
    assert open_ids(run) == []
    folder = store / "actions" / "2026"
    (folder / "A-007-beef.toml").unlink()
    source = (folder / "A-008-beef.toml").read_text()
    (folder / "A-9999-cafe.toml").write_text(source.replace('"A-008"', '"A-9999"').replace(
        'status = "done"', 'status = "open"').replace("closed = 2026-01-01\n", ""))
    every = [a["id"] for a in json.loads(run("actions --all --json").stdout)]
    assert "A-007" not in every and "A-9999" in every and len(every) == MANY
    assert open_ids(run) == ["A-9999"]


def test_a_meeting_edited_in_place_is_seen(run, store):
    assert json.loads(run("meeting list --json").stdout)[0]["status"] == "held"
    rewrite_in_place(store / "meetings" / "2026" / "2026-10-01.toml", 'status = "held"', 'status = "cancelled"')
    assert json.loads(run("meeting list --json").stdout)[0]["status"] == "cancelled"


def test_the_same_answers_without_the_index(run, store, monkeypatch):
    path = store / "actions" / "2026" / "A-100-beef.toml"
    run("actions --json")
    reopen_in_place(path)
    indexed = run("actions --all --json").stdout
    monkeypatch.setenv("ESCG_NO_INDEX", "1")
    assert run("actions --all --json").stdout == indexed


def test_a_write_updates_its_rows_as_it_commits(run, people_store, monkeypatch):
    """Write-through: after a write, the next read finds every row current and parses nothing."""
    from escg.domain import actions, attendance
    from escg.store import ActionQuery, Store, index

    run("meeting new 2026-12-03")
    run("actions")  # the index is built
    actions.add_action(Store(people_store), "Write through", owner="bob", due="2026-12-01")
    attendance.attend(Store(people_store), "2026-12-03", apologies=["cat"])
    parsed = []
    real = index.parse_file
    monkeypatch.setattr(index, "parse_file", lambda *args, **kwargs: parsed.append(args[1]) or real(*args, **kwargs))
    store = Store(people_store)
    assert [a.title for a in store.select_actions(ActionQuery())] == ["Write through"]
    assert store.meeting("2026-12-03").attendance.apologies == ["cat"]
    assert parsed == []


def test_a_file_added_then_a_backup_restored_over_the_store_is_seen(run, meeting_store, tmp_path):
    """`cp -a backup/. store/` (as tar -x and rsync -a do) puts each folder's mtime back as it
    was, over a file added since the backup; the folder's ctime, which no program can set,
    still changes: the index and `escg check` list the folder again."""
    import subprocess

    run("action add 'First' --owner bob")
    run("check")
    assert open_ids(run) == ["A-001"]  # the index and the check have seen the folders
    backup = tmp_path / "backup"
    subprocess.run(["cp", "-a", f"{meeting_store}/.", str(backup)], check=True)
    folder = meeting_store / "actions" / "2026"
    source = next(folder.glob("A-001-*.toml")).read_text()
    (folder / "A-002-cafe.toml").write_text(
        source.replace('"A-001"', '"A-002"').replace("First", "Second").replace('owner = "bob"', 'owner = "nobody"'))
    subprocess.run(["cp", "-a", f"{backup}/.", str(meeting_store)], check=True)
    assert folder.stat().st_mtime_ns == (backup / "actions" / "2026").stat().st_mtime_ns  # put back
    assert "A-002-cafe.toml:" in run("check", code=6).stdout  # its owner is nobody's
    (folder / "A-002-cafe.toml").write_text(source.replace('"A-001"', '"A-002"').replace("First", "Second"))
    assert open_ids(run) == ["A-001", "A-002"]


def one_tick(monkeypatch, run, store: Path) -> Path:
    """A-001 (added now) as a coarse clock shows it: every change to it within the one tick
    of now, the index's clock reading within it too, however loaded the machine is; and
    escg's own window for such changes (conftest sets it to 0)."""
    from escg.store import index

    monkeypatch.setattr(index, "RACY_NS", 20_000_000)
    run("action add 'First' --owner bob")
    path = next((store / "actions" / "2026").glob("A-001-*.toml"))
    real = os.stat
    tick = time.time_ns()

    def coarse(target, *args, **kwargs):
        result = real(target, *args, **kwargs)
        if os.fspath(target) != str(path):
            return result
        fields = {name: getattr(result, name) for name in (
            "st_atime", "st_mtime", "st_ctime", "st_atime_ns", "st_blksize", "st_blocks", "st_rdev")}
        fields["st_mtime_ns"] = fields["st_ctime_ns"] = tick
        return os.stat_result(tuple(result[:10]), fields)

    monkeypatch.setattr(os, "stat", coarse)
    monkeypatch.setattr(index, "time", types.SimpleNamespace(time_ns=lambda: tick + 1_000_000))
    return path


def test_a_file_changed_again_within_its_timestamps_tick_is_seen(run, meeting_store, monkeypatch):
    """Racily clean, as git says: where timestamps are coarse (a few ms on most Linux
    kernels; this one's are fine), a file changed again, at the same size, within the tick
    of the stat the index recorded shows the same signature. The index records a file
    changed that shortly before its stat as RACY, so the next read parses it again."""
    path = one_tick(monkeypatch, run, meeting_store)
    rewrite_in_place(path, "First", "Frist")
    assert open_ids(run) == ["A-001"]  # statted and recorded within the tick of the edit
    rewrite_in_place(path, "Frist", "Fisrt")  # the same size, the same inode, the same tick
    titles = {a["id"]: a["title"] for a in json.loads(run("actions --json").stdout)}
    assert titles == {"A-001": "Fisrt"}


def test_a_calendar_text_is_not_kept_for_a_file_changed_within_its_tick(run, meeting_store, monkeypatch):
    """escg ics keeps each text under its files' signatures: a racily clean file has none
    yet (two contents can share one), so no text of it is kept or read back."""
    path = one_tick(monkeypatch, run, meeting_store)
    for title in ("Frist", "Fisrt", "Firts"):  # the same size, the same inode, the same tick
        rewrite_in_place(path, path.read_text().split('title = "', 1)[1].split('"', 1)[0], title)
        assert f"SUMMARY:A-001: {title}" in run("ics").stdout


def test_how_long_a_change_is_unsettled_follows_the_file_systems_times():
    """A few ms where times are in nanoseconds; 2 s where they are whole milliseconds or
    coarser (FAT, exFAT, ext4 with small inodes), whose tick may be a second or two."""
    from escg.store import index

    now = 1_800_000_000_123_456_789
    fine, coarse = now - 1_000_000_001, now // 1_000_000_000 * 1_000_000_000 - 1_000_000_000
    assert index._as_recorded((1, 2, 3, fine), now)[-1] == fine  # conftest's windows are 0
    assert index._as_recorded((1, 2, 3, coarse), now)[-1] == coarse
    saved = index.RACY_NS, index.COARSE_RACY_NS
    index.RACY_NS, index.COARSE_RACY_NS = 20_000_000, 2_000_000_000  # as escg has them
    try:
        assert index._as_recorded((1, 2, 3, fine), now) == (1, 2, 3, fine)
        assert index._as_recorded((1, 2, 3, coarse), now) == (1, 2, 3, index.RACY)
        assert index._as_recorded((1, 2, 3, now - 5_000_001), now) == (1, 2, 3, index.RACY)
        assert index._as_recorded((5, coarse - 2_000_000_000), now) == (5, coarse - 2_000_000_000)
    finally:
        index.RACY_NS, index.COARSE_RACY_NS = saved
