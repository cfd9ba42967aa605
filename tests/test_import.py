"""`escg import actions`: an existing action log brought in from Excel or CSV (escg/integrations/importer.py).

The workbooks are written by real spreadsheet programs: LibreOffice headless (from
a CSV, with British dates, as a secretariat's Excel log holds them), and openpyxl
where a test needs a cell of a given type. After every import the store passes
`escg check`.
"""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

import stores

openpyxl = pytest.importorskip("openpyxl")

HEADERS = ["Ref", "Date raised", "Action", "Action owner", "Organisation", "Target date", "RAG", "Status",
           "Progress update"]


def write_csv(path: Path, rows: list[list[str]], headers: list[str] = HEADERS, *, delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    import csv

    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], headers: list[str] = HEADERS, *, sheets: dict | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Action log"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as Excel keeps '=text
    for name, (other_headers, other_rows) in (sheets or {}).items():
        other = book.create_sheet(name)
        other.append(other_headers)
        for row in other_rows:
            other.append(row)
    book.save(path)
    return path


def snapshot(store: Path) -> dict[str, bytes]:
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*"))
            if p.is_file() and not p.name.startswith((".escg-index", ".escg.lock"))}


def actions(run) -> dict[str, dict]:
    """Every action, by id."""
    return {a["id"]: a for a in sorted(json.loads(run("actions --all --json").stdout), key=lambda a: a["id"])}


ROWS = [
    ["SCG/24/01", "01/10/2026", "Publish the winter communications plan", "Bob Police", "Essex Police",
     "30/11/2026", "Amber", "In progress", "Draft shared with comms leads"],
    ["SCG/24/02", "", "Map warm spaces across the county", "cat@example.org", "NHS", "TBC", "Green", "Ongoing", ""],
    ["SCG/24/03", "", "Review the partnership model", "ann chair", "ECC", "15 Jan 2027", "", "Complete",
     "Options paper agreed"],
]


# --- a log written by a spreadsheet program -----------------------------------------------


def libreoffice_xlsx(csv_path: Path, tmp_path: Path) -> Path:
    """``csv_path`` opened by LibreOffice with British dates (en-GB), saved as an Excel workbook."""
    if shutil.which("soffice") is None:
        pytest.skip("needs LibreOffice (soffice)")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
                    "--infilter=CSV:44,34,76,1,,2057", "--convert-to", "xlsx", "--outdir", str(csv_path.parent),
                    str(csv_path)], check=True, capture_output=True, timeout=180)
    return csv_path.with_suffix(".xlsx")


def test_a_log_saved_by_libreoffice_is_imported_with_owners_matched(run, meeting_store, tmp_path):
    (tmp_path / "in").mkdir()
    book = libreoffice_xlsx(write_csv(tmp_path / "in" / "log.csv", ROWS), tmp_path)
    cells = list(openpyxl.load_workbook(book).active.iter_rows(min_row=2, values_only=True))
    assert isinstance(cells[0][5], datetime)  # the program made real date cells of the British dates
    people_before = (meeting_store / "people.toml").read_bytes()
    result = run(f"import actions {book}")
    assert "imported 3 actions: A-001 to A-003" in result.stderr
    assert "columns: Ref → id, Date raised → raised, Action → title, Action owner → owner, Target date → due, " \
           "Status → status, Progress update → update" in result.stderr
    found = actions(run)
    assert [(a["id"], a["owner"], a["org"], a["due"], a["status"]) for a in found.values()] == [
        ("A-001", "bob", "police", "2026-11-30", "open"),
        ("A-002", "cat", "nhs", None, "open"),
        ("A-003", "ann-chair", "ecc", "2027-01-15", "done"),
    ]
    first = found["A-001"]
    assert first["meeting"] == "2026-10-01" and first["title"] == "Publish the winter communications plan"
    assert [u["note"] for u in first["updates"]] == ["Imported from the action log: ref SCG/24/01",
                                                     "Draft shared with comms leads"]
    assert [u["note"] for u in found["A-002"]["updates"]] == ["Imported from the action log: ref SCG/24/02; due TBC"]
    # nothing invented: no person, no organisation
    assert (meeting_store / "people.toml").read_bytes() == people_before
    assert "the store is clean" in run("check").stderr
    # the next id follows the imported ones
    run("action add 'One more' --owner bob")
    assert "A-004" in actions(run)


