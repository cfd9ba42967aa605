"""Approved minutes are a record (issue 11, item 6): what they show is frozen at
approval, nothing but a recorded correction changes them, and `escg check`
verifies each approved meeting against the digest kept when it was approved."""

import json

import pytest

import stores
from test_minutes import hold_the_meeting

MEETING = "meetings/2026/2026-12-03.toml"


@pytest.fixture(scope="module")
def approved_template(tmp_path_factory):
    def build(run, store):
        hold_the_meeting(run, store)
    return stores.build_once(tmp_path_factory, "approved-source", build, today="2026-12-03")


@pytest.fixture
def approved(approved_template, store_dir, monkeypatch, run):
    """The 2026-12-03 minutes, approved at the meeting of 2027-02-04 (today)."""
    monkeypatch.setenv("ESCG_TODAY", "2027-02-04")
    root = stores.copy_store(approved_template, store_dir)
    run("minutes approve 2026-12-03")
    return root


def render(run, fmt="md"):
    return run(f"minutes render 2026-12-03 --format {fmt}").stdout


def test_approval_freezes_names_roles_orgs_and_actions(run, approved):
    before = {fmt: render(run, fmt) for fmt in ("md", "html")}
    assert "Circulate the strategy" in before["md"]
    # Everything the minutes show from outside the meeting's file changes afterwards.
    run(["person", "edit", "dan", "--name", "Daniel Renamed", "--role", "Somebody else"])
    run(["org", "edit", "police", "--name", "Renamed Police"])
    run(["action", "update", "A-001", "reassigned", "--owner", "cat", "--due", "2027-06-30"])
    run(["action", "done", "A-001"])
    after = {fmt: render(run, fmt) for fmt in ("md", "html")}
    assert after == before
    assert "Daniel Renamed" not in after["md"] and "Renamed Police" not in after["md"]
    # The action log itself shows the action as it now is.
    assert "Cat" in run("actions --all --format md").stdout
    run("check --full")


def test_the_record_and_its_digest_are_in_the_file(approved):
    text = (approved / MEETING).read_text()
    assert "[minutes.record]" in text and 'digest = "sha256:' in text
    assert "\nactions = [\n" in text and 'title = "Circulate the strategy"' in text


@pytest.mark.parametrize("argv", [
    ["action", "add", "Late action", "--owner", "cat", "--meeting", "2026-12-03", "--item", "5"],
    ["action", "add", "Late action", "--owner", "cat", "--meeting", "2026-12-03"],
    ["minutes", "action", "2026-12-03", "5", "Late action", "--owner", "cat"],
    ["minutes", "note", "2026-12-03", "5", "An afterthought"],
    ["minutes", "decide", "2026-12-03", "5", "A decision nobody took"],
    ["minutes", "declare", "2026-12-03", "5", "bob", "An interest"],
    ["attend", "2026-12-03", "--present", "bob"],
])
def test_edits_to_approved_minutes_are_refused(run, approved, argv):
    files = {path: path.read_bytes() for path in approved.rglob("*.toml")}
    result = run(argv, code=5)
    assert "approved" in result.stderr and "Traceback" not in result.stderr
    assert {path: path.read_bytes() for path in approved.rglob("*.toml")} == files


def test_the_store_refuses_any_write_to_approved_minutes(approved):
    """One guard at commit, whatever the command: a change the commands above did not foresee."""
    from escg.core.errors import ConflictError
    from escg.domain import meetings
    from escg.store import Store

    store = Store(approved)
    before = (approved / MEETING).read_bytes()
    with pytest.raises(ConflictError, match="approved"):
        with store.transaction() as txn:
            meeting = store.meeting("2026-12-03")
            meeting.venue = "Somewhere else"
            meetings.write(txn, store, meeting)
    assert (approved / MEETING).read_bytes() == before


