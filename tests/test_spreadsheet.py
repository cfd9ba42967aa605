"""The action log as an Excel workbook: `escg actions --format xlsx`."""

import csv
import io
import os
import pty
import shutil
import subprocess
import sys
from datetime import date

import pytest

import stores
from escg.store import Store

openpyxl = pytest.importorskip("openpyxl")

HEADER = ["Ref", "Action", "Owner", "Organisation", "Theme", "Raised", "Item", "Due", "RAG", "Status",
          "Closed", "Latest update"]
TITLES = {"A-001": "Circulate the needs assessment", "A-002": "Draft the winter plan",
          "A-003": "Review data sharing", "A-004": "Keep an eye on funding", "A-005": "Book the venue"}


@pytest.fixture
def action_store(meeting_store):
    """As in test_actions.py: A-001 overdue, A-002 due soon, A-003 later, A-004 no date, A-005 done."""
    return stores.add_action_store(meeting_store)


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_of(data: bytes):
    book = workbook(data)
    assert book.sheetnames == ["Actions"]
    return book["Actions"]


def rows_of(sheet) -> dict[str, dict]:
    """Each data row by its Ref, as {header: cell}."""
    header = [c.value for c in sheet[1]]
    return {row[0].value: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2)}


def xlsx(run, tmp_path, args="actions --all", name="log.xlsx"):
    out = tmp_path / name
    result = run(f"{args} --format xlsx --out {out}")
    assert result.stdout == ""
    return out.read_bytes()


def test_header_sheet_and_properties(run, action_store, tmp_path):
    data = xlsx(run, tmp_path)
    assert data[:2] == b"PK"
    sheet = sheet_of(data)
    assert [c.value for c in sheet[1]] == HEADER
    assert all(c.font.bold for c in sheet[1])
    props = workbook(data).properties
    assert props.title == "Test Coordination Group action log"
    assert props.creator == "escg"
    assert props.created.date() == props.modified.date() == date(2026, 11, 23)


def test_rows_hold_the_display_values(run, action_store, tmp_path):
    rows = rows_of(sheet_of(xlsx(run, tmp_path)))
    assert list(rows) == ["A-005", "A-001", "A-002", "A-003", "A-004"]  # the order of `actions --all`
    first = {k: c.value for k, c in rows["A-001"].items()}
    assert first["Action"] == TITLES["A-001"]
    assert first["Owner"] == "Bob Police" and first["Organisation"] == "Essex Police"
    assert first["Theme"] == "Improving partnership working"
    assert first["Item"] == 5 and first["RAG"] == "Overdue" and first["Status"] == "Open"
    assert first["Closed"] is None and first["Latest update"] is None
    done = {k: c.value for k, c in rows["A-005"].items()}
    assert done["RAG"] == "Complete" and done["Status"] == "Done"
    assert done["Latest update"] == "23 Nov 2026: Done: Booked"
    assert [rows[r]["RAG"].value for r in ("A-002", "A-003", "A-004")] == ["Due soon", "On track", "On track"]


def test_dates_are_typed_excel_dates(run, action_store, tmp_path):
    rows = rows_of(sheet_of(xlsx(run, tmp_path)))
    first, done = rows["A-001"], rows["A-005"]
    for cell, expected in ((first["Due"], date(2026, 11, 20)), (first["Raised"], date(2026, 10, 1)),
                           (done["Closed"], date(2026, 11, 23)), (done["Due"], date(2026, 11, 10))):
        assert cell.is_date  # a number with a date format in the file, read back as a date
        assert cell.value.date() == expected
        assert cell.number_format == "dd/mm/yyyy"
    # No date is an empty cell, not text.
    assert rows["A-004"]["Due"].value is None and rows["A-002"]["Raised"].value is None


def test_rag_fill_colours_differ_per_rag(run, action_store, tmp_path):
    rows = rows_of(sheet_of(xlsx(run, tmp_path)))
    fills = {ref: rows[ref]["RAG"].fill.fgColor.rgb for ref in rows}
    fonts = {ref: rows[ref]["RAG"].font.color.rgb for ref in rows}
    by_rag = {"red": "A-001", "amber": "A-002", "green": "A-003", "complete": "A-005"}
    assert len({fills[ref] for ref in by_rag.values()}) == 4
    assert fills["A-003"] == fills["A-004"]  # both green
    assert all(rows[ref]["RAG"].fill.fill_type == "solid" for ref in rows)
    # The text is the palette of templates/base.html.
    assert {rag: fonts[ref][-6:] for rag, ref in by_rag.items()} == {
        "red": "B91C1C", "amber": "B45309", "green": "15803D", "complete": "555555"}


def test_frozen_header_filter_widths_and_wrap(run, action_store, tmp_path):
    sheet = sheet_of(xlsx(run, tmp_path))
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L6"
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDEFGHIJKL"}
    assert widths["B"] >= 40 and widths["L"] >= 40 and widths["A"] < widths["B"]
    for row in sheet.iter_rows(min_row=2):
        assert row[1].alignment.wrap_text and row[11].alignment.wrap_text
        assert not row[0].alignment.wrap_text


def test_empty_selection_is_a_header_only_sheet(run, action_store, tmp_path):
    sheet = sheet_of(xlsx(run, tmp_path, "actions --owner eve"))
    assert sheet.max_row == 1 and sheet.auto_filter.ref == "A1:L1"