# --- every row checked before any write ---------------------------------------------------


def test_unknown_owners_are_listed_and_nothing_is_written(run, meeting_store, tmp_path):
    log = write_csv(tmp_path / "log.csv", [
        ROWS[0],
        ["", "", "Find a new venue", "Zoe Unknown", "", "", "", "", ""],
        ["", "", "Write the annual report", "", "", "31/02/2027", "", "Someday", ""],
    ])
    before = snapshot(meeting_store)
    result = run(f"import actions {log}", code=3)
    assert "4 problems in log.csv; nothing was imported:" in result.stderr
    assert "row 3: owner 'Zoe Unknown' is not one of the store's people" in result.stderr
    assert "row 4: no owner" in result.stderr
    assert "row 4: due '31/02/2027'" in result.stderr
    assert "row 4: status 'Someday' is not one escg knows" in result.stderr
    assert snapshot(meeting_store) == before


def test_an_owner_two_people_could_be_is_not_guessed(run, meeting_store, tmp_path):
    run("person add bob2 --name 'Bob Police' --org police")
    log = write_csv(tmp_path / "log.csv", [["", "", "Check the rota", "Bob Police", "", "", "", "", ""]])
    result = run(f"import actions {log}", code=3)
    assert "owner 'Bob Police' could be any of bob, bob2; write the person's id" in result.stderr


def test_owners_by_id_email_name_honorific_and_organisation(run, meeting_store, tmp_path):
    run("person add ruth --name 'Dr Ruth Ellison' --org nhs")
    log = write_csv(tmp_path / "log.csv", [
        ["", "", "One", "bob", "", "", "", "", ""],
        ["", "", "Two", "BOB@EXAMPLE.ORG", "", "", "", "", ""],
        ["", "", "Three", "Ruth Ellison", "", "", "", "", ""],
        ["", "", "Four", "Cat Health (NHS)", "", "", "", "", ""],
        ["", "", "Five", "  ann   chair ", "", "", "", "", ""],
    ])
    run(f"import actions {log}")
    assert [a["owner"] for a in actions(run).values()] == ["bob", "bob", "ruth", "cat", "ann-chair"]


def test_dry_run_shows_exactly_what_would_be_added(run, meeting_store, tmp_path):
    log = write_csv(tmp_path / "log.csv", ROWS)
    before = snapshot(meeting_store)
    dry = run(f"import actions {log} --dry-run --json")
    assert "dry run: would add 3 actions; nothing was written" in dry.stderr
    assert snapshot(meeting_store) == before
    planned = json.loads(dry.stdout)
    assert [p["row"] for p in planned] == [2, 3, 4]
    real = json.loads(run(f"import actions {log} --json").stdout)
    assert real == planned
    stored = actions(run)
    for row in real:
        action = stored[row["id"]]
        assert {k: action[k] for k in ("title", "owner", "due", "status", "meeting")} == \
               {k: row[k] for k in ("title", "owner", "due", "status", "meeting")}
        assert [u["note"] for u in action["updates"]] == [u["note"] for u in row["updates"]]


def test_a_table_for_a_person(run, meeting_store, tmp_path):
    out = run(f"import actions {write_csv(tmp_path / 'log.csv', ROWS)} --dry-run").stdout
    assert out.splitlines()[0].split() == ["ID", "ROW", "OWNER", "DUE", "STATUS", "ACTION", "NOTES"]
    assert "Bob Police" in out and "Publish the winter communications plan" in out


# --- ids ---------------------------------------------------------------------------------------


