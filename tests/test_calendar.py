"""iCalendar export: parsed back by icalendar, and imported by a real calendar client (khal)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

import stores

icalendar = pytest.importorskip("icalendar")


def components(text: bytes | str, kind: str):
    calendar = icalendar.Calendar.from_ical(text)
    return [c for c in calendar.walk() if c.name == kind]


@pytest.fixture
def ics_store(meeting_store):
    """The next meeting's agenda built, 2027-02-04 cancelled, two open actions and one done.

    Written as files: what stores.ICS_STORE_COMMANDS write (test_stores.py checks it)."""
    return stores.add_ics_store(meeting_store)


def test_events_and_todos(run, ics_store):
    text = run("ics").stdout
    events = components(text, "VEVENT")
    assert [str(e["summary"]) for e in events] == ["TCG meeting", "TCG meeting", "TCG meeting (cancelled)"]
    december = events[1]
    start = december.decoded("dtstart")
    assert start == datetime(2026, 12, 3, 10, 0, tzinfo=start.tzinfo) and str(start.tzinfo) == "Europe/London"
    assert december.decoded("dtend").hour == 12
    assert str(december["location"]) == "County Hall"
    assert str(december["status"]) == "CONFIRMED" and str(events[2]["status"]) == "CANCELLED"
    description = str(december["description"])
    assert "5. 10:35 Housing, growth; and \"infrastructure\" review" in description
    todos = components(text, "VTODO")
    assert [str(t["summary"]) for t in todos] == ["A-001: Circulate the plan, with comments; by Friday", "A-002: Review data"]
    assert todos[0].decoded("due") == date(2026, 11, 20) and "due" not in todos[1]
    assert "Owner: Bob Police (Essex Police)" in str(todos[0]["description"])
    assert components(text, "VTIMEZONE")


def test_text_is_escaped_per_rfc5545(run, ics_store):
    text = run("ics --actions").stdout  # the test runner turns CRLF into LF
    assert "SUMMARY:A-001: Circulate the plan\\, with comments\\; by Friday" in re.sub(r"\r?\n ", "", text)
    assert all(len(line.encode()) <= 75 for line in text.splitlines())


def test_uids_are_stable_and_survive_a_move(run, ics_store):
    first = {str(e["uid"]): e for e in components(run("ics --meetings").stdout, "VEVENT")}
    second = {str(e["uid"]): e for e in components(run("ics --meetings").stdout, "VEVENT")}
    assert first.keys() == second.keys() and len(first) == 3
    december_uid = next(uid for uid, e in first.items() if e.decoded("dtstart").date() == date(2026, 12, 3))
    run("meeting move 2026-12-03 2026-12-10")
    moved = {str(e["uid"]): e for e in components(run("ics --meetings").stdout, "VEVENT")}
    assert moved.keys() == first.keys()
    assert moved[december_uid].decoded("dtstart").date() == date(2026, 12, 10)
    assert int(moved[december_uid]["sequence"]) > int(first[december_uid]["sequence"])


def test_out_file(run, ics_store, tmp_path):
    out = tmp_path / "escg.ics"
    run(["ics", "--out", str(out)])
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


KHAL = shutil.which("khal", path=str(Path(sys.executable).parent)) or shutil.which("khal")


@pytest.mark.skipif(KHAL is None, reason="needs khal, a real calendar client (in the test extras)")
def test_a_real_client_updates_rather_than_duplicates(run, ics_store, tmp_path):
    folder = tmp_path / "calendar"
    folder.mkdir()
    config = tmp_path / "khal.conf"
    config.write_text(f"[calendars]\n[[escg]]\npath = {folder}\ntype = calendar\n"
                      "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
                      "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
                      "local_timezone = Europe/London\ndefault_timezone = Europe/London\n")
    export = tmp_path / "escg.ics"

    def khal(*args):
        result = subprocess.run([KHAL, "-c", str(config), *args], capture_output=True, text=True, timeout=120,
                                env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "TZ": "Europe/London"})
        assert result.returncode == 0, result.stderr
        return result.stdout

    def listed():
        return khal("list", "--format", "{start} {title}", "2026-09-01", "2027-03-01").splitlines()

    for _ in range(2):  # importing the same export twice must not duplicate
        run(["ics", "--meetings", "--out", str(export)])
        khal("import", "--batch", str(export))
    events = [line for line in listed() if "TCG meeting" in line]
    assert events == ["2026-10-01 10:00 TCG meeting", "2026-12-03 10:00 TCG meeting", "2027-02-04 10:00 TCG meeting (cancelled)"]
    run("meeting move 2026-12-03 2026-12-10 --start 14:00 --end 16:00")
    run(["ics", "--meetings", "--out", str(export)])
    khal("import", "--batch", str(export))
    events = [line for line in listed() if "TCG meeting" in line]
    assert "2026-12-10 14:00 TCG meeting" in events and not any(e.startswith("2026-12-03") for e in events)