def test_check_finds_a_hand_edit_and_a_correction_records_it(run, approved):
    path = approved / MEETING
    clean = path.read_text()
    path.write_text(clean.replace("The group endorsed the strategy.", "The group rejected the strategy."))
    result = run("check", code=6)
    assert "meetings/2026/2026-12-03.toml:" in result.stdout
    assert "changed since they were approved" in result.stdout and "minutes correct 2026-12-03" in result.stdout
    run("check --full", code=6)
    # Restoring the approved text makes the store clean again.
    path.write_text(clean)
    run("check")
    # A correction needs a reason; with one, the file as it stands becomes the record.
    path.write_text(clean.replace("The group endorsed the strategy.", "The group endorsed the strategy, subject to funding."))
    assert "--reason" in run("minutes correct 2026-12-03", code=3).stderr
    run(["minutes", "correct", "2026-12-03", "--reason", "Wording agreed at the February meeting"])
    run("check")
    run("check --full")
    text = path.read_text()
    assert 'reason = "Wording agreed at the February meeting"' in text
    old_digest = clean.split('digest = "', 1)[1].split('"', 1)[0]
    assert old_digest in text.split("corrections", 1)[1]  # the correction keeps the digest it replaced
    md, html = render(run), render(run, "html")
    assert "subject to funding" in md
    assert "*Corrected on Thursday 4 February 2027: Wording agreed at the February meeting*" in md
    assert "Corrected on Thursday 4 February 2027: Wording agreed at the February meeting" in html
    # Nothing changed since: nothing to correct, and nothing written.
    before = path.read_bytes()
    assert "nothing to correct" in run(["minutes", "correct", "2026-12-03", "--reason", "again"]).stderr
    assert path.read_bytes() == before


def test_layout_and_comments_do_not_count(run, approved):
    path = approved / MEETING
    path.write_text("# a comment added by hand\n" + path.read_text().replace("\n\n", "\n\n\n", 3))
    run("check --full")


def test_tampering_with_the_record_itself_is_found(run, approved):
    path = approved / MEETING
    text = path.read_text()
    assert 'title = "Circulate the strategy"' in text
    path.write_text(text.replace('title = "Circulate the strategy"', 'title = "Shred the strategy"'))
    assert "changed since they were approved" in run("check", code=6).stdout


def test_approved_minutes_do_not_go_back_to_draft_by_hand(run, approved):
    path = approved / MEETING
    path.write_text(path.read_text().replace('status = "minutes-approved"', 'status = "minutes-draft"'))
    assert "do not go back to draft" in run("check", code=6).stdout


def test_refresh_takes_names_from_the_store_as_it_is_now(run, approved):
    before = (approved / MEETING).read_bytes()
    assert "nothing to correct" in run(["minutes", "correct", "2026-12-03", "--refresh", "--reason", "r"]).stderr
    assert (approved / MEETING).read_bytes() == before
    run(["person", "edit", "dan", "--name", "Dan Corrected-Spelling"])
    assert "Dan Corrected-Spelling" not in render(run)
    run(["minutes", "correct", "2026-12-03", "--refresh", "--reason", "Dan's name was misspelt"])
    assert "Dan Corrected-Spelling" in render(run)
    run("check --full")


def test_minutes_approved_before_records_were_frozen(run, approved):
    """A store from before this release: approved minutes with no record are a note,
    which `check --fix` mends by freezing them as a recorded correction."""
    path = approved / MEETING
    text = path.read_text()
    head, rest = text.split("[minutes.record]", 1)
    path.write_text(head.rstrip() + "\n")  # the record was the last table
    result = run("check")
    assert "have no [minutes.record]" in result.stderr and "`escg check --fix` freezes them" in result.stderr
    assert "the store is clean" in result.stderr
    assert "froze the approved minutes of 2026-12-03" in run("check --fix").stderr
    result = run("check --full")
    assert "have no [minutes.record]" not in result.stderr
    assert 'reason = "frozen by `escg check --fix`' in path.read_text()


def test_meeting_show_keeps_the_approved_quorum(run, approved):
    before = json.loads(run("meeting show 2026-12-03 --json").stdout)
    run(["person", "add", "eva", "--name", "Eva New", "--org", "police", "--membership", "member"])
    run(["person", "add", "fen", "--name", "Fen New", "--org", "police", "--membership", "member"])
    after = json.loads(run("meeting show 2026-12-03 --json").stdout)
    assert after["quorate"] == before["quorate"]
    assert after["attendance"] == before["attendance"]