def test_refs_that_fit_are_kept_and_others_renumbered(run, meeting_store, tmp_path):
    stores.write_actions(meeting_store, stores.action_toml(1, "Existing", "bob", "police"),
                         stores.action_toml(2, "Existing too", "bob", "police"))
    log = write_csv(tmp_path / "log.csv", [
        ["A-010", "", "Kept as A-010", "bob", "", "", "", "", ""],
        ["2", "", "A-002 is taken", "bob", "", "", "", "", ""],
        ["12", "", "Kept as A-012", "bob", "", "", "", "", ""],
        ["A-010", "", "A second A-010", "bob", "", "", "", "", ""],
        ["", "", "No ref", "bob", "", "", "", "", ""],
    ])
    run(f"import actions {log}")
    found = actions(run)
    assert {i: found[i]["title"] for i in found if i not in ("A-001", "A-002")} == {
        "A-010": "Kept as A-010", "A-012": "Kept as A-012", "A-013": "A-002 is taken", "A-014": "A second A-010",
        "A-015": "No ref",
    }
    assert found["A-013"]["updates"][0]["note"] == "Imported from the action log: ref 2"
    assert found["A-010"]["updates"] == []
    assert "the store is clean" in run("check").stderr
    run("action add 'After' --owner bob")
    assert "A-016" in actions(run)


def test_a_deleted_id_is_not_given_again(run, meeting_store, tmp_path):
    stores.write_actions(meeting_store, stores.action_toml(1, "One", "bob", "police"),
                         stores.action_toml(2, "Two", "bob", "police"))
    next((meeting_store / "actions").rglob("A-002-*.toml")).unlink()
    run(f"import actions {write_csv(tmp_path / 'log.csv', [['A-002', '', 'Reuse?', 'bob', '', '', '', '', '']])}")
    assert list(actions(run)) == ["A-001", "A-003"]


# --- columns -------------------------------------------------------------------------------------


def test_map_overrides_the_guess_and_unread_columns_are_named(run, meeting_store, tmp_path):
    log = write_csv(tmp_path / "log.csv", [["Chase the data", "cat", "Lead officer", "1/12/2026", "x"]],
                    headers=["What we agreed", "Who", "Lead", "By", "Colour"])
    result = run(f"import actions {log} --map 'What we agreed=title,Who=owner' --map 'Lead=ignore' --map By=due")
    assert "not imported: the column 'Colour'" in result.stderr
    action = actions(run)["A-001"]
    assert (action["title"], action["owner"], action["due"]) == ("Chase the data", "cat", "2026-12-01")


def test_a_log_without_an_owner_column_says_how_to_name_it(run, meeting_store, tmp_path):
    log = write_csv(tmp_path / "log.csv", [["Chase", "cat"]], headers=["Action", "Person"])
    result = run(f"import actions {log}", code=3)
    assert "no column is read as the action's owner" in result.stderr and "--map 'HEADER=owner'" in result.stderr
    assert "Person" in result.stderr


@pytest.mark.parametrize("value, message", [
    ("Nope=owner", "--map names the header 'Nope', which the header row does not have"),
    ("Action=boss", "the field is one of id, title"),
    ("owner", "write it as HEADER=FIELD"),
])
def test_bad_maps_are_refused(run, meeting_store, tmp_path, value, message):
    log = write_csv(tmp_path / "log.csv", ROWS)
    assert message in run(["import", "actions", str(log), "--map", value], code=3).stderr


def test_two_columns_for_one_field_are_refused(run, meeting_store, tmp_path):
    log = write_csv(tmp_path / "log.csv", [["a", "bob", "bob"]], headers=["Action", "Owner", "Lead"])
    result = run(f"import actions {log}", code=3)
    assert "two columns are read as owner: 'Owner' and 'Lead'" in result.stderr


# --- workbooks and CSV files ------------------------------------------------------------------------


def test_excel_cells_of_every_type(run, meeting_store, tmp_path):
    book = write_xlsx(tmp_path / "log.xlsx", [
        [7, datetime(2026, 10, 1), "Typed cells", "bob", None, datetime(2027, 1, 8), None, "Open", None],
        [None, None, "=HYPERLINK(\"http://evil\")", "cat", None, date(2027, 2, 1), None, None, None],
        [None, None, None, None, None, None, None, None, None],
        [8.0, None, "Float ref", "ann-chair", None, "8 March 2027", None, "Closed", None],
    ])
    run(f"import actions {book}")
    found = actions(run)
    assert found["A-007"]["due"] == "2027-01-08" and found["A-007"]["meeting"] == "2026-10-01"
    assert found["A-009"]["title"] == '=HYPERLINK("http://evil")'
    assert found["A-008"]["status"] == "done" and found["A-008"]["due"] == "2027-03-08"


