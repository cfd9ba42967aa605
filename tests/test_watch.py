"""The store watcher (escg.store.watch): reads that stat only what changed, and are
still exact. Each test starts a real watcher process on its store (inotify on this
machine's file system), edits files as people, git and restore scripts do, and
checks the next read; ESCG_CROSSCHECK (conftest) compares every answer with the
files read directly. The watcher is stopped after each test."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import struct
import sys
import time
from pathlib import Path

import pytest

import stores
from escg.store import index as index_module
from escg.store import watch

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


def watcher_pid(root: Path) -> int | None:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(watch.address(root))
            pid, _, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
            return pid
    except OSError:
        return None


def alive(pid: int) -> bool:
    """Whether the process runs (started in-process by the CLI, it is this test's child:
    reap it, or it would stay a zombie)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False


def stop_watcher(root: Path, wait: float = 0.0) -> None:
    """Stop the store's watcher, waiting up to ``wait`` seconds for one to appear."""
    pid = None
    for _ in range(int(wait / 0.05) + 1):
        pid = watcher_pid(root) if root.exists() else None
        if pid or not root.exists():
            break
        time.sleep(0.05)
    if pid:
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not alive(pid):
                break
            time.sleep(0.02)


@pytest.fixture
def watched(tmp_path, monkeypatch, run):
    """A small store that counts as large (ESCG_WATCH_FROM=1), its watcher running."""
    monkeypatch.delenv("ESCG_NO_WATCH")
    monkeypatch.setenv("ESCG_WATCH_FROM", "1")
    monkeypatch.setenv("ESCG_WATCH_IDLE", "10")  # a watcher a test leaves behind goes soon
    root = stores.write_small_store(tmp_path / "store")
    stores.write_actions(root, *(stores.action_toml(n, f"Action {n}", "jo", "ecc", status="done",
                                                    closed=stores.TODAY) for n in range(1, 4)))
    if not watch.usable(root):
        pytest.skip("this file system does not report every change (a network or FUSE file system)")
    run("actions --all --json")  # indexes the store, and counts its files
    run("actions --all --json")  # starts the watcher
    for _ in range(100):
        if watcher_pid(root):
            break
        time.sleep(0.05)
    assert watcher_pid(root), "the watcher did not start"
    run("actions --all --json")  # takes its first token (a full stat)
    yield root
    stop_watcher(root, wait=2.0)  # the one running, or one a test's last read has just started


@pytest.fixture
def statted(monkeypatch):
    """How many reads statted every file."""
    calls = []
    full = index_module.StoreIndex._refresh_all

    def counting(self, db, report):
        calls.append(1)
        return full(self, db, report)

    monkeypatch.setattr(index_module.StoreIndex, "_refresh_all", counting)
    return calls


def open_ids(run) -> list[str]:
    return [a["id"] for a in json.loads(run("actions --json").stdout)]


def reopen_in_place(path: Path) -> None:
    """As an editor that truncates and rewrites the file (same inode)."""
    text = path.read_text().replace('status = "done"', 'status = "open"')
    text = "\n".join(line for line in text.split("\n") if not line.startswith("closed ="))
    with open(path, "r+", encoding="utf-8") as handle:
        handle.seek(0)
        handle.truncate()
        handle.write(text)


def test_an_in_place_reopen_is_seen_without_statting_every_file(run, watched, statted):
    assert open_ids(run) == []
    path = next((watched / "actions/2026").glob("A-002-*.toml"))
    reopen_in_place(path)
    assert open_ids(run) == ["A-002"]
    assert statted == [], "the read statted every file although the watcher knew what changed"


