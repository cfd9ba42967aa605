"""check finds what would later stop a command: forward-plan references to meetings that do
not exist, papers that are not in the store, items stranded on a cancelled meeting; and
cancelling a meeting moves its items to the forward plan (issue 11, item 4)."""

from __future__ import annotations

import json


def test_a_forward_plan_item_deferred_from_a_missing_meeting_is_found(run, meeting_store):
    path = meeting_store / "forward-plan.toml"
    path.write_text(path.read_text() + '\n[[items]]\ntitle = "Orphan"\ndeferred_from = "2025-01-09"\nstatus = "deferred"\n')
    assert "deferred from meeting 2025-01-09, which does not exist" in run("check", code=6).stdout


def test_a_missing_paper_is_found_and_found_again_once_added(run, meeting_store):
    run("agenda add 'With a paper' -m 2026-12-03 --paper papers/report.md")
    result = run("check", code=6)
    assert "paper 'papers/report.md' is not in the store" in result.stdout
    (meeting_store / "papers").mkdir()
    (meeting_store / "papers" / "report.md").write_text("# Report\n")
    assert run("check").stderr.endswith("the store is clean\n")  # the meeting did not change, the paper did
    (meeting_store / "papers" / "report.md").unlink()
    assert "is not in the store" in run("check", code=6).stdout


def test_cancelling_a_meeting_moves_its_items_to_the_forward_plan(run, meeting_store):
    run("agenda add 'Violence update' -m 2026-12-03 --presenter bob")
    run("agenda new 2026-12-03")
    result = run("meeting cancel 2026-12-03 --reason 'Election period'")
    assert "1 item moved to the forward plan" in result.stderr
    plan = json.loads(run("agenda list --forward-plan --json").stdout)
    assert [(i["title"], i["status"], i["deferred_from"]) for i in plan] == [("Violence update", "deferred", "2026-12-03")]
    assert run("check").stderr.endswith("the store is clean\n")


def test_an_item_left_on_a_cancelled_meeting_by_hand_is_found(run, meeting_store):
    run("meeting cancel 2026-12-03")
    path = meeting_store / "meetings" / "2026" / "2026-12-03.toml"
    path.write_text(path.read_text() + '\n[[items]]\ntitle = "Stranded"\n')
    assert "item 'Stranded' is still placed on this cancelled meeting" in run("check", code=6).stdout
