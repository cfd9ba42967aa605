"""escg check is incremental: it reads again only what changed, and finds the same as --full."""

from __future__ import annotations

import json
import os

import pytest

from escg.store import Store
from escg.workflows import check as check_module


TOP = ["escg.toml", "people.toml", "forward-plan.toml"]  # read on every check: they are small


@pytest.fixture
def checked(run, meeting_store):
    run("agenda add 'Violence update' --meeting 2026-10-01 --presenter bob")
    run("agenda new 2026-10-01")
    run("action add 'One' --owner bob --meeting 2026-10-01 --item 5")
    run("action add 'Two' --owner cat")
    run("check")
    return meeting_store


def reads(monkeypatch) -> list[str]:
    """The files escg check reads from disk from now on."""
    seen: list[str] = []
    real = check_module.Checker.read

    def spy(self, path, parse):
        seen.append(path.relative_to(self.root).as_posix())
        return real(self, path, parse)

    monkeypatch.setattr(check_module.Checker, "read", spy)
    monkeypatch.delenv("ESCG_CROSSCHECK")  # the cross-check would read everything again
    return seen


def test_an_unchanged_store_is_not_read_again(checked, monkeypatch):
    seen = reads(monkeypatch)
    assert check_module.check(Store(checked)) == []
    assert seen == TOP


def test_a_changed_file_is_read_again_and_its_problem_found(checked, monkeypatch):
    path = next((checked / "actions").rglob("A-002-*.toml"))
    path.write_text(path.read_text().replace('owner = "cat"', 'owner = "nobody"'))
    seen = reads(monkeypatch)
    found = [str(p) for p in check_module.check(Store(checked))]
    assert sorted(seen) == sorted([*TOP, path.relative_to(checked).as_posix()])
    assert any("owner 'nobody' is not in people.toml" in p for p in found)
    assert found == [str(p) for p in check_module.check(Store(checked), full=True)]


def test_a_change_to_people_rechecks_every_reference(checked, monkeypatch, run):
    run("agenda add 'Another' --meeting 2026-12-03 --presenter cat")
    run("check")
    people = checked / "people.toml"
    people.write_text(people.read_text().replace("[people.cat]", "[people.catherine]"))
    seen = reads(monkeypatch)
    found = [str(p) for p in check_module.check(Store(checked))]
    assert len(seen) > 3  # meetings and actions read again: what they name changed
    assert any("owner 'cat' is not in people.toml" in p for p in found)
    assert any("presenter 'cat' is not in people.toml" in p for p in found)
    assert found == [str(p) for p in check_module.check(Store(checked), full=True)]


def test_findings_from_the_cache_can_still_be_fixed(checked, run):
    (checked / "meetings" / "2027" / "2026-12-03.toml").parent.mkdir(exist_ok=True)
    (checked / "meetings" / "2026" / "2026-12-03.toml").rename(checked / "meetings" / "2027" / "2026-12-03.toml")
    assert "belongs in meetings/2026/" in run("check", code=6).stdout
    result = run("check --fix")  # the finding comes from the cache this time
    assert "fixed: moved meetings/2027/2026-12-03.toml to meetings/2026/2026-12-03.toml" in result.stderr


# --- what lies between files, when only one file changed ----------------------
# Every `check` here runs both ways (ESCG_CROSSCHECK, set by conftest): the incremental
# check must find exactly what `check --full` finds.


def test_an_agenda_that_loses_an_item_rechecks_the_actions_raised_there(checked, run):
    run("action add 'Late one' --owner bob --meeting 2026-10-01 --item 7")
    assert "has no item" not in run("check").stdout
    items = len(json.loads(run("agenda list 2026-10-01 --json").stdout))
    while items >= 7:
        run(f"agenda remove {items} --meeting 2026-10-01")
        items -= 1
    result = run("check", code=6)  # the action's file did not change; its meeting's count did
    assert f"meeting 2026-10-01 has no item 7 (it has {items})" in result.stdout


def test_an_action_at_a_meeting_that_breaks_is_not_held_to_the_count_kept_before(checked, run, monkeypatch):
    """An action with an item its meeting lacks, checked; then the meeting's file broken by
    hand. The check kept the meeting's item count, and the incremental check held the
    action to it, reporting a problem the full check does not find (an adversary's fuzzer)."""
    monkeypatch.delenv("ESCG_CROSSCHECK")  # compared below, with its output
    action = next((checked / "actions").rglob("A-001-*.toml"))
    action.write_text(action.read_text().replace("item = 5", "item = 40"))
    assert "has no item 40" in run("check", code=6).stdout
    meeting = checked / "meetings" / "2026" / "2026-10-01.toml"
    meeting.write_text(meeting.read_text() + "oops\n")
    incremental, full = run("check", code=6), run("check --full", code=6)
    assert incremental.stdout == full.stdout and "has no item" not in incremental.stdout
    assert "invalid TOML" in incremental.stdout


