"""Faults: many writers at once, writers killed with SIGKILL, writes that fail (SPEC §8)."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor

import pytest

import stores
from escg.store import Store

CLI = "import sys; from escg.cli import main; sys.argv = ['escg'] + sys.argv[1:]; main()"


def escg(*args, env=None):
    return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True, timeout=180,
                          env={**os.environ, **(env or {})})


def make_busy(run, store):
    """meeting_store, the next agenda built, four actions, and its minutes begun (2026-12-03)."""
    stores.write_meeting_store(store)
    run("agenda new 2026-12-03")
    for n in range(4):
        run(["action", "add", f"Seed {n}", "--owner", "bob"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ESCG_TODAY", "2026-12-03")
        run("attend --present ann-chair,bob")
        run("minutes new")


@pytest.fixture(scope="module")
def busy_template(tmp_path_factory):
    """Built once for the module through the CLI; each test works on its own copy."""
    return stores.build_once(tmp_path_factory, "busy", make_busy)


@pytest.fixture
def busy_store(busy_template, store_dir, monkeypatch):
    """A copy of busy_template; today is the meeting day, 2026-12-03."""
    monkeypatch.setenv("ESCG_TODAY", "2026-12-03")
    return stores.copy_store(busy_template, store_dir)


def test_many_writers_of_every_kind_lose_nothing(busy_store):
    """40 processes at once: people, actions, updates, agenda items and minutes notes."""
    jobs = []
    for n in range(8):
        jobs.append(("person", "add", f"p{n}", "--name", f"Person {n}", "--org", "ecc"))
        jobs.append(("action", "add", f"Parallel {n}", "--owner", "cat"))
        jobs.append(("action", "update", f"A-00{1 + n % 4}", f"Note {n}"))
        jobs.append(("agenda", "add", f"Item {n}", "--meeting", "2027-02-04"))
        jobs.append(("minutes", "note", "2026-12-03", "1", f"Minute {n}"))
    random.Random(7).shuffle(jobs)
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(lambda job: escg(*job, env={"ESCG_TODAY": "2026-12-03"}), jobs))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results if r.returncode]
    store = Store(busy_store)
    assert {f"p{n}" for n in range(8)} <= set(store.people)
    titles = [a.title for a in store.actions]
    assert sorted(t for t in titles if t.startswith("Parallel")) == sorted(f"Parallel {n}" for n in range(8))
    assert len({a.id for a in store.actions}) == len(store.actions) == 12
    notes = [u.note for a in store.actions for u in a.updates]
    assert sorted(notes) == sorted(f"Note {n}" for n in range(8))
    items = [i.title for i in store.meetings["2027-02-04"].items]
    assert sorted(items) == sorted(f"Item {n}" for n in range(8))
    assert sorted(store.meetings["2026-12-03"].items[0].notes) == sorted(f"Minute {n}" for n in range(8))


WRITER = textwrap.dedent("""
    import itertools, os, sys
    os.environ["ESCG_TODAY"] = "2026-12-03"
    from escg.domain import actions, agenda, minutes, people
    from escg.store import Store
    store = Store.discover()
    print("ready", flush=True)  # started and imported: from here on it only writes
    for n in itertools.count():
        kind = n % 4
        if kind == 0:
            actions.add_action(store, f"Killed writer {n}", owner="bob", due="2026-12-20")
        elif kind == 1:
            actions.update_action(store, "A-001", f"Update {n}")
        elif kind == 2:
            agenda.add_item(store, f"Killed item {n}", meeting="2027-02-04")
        else:
            minutes.add_note(store, "2026-12-03", 1, f"Minute {n}")
""")


def test_sigkill_at_random_moments_leaves_every_file_parseable(run, busy_store):
    rng = random.Random(2026)
    for round_ in range(12):
        writer = subprocess.Popen([sys.executable, "-c", WRITER], env={**os.environ}, stdout=subprocess.PIPE,
                                  text=True)
        # Killed at a random moment of its writing, not of its start-up: wait for it to be
        # ready (a fresh interpreter takes 0.2-0.5 s), then let it write for 20-420 ms.
        assert writer.stdout.readline() == "ready\n", round_
        time.sleep(0.02 + rng.random() * 0.4)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
        for path in busy_store.rglob("*.toml"):
            if not path.name.startswith("."):
                tomllib.loads(path.read_text(encoding="utf-8"))  # every file parses
        result = run("check")  # clean: at most notes about leftover temporary files
        assert result.stdout == "", (round_, result.stdout)
    store = Store(busy_store)
    assert len(store.actions) > 4 and store.meetings["2027-02-04"].items  # the writer did write
    run("check --fix")
    assert not list(busy_store.rglob(".*.tmp"))


@pytest.mark.parametrize("failure, message", [
    (OSError(errno.ENOSPC, "No space left on device"), "no space left on the device"),
    (PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
    (OSError(errno.EIO, "Input/output error"), "Input/output error"),
])
def test_a_failed_write_keeps_the_previous_file(run, busy_store, monkeypatch, failure, message):
    path = next((busy_store / "actions").rglob("A-001-*.toml"))
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr("escg.store.files.os.replace", fail)
    result = run("action update A-001 'This will not land'", code=7)
    assert message in result.stderr and "the previous file is intact" in result.stderr
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_disk_full_while_writing_the_temporary_file(run, busy_store, monkeypatch):
    people = busy_store / "people.toml"
    before = people.read_bytes()

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("escg.store.files.os.fsync", full)
    result = run("person add zed --name Zed --org ecc", code=7)
    assert "could not write people.toml: no space left on the device; the previous file is intact" in result.stderr
    assert people.read_bytes() == before
    monkeypatch.undo()  # space again
    monkeypatch.setenv("ESCG_STORE", str(busy_store))
    monkeypatch.setenv("ESCG_TODAY", "2026-11-23")
    run("person add zed --name Zed --org ecc")


def test_a_multi_file_change_validates_everything_before_writing_anything(busy_store):
    """A transaction stages every file first; one that would not validate stops them all."""
    from escg.core import model
    from escg.core.errors import StoreError

    store = Store(busy_store)
    people = busy_store / "people.toml"
    meeting = busy_store / "meetings/2027/2027-02-04.toml"
    before = (people.read_bytes(), meeting.read_bytes())
    with pytest.raises(StoreError, match="2027-02-04.toml:1: date 2027-02-05 does not match"):
        with store.transaction() as txn:
            txn.edit(people, lambda doc: doc["orgs"]["ecc"].__setitem__("name", "Renamed"),
                     parse=model.people_from_toml)
            txn.stage(meeting, 'date = 2027-02-05\n',
                      parse=lambda data, problems: model.meeting_from_toml("2027-02-04", data, problems))
    assert (people.read_bytes(), meeting.read_bytes()) == before
