"""iCalendar export: parsed back by icalendar and vobject, imported by real clients (khal, todoman)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, timezone
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
    assert [str(t["summary"]) for t in todos] == ["A-001: Circulate the plan, with comments; by Friday", "A-002: Review data",
                                                  "A-003: Done already"]  # done ones stay, COMPLETED (issue 14)
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


# --- issue 14: calendars right in every client ------------------------------------


def test_done_and_dropped_actions_stay_as_completed_and_cancelled(run, ics_store):
    run("action add 'Not needed' --owner cat")
    run("action drop A-004 --reason 'Superseded'")
    todos = {str(t["uid"]): t for t in components(run("ics --actions").stdout, "VTODO")}
    assert str(todos["action-A-001@tcg.escg"]["status"]) == "NEEDS-ACTION" and "completed" not in todos["action-A-001@tcg.escg"]
    done = todos["action-A-003@tcg.escg"]
    assert str(done["status"]) == "COMPLETED" and int(done["percent-complete"]) == 100
    assert done.decoded("completed") == datetime(2026, 11, 23, tzinfo=timezone.utc)
    assert str(todos["action-A-004@tcg.escg"]["status"]) == "CANCELLED"
    only_open = [str(t["uid"]) for t in components(run("ics --actions --open").stdout, "VTODO")]
    assert only_open == ["action-A-001@tcg.escg", "action-A-002@tcg.escg"]


def test_feed_properties_and_last_modified(run, ics_store):
    text = run("ics").stdout
    calendar = icalendar.Calendar.from_ical(text)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text.splitlines()
    assert str(calendar["x-published-ttl"]) == "PT1H"
    path = ics_store / "meetings/2026/2026-12-03.toml"
    os.utime(path, (1_790_000_000, 1_790_000_000))
    text = run("ics").stdout
    for component in components(text, "VEVENT") + components(text, "VTODO"):
        assert component.decoded("last-modified").tzinfo is not None
    december = next(e for e in components(text, "VEVENT") if str(e["uid"]) == "meeting-2026-12-03-test@escg")
    assert december.decoded("last-modified") == datetime.fromtimestamp(1_790_000_000, tz=timezone.utc)
    assert run("ics").stdout == text  # the same store, the same calendar


def test_london_is_written_as_rrule_observances(run, ics_store):
    text = run("ics --meetings").stdout
    zones = components(text, "VTIMEZONE")
    assert len(zones) == 1 and str(zones[0]["tzid"]) == "Europe/London"
    observances = {c.name: c for c in zones[0].subcomponents}
    assert observances["STANDARD"]["rrule"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    assert observances["STANDARD"].decoded("dtstart").time() == datetime(2000, 1, 1, 2).time()
    assert observances["DAYLIGHT"]["rrule"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
    assert observances["DAYLIGHT"].decoded("dtstart").time() == datetime(2000, 1, 1, 1).time()
    assert "RDATE" not in text


def test_vobject_reads_meetings_at_the_right_instant(run, ics_store):
    vobject = pytest.importorskip("vobject")
    run("meeting new 2027-06-03")
    parsed = vobject.readOne(run("ics --meetings").stdout)
    starts = sorted(e.dtstart.value.astimezone(timezone.utc) for e in parsed.vevent_list)
    utc = timezone.utc
    assert datetime(2026, 12, 3, 10, 0, tzinfo=utc) in starts  # GMT in winter
    assert datetime(2027, 6, 3, 9, 0, tzinfo=utc) in starts  # BST in summer
    assert datetime(2026, 10, 1, 9, 0, tzinfo=utc) in starts


TODO = shutil.which("todo", path=str(Path(sys.executable).parent)) or shutil.which("todo")


@pytest.mark.skipif(TODO is None, reason="needs todoman, a real to-do client (in the test extras)")
def test_a_real_todo_client_shows_done_actions_as_completed(run, ics_store, tmp_path):
    import json

    folder = tmp_path / "todos" / "escg"
    folder.mkdir(parents=True)
    for todo in components(run("ics --actions").stdout, "VTODO"):  # todoman: one to-do per file
        single = icalendar.Calendar()
        single.add("prodid", "-//escg test//EN")
        single.add("version", "2.0")
        single.add_component(todo)
        (folder / f"{todo['uid']}.ics").write_bytes(single.to_ical())
    config = tmp_path / "todoman_config.py"  # todoman loads its configuration as Python
    config.write_text(f'path = "{tmp_path / "todos"}/*"\ndate_format = "%Y-%m-%d"\ntime_format = "%H:%M"\n'
                      'default_list = "escg"\n')

    def todo(*args):
        result = subprocess.run([TODO, "-c", str(config), "--porcelain", *args], capture_output=True, text=True,
                                timeout=120, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "TZ": "Europe/London"})
        assert result.returncode == 0, result.stderr
        return {t["summary"]: t for t in json.loads(result.stdout)}

    listed = todo("list")
    assert sorted(listed) == ["A-001: Circulate the plan, with comments; by Friday", "A-002: Review data"]
    everything = todo("list", "--status", "ANY")
    done = everything["A-003: Done already"]
    assert done["completed"] is True and done["percent"] == 100
    assert datetime.fromtimestamp(done["completed_at"], tz=timezone.utc).date() == date(2026, 11, 23)
    assert everything["A-001: Circulate the plan, with comments; by Friday"]["completed"] is False


def test_without_an_index_the_action_files_are_listed_once(run, ics_store, monkeypatch):
    # Each VTODO's LAST-MODIFIED asks for its action's files: listing them all for each
    # action made an export without an index quadratic (69 s at 3,000 actions).
    from escg.store import Store

    with_index = run("ics").stdout
    listed = []
    real = Store.action_files

    def counted(self):
        listed.append(1)
        return real(self)

    monkeypatch.setattr(Store, "action_files", counted)
    monkeypatch.setenv("ESCG_NO_INDEX", "1")
    without = run("ics").stdout
    assert len(re.findall("BEGIN:VTODO", without)) == 3
    assert len(listed) <= 3, len(listed)  # open, then closed actions read, and their paths: not one an action
    stamp = re.compile(r"DTSTAMP:\d+T\d+Z")
    assert stamp.sub("", without) == stamp.sub("", with_index)


def test_the_actions_calendar_reads_no_meeting_that_no_action_names(run, example_store, monkeypatch):
    """With the index, `ics --actions` asked every meeting's signature, so a hand-edit
    mistake in a meeting no exported action names stopped it (exit 6), where the files'
    path, which reads a meeting only to show an action raised there, wrote the calendar
    (an adversary's fuzzer). Both write it now, the same."""
    import re

    for path in (example_store / "actions").rglob("*.toml"):
        path.write_text(re.sub(r"(?m)^(meeting|item) = .*\n", "", path.read_text()))
    meeting = example_store / "meetings" / "2027" / "2027-02-04.toml"
    meeting.write_text(re.sub(r'(?m)^venue = .*$', "venue = 42", meeting.read_text(), count=1))
    indexed = run("ics --actions").stdout
    monkeypatch.setenv("ESCG_NO_INDEX", "1")
    assert run("ics --actions").stdout == indexed and "BEGIN:VTODO" in indexed
