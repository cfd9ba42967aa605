"""The action log: lifecycle, review filters, RAG, documents and concurrency."""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

import stores
from escg.store import Store


@pytest.fixture
def action_store(meeting_store):
    """Actions as at 2026-11-23: one overdue, one due soon, one later, one with no date, one done.

    Written as files: what stores.ACTION_STORE_COMMANDS write (test_stores.py checks it)."""
    return stores.add_action_store(meeting_store)


def listed(run, args="actions --json"):
    return json.loads(run(args).stdout)


def test_ids_are_sequential_and_speakable(run, action_store):
    assert [a["id"] for a in listed(run, "actions --all --json")] == ["A-005", "A-001", "A-002", "A-003", "A-004"]
    assert run("action add Another --owner bob").stdout == "A-006\n"


def test_json_contract(run, action_store):
    first = listed(run)[0]
    assert first == {
        "id": "A-001", "title": "Circulate the needs assessment", "owner": "bob", "org": "police",
        "due": "2026-11-20", "status": "open", "rag": "red", "meeting": "2026-10-01", "item": 5,
        "created": "2026-11-23", "closed": None, "updates": [],
    }
    done = listed(run, "actions --closed --json")[0]
    assert done["status"] == "done" and done["rag"] == "complete" and done["closed"] == "2026-11-23"
    assert done["updates"] == [{"date": "2026-11-23", "note": "Done: Booked"}]


def test_open_is_default_sorted_by_due_then_id(run, action_store):
    rows = listed(run)
    assert [(a["id"], a["rag"]) for a in rows] == [("A-001", "red"), ("A-002", "amber"), ("A-003", "green"), ("A-004", "green")]
    assert listed(run, "actions --open --json") == rows


def test_rag_window_comes_from_escg_toml(run, action_store):
    config = action_store / "escg.toml"
    config.write_text(config.read_text().replace("rag_window = 14", "rag_window = 60"))
    assert listed(run)[2]["rag"] == "amber"


def test_today_is_overridable(run, action_store, monkeypatch):
    monkeypatch.setenv("ESCG_TODAY", "2026-11-10")
    assert [a["rag"] for a in listed(run)] == ["amber", "green", "green", "green"]


def test_filters(run, action_store):
    ids = lambda args: [a["id"] for a in listed(run, args + " --json")]
    assert ids("actions --overdue") == ["A-001"]
    assert ids("actions --due-within 14d") == ["A-002"]
    assert ids("actions --overdue --due-within 2w") == ["A-001", "A-002"]
    assert ids("actions --owner ann-chair --all") == ["A-005", "A-003"]
    assert ids("actions --org police") == ["A-001", "A-004"]
    assert ids("actions --meeting 2026-10-01") == ["A-001"]
    assert ids("actions --meeting last") == ["A-001"]
    assert ids("actions --theme partnership") == ["A-001"]
    assert ids("actions --theme health") == ["A-003"]
    assert ids("actions --closed") == ["A-005"]


def test_lifecycle_with_history(run, action_store):
    run("action update A-002 'Draft circulated to partners'")
    run("action update a-2 --due 'next meeting'")
    run("action update 2 --owner ann-chair")
    action = listed(run, "action show A-002 --json")
    assert action["due"] == "2026-12-03" and action["owner"] == "ann-chair" and action["org"] == "ecc"
    assert [u["note"] for u in action["updates"]] == [
        "Draft circulated to partners",
        "Due date changed from 2026-12-01 to 2026-12-03.",
        "Owner changed from cat to ann-chair.",
    ]
    run("action drop A-002 --reason 'Overtaken by the ICB plan'")
    assert listed(run, "action show A-002 --json")["status"] == "dropped"
    run("action reopen A-002 --note 'ICB plan delayed'")
    reopened = listed(run, "action show A-002 --json")
    assert reopened["status"] == "open" and reopened["closed"] is None
    assert reopened["updates"][-1]["note"] == "Reopened: ICB plan delayed"
    shown = run("action show A-002").stdout
    assert "Reopened: ICB plan delayed" in shown and "Ann Chair (Essex County Council)" in shown


def test_bad_action_input_writes_nothing(run, action_store):
    snapshot = {p: p.read_bytes() for p in action_store.rglob("*.toml")}
    cases = [
        ("action add X --owner nobody", 4, "unknown person 'nobody'"),
        ("action add X", 3, "needs an --owner"),
        ("action add X --owner bob --due 31/02/2027", 3, "February 2027 has 28 days"),
        ("action add X --owner bob --due 12-03-2027", 3, "ambiguous"),
        ("action add X --owner bob --item 3", 3, "--item needs --meeting"),
        ("action add X --owner bob --meeting 2026-10-01 --item 42", 4, "has no item 42"),
        ("action add X --owner bob --theme weather", 4, "unknown theme"),
        ("action show A-999", 4, "unknown action A-999; see `escg actions --all`"),
        ("action show ../x", 3, "not valid"),
        ("action done A-005", 5, "already done"),
        ("action reopen A-001", 5, "already open"),
        ("action drop A-001", 3, "needs a --reason"),
        ("action update A-001", 3, "give a NOTE"),
        ("action update A-001 --due 2026-11-20", 3, "nothing to change"),
        ("actions --owner nobody", 4, "unknown person"),
        ("actions --due-within soon", 3, "not a period"),
        ("actions --open --closed", 3, "one of"),
    ]
    for args, code, message in cases:
        result = run(args, code=code)
        assert message in result.stderr, (args, result.stderr)
    assert {p: p.read_bytes() for p in action_store.rglob("*.toml")} == snapshot


