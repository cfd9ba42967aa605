"""escg check: precise errors for a store corrupted by hand, and --fix after a git merge."""

import subprocess

import pytest

import stores
from escg.store import Store


def fill(run, store):
    """meeting_store, an agenda, two actions, attendance and a minutes note, through the CLI."""
    stores.write_meeting_store(store)
    run("agenda add 'Violence update' --meeting 2026-12-03 --presenter bob --theme partnership")
    run("agenda new 2026-12-03")
    run("action add 'First' --owner bob --due 2026-12-01")
    run("action add 'Second' --owner cat")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ESCG_TODAY", "2026-12-03")
        run("attend --present ann-chair,bob")
        run("minutes note 2026-12-03 5 'Discussed.'")


@pytest.fixture(scope="module")
def full_template(tmp_path_factory):
    """Built once for the module (today 2026-11-23); each test works on its own copy."""
    return stores.build_once(tmp_path_factory, "full", fill)


@pytest.fixture
def full_store(full_template, store_dir):
    return stores.copy_store(full_template, store_dir)


def test_clean_store(run, full_store):
    result = run("check")
    assert result.stdout == "" and "the store is clean" in result.stderr


def test_the_example_store_is_clean(run):
    from conftest import REPO

    assert "the store is clean" in run(["--store", str(REPO / "agendas"), "check"]).stderr


def corrupt(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_every_problem_with_file_and_line(run, full_store):
    meeting = full_store / "meetings/2026/2026-12-03.toml"
    corrupt(meeting, 'presenter = "bob"', 'presenter = "bobby"')
    corrupt(meeting, 'theme = "partnership"', 'theme = "weather"')
    corrupt(meeting, "minutes = 15\n", "minutes = \"fifteen\"\n")
    corrupt(full_store / "people.toml", 'sector = "police"', 'sector = "army"\nmotto = "x"')
    corrupt(full_store / "escg.toml", 'quorum = "1/3"', 'quorum = "most"')
    action = next((full_store / "actions").rglob("A-002-*.toml"))
    corrupt(action, 'owner = "cat"', 'owner = "kat"')
    (full_store / "meetings/2026/2026-10-01.toml").write_text('date = 2026-02-30\n')
    result = run("check", code=6)
    lines = result.stdout.splitlines()
    # escg.toml and people.toml first (a problem there explains others), then by file and line
    assert lines[0] == "escg.toml:7: bad quorum rule 'most': use a number of members or a fraction such as \"1/3\""
    assert lines[1].startswith("people.toml:") and lines[2].startswith("people.toml:")
    assert lines[3] == f"{action.relative_to(full_store)}:4: owner 'kat' is not in people.toml"
    assert lines[4] == "meetings/2026/2026-10-01.toml:1: invalid TOML: Invalid date or datetime"
    item_lines = [line for line in lines if line.startswith("meetings/2026/2026-12-03.toml:")]
    assert len(item_lines) == 3
    assert any("presenter 'bobby' is not in people.toml" in line for line in item_lines)
    assert any("theme 'weather' is not in escg.toml [themes]" in line for line in item_lines)
    assert any("'minutes' must be a whole number" in line for line in item_lines)
    people_lines = [line for line in lines if line.startswith("people.toml:")]
    assert any("'sector' must be one of" in line for line in people_lines)
    assert any("unknown key 'motto'" in line for line in people_lines)
    assert result.stderr.startswith("error: 8 problems in 5 files")
    # line numbers are real: each named line holds the key it names
    meeting_lines = meeting.read_text().splitlines()
    for line in item_lines:
        number = int(line.split(":")[1])
        assert any(key in meeting_lines[number - 1] for key in ("presenter", "theme", "minutes"))


def test_check_does_not_modify_anything(run, full_store):
    """Nothing but the index cache, where an incremental check keeps its findings (as every read may)."""
    def files():
        return {p: p.read_bytes() for p in full_store.rglob("*")
                if p.is_file() and p.name != ".escg.lock" and not p.name.startswith(".escg-index")}

    before = files()
    corrupt(full_store / "people.toml", 'sector = "police"', 'sector = "army"')
    before[full_store / "people.toml"] = (full_store / "people.toml").read_bytes()
    run("check", code=6)
    run("check --full", code=6)
    assert files() == before


def git(folder, *args):
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(folder), "PATH": "/usr/bin:/bin"})