@pytest.mark.parametrize("args, refs", [
    ("actions", ["A-001", "A-002", "A-003", "A-004"]),
    ("actions --overdue", ["A-001"]),
    ("actions --closed", ["A-005"]),
    ("actions --owner ann-chair --all", ["A-005", "A-003"]),
    ("actions --org police", ["A-001", "A-004"]),
    ("actions --due-within 14d", ["A-002"]),
    ("actions --theme health", ["A-003"]),
    ("actions --meeting 2026-10-01", ["A-001"]),
])
def test_selection_flags_limit_rows(run, action_store, tmp_path, args, refs):
    sheet = sheet_of(xlsx(run, tmp_path, args))
    assert list(rows_of(sheet)) == refs
    assert sheet.auto_filter.ref == f"A1:L{len(refs) + 1}"


def test_same_inputs_same_bytes(run, action_store, tmp_path):
    assert xlsx(run, tmp_path, name="a.xlsx") == xlsx(run, tmp_path, name="b.xlsx")


def test_bytes_to_stdout_in_process(run, action_store):
    data = run("actions --overdue --format xlsx").stdout_bytes
    assert list(rows_of(sheet_of(data))) == ["A-001"]


def test_bytes_to_a_pipe(action_store, tmp_path):
    """`escg actions --overdue --format xlsx | cat`: a real process writing to a real pipe."""
    result = subprocess.run(f"{sys.executable} -m escg actions --overdue --format xlsx | cat > piped.xlsx",
                            shell=True, capture_output=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = (tmp_path / "piped.xlsx").read_bytes()
    assert list(rows_of(sheet_of(data))) == ["A-001"]


def test_bytes_to_a_terminal_are_refused(action_store, tmp_path):
    leader, follower = pty.openpty()
    try:
        result = subprocess.run([sys.executable, "-m", "escg", "actions", "--format", "xlsx"],
                                stdin=subprocess.DEVNULL, stdout=follower, stderr=subprocess.PIPE,
                                timeout=120, cwd=tmp_path)
    finally:
        os.close(follower)
        os.close(leader)
    assert result.returncode != 0
    assert b"binary file" in result.stderr


def test_group_by_is_refused(run, action_store, tmp_path):
    result = run(f"actions --format xlsx --group-by owner --out {tmp_path / 'x.xlsx'}", code=3)
    assert "--group-by" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("title", ["=HYPERLINK(\"http://example.com\",\"x\")", "=1+1", "+1+1", "-1+1", "@SUM(A1)",
                                   "#N/A", "=", "'quoted"])
def test_text_is_never_a_formula(run, action_store, tmp_path, title):
    ref = run(["action", "add", "--owner", "bob", "--", title]).stdout.strip()
    sheet = sheet_of(xlsx(run, tmp_path))
    cell = rows_of(sheet)[ref]["Action"]
    assert cell.value == title
    assert cell.data_type == "s"
    # Not in the file as a formula either: no <f> element anywhere in the sheet.
    import zipfile

    with zipfile.ZipFile(tmp_path / "log.xlsx") as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_text_update_beginning_with_equals(run, action_store, tmp_path):
    run(["action", "update", "A-002", "=cmd|' /C calc'!A0"])
    cell = rows_of(sheet_of(xlsx(run, tmp_path)))["A-002"]["Latest update"]
    assert cell.value == "23 Nov 2026: =cmd|' /C calc'!A0" and cell.data_type == "s"


def test_illegal_characters_are_stripped_not_fatal(action_store):
    from escg.core.model import Action
    from escg.integrations.spreadsheet import actions_xlsx

    store = Store(action_store)
    action = Action(id="A-099", title="Bell\x07 and\x01 escape\x1b", owner="bob", org="police",
                    due=date(2026, 12, 1))
    data = actions_xlsx(store, [action], date(2026, 11, 23))
    row = rows_of(sheet_of(data))["A-099"]
    assert row["Action"].value == "Bell and escape"
    assert row["RAG"].value == "Due soon"


def test_unknown_meeting_is_kept_as_text(action_store):
    from escg.core.model import Action
    from escg.integrations.spreadsheet import actions_xlsx

    store = Store(action_store)
    action = Action(id="A-098", title="Orphan", owner="nobody", meeting="2020-01-01")
    row = rows_of(sheet_of(actions_xlsx(store, [action], date(2026, 11, 23))))["A-098"]
    assert row["Raised"].value == "2020-01-01" and row["Owner"].value == "nobody"


def test_spreadsheet_does_not_load_openpyxl_at_import():
    code = "import sys, escg.integrations.spreadsheet; print('openpyxl' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_it(run, action_store, tmp_path):
    xlsx(run, tmp_path)
    profile = tmp_path / "lo"
    result = subprocess.run(
        [shutil.which("soffice"), "--headless", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "csv", "--outdir", str(tmp_path / "csv"), str(tmp_path / "log.xlsx")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    converted = tmp_path / "csv" / "log.csv"
    assert converted.exists(), (result.returncode, result.stdout, result.stderr)
    rows = list(csv.reader(converted.read_text(encoding="utf-8", errors="replace").splitlines()))
    assert rows[0] == HEADER
    assert {row[0]: row[1] for row in rows[1:]} == TITLES
    overdue = next(row for row in rows if row[0] == "A-001")
    # Dates arrive as dates: LibreOffice shows them in its own locale's order (en-US: 11/20/2026).
    assert overdue[7] in ("20/11/2026", "11/20/2026") and overdue[5] in ("01/10/2026", "10/01/2026")