def test_next_meeting_due_needs_a_meeting(run, people_store):
    assert "no meeting is scheduled after today" in run("action add X --owner bob --due 'next meeting'", code=4).stderr


def test_hand_comment_survives_update(run, action_store):
    path = next((action_store / "actions").rglob("A-001-*.toml"))
    path.write_text(path.read_text().replace('owner = "bob"', 'owner = "bob"  # agreed at the October meeting') + "# Chair is watching this one\n")
    run("action update A-001 'Sent to three CSPs'")
    run("action done A-001")
    text = path.read_text()
    assert 'owner = "bob"  # agreed at the October meeting' in text
    assert "# Chair is watching this one" in text
    assert 'note = "Sent to three CSPs"' in text


def test_files_are_one_per_action_by_year(action_store):
    files = sorted(p.relative_to(action_store).as_posix() for p in (action_store / "actions").rglob("*.toml"))
    assert len(files) == 5
    assert all(f.startswith("actions/2026/A-00") for f in files)


def test_twenty_processes_get_twenty_distinct_ids(run, people_store):
    code = "import sys; from escg.cli import main; sys.argv = ['escg'] + sys.argv[1:]; main()"

    def add(n):
        return subprocess.run([sys.executable, "-c", code, "action", "add", f"Parallel action {n}", "--owner", "bob"],
                              capture_output=True, text=True, timeout=120)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(add, range(20)))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results if r.returncode]
    given = sorted(r.stdout.strip() for r in results)
    assert given == [f"A-{n:03d}" for n in range(1, 21)]
    store = Store(people_store)
    assert sorted(a.title for a in store.actions) == sorted(f"Parallel action {n}" for n in range(20))


def test_ids_are_never_reused(run, action_store):
    newest = next((action_store / "actions").rglob("A-005-*.toml"))
    newest.unlink()
    assert run("action add Again --owner bob").stdout == "A-006\n"


def test_a_counter_that_is_not_a_number_file_refuses_and_check_reports_it(run, action_store):
    """.escg-last-action as a FIFO hung `action add` for ever; as a folder it ended in a
    traceback; as text that is not a number it was passed over, and an id could be given
    out again. Each now refuses with the file named, and `escg check` reports it."""
    import os

    counter = action_store / ".escg-last-action"
    counter.unlink(missing_ok=True)
    before = sorted(p.name for p in (action_store / "actions").rglob("*.toml"))
    for make, said in ((lambda: os.mkfifo(counter), "not a regular file"),
                       (lambda: counter.mkdir(), "not a regular file"),
                       (lambda: counter.write_text("3x\n"), "not an action number ('3x'"),
                       (lambda: counter.write_text("1000000000\n"), "not an action number ('1000000000'"),
                       (lambda: counter.write_text("9" * 5000), "not an action number ('99999"),
                       (lambda: counter.symlink_to(counter.name), "a symbolic link that loops"),
                       (lambda: counter.write_bytes(b"\xff\n"), "not valid UTF-8 text")):
        make()
        error = run("action add Again --owner bob", code=6).stderr
        assert f".escg-last-action: {said}" in error and "delete it" in error
        assert said in run("check", code=6).stdout
        assert sorted(p.name for p in (action_store / "actions").rglob("*.toml")) == before
        counter.rmdir() if counter.is_dir() else counter.unlink()
    counter.write_text(" 9\n")
    assert run("action add Again --owner bob").stdout == "A-010\n"
    assert counter.read_text() == "10\n"
    assert "the store is clean" in run("check").stderr


def test_duplicate_ids_are_reported(run, action_store):
    original = next((action_store / "actions").rglob("A-002-*.toml"))
    twin = original.with_name("A-002-beef.toml")
    twin.write_text(original.read_text().replace("Draft the winter plan", "Something else"))
    assert "used twice" in run("action show A-002", code=5).stderr


def test_actions_carried_forward_into_the_agenda(run, action_store):
    run("agenda new 2026-12-03")
    result = run("agenda new 2026-12-03")
    assert "4 open actions carried forward (1 overdue), 1 closed since the last meeting" in result.stderr
    text = run("agenda render 2026-12-03").stdout
    section = text[text.index("Action log review\n"):]
    assert "| A-001 | Circulate the needs assessment | Bob Police | 20 Nov 2026 | Overdue |" in section
    assert "| A-005 | Book the venue | Ann Chair | 10 Nov 2026 | Done 23 Nov 2026 (closed since the last meeting) |" in section
    html = run("agenda render 2026-12-03 -f html").stdout
    assert '<td class="rag rag-red">Overdue</td>' in html
    # the October meeting's own agenda does not list the action raised at it
    assert "A-001" not in run("agenda render 2026-10-01").stdout