def test_a_read_the_watcher_answers_imports_no_socket_module(watched):
    """A read asks through the C module _socket: socket.py's import was a tenth of the
    open-action listing of a large store."""
    import subprocess

    code = ("import sys\nfrom pathlib import Path\nfrom escg.store import watch\n"
            f"answer = watch.ask(Path({str(watched)!r}), None)\n"
            "print(answer is not None and answer[1] is None, 'socket' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "False"]  # answered (FULL: a new token), and no socket.py


def test_a_restore_with_the_old_time_and_size_is_seen(run, watched, statted):
    path = next((watched / "actions/2026").glob("A-001-*.toml"))
    saved = path.read_bytes()
    info = path.stat()
    reopen_in_place(path)
    assert open_ids(run) == ["A-001"]
    path.write_bytes(saved)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert open_ids(run) == []
    assert statted == []


def test_renames_deletes_and_new_files_are_seen(run, watched, statted):
    folder = watched / "actions/2026"
    first = next(folder.glob("A-001-*.toml"))
    first.rename(folder / "A-001-moved.toml")
    next(folder.glob("A-003-*.toml")).unlink()
    (folder / "A-004-0004.toml").write_text(stores.action_toml(4, "Brand new", "sam", "police"))
    ids = [a["id"] for a in json.loads(run("actions --all --json").stdout)]
    assert ids == ["A-001", "A-002", "A-004"]
    assert open_ids(run) == ["A-004"]
    assert statted == []


def test_a_new_folder_makes_one_read_stat_everything(run, watched, statted):
    """A year folder (or a git checkout that recreates folders): the watcher cannot
    know what is in it, so it says so, and the read stats every file."""
    (watched / "actions/2027").mkdir()
    (watched / "actions/2027/A-005-0005.toml").write_text(stores.action_toml(5, "Next year", "sam", "police"))
    assert open_ids(run) == ["A-005"]
    assert statted == [1]
    # Then the watcher watches the new folder too.
    (watched / "actions/2027/A-005-0005.toml").write_text(
        stores.action_toml(5, "Next year", "sam", "police", status="done", closed=stores.TODAY))
    assert open_ids(run) == []
    assert statted == [1]


def test_a_watcher_that_died_costs_speed_not_truth(run, watched, statted):
    os.kill(watcher_pid(watched), signal.SIGKILL)
    for _ in range(100):
        if watcher_pid(watched) is None:
            break
        time.sleep(0.02)
    reopen_in_place(next((watched / "actions/2026").glob("A-003-*.toml")))
    assert open_ids(run) == ["A-003"]
    assert statted == [1]  # and a new watcher is started for the next read


def test_a_token_from_another_watcher_gets_a_full_answer(watched):
    answer = watch.ask(watched, "0123456789abcdef:99999")
    assert answer is not None and answer[1] is None
    token, changed = watch.ask(watched, answer[0])
    assert changed == []


def test_no_watcher_when_turned_off(run, tmp_path, monkeypatch):
    monkeypatch.setenv("ESCG_WATCH_FROM", "1")  # ESCG_NO_WATCH stays set (conftest)
    root = stores.write_small_store(tmp_path / "store")
    for _ in range(3):
        run("actions --json")
    time.sleep(0.2)
    assert watcher_pid(root) is None


def test_the_watcher_stops_when_the_store_goes(run, watched):
    pid = watcher_pid(watched)
    for _ in range(10):  # SQLite may remove its -wal file as the tree goes
        shutil.rmtree(watched, ignore_errors=True)
        if not watched.exists():
            break
    for _ in range(100):
        if not alive(pid):
            break
        time.sleep(0.05)
    else:
        pytest.fail("the watcher outlived its store")


def test_the_issue_case_above_the_threshold_with_the_real_watcher(run, tmp_path, monkeypatch, statted):
    """The defect of issue 10 in its own terms: a store of more than 5,000 actions (the
    watcher's default threshold, not lowered here), a closed action reopened by an
    in-place rewrite, seen by the next read through the watcher, no file statted in bulk."""
    import tempfile

    import test_freshness

    monkeypatch.delenv("ESCG_NO_WATCH")
    monkeypatch.setenv("ESCG_WATCH_IDLE", "10")
    files = test_freshness.store_files()
    assert len(files) > 5000
    ram = stores.ram_dir()
    folder = Path(tempfile.mkdtemp(prefix="escg-watch-", dir=ram)) if ram else tmp_path
    root = folder / "big"
    try:
        test_freshness.write_files(root, files)
        monkeypatch.setenv("ESCG_STORE", str(root))
        if not watch.usable(root):
            pytest.skip("this file system does not report every change")
        assert open_ids(run) == []  # builds the index and counts its files
        assert open_ids(run) == []  # starts the watcher
        for _ in range(100):
            if watcher_pid(root):
                break
            time.sleep(0.05)
        assert open_ids(run) == []  # takes its first token
        before = len(statted)
        test_freshness.reopen_in_place(root / "actions" / "2026" / "A-4711-beef.toml")
        assert open_ids(run) == ["A-4711"]
        assert len(statted) == before, "the read statted every file although the watcher knew what changed"
    finally:
        stop_watcher(root)
        if ram:
            shutil.rmtree(folder, ignore_errors=True)


def test_a_watcher_will_not_serve_a_store_it_cannot_watch(tmp_path, monkeypatch):
    """Started by hand on a network or FUSE file system, a watcher stops at once: a read
    trusts any watcher that answers without asking the file system again."""
    root = stores.write_small_store(tmp_path / "store")
    monkeypatch.delenv("ESCG_NO_WATCH", raising=False)
    monkeypatch.setattr(watch, "_fs_type", lambda path: 0x6969)  # NFS
    started = time.monotonic()
    watch.serve(root)  # returns instead of serving
    assert time.monotonic() - started < 5
    assert watch.ask(root, None) is None


def test_a_read_asking_a_watcher_does_not_load_ctypes(watched):
    """The file-system check (ctypes, 1.5 ms) is the watcher's and its starter's, not every read's."""
    import subprocess

    env = {**os.environ, "ESCG_STORE": str(watched)}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "escg", "actions", "--json"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr[-1000:]
    imported = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "escg.store.watch" in imported  # it asked the watcher
    assert "ctypes" not in imported


def test_an_edit_through_a_hard_link_from_outside_is_seen(run, watched, statted, tmp_path):
    """A file with another name outside the store (cp -al, a hard-link backup): an edit
    through that name raises no event in the store's folders, so reads stat such files
    too, as the last full stat found them."""
    path = next((watched / "actions/2026").glob("A-002-*.toml"))
    outside = tmp_path / "backup-A-002.toml"
    os.link(path, outside)
    (watched / "actions/2028").mkdir()  # the watcher cannot know what is in it: a full stat
    assert open_ids(run) == [] and statted == [1]
    reopen_in_place(outside)
    assert open_ids(run) == ["A-002"]
    assert statted == [1]


def test_meetings_or_actions_as_a_link_pointed_elsewhere_is_seen(run, watched, tmp_path):
    """actions/ as a link to a folder: pointing it at another folder raises an event for
    a link, not a folder, in the store; the watcher starts again on what it names now."""
    first, second = tmp_path / "first", tmp_path / "second"
    (watched / "actions").rename(first)
    shutil.copytree(first, second)
    reopen_in_place(next((second / "2026").glob("A-001-*.toml")))
    (watched / "actions").symlink_to(second)
    assert open_ids(run) == ["A-001"]
    temporary = watched / "actions.new"
    temporary.symlink_to(first)
    temporary.rename(watched / "actions")  # as ln -sfn does: a new link moved over the old one
    assert open_ids(run) == []
    reopen_in_place(next((first / "2026").glob("A-003-*.toml")))  # then watched where it points
    assert open_ids(run) == ["A-003"]


@pytest.mark.parametrize("watching", [True, False])
def test_a_top_file_as_a_link_is_read_through_it_fresh(run, watched, statted, monkeypatch, watching):
    """escg.toml or people.toml as a link to a file elsewhere in the store (the loader
    reads through it): an edit to the target changes no stat of the link and raises no
    event in the folders watched, so such a file is statted through its link on every read."""
    if not watching:
        monkeypatch.setenv("ESCG_NO_WATCH", "1")
    shared = watched / "shared"
    shared.mkdir()
    for name in ("escg.toml", "people.toml"):
        (watched / name).rename(shared / name)
        (watched / name).symlink_to(f"shared/{name}")
    (watched / "actions/2028").mkdir()  # the watcher cannot know what is in it: a full stat
    assert "Jo Bloggs" in run("person list --json").stdout
    people = shared / "people.toml"
    people.write_text(people.read_text().replace('name = "Jo Bloggs"', 'name = "Jo BLOGGS-EDITED"'))
    assert "Jo BLOGGS-EDITED" in run("person list --json").stdout
    assert "X-WR-CALNAME:G: G" in run("ics").stdout
    config = shared / "escg.toml"
    config.write_text(config.read_text().replace('short = "G"', 'short = "XG"', 1))
    assert "X-WR-CALNAME:XG: G" in run("ics").stdout
    if watching:
        assert statted == [1]  # the new folder's; the links are statted by every read


def test_a_top_file_linked_to_a_file_to_come_is_read_once_it_comes(run, watched, statted):
    """A link that leads nowhere yet (its target is made later, in a folder no one watches)
    is looked at again on every read, as one that leads somewhere is."""
    shared = watched / "shared"
    shared.mkdir()
    people = (watched / "people.toml").read_text()
    (watched / "people.toml").unlink()
    (watched / "people.toml").symlink_to("shared/people.toml")
    (watched / "actions/2028").mkdir()  # the watcher cannot know what is in it: a full stat
    assert json.loads(run("person list --json").stdout) == []
    assert json.loads(run("person list --json").stdout) == []
    (shared / "people.toml").write_text(people)
    assert [p["id"] for p in json.loads(run("person list --json").stdout)] == ["jo", "sam"]
    assert statted == [1]


@pytest.mark.parametrize("odd", ["link", "fifo"])
def test_a_link_or_fifo_made_while_the_watcher_runs_is_left_out(run, watched, statted, odd):
    """As the full listing leaves them out (and reads without the index): `escg check`
    reports them; reads answer as if they were not there."""
    folder = watched / "actions/2026"
    first = next(folder.glob("A-001-*.toml"))
    if odd == "link":
        (folder / "A-001-copy.toml").symlink_to(first.name)
        (folder / "A-009-link.toml").symlink_to(first.name)
    else:
        os.mkfifo(folder / "A-010-fifo.toml")
    ids = [a["id"] for a in json.loads(run("actions --all --json").stdout)]
    assert ids == ["A-001", "A-002", "A-003"]
    assert json.loads(run("action show A-001 --json").stdout)["id"] == "A-001"
    assert statted == []


def test_questions_waiting_when_events_were_lost_are_answered_full(tmp_path, monkeypatch):
    """A question's cookie may be among the events lost when inotify's queue overflows:
    every question waiting then gets FULL, its cookie file goes, and none is left to keep
    the watcher from stopping when idle."""
    monkeypatch.delenv("ESCG_NO_WATCH")
    root = stores.write_small_store(tmp_path / "store")
    if not watch.usable(root):
        pytest.skip("this file system does not report every change")
    watcher = watch.Watcher(root)
    ours, theirs = socket.socketpair()
    ours.settimeout(10)
    with ours, theirs:
        watcher.ask(theirs, "-")
        assert watcher.waiting and list(root.glob(watch.COOKIE + "*"))
        os.close(watcher.fd)
        read, write = os.pipe()
        os.set_blocking(read, False)
        os.write(write, watch.EVENT.pack(-1, watch.IN_Q_OVERFLOW, 0, 0))  # as the kernel reports it
        watcher.fd = read
        watcher.events()
        assert ours.recv(4096).decode().startswith("FULL ")
    os.close(write)
    assert not watcher.waiting and not list(root.glob(watch.COOKIE + "*"))


def test_a_folder_inotify_cannot_watch_gets_full_answers_not_none(tmp_path, monkeypatch):
    """inotify_add_watch fails when the user's watches run out (ENOSPC): the watcher left
    the folder unwatched and answered CHANGES, so an edit there was never seen (an
    adversary's fuzzer, with the watches used up by another process). Until every folder
    is watched, every answer is FULL."""
    import ctypes
    import errno

    monkeypatch.delenv("ESCG_NO_WATCH")
    root = stores.write_small_store(tmp_path / "store")
    (root / "actions" / "2026").mkdir(parents=True)
    if not watch.usable(root):
        pytest.skip("this file system does not report every change")
    real = ctypes.CDLL(None, use_errno=True)
    refused: set[bytes] = {os.fsencode(root / "actions" / "2026")}

    class Libc:
        def __getattr__(self, name):
            return getattr(real, name)

        def inotify_add_watch(self, fd, path, mask):
            if path in refused:
                ctypes.set_errno(errno.ENOSPC)
                return -1
            return real.inotify_add_watch(fd, path, mask)

    monkeypatch.setattr(ctypes, "CDLL", lambda *args, **kwargs: Libc())
    watcher = watch.Watcher(root)

    def answer(token: str) -> str:
        ours, theirs = socket.socketpair()
        ours.settimeout(10)
        with ours, theirs:
            watcher.ask(theirs, token)
            for _ in range(100):
                watcher.events()
                if not watcher.waiting:
                    break
            return ours.recv(65536).decode()

    first = answer("-").split("\n")[0].split(" ")[1]
    (root / "actions" / "2026" / "A-001-beef.toml").write_text("# made where nobody watches\n")
    assert answer(first).startswith("FULL ")  # actions/2026 is not watched: nobody can say
    tries = len(watcher.folders), watcher.number
    for _ in range(20):  # the watches its try removed wake it: it must not try again and again
        watcher.events()
    assert (len(watcher.folders), watcher.number) == tries
    refused.clear()  # the watches are free again
    again = answer(first).split("\n")[0].split(" ")[1]
    (root / "actions" / "2026" / "A-002-beef.toml").write_text("# made where the watcher sees it\n")
    head, *changed = answer(again).split("\n")
    assert head.startswith("CHANGES ") and changed == ["actions/2026/A-002-beef.toml", ".", ""]
    os.close(watcher.fd)


def test_the_watchers_token_is_recorded_with_the_rows_it_named(run, watched, statted, monkeypatch):
    """The token was written on its own after the rows: two reads at once could leave one's
    older row of a file beside the other's newer token, after which no read would ask about
    that file again (an adversary's reading of the code). The token now goes in the same
    transaction as the rows of the files the watcher named."""
    written: list[tuple[str, bool]] = []
    real = index_module.StoreIndex._set_meta

    def spy(self, db, key, value):
        if key == "watch":
            written.append((value, db.in_transaction))
        return real(self, db, key, value)

    monkeypatch.setattr(index_module.StoreIndex, "_set_meta", spy)
    reopen_in_place(next((watched / "actions/2026").glob("A-002-*.toml")))
    assert open_ids(run) == ["A-002"] and statted == []
    assert written and all(inside for _, inside in written), written