def test_fix_renumbers_duplicates_after_a_real_git_merge(run, full_store, tmp_path):
    """Two clones each add an action; git merges them without conflict; check --fix renumbers."""
    git(full_store, "init", "-q", "-b", "main")
    git(full_store, "add", "-A")
    git(full_store, "commit", "-q", "-m", "start")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(full_store), str(clone)], check=True)
    run(["--store", str(full_store), "action", "add", "Added here", "--owner", "bob"])
    run(["--store", str(clone), "action", "add", "Added in the clone", "--owner", "cat"])
    run(["--store", str(full_store), "action", "update", "A-001", "Progress here"])
    git(full_store, "add", "-A")
    git(full_store, "commit", "-q", "-m", "here")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "clone")
    git(full_store, "pull", "-q", "--no-rebase", "--no-edit", str(clone), "main")  # no conflict
    result = run(["--store", str(full_store), "check"], code=6)
    assert "action id A-003 is also used by" in result.stdout
    assert "can be mended with `escg check --fix`" in result.stderr
    result = run(["--store", str(full_store), "check", "--fix"])
    assert "fixed: renumbered A-003 in" in result.stderr and "to A-004" in result.stderr
    actions = {a.id: a.title for a in Store(full_store).actions}
    assert actions["A-003"] in ("Added here", "Added in the clone")
    assert {actions["A-003"], actions["A-004"]} == {"Added here", "Added in the clone"}
    assert run(["--store", str(full_store), "action", "add", "Next", "--owner", "bob"]).stdout == "A-005\n"


def test_fix_removes_leftovers_and_moves_misplaced_files(run, full_store):
    (full_store / ".people.toml.x1y2z3a4.tmp").write_text("half = \n")
    assert "note: .people.toml.x1y2z3a4.tmp: a temporary file" in run("check").stderr  # still clean
    misplaced = full_store / "meetings/2027/2026-12-03.toml"
    misplaced.parent.mkdir(exist_ok=True)
    (full_store / "meetings/2026/2026-12-03.toml").rename(misplaced)
    result = run("check --fix")
    assert "fixed: removed .people.toml.x1y2z3a4.tmp" in result.stderr
    assert "fixed: moved meetings/2027/2026-12-03.toml to meetings/2026/2026-12-03.toml" in result.stderr
    assert (full_store / "meetings/2026/2026-12-03.toml").exists()


def test_a_broken_escg_toml_is_a_finding_not_a_crash(run, full_store):
    (full_store / "escg.toml").write_text('name = "x\n')
    result = run("check", code=6)
    assert result.stdout.startswith("escg.toml:1: invalid TOML")


def test_a_typo_in_people_toml_is_the_one_problem_shown(run, example_store):
    """Everything names people: when people.toml cannot be read, its line is the problem,
    not every reference to a person in every other file."""
    store = example_store
    people = store / "people.toml"
    people.write_text(people.read_text().replace('name = "Essex County Council"', 'name = Essex County Council"', 1))
    result = run(["--store", str(store), "check", "--full"], code=6)
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("people.toml:") and "invalid TOML" in lines[0]
    assert result.stderr.startswith("error: 1 problem in 1 file")
    people.write_text(people.read_text().replace('name = Essex County Council"', 'name = "Essex County Council"', 1))
    assert "the store is clean" in run(["--store", str(store), "check"]).stderr


def test_the_cause_comes_first(run, meeting_store):
    (meeting_store / "escg.toml").write_text((meeting_store / "escg.toml").read_text() + "\nquorum = [\n")
    lines = run("check --full", code=6).stdout.splitlines()
    assert lines[0].startswith("escg.toml:")