def test_carried_forward_among_some_meetings(run, action_store):
    """``raised_at`` (the leak search of `escg check`): only the actions raised at those meetings."""
    from escg.domain.actions import carried_forward
    from escg.store import ActionQuery, Store

    run("agenda new 2026-12-03")
    store = Store(action_store)
    meeting = store.meeting("2026-12-03")
    every = carried_forward(store, meeting)
    assert len(every) == 5
    some = carried_forward(store, meeting, raised_at=("2026-10-01",))
    raised_there = {a.id for a in store.select_actions(ActionQuery(meeting="2026-10-01"))}
    assert 0 < len(some) < len(every) and {entry["id"] for entry in some} <= raised_there
    assert carried_forward(store, meeting, raised_at=()) == []


def test_chairs_document(run, action_store):
    from markdown_it import MarkdownIt

    text = run("actions --format md").stdout
    assert "| 1 | 1 | 2 | 0 | 4 |" in text  # red, amber, green, complete, total
    assert MarkdownIt("commonmark").enable("table").render(text).count("<table>") == 2
    grouped = run("actions --all --format md --group-by owner").stdout
    assert "### Owner: Ann Chair" in grouped and "### Owner: Bob Police" in grouped
    html = run("actions --format html --group-by org").stdout
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en-GB\">")
    assert "<h2>Org: Essex Police</h2>" in html


def test_table_and_csv(run, action_store):
    import csv
    import io

    table = run("actions").stdout
    assert table.splitlines()[0].split() == ["ID", "DUE", "RAG", "OWNER", "ORG", "ACTION", "RAISED"]
    assert "\x1b[" not in table
    rows = list(csv.DictReader(io.StringIO(run("actions --format csv").stdout)))
    assert rows[0]["id"] == "A-001" and rows[0]["rag"] == "red"
    grouped = run("actions --group-by theme").stdout
    assert "theme: Improving partnership working" in grouped
    # JSON and CSV are never grouped (docs/json.md); a grouped table with nothing in it says so
    for fmt in ("json", "csv"):
        assert run(f"actions --group-by owner --format {fmt}").stdout == run(f"actions --format {fmt}").stdout
    empty = run("actions --group-by owner --closed --theme health")
    assert empty.stdout == "" and "(no actions match)" in empty.stderr


def test_hostile_text_is_escaped_in_the_action_log(run, action_store):
    run(["action", "add", "<script>alert(1)</script> | **x**", "--owner", "bob"])
    html = run("actions --format html").stdout
    assert "<script>" not in html and "&lt;script&gt;" in html
    md = run("actions --format md").stdout
    assert "\\<script>alert(1)\\</script> \\| \\*\\*x\\*\\*" in md
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable("table").render(md)
    assert "<script>" not in rendered and "&lt;script&gt;alert(1)&lt;/script&gt; | **x**" in rendered


def test_removing_an_owner_is_refused(run, action_store):
    assert "action A-004" in run("person remove dan", code=5).stderr


def test_agenda_new_writes_nothing_when_the_action_log_is_unreadable(run, action_store):
    broken = next((action_store / "actions").rglob("A-002-*.toml"))
    broken.write_text(broken.read_text().replace('status = "open"', 'status = "waiting"'))
    meeting = action_store / "meetings/2026/2026-12-03.toml"
    before = meeting.read_bytes()
    assert "'status' must be one of" in run("agenda new 2026-12-03", code=6).stderr
    assert meeting.read_bytes() == before


def test_out_is_refused_for_tables(run, action_store, tmp_path):
    assert "--out is for the action log as md, html, pdf, docx or xlsx" in run(["actions", "--group-by", "org", "--out", str(tmp_path / "x")], code=3).stderr
    assert not (tmp_path / "x").exists()


def test_action_show_formats(run, action_store):
    assert "- **Action:** A-001" in run("action show A-001 --format md").stdout
    assert run("action show A-001 -f csv").stdout.startswith("id,title,owner")


def test_an_empty_due_date_is_refused_not_taken_as_none(run, meeting_store):
    run("action add 'Report back' --owner bob --due 2026-12-20")
    result = run(["action", "update", "A-001", "--due", ""], code=3)
    assert "the due date is empty: give a date such as 2027-01-31, or 'none' for no due date" in result.stderr
    assert json.loads(run("action show A-001 --json").stdout)["due"] == "2026-12-20"
    assert "the due date is empty" in run(["action", "add", "Another", "--owner", "bob", "--due", ""], code=3).stderr
    run(["action", "update", "A-001", "--due", "none"])
    assert json.loads(run("action show A-001 --json").stdout)["due"] is None
