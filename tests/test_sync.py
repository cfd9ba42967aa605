"""`escg sync` and the merge driver, against real git: a bare repository and clones."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

import stores
from escg.workflows.merge import merge

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def git_env(tmp_path, monkeypatch):
    config = tmp_path / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Sam Secretariat")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "sam@example.org")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def clones(tmp_path, git_env, run):
    """A bare repository holding the meeting store, and three clones of it, each set up."""
    bare = tmp_path / "shared.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    first = tmp_path / "clone-0"
    stores.write_meeting_store(first)
    git(first, "init", "-q")
    git(first, "remote", "add", "origin", str(bare))
    run(["--store", str(first), "sync", "--setup", "--no-push"])
    git(first, "push", "-q", "-u", "origin", "main")
    found = [first]
    for number in (1, 2):
        clone = tmp_path / f"clone-{number}"
        git(tmp_path, "clone", "-q", str(bare), str(clone))
        run(["--store", str(clone), "sync", "--setup"])
        found.append(clone)
    return found


def files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.toml"))
            if ".git" not in p.parts}


def test_a_merge_of_different_parts_of_a_meeting_is_clean():
    base = stores.MEETINGS["2026-12-03"]
    ours = base + '\n[[items]]\ntitle = "Community safety"\nminutes = 10\n'
    theirs = base + '\n[attendance]\npresent = ["ann-chair"]\n'
    text, conflicts = merge(base, ours, theirs)
    assert conflicts == []
    assert 'title = "Community safety"' in text and 'present = ["ann-chair"]' in text
    assert text.startswith(ours.split("\n", 1)[0])


def test_the_same_value_changed_both_ways_is_a_conflict_of_that_value_only():
    base = 'date = 2026-12-03\nvenue = "Hall"\nstart = "10:00"\n'
    text, conflicts = merge(base, base.replace("Hall", "Room 1"), base.replace("Hall", "Room 2").replace("10:00", "09:30"))
    assert [c.path for c in conflicts] == ["venue"]
    assert text == ('date = 2026-12-03\n<<<<<<< ours\nvenue = "Room 1"\n=======\nvenue = "Room 2"\n>>>>>>> theirs\n'
                    'start = "09:30"\n')


def test_attendance_merges_as_sets_in_order():
    base = '[attendance]\npresent = ["a", "b"]\n'
    text, conflicts = merge(base, '[attendance]\npresent = ["a", "b", "c"]\n', '[attendance]\npresent = ["b", "d"]\n')
    assert (text, conflicts) == ('[attendance]\npresent = ["b", "c", "d"]\n', [])


def test_two_clones_editing_one_meeting_merge_through_git(clones, run):
    one, two, _ = clones
    run(["--store", str(one), "agenda", "add", "Community safety partnership plan", "--meeting", "2026-12-03"])
    run(["--store", str(one), "sync"])
    run(["--store", str(two), "attend", "2026-12-03", "--apologies", "bob"])
    run(["--store", str(two), "sync"])
    run(["--store", str(one), "sync"])
    assert files(one) == files(two)
    text = (one / "meetings/2026/2026-12-03.toml").read_text()
    assert "Community safety partnership plan" in text and "bob" in text
    history = json.loads(run(["--store", str(one), "meeting", "history", "2026-12-03", "--json"]).stdout)
    assert {row["author"] for row in history} == {"Sam Secretariat"} and len(history) >= 3


def test_the_same_venue_changed_in_two_clones_stops_with_exit_5(clones, run):
    one, two, _ = clones
    run(["--store", str(one), "meeting", "edit", "2026-12-03", "--venue", "Room 1"])
    run(["--store", str(one), "sync"])
    run(["--store", str(two), "meeting", "edit", "2026-12-03", "--venue", "Room 2"])
    result = run(["--store", str(two), "sync"], code=5)
    assert "meetings/2026/2026-12-03.toml" in result.stderr and "escg sync" in result.stderr
    path = two / "meetings/2026/2026-12-03.toml"
    text = path.read_text()
    assert "<<<<<<< ours" in text and "Room 1" in text and "Room 2" in text
    run(["--store", str(two), "sync"], code=5)  # still marked: still stopped, nothing lost
    lines = text.splitlines()
    start = lines.index("<<<<<<< ours")
    path.write_text("\n".join(lines[:start] + [lines[start + 1]] + lines[start + 5:]) + "\n")
    run(["--store", str(two), "sync"])
    run(["--store", str(one), "sync"])
    assert files(one) == files(two)
    assert 'venue = "Room 2"' in path.read_text()


# More rounds and other seeds, for a longer run by hand: ESCG_SYNC_STEPS=200 ESCG_SYNC_SEED=7 pytest ...
STEPS = int(os.environ.get("ESCG_SYNC_STEPS", "18"))
SEED = int(os.environ.get("ESCG_SYNC_SEED", "16"))


def test_three_clones_in_a_random_interleaving_end_identical(clones, run):
    rng = random.Random(SEED)
    made: list[str] = []
    notes: list[str] = []
    for step in range(STEPS):
        index = rng.randrange(3)
        clone = clones[index]
        store = ["--store", str(clone)]
        kind = rng.choice(["action", "update", "agenda", "attend", "note", "sync"])
        if kind == "action":
            title = f"Action {step} from clone {index}"
            run(store + ["action", "add", title, "--owner", "ann-chair", "--due", "2027-01-15"])
            made.append(title)
        elif kind == "update":
            listed = json.loads(run(store + ["actions", "--json"]).stdout)
            if listed:
                note = f"progress {step} in clone {index}"
                run(store + ["action", "update", rng.choice(listed)["id"], note])
                notes.append(note)
        elif kind == "agenda":
            title = f"Item {step} from clone {index}"
            run(store + ["agenda", "add", title, "--meeting", "2026-12-03"])
            made.append(title)
        elif kind == "attend":
            run(store + ["attend", "2026-10-01", "--present", rng.choice(["ann-chair", "bob", "cat"])])
        elif kind == "note":
            note = f"note {step} in clone {index}"
            run(store + ["minutes", "note", "2026-10-01", "1", note])
            notes.append(note)
        else:
            run(store + ["sync"])
    for clone in clones + clones[:2]:  # each once, then again, so the last merges reach everyone
        run(["--store", str(clone), "sync"])
    texts = [files(clone) for clone in clones]
    assert texts[0] == texts[1] == texts[2]
    everything = "\n".join(texts[0].values())
    for wanted in made + notes:
        assert wanted in everything, wanted
    for clone in clones:
        listed = json.loads(run(["--store", str(clone), "actions", "--all", "--json"]).stdout)
        ids = [a["id"] for a in listed]
        assert len(ids) == len(set(ids))
        run(["--store", str(clone), "check", "--full"])
    assert not any(".escg-index" in name or ".escg-last-action" in name
                   for name in git(clones[0], "ls-files").splitlines())


def test_a_meeting_moved_on_by_both_sides_takes_the_later_status_and_keeps_its_tables():
    base = 'date = 2026-10-01\nstatus = "planned"\n'
    ours = 'date = 2026-10-01\nstatus = "held"\n\n[attendance]\npresent = ["bob"]\n'
    theirs = ('date = 2026-10-01\nstatus = "minutes-draft"\nagenda_built = true\n\n[[items]]\ntitle = "Welcome"\n'
              'notes = ["Hello."]\n\n[[items]]\ntitle = "AOB"\n')
    text, conflicts = merge(base, ours, theirs)
    assert conflicts == []
    assert 'status = "minutes-draft"' in text and "agenda_built = true" in text
    assert text.count("[[items]]") == 2 and "items = [" not in text  # tables, as escg writes them
    data = tomllib.loads(text)
    assert data["attendance"]["present"] == ["bob"] and [i["title"] for i in data["items"]] == ["Welcome", "AOB"]


def test_the_merge_driver_reads_each_side_as_a_store_file_and_merges_lines_when_one_is_not(tmp_path, run):
    """A side that is not UTF-8 (or not TOML) is said in one line, and git's line merge
    decides; it was a UnicodeDecodeError traceback."""
    base, ours, theirs = (tmp_path / name for name in ("base.toml", "ours.toml", "theirs.toml"))
    middle = "".join(f"k{n} = {n}\n" for n in range(4))
    base.write_text(f'venue = "Room 1"\n{middle}note = "a"\n')
    ours.write_bytes(f'venue = "Room 1"\n{middle}note = "caf'.encode() + b'\xe9"\n')
    theirs.write_text(f'venue = "Room 2"\n{middle}note = "a"\n')
    result = run(["merge-driver", str(base), str(ours), str(theirs), "meetings/2026/2026-12-03.toml"])
    assert result.stderr.strip().splitlines() == [
        "warning: meetings/2026/2026-12-03.toml: cannot merge: ours: not valid UTF-8 text (line 6); "
        "merging its lines instead"]
    assert ours.read_bytes() == f'venue = "Room 2"\n{middle}note = "caf'.encode() + b'\xe9"\n'  # git merge-file's
    ours.write_text('venue = "Room 1"\nnote = [\n')
    result = run(["merge-driver", str(base), str(ours), str(theirs), "x.toml"], code=1)
    assert "cannot merge: ours: invalid TOML" in result.stderr and "Traceback" not in result.stderr


def test_the_merge_driver_writes_one_kind_of_newline_for_a_crlf_side(tmp_path, run):
    """git may hand the driver CRLF text (core.autocrlf): the merge comes out with \\n
    throughout, as the driver wrote it before it read sides through the loader."""
    base, ours, theirs = (tmp_path / name for name in ("base.toml", "ours.toml", "theirs.toml"))
    lines = ['date = 2026-12-03', 'status = "planned"', 'venue = "a"', '', '[[items]]', 'title = "x"', 'minutes = 10']
    base.write_bytes("\r\n".join(lines + [""]).encode())
    ours.write_bytes("\r\n".join([*lines[:1], 'status = "held"', *lines[2:], ""]).encode())
    theirs.write_bytes("\r\n".join([*lines[:2], 'venue = "b"', *lines[3:6], "minutes = 20", ""]).encode())
    run(["merge-driver", str(base), str(ours), str(theirs), "meetings/2026/2026-12-03.toml"])
    merged = ours.read_bytes()
    assert b"\r" not in merged and b'status = "held"' in merged and b'venue = "b"' in merged and b"minutes = 20" in merged


def test_a_gitignore_in_another_encoding_is_kept_byte_for_byte(tmp_path, git_env, run):
    """`escg sync` read .gitignore and .gitattributes as locale text: a pattern in Latin-1
    (a file name, which git reads as bytes) ended every sync in a traceback. They are now
    read and extended as bytes, written atomically, their own lines as they were."""
    root = tmp_path / "store"
    stores.write_meeting_store(root)
    git(root, "init", "-q")
    ignore = b"caf\xe9-notes.txt\r\n.escg.lock\r\n# local\r\nscratch/"
    (root / ".gitignore").write_bytes(ignore)
    (root / ".gitattributes").write_bytes(b"*.pdf binary\n\xff.doc binary")
    result = run(["--store", str(root), "sync", "--setup", "--no-push"])
    assert "Traceback" not in result.stderr
    assert (root / ".gitignore").read_bytes() == ignore + b"\n.escg-index*\n.escg-last-action\n.escg-journal/\n"
    assert (root / ".gitattributes").read_bytes() == b"*.pdf binary\n\xff.doc binary\n*.toml merge=escg\n"
    run(["--store", str(root), "sync", "--no-push"])  # nothing more to add
    assert (root / ".gitignore").read_bytes().count(b".escg-index*") == 1
    assert not any(".escg-index" in name or ".escg-last-action" in name for name in git(root, "ls-files").splitlines())
    (root / ".gitignore").unlink()
    (root / ".gitignore").mkdir()
    error = run(["--store", str(root), "sync", "--no-push"], code=6).stderr
    assert ".gitignore: not a regular file" in error


def test_the_local_files_are_never_committed_whatever_gitignore_says(tmp_path, git_env, run):
    """sync relied on .gitignore alone: a negated pattern, a .gitignore that is a link (which
    git does not read) or an index already tracked put the index, the lock and the counter
    into commits, and sync said the store was clean (an adversary's pass). They are now
    taken out of what is staged, and one tracked already stops being."""
    root = tmp_path / "store"
    stores.write_meeting_store(root)
    git(root, "init", "-q")
    run(["--store", str(root), "sync", "--no-push"])
    run(["--store", str(root), "action", "add", "One", "--owner", "ann-chair"])

    def local() -> list[str]:
        return [name for name in git(root, "ls-files").splitlines() if name.startswith(".escg")]

    with (root / ".gitignore").open("a") as handle:
        handle.write("!.escg-index*\n!.escg-last-action\n!.escg.lock\n")
    run(["--store", str(root), "sync", "--no-push"])
    assert local() == []
    git(root, "add", "-f", ".escg-index.sqlite", ".escg-last-action")
    git(root, "commit", "-qm", "a mistake by hand")
    assert local() == [".escg-index.sqlite", ".escg-last-action"]
    run(["--store", str(root), "action", "add", "Two", "--owner", "ann-chair"])
    run(["--store", str(root), "sync", "--no-push"])
    assert local() == [] and (root / ".escg-index.sqlite").exists()  # untracked, not deleted
    (root / "papers").mkdir(exist_ok=True)
    (root / ".gitignore").rename(root / "papers" / "ignore")
    (root / ".gitignore").symlink_to("papers/ignore")
    said = run(["--store", str(root), "sync", "--no-push"]).stderr
    assert ".gitignore is a symbolic link, which git does not read" in said and local() == []


def test_setup_says_when_a_later_gitattributes_line_turns_the_driver_off(tmp_path, git_env, run):
    root = tmp_path / "store"
    stores.write_meeting_store(root)
    git(root, "init", "-q")
    assert "warning" not in run(["--store", str(root), "sync", "--setup", "--no-push"]).stderr
    with (root / ".gitattributes").open("a") as handle:
        handle.write("*.toml -merge\n")
    said = run(["--store", str(root), "sync", "--setup", "--no-push"]).stderr
    assert "warning: git does not apply the merge driver to escg.toml here (escg.toml: merge: unset)" in said


def test_a_conflict_in_a_local_file_does_not_stop_the_sync(tmp_path, git_env, run):
    """A counter committed on two branches, then merged: the conflict in it stopped `escg
    sync` (exit 5), though sync takes local files out of the repository anyway (a review).
    It goes on; check then reports the counter's conflict markers, for the user to mend."""
    root = tmp_path / "store"
    stores.write_meeting_store(root)
    git(root, "init", "-q")
    (root / ".escg-last-action").write_text("5\n")
    git(root, "add", "-A")
    git(root, "add", "-f", ".escg-last-action")
    git(root, "commit", "-qm", "start")
    git(root, "checkout", "-qb", "other")
    (root / ".escg-last-action").write_text("6\n")
    git(root, "commit", "-qam", "other")
    git(root, "checkout", "-q", "-")
    (root / ".escg-last-action").write_text("7\n")
    git(root, "commit", "-qam", "ours")
    subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True)
    result = run(["--store", str(root), "sync", "--no-push"], code=6)
    assert "merge conflict" not in result.stderr and "escg check` finds 1 problem" in result.stderr
    assert ".escg-last-action: not an action number" in result.stdout
    assert ".escg-last-action" not in git(root, "ls-files").splitlines()
