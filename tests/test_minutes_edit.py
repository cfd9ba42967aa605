"""`escg minutes edit` and `minutes import`: the minutes as one document (escg/workflows/minutes_doc.py).

The editor is a real program: a small Python script given as $EDITOR, which makes
one scripted change each time it is opened (the way a person would: replace a
line, add one, save empty, or save it as it was) and keeps a copy of every text it
was shown, so a test can read what the person saw.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest


EDITOR = r'''
import json, subprocess, sys
from pathlib import Path
here = Path(__file__).parent
steps = json.loads((here / "steps.json").read_text())
seen = sorted(here.glob("seen-*.md"))
n = len(seen)
path = Path(sys.argv[1])
text = path.read_text()
(here / f"seen-{n:02d}.md").write_text(text)
step = steps[n] if n < len(steps) else {"keep": True}
for command in step.get("run", []):
    subprocess.run(command, shell=True, check=True)
if step.get("empty"):
    text = ""
for old, new in step.get("replace", []):
    assert old in text, (old, text)
    text = text.replace(old, new, 1)
if "append" in step:
    text += step["append"]
if "exit" in step:
    sys.exit(step["exit"])
path.write_bytes(text.encode(step.get("encoding", "utf-8")))
'''


@pytest.fixture
def example(example_store) -> Path:
    return example_store


@pytest.fixture
def editor(tmp_path, monkeypatch):
    folder = tmp_path / "editor"
    folder.mkdir()
    (folder / "editor.py").write_text(EDITOR)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {folder / 'editor.py'}")
    monkeypatch.delenv("VISUAL", raising=False)

    def script(*steps):
        for old in folder.glob("seen-*.md"):  # a new person at the keyboard: count from the start
            old.unlink()
        (folder / "steps.json").write_text(json.dumps(list(steps)))
        return folder

    return script


def seen(folder: Path) -> list[str]:
    return [p.read_text() for p in sorted(folder.glob("seen-*.md"))]


def snapshot(store: Path) -> dict[str, bytes]:
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*"))
            if p.is_file() and not p.name.startswith((".escg-index", ".escg.lock"))}


def actions(run) -> dict[str, dict]:
    return {a["id"]: a for a in json.loads(run("actions --all --json").stdout)}


MEETING = "2026-10-01"  # draft minutes in the example store


def test_saved_unchanged_nothing_is_written(run, example, editor):
    folder = editor({"keep": True})
    before = snapshot(example)
    result = run(f"minutes edit {MEETING}")
    assert "no change to the minutes of 2026-10-01; nothing was written" in result.stderr
    assert snapshot(example) == before
    assert seen(folder)[0] == run(f"minutes edit {MEETING} --print").stdout


def test_every_meeting_reads_back_as_it_was(run, example):
    from escg.store import Store
    from escg.workflows import minutes_doc

    store = Store.open(str(example))
    for meeting in store.meetings.values():
        if meeting.status.cancelled or meeting.date.isoformat() > "2026-11-23":
            continue
        text = minutes_doc.render_document(store, meeting)
        assert minutes_doc.parse_document(store, meeting, text) == minutes_doc.state_of(store, meeting), meeting.id


def test_notes_decisions_declarations_actions_and_attendance_in_one_edit(run, example, editor):
    editor({"replace": [
        ("Absent: graham-pettit", "Absent: "),
        ("Apologies: simon-whitlock, andrew-kettle, bernadette-quinn",
         "Apologies: simon-whitlock, andrew-kettle, bernadette-quinn, graham-pettit"),
        ("## 9. Any other business\n",
         "## 9. Any other business\n\nThe chair thanked the secretariat.\nIt was a long meeting.\n\n"
         "DECISION: The group agreed to meet in Colchester in spring.\n\n"
         "DECLARE @priya-raman: Colchester City Council would host the meeting.\n\n"
         "ACTION @priya-raman due 15 Jan 2027: Book a room in Colchester for the April meeting\n"),
    ]})
    result = run(f"minutes edit {MEETING}")
    assert "attendance: apologies + graham-pettit" in result.stderr
    assert "attendance: absent - graham-pettit" in result.stderr
    assert "item 9: 1 note added" in result.stderr and "item 9: 1 decision added" in result.stderr
    assert "new action at item 9: Book a room in Colchester for the April meeting (priya-raman, due 15 Jan 2027)" \
        in result.stderr
    assert "raised A-030" in result.stderr
    minutes = run(f"minutes render {MEETING}").stdout
    assert "The chair thanked the secretariat.\nIt was a long meeting." in minutes
    assert "The group agreed to meet in Colchester in spring." in minutes
    raised = actions(run)["A-030"]
    assert (raised["owner"], raised["due"], raised["meeting"], raised["item"]) == \
           ("priya-raman", "2027-01-15", MEETING, 9)
    assert "the store is clean" in run("check").stderr
    # and the document now reads back as written: saving it again changes nothing
    before = snapshot(example)
    editor({"keep": True})
    assert "no change" in run(f"minutes edit {MEETING}").stderr
    assert snapshot(example) == before


def test_a_document_with_problems_reopens_marked_and_nothing_is_lost(run, example, editor):
    folder = editor(
        {"replace": [("## 9. Any other business\n",
                      "## 9. Any other business\n\nACTION @nobody-here: Do the thing\n\nDECISION no colon\n")]},
        {"replace": [("ACTION @nobody-here: Do the thing", "ACTION @priya-raman: Do the thing"),
                     ("DECISION no colon", "DECISION: now with a colon")]},
    )
    before = snapshot(example)
    result = run(f"minutes edit {MEETING}")
    shown = seen(folder)
    assert len(shown) == 2
    marked = shown[1].split("\n")
    at = marked.index("ACTION @nobody-here: Do the thing")
    assert marked[at - 1].startswith("<!-- escg error: ACTION: unknown person 'nobody-here'")
    assert "<!-- escg error: write a decision as DECISION: the text -->" in shown[1]
    assert "\nline " in "\n" + result.stderr and "warning: line" not in result.stderr
    assert "wrote the minutes of 2026-10-01" in result.stderr
    assert snapshot(example) != before
    minutes = run(f"minutes render {MEETING}").stdout
    assert "now with a colon" in minutes and "escg error" not in minutes


def test_problems_left_unfixed_keep_the_text_for_the_next_edit(run, example, editor):
    folder = editor({"replace": [("## 9. Any other business\n",
                                  "## 9. Any other business\n\nMy long note typed live.\n\nACTION @nobody: x\n")]},
                    {"keep": True})
    before = snapshot(example)
    result = run(f"minutes edit {MEETING}", code=3)
    assert "still has 1 problem; nothing was written, and your text is kept in" in result.stderr
    assert snapshot(example) == before
    # the next edit opens the kept text, problems marked
    editor({"replace": [("ACTION @nobody: x", "ACTION @priya-raman: x")]})
    result = run(f"minutes edit {MEETING}")
    assert "resuming your unsaved edit" in result.stderr
    assert "My long note typed live." in seen(folder)[0]
    assert "My long note typed live." in run(f"minutes render {MEETING}").stdout


def test_a_draft_saved_in_another_encoding_is_refused_and_kept(run, example, editor):
    """An editor that saved the draft as Latin-1 ended the edit in a traceback, and every
    later edit of the meeting resumed the same draft and crashed again."""
    editor({"replace": [("## 9. Any other business\n", "## 9. Any other business\n\nCaf\u00e9 cr\u00e8me\n")],
            "encoding": "latin-1"})
    before = snapshot(example)
    error = run(f"minutes edit {MEETING}", code=3).stderr
    assert "is not UTF-8 text (was it saved in another encoding?): nothing was written" in error
    assert "Traceback" not in error and snapshot(example) == before
    draft = Path(error.split("error: ")[1].split(" is not UTF-8")[0])
    assert draft.read_bytes().count("Caf\u00e9".encode("latin-1")) == 1
    # the next edit says the same, rather than crash on the draft it resumes
    editor({"keep": True})
    assert "is not UTF-8 text" in run(f"minutes edit {MEETING}", code=3).stderr
    # saved again as UTF-8, the edit goes on from the kept text
    draft.write_text(draft.read_bytes().decode("latin-1"), encoding="utf-8")
    assert "resuming your unsaved edit" in run(f"minutes edit {MEETING}").stderr
    assert "Caf\u00e9 cr\u00e8me" in run(f"minutes render {MEETING}").stdout


def test_a_draft_with_a_byte_order_mark_or_left_as_a_fifo(run, example, editor):
    """An editor that adds a byte-order mark made a draft whose first line was 'text
    before the first heading'; one that left a FIFO in the draft's place hung the edit,
    and every edit that resumed it (an adversary's pass). The mark is dropped, as `minutes
    import` drops it; a FIFO refuses at once, naming what to delete."""
    from escg.cli.editing import draft_path
    from escg.store import Store

    editor({"replace": [("## 9. Any other business\n", "## 9. Any other business\n\nWith a mark\n")],
            "encoding": "utf-8-sig"})
    assert f"wrote the minutes of {MEETING}" in run(f"minutes edit {MEETING}").stderr
    assert "With a mark" in run(f"minutes render {MEETING}").stdout
    draft = draft_path(Store(example), MEETING)
    editor({"run": [f"rm -f '{draft}' && mkfifo '{draft}'"], "exit": 0})
    before = snapshot(example)
    error = run(f"minutes edit {MEETING}", code=3).stderr
    assert f"{draft} is not a regular file: nothing was written" in error and f"delete {draft} and" in error
    assert snapshot(example) == before
    assert "not a regular file" in run(f"minutes edit {MEETING}", code=3).stderr  # resumed: no hang


def test_saved_empty_the_edit_is_cancelled(run, example, editor):
    editor({"empty": True})
    before = snapshot(example)
    assert "cancelled" in run(f"minutes edit {MEETING}").stderr
    assert snapshot(example) == before


def test_the_editor_failing_keeps_the_text(run, example, editor):
    editor({"replace": [("## 9. Any other business\n", "## 9. Any other business\n\nTyped before the crash\n")],
            "exit": 1})
    result = run(f"minutes edit {MEETING}", code=3)
    assert "the editor exited with status 1; your text is kept in" in result.stderr


def test_a_change_made_meanwhile_is_not_overwritten(run, example, editor, tmp_path):
    escg = f"{sys.executable} -m escg --store {example}"
    editor({"run": [f"ESCG_TODAY=2026-11-23 {escg} minutes note {MEETING} 9 'Typed by a colleague meanwhile'"],
            "replace": [("## 9. Any other business\n", "## 9. Any other business\n\nMy own note\n")]})
    result = run(f"minutes edit {MEETING}", code=5)
    assert "changed while you were editing them; nothing was written, and your text is kept in" in result.stderr
    kept = Path(result.stderr.split("kept in ")[1].split(":")[0])
    assert "My own note" in kept.read_text()
    minutes = run(f"minutes render {MEETING}").stdout
    assert "Typed by a colleague meanwhile" in minutes and "My own note" not in minutes


def test_existing_actions_are_corrected_not_deleted(run, example, editor):
    editor({"replace": [("ACTION A-023 @ruth-ellison due 31 Mar 2027: Share winter vaccination uptake",
                         "ACTION A-023 @nadia-farouk due 30 Apr 2027: Share winter vaccine uptake")]})
    result = run(f"minutes edit {MEETING}")
    assert "action A-023: title changed" in result.stderr and "action A-023: owner changed" in result.stderr
    action = actions(run)["A-023"]
    assert (action["owner"], action["due"]) == ("nadia-farouk", "2027-04-30")
    assert action["title"].startswith("Share winter vaccine uptake")
    assert action["updates"][-1]["note"].startswith("Text corrected in the minutes. Owner changed from ruth-ellison")
    editor({"replace": [("ACTION A-023 @nadia-farouk due 30 Apr 2027: Share winter vaccine uptake by district "
                         "every fortnight with the district councils\n", "")]}, {"keep": True})
    result = run(f"minutes edit {MEETING}", code=3)
    assert "action A-023 was raised at this meeting and its line was taken out" in result.stderr


def test_lines_that_look_like_keywords_survive(run, example, editor):
    run(["minutes", "note", MEETING, "9", "ACTION points were reviewed.\n\n# not a heading\n  indented"])
    editor({"keep": True})
    before = snapshot(example)
    assert "no change" in run(f"minutes edit {MEETING}").stderr
    assert snapshot(example) == before
    text = run(f"minutes edit {MEETING} --print").stdout
    assert "\\ACTION points were reviewed.\n\\\n\\# not a heading\n\\  indented" in text


def test_headings_are_the_agendas(run, example, editor):
    editor({"replace": [("## 9. Any other business", "## 9. AOB")]}, {"keep": True})
    result = run(f"minutes edit {MEETING}", code=3)
    assert "item 9's heading must stay '9. Any other business'" in result.stderr


def test_approved_minutes_are_not_edited(run, example, editor):
    editor({"keep": True})
    assert "approved minutes are a record" in run("minutes edit 2026-07-16", code=5).stderr


# --- minutes import -----------------------------------------------------------------------


def test_import_replaces_the_sections_it_has_and_keeps_the_rest(run, example, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("## 9. Any other business\n\nTyped on a laptop during the meeting.\n\n"
                     "ACTION @claire-dunmore: Share the exercise report\n")
    before = run(f"minutes render {MEETING}").stdout
    dry = run(f"minutes import {notes} -m {MEETING} --dry-run")
    assert "item 9: 1 note added, 1 note removed" in dry.stderr and "dry run: nothing was written" in dry.stderr
    assert run(f"minutes render {MEETING}").stdout == before
    result = run(f"minutes import {notes} -m {MEETING}")
    assert "raised A-030" in result.stderr
    after = run(f"minutes render {MEETING}").stdout
    assert "Typed on a laptop during the meeting." in after
    assert "Dr Nadia Farouk presented the winter plan" in after  # item 5 kept
    assert "the store is clean" in run("check").stderr


def test_minutes_too_large_for_a_store_file_are_refused_and_nothing_is_written(run, example, tmp_path, monkeypatch):
    """Each note is bounded, their number was not: an import (or an edit) wrote a meeting
    file over the loader's limit, and every command after it stopped with exit 6 (an
    adversary's pass). A write the loader would refuse to read back is refused."""
    from escg.store import loader

    monkeypatch.setattr(loader, "MAX_FILE", 200_000)  # 16 MB in the real thing
    document = run(f"minutes edit {MEETING} --print").stdout
    many = "".join(f"Note number {n} on the discussion, long enough to count.\n\n" for n in range(4000))
    path = tmp_path / "minutes.md"
    path.write_text(document.replace("## 9. Any other business\n", "## 9. Any other business\n\n" + many, 1))
    before = snapshot(example)
    error = run(["minutes", "import", str(path), "-m", MEETING], code=3).stderr
    assert f"meetings/2026/{MEETING}.toml would be" in error and "nothing was written" in error
    assert snapshot(example) == before
    run("meeting list")  # the store still reads


def test_import_with_problems_writes_nothing(run, example, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("## 9. Any other business\n\nDECLARE @ghost: nothing\n\n## 42. Not an item\n")
    before = snapshot(example)
    result = run(f"minutes import {notes} -m {MEETING}", code=3)
    assert "notes.md:3: DECLARE: unknown person 'ghost'" in result.stderr
    assert "notes.md:5: the agenda has no item 42" in result.stderr
    assert snapshot(example) == before


def test_marked_lines_in_a_row_are_each_their_own_and_new_actions_get_their_own_ids(run, example, editor):
    editor({"replace": [("## 9. Any other business\n",
                         "## 9. Any other business\n\nA note.\nDECISION: The group endorsed the plan.\n"
                         "DECLARE @priya-raman: Colchester would host.\n"
                         "ACTION @priya-raman due 15 Jan 2027: Book a room\n"
                         "ACTION @claire-dunmore: Share the exercise report\n")]})
    result = run(f"minutes edit {MEETING}")
    assert "raised A-030" in result.stderr and "raised A-031" in result.stderr
    found = actions(run)
    assert found["A-030"]["title"] == "Book a room" and found["A-031"]["title"] == "Share the exercise report"
    assert [d["text"] for d in json.loads(run("decisions --meeting 2026-10-01 --json").stdout)][-1] == \
        "The group endorsed the plan."
    text = run(f"minutes render {MEETING}").stdout
    assert "Priya Raman (item 9, Any other business): Colchester would host." in text
    assert "the store is clean" in run("check").stderr
    assert (example / ".escg-last-action").read_text().strip() == "31"