def test_a_whole_store_checked_in_worker_processes_finds_what_one_process_does(run, full_store, monkeypatch):
    """A large store's files are checked in a process per core (escg.store.workers): every
    problem, its line, its note and its fix must be what one process finds, and --fix must
    mend what the workers found."""
    import os

    from escg.store import workers

    meeting = full_store / "meetings/2026/2026-12-03.toml"
    corrupt(meeting, 'presenter = "bob"', 'presenter = "bobby"')
    corrupt(meeting, "minutes = 15\n", "minutes = \"fifteen\"\n")
    corrupt(next((full_store / "actions").rglob("A-002-*.toml")), 'owner = "cat"', 'owner = "kat"')
    (full_store / "meetings/2026/2026-10-01.toml").write_text('date = 2026-02-30\n')
    first = next((full_store / "actions").rglob("A-001-*.toml"))
    first.rename(first.with_name("A-009-abcd.toml"))  # a move, as the fix
    (full_store / "meetings/2027").mkdir(exist_ok=True)
    (full_store / "meetings/2027/2026-12-03.toml").write_text(meeting.read_text())  # the same meeting twice
    serial = run("check --full", code=6)
    assert "A-009-abcd.toml" in serial.stdout and "is also in" in serial.stdout
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(workers, "BATCH", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    sent = []
    each_batch = workers.each_batch

    def counted(function, work, *args):
        if function.__module__ == "escg.workflows.check":  # not the index's first build
            sent.extend(work)
        return each_batch(function, work, *args)

    monkeypatch.setattr(workers, "each_batch", counted)
    for command in ("check --full", "check"):  # the first incremental check reads every file too
        sent.clear()
        found = run(command, code=6)
        checked = sum(sent[:3], [])  # one pass, in batches of two files
        meetings = {path.stem for path in (full_store / "meetings").rglob("*.toml")}
        actions = sorted(str(path.relative_to(full_store)) for path in (full_store / "actions").rglob("*.toml"))
        assert [path for path in checked if path.startswith("actions/")] == actions
        assert len([path for path in checked if path.startswith("meetings/")]) == len(meetings)  # an id's first file
        assert len(sent) % 3 == 0  # two passes for `check`: the tests cross-check it with a full check
        assert (found.stdout, found.stderr) == (serial.stdout, serial.stderr)
    (full_store / "meetings/2027/2026-12-03.toml").unlink()
    fixed = run("check --full --fix", code=6)
    assert "fixed: moved actions/2026/A-009-abcd.toml to actions/2026/A-001-abcd.toml" in fixed.stderr
    assert (full_store / "actions/2026/A-001-abcd.toml").exists()


def test_a_full_check_of_a_store_without_an_index_builds_none(run, full_store):
    """`check --full` reads every file: it needs no index (a fresh clone has none, and at
    100,000 actions building it costs more than the check), unless a confidential item
    sends it to search the public forms."""
    for path in full_store.glob(".escg-index*"):
        path.unlink()
    assert "the store is clean" in run("check --full").stderr
    assert not list(full_store.glob(".escg-index*"))


def test_fix_says_a_change_it_cannot_make_and_goes_on(run, full_store, monkeypatch):
    """A move whose place is taken once --fix comes to it (as by an earlier fix of the same
    run): it is said and left, every other fix is still made and said, and the check after
    lists what is left. (--fix stopped there with one line and did not say what it had
    already changed.)"""
    from escg.core.errors import ConflictError
    from escg.workflows import check as check_module

    (full_store / ".people.toml.x1y2z3a4.tmp").write_text("half = \n")
    misplaced = full_store / "meetings/2027/2026-12-03.toml"
    misplaced.parent.mkdir(exist_ok=True)
    (full_store / "meetings/2026/2026-12-03.toml").rename(misplaced)

    def taken(store, source, target):
        raise ConflictError(f"cannot move {store.show(source)}: {store.show(target)} already exists")

    monkeypatch.setattr(check_module, "_move", taken)
    result = run("check --fix", code=6)
    said = sorted(line for line in result.stderr.splitlines() if line.startswith(("fixed:", "not fixed:")))
    assert said == ["fixed: removed .people.toml.x1y2z3a4.tmp",
                    "not fixed: cannot move meetings/2027/2026-12-03.toml: meetings/2026/2026-12-03.toml already exists"]
    assert result.stdout == "meetings/2027/2026-12-03.toml: a meeting in 2026 belongs in meetings/2026/\n"
    assert misplaced.exists() and not (full_store / ".people.toml.x1y2z3a4.tmp").exists()