def test_the_sheet_is_chosen_by_name(run, meeting_store, tmp_path):
    book = write_xlsx(tmp_path / "log.xlsx", [], sheets={"Closed": (["Action", "Owner"], [["Old one", "bob"]])})
    result = run(f"import actions {book}")
    assert "has 2 sheets; reading the first, 'Action log'" in result.stderr
    assert "the file has no actions to import" in result.stderr
    run(f"import actions {book} --sheet Closed")
    assert [a["title"] for a in actions(run).values()] == ["Old one"]
    assert "has no sheet 'Nope'; it has 'Action log', 'Closed'" in run(f"import actions {book} --sheet Nope",
                                                                      code=4).stderr


def test_windows_csv_and_semicolons(run, meeting_store, tmp_path):
    log = write_csv(tmp_path / "log.csv", [["", "", "Budget of £5,000 agreed", "bob", "", "", "", "", ""]],
                    delimiter=";", encoding="cp1252")
    result = run(f"import actions {log}")
    assert "is not UTF-8; read it as Windows-1252" in result.stderr
    assert actions(run)["A-001"]["title"] == "Budget of £5,000 agreed"


@pytest.mark.parametrize("name, data, message", [
    ("log.xlsx", b"this is not a workbook", "is not an Excel workbook: an .xlsx file is a zip archive"),
    ("log.xls", b"\xd0\xcf\x11\xe0", "save the sheet as .xlsx (Excel Workbook) first"),
    ("log.pdf", b"%PDF-1.7", "escg imports an action log from an .xlsx or a .csv file"),
    ("log.csv", b"", "has no rows"),
])
def test_files_that_are_not_action_logs(run, meeting_store, tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    assert message in run(f"import actions {tmp_path / name}", code=3).stderr


def test_a_missing_file(run, meeting_store, tmp_path):
    assert "no file" in run(f"import actions {tmp_path / 'nope.csv'}", code=4).stderr


def test_control_characters_in_an_update_are_refused(run, meeting_store, tmp_path):
    log = write_csv(tmp_path / "log.csv", [["", "", "Fine", "bob", "", "", "", "", "bell \x07 here"]])
    assert "row 2: the update contains control characters" in run(f"import actions {log}", code=3).stderr
    log = write_csv(tmp_path / "log.csv", [["", "", "ring \x07 bell", "bob", "", "", "", "", ""],
                                           ["", "", "x" * 2001, "bob", "", "", "", "", ""]])
    result = run(f"import actions {log}", code=3)
    assert "row 2: the action's text contains control characters" in result.stderr
    assert "row 3: the action's text is longer than 2000 characters" in result.stderr


def test_a_meeting_the_store_has_not_got_is_kept_in_a_note(run, meeting_store, tmp_path):
    log = write_csv(tmp_path / "log.csv", [["", "12/03/2025", "Old business", "bob", "", "", "", "", ""]])
    run(f"import actions {log}")
    action = actions(run)["A-001"]
    assert action["meeting"] is None
    assert action["updates"][0]["note"] == "Imported from the action log: raised at the meeting of 12 Mar 2025"


def test_a_failed_write_leaves_no_action_behind(run, meeting_store, tmp_path, monkeypatch):
    log = write_csv(tmp_path / "log.csv", ROWS)
    before = snapshot(meeting_store)
    calls = {"n": 0}
    import os

    real = os.replace

    def fail_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr("escg.store.files.os.replace", fail_third)
    run(f"import actions {log}", code=7)
    monkeypatch.undo()
    monkeypatch.setenv("ESCG_STORE", str(meeting_store))
    monkeypatch.setenv("ESCG_TODAY", stores.TODAY)
    run("check")  # recovers what the failed transaction left
    assert snapshot(meeting_store) == before


# --- logs as they come --------------------------------------------------------------------


def test_relative_dates_are_not_read_from_a_log(run, meeting_store, tmp_path):
    log = write_csv(tmp_path / "log.csv", [["", "", "One", "bob", "", "Friday", "", "", ""],
                                           ["", "", "Two", "bob", "", "next week", "", "", ""]])
    result = run(f"import actions {log}", code=3)
    assert "row 2: due 'Friday' is not a full date with its year; write it as 30/11/2026" in result.stderr
    assert "row 3: due 'next week' is not a full date" in result.stderr


def test_short_years_and_exported_midnights_are_dates(run, meeting_store, tmp_path):
    log = write_csv(tmp_path / "log.csv", [["", "", "One", "bob", "", "30/11/26", "", "", ""],
                                           ["", "", "Two", "bob", "", "2026-12-01 00:00:00", "", "", ""],
                                           ["", "", "Three", "bob", "", "31/11/26", "", "", ""]])
    result = run(f"import actions {log}", code=3)
    assert "row 4: due '31/11/26' is not a date escg can read" in result.stderr
    log = write_csv(tmp_path / "log.csv", [["", "", "One", "bob", "", "30/11/26", "", "", ""],
                                           ["", "", "Two", "bob", "", "2026-12-01 00:00:00", "", "", ""]])
    run(f"import actions {log}")
    assert [a["due"] for a in actions(run).values()] == ["2026-11-30", "2026-12-01"]


def test_importing_the_same_log_twice_adds_nothing_the_second_time(run, meeting_store, tmp_path):
    log = write_csv(tmp_path / "log.csv", ROWS + [["A-050", "", "Kept id", "bob", "", "", "", "", ""],
                                                  ["", "", "No ref at all", "cat", "", "", "", "", ""]])
    run(f"import actions {log}")
    before = snapshot(meeting_store)
    again = run(f"import actions {log}")
    assert "row 2: already in the store as A-051 (ref SCG/24/01, imported before); not imported again" in again.stderr
    assert "row 5: already in the store as A-050 (the same id and text)" in again.stderr
    assert "row 6: already in the store as A-054 (the same text and owner)" in again.stderr
    assert snapshot(meeting_store) == before


def test_a_title_above_the_headers_and_a_read_me_sheet(run, meeting_store, tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("ESCG Action Log 2025/26,,\nUpdated monthly,,\n,,\nAction,Owner,Due\nChase,bob,1/12/2026\n")
    result = run(f"import actions {log}")
    assert "rows 1 to 2, above the header row (row 4), not read" in result.stderr
    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book.active.append(["This workbook holds the group's actions."])
    logged = book.create_sheet("Log")
    logged.append(["Action agreed", "Lead officer", "Deadline"])
    logged.append(["Second thing", "cat", datetime(2027, 1, 4)])
    book.save(tmp_path / "log.xlsx")
    result = run(f"import actions {tmp_path / 'log.xlsx'}")
    assert "reading sheet 'Log': the first, 'Read me', has no action log headers" in result.stderr
    assert [a["title"] for a in actions(run).values()] == ["Chase", "Second thing"]


def test_progress_and_comments_are_both_kept(run, meeting_store, tmp_path):
    log = write_csv(tmp_path / "log.csv", [["Chase", "bob", "Half done", "Chair asked for more"]],
                    headers=["Action", "Owner", "Progress", "Comments"])
    result = run(f"import actions {log}")
    assert "Progress, Comments → update" in result.stderr
    assert [u["note"] for u in actions(run)["A-001"]["updates"]] == ["Progress: Half done",
                                                                    "Comments: Chair asked for more"]


def test_two_owners_on_one_row_are_refused_as_such(run, meeting_store, tmp_path):
    log = write_csv(tmp_path / "log.csv", [["", "", "Joint work", "Bob Police / Cat Health", "", "", "", "", ""]])
    assert "names more than one person; an action has one owner" in run(f"import actions {log}", code=3).stderr