def test_an_action_id_used_twice_is_found_until_the_copy_goes(checked, run):
    run("check")
    original = next((checked / "actions").rglob("A-001-*.toml"))
    copy = original.with_name("A-001-beef.toml")
    copy.write_text(original.read_text().replace("'One'", "'Other'").replace('"One"', '"Other"'))
    assert "action id A-001 is also used by" in run("check", code=6).stdout
    other = next((checked / "actions").rglob("A-002-*.toml"))
    other.write_text(other.read_text().replace('title = "Two"', 'title = "Two, changed"'))
    assert "action id A-001 is also used by" in run("check", code=6).stdout  # neither copy changed
    copy.unlink()
    assert "also used by" not in run("check").stdout


def test_a_deleted_file_takes_its_findings_with_it(checked, run):
    path = next((checked / "actions").rglob("A-002-*.toml"))
    path.write_text(path.read_text().replace('owner = "cat"', 'owner = "nobody"'))
    assert "owner 'nobody' is not in people.toml" in run("check", code=6).stdout
    path.unlink()
    assert "nobody" not in run("check").stdout


def test_a_meeting_in_two_folders_is_found_on_every_check(checked, run):
    source = checked / "meetings" / "2026" / "2026-10-01.toml"
    (checked / "meetings" / "2025").mkdir()
    (checked / "meetings" / "2025" / "2026-10-01.toml").write_bytes(source.read_bytes())
    for _ in range(2):
        assert "meeting 2026-10-01 is also in" in run("check", code=6).stdout


def test_a_paper_removed_is_found_though_its_meeting_did_not_change(checked, run):
    (checked / "papers").mkdir()
    (checked / "papers" / "plan.pdf").write_bytes(b"%PDF-1.4\n")
    run("agenda add 'With a paper' --meeting 2026-12-03 --presenter bob --paper papers/plan.pdf")
    run("check")
    (checked / "papers" / "plan.pdf").unlink()
    assert "paper 'papers/plan.pdf' is not in the store" in run("check", code=6).stdout


def test_folders_listed_before_are_listed_again_when_they_change(checked, run):
    """The check keeps each folder's listing under its mtime; a folder whose mtime is
    recent is always listed again (another change may come within the same tick)."""
    past = 1_700_000_000
    for folder in [checked, *(p for p in checked.rglob("*") if p.is_dir())]:
        os.utime(folder, (past, past))
    run("check")
    run("check")  # the listings kept are used
    leftover = checked / "actions" / "2026" / ".A-002-x.toml.a1b2c3d4.tmp"
    leftover.write_text("half written")
    assert "a temporary file left by an interrupted write" in run("check").stderr
    readme = checked / "actions" / "2026" / "README.toml"
    readme.write_text('note = "here"\n')
    assert "actions/2026/README.toml: not an action file" in run("check", code=6).stdout
    leftover.unlink()
    readme.unlink()
    result = run("check")
    assert "temporary" not in result.stderr and "README" not in result.stdout


def test_an_index_that_cannot_keep_findings_still_gets_a_whole_check(checked, run, monkeypatch):
    import sqlite3

    from escg.store.index import StoreIndex

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    path = next((checked / "actions").rglob("A-002-*.toml"))
    path.write_text(path.read_text().replace('owner = "cat"', 'owner = "nobody"'))
    monkeypatch.setattr(StoreIndex, "save_checks", refuse)
    found = [str(p) for p in check_module.check(Store(checked))]
    assert any("owner 'nobody' is not in people.toml" in p for p in found)
    assert found == [str(p) for p in check_module.check(Store(checked), full=True)]


def test_a_meeting_made_after_the_check_answers_an_unchanged_action(checked, run):
    path = next((checked / "actions").rglob("A-002-*.toml"))
    path.write_text(path.read_text().replace('owner = "cat"', 'owner = "cat"\nmeeting = "2027-01-07"'))
    assert "raised at meeting 2027-01-07, which does not exist" in run("check", code=6).stdout
    run("meeting new 2027-01-07")  # the action's file does not change; the meetings there are do
    assert "2027-01-07" not in run("check").stdout
