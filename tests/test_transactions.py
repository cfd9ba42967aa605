"""A change that spans files lands whole or not at all (escg/store/journal.py).

Every multi-file command is stopped at every step of its commit, once by an
error (a full disk, an immutable file) and once as if the process were killed
there; afterwards the store holds exactly what it held before, or, where the
command finished, exactly what a clean run writes.
"""

from __future__ import annotations

import errno
import json
import shlex
from pathlib import Path

import pytest

import stores

from escg.cli import full_app
from escg.store import journal

app = full_app()

COMMANDS = [
    "agenda defer 5 -m 2026-12-03 --to 2027-02-04",
    "agenda defer 5 -m 2026-12-03 --forward-plan",
    "agenda place 1 -m 2026-12-03",
    "meeting move 2026-12-03 2026-12-10",
    "minutes action 2026-10-01 1 'Write the plan' --owner bob --due 2026-12-20",
]


class Killed(BaseException):
    """The process dies here: nothing after this runs, not even clean-up."""


@pytest.fixture(scope="module")
def busy_template(tmp_path_factory):
    return stores.meeting_store_with(tmp_path_factory, "busy", [
        "agenda add 'Serious violence' --meeting 2026-12-03 --presenter bob",
        "agenda add 'Deferred before' --meeting 2026-12-03 --presenter cat",
        "agenda add 'Winter plan' --forward-plan --presenter cat",
        "agenda new 2026-12-03",
        "agenda defer 6 -m 2026-12-03 --to 2027-02-04",  # so moving 2026-12-03 has references to follow
        "attend 2026-10-01 --present ann-chair,bob",
    ])


@pytest.fixture
def busy(busy_template, store_dir):
    return stores.copy_store(busy_template, store_dir)


def records(store: Path) -> dict[str, bytes]:
    """Every store record (not the index, lock, journal or temporary files), and the action counter."""
    found = {p.relative_to(store).as_posix(): p.read_bytes() for p in store.rglob("*.toml")
             if p.is_file() and not any(part.startswith(".") for part in p.relative_to(store).parts)}
    counter = store / ".escg-last-action"
    if counter.exists():
        found[counter.name] = counter.read_bytes()
    return found


def same_records(store: Path) -> dict[str, bytes]:
    """As ``records``, with a new action's random file tag set aside (A-002-e3a2.toml: A-002)."""
    return {(path.rsplit("-", 1)[0] if path.startswith("actions/") else path): data
            for path, data in records(store).items()}


def steps_of(run, command: str, store: Path, monkeypatch) -> int:
    seen: list[str] = []
    monkeypatch.setattr(journal, "step", seen.append)
    snapshot = records(store)
    run(shlex.split(command))
    monkeypatch.setattr(journal, "step", lambda name: None)
    after = same_records(store)
    restore(store, snapshot)
    assert "intent" in seen, f"{command} is not a multi-file change"
    return len(seen), after


def restore(store: Path, snapshot: dict[str, bytes]) -> None:
    for path in list(records(store)):
        if path not in snapshot:
            (store / path).unlink()
    for path, data in snapshot.items():
        (store / path).parent.mkdir(parents=True, exist_ok=True)
        (store / path).write_bytes(data)


def stop_at(monkeypatch, number: int, error: BaseException) -> None:
    calls = []

    def step(name: str) -> None:
        calls.append(name)
        if len(calls) == number:
            raise error

    monkeypatch.setattr(journal, "step", step)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_failure_at_any_step_changes_nothing(run, busy, command, monkeypatch):
    count, _ = steps_of(run, command, busy, monkeypatch)
    before = records(busy)
    for number in range(1, count + 1):
        stop_at(monkeypatch, number, OSError(errno.ENOSPC, "No space left on device"))
        result = run(shlex.split(command), code=7)
        assert "no space left on the device; nothing was changed" in result.stderr
        assert records(busy) == before, (command, number)
        assert not (busy / journal.JOURNAL).exists()
        assert not list(busy.rglob(".*.tmp")), "staged files are removed"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_kill_at_any_step_is_undone_by_the_next_command(run, busy, command, monkeypatch):
    count, clean = steps_of(run, command, busy, monkeypatch)
    before = records(busy)
    for number in range(1, count + 1):
        stop_at(monkeypatch, number, Killed())
        with pytest.raises(Killed):
            run.runner.invoke(app, shlex.split(command))
        monkeypatch.setattr(journal, "step", lambda name: None)
        run("meeting list")  # any command: the next one to open the store undoes the half-made change
        assert records(busy) == before, (command, number)
        assert not journal.pending(busy)
    run(shlex.split(command))  # and then the command itself still works, as on a clean store
    assert same_records(busy) == clean


def test_a_read_undoes_a_killed_change_before_it_reads(run, busy, monkeypatch):
    stop_at(monkeypatch, 6, Killed())
    with pytest.raises(Killed):
        run.runner.invoke(app, shlex.split(COMMANDS[0]))
    monkeypatch.setattr(journal, "step", lambda name: None)
    assert journal.pending(busy)
    deferred = [row["title"] for row in json.loads(run("agenda list 2027-02-04 --json").stdout)]
    assert "Serious violence" not in deferred and not journal.pending(busy)
