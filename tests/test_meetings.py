"""Meetings: new, schedule, list, show, cancel, move, and MEETING resolution."""

import json
from datetime import date

import pytest

from escg.core.errors import InputError, NotFoundError
from escg.domain.meetings import resolve
from escg.store import Store


def test_new_meeting_in_any_date_form(run, people_store):
    for text in ("2026-12-03", "4 Feb 2027", "1/4/2027", "next thursday", "in 2 weeks", "+5d"):
        run(["meeting", "new", text])
    ids = [m["id"] for m in json.loads(run("meeting list --json").stdout)]
    assert ids == ["2026-11-26", "2026-11-28", "2026-12-03", "2026-12-07", "2027-02-04", "2027-04-01"]


def test_meeting_json_contract(run, people_store):
    run("meeting new 2026-12-03 --start 9:30 --end 11:30am --venue 'County Hall' --online https://meet.example.org/x")
    assert json.loads(run("meeting list --json").stdout) == [{
        "id": "2026-12-03", "date": "2026-12-03", "start": "09:30", "end": "11:30",
        "venue": "County Hall", "online": "https://meet.example.org/x", "status": "planned",
    }]
    meeting_file = people_store / "meetings" / "2026" / "2026-12-03.toml"
    assert meeting_file.is_file()


def test_second_meeting_on_a_day_gets_a_suffix(run, people_store):
    run("meeting new 2026-12-03")
    result = run("meeting new 2026-12-03 --start 14:00 --end 15:00", code=5)
    assert ("there is a meeting on 2026-12-03 already (2026-12-03); to hold a second that day, give --second "
            "(it will be 2026-12-03b)") in result.stderr
    result = run("meeting new 2026-12-03 --start 14:00 --end 15:00 --second")
    assert result.stdout.strip() == "2026-12-03b"
    result = run("meeting show 2026-12-03 --json")  # the id, not the date
    assert json.loads(result.stdout)["id"] == "2026-12-03"
    result = run("meeting show 3/12/2026", code=3)
    assert "2 meetings on 2026-12-03" in result.stderr


def test_schedule_series(run, people_store):
    result = run(["meeting", "schedule", "--rrule", "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TH", "--from", "2026-12-01", "--count", "4"])
    assert result.stdout.split() == ["2026-12-03", "2027-02-04", "2027-04-01", "2027-06-03"]
    # existing dates are skipped, not doubled
    result = run(["meeting", "schedule", "--rrule", "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TH", "--from", "2026-12-01", "--count", "5"])
    assert result.stdout.split() == ["2027-08-05"]
    assert result.stderr.count("skipped") == 4


def test_schedule_uses_default_rule(run, people_store):
    config = people_store / "escg.toml"
    config.write_text(config.read_text().replace('# rrule = "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TH"', 'rrule = "FREQ=MONTHLY;BYDAY=+1TH"'))
    assert run("meeting schedule --from 2027-01-01 --count 2").stdout.split() == ["2027-01-07", "2027-02-04"]
    assert run("meeting new").stdout.strip() == "2027-03-04"


def test_upcoming_and_past(run, meeting_store):
    assert [m["id"] for m in json.loads(run("meeting list --upcoming --json").stdout)] == ["2026-12-03", "2027-02-04"]
    assert [m["id"] for m in json.loads(run("meeting list --past --json").stdout)] == ["2026-10-01"]
    run("meeting list --past --upcoming", code=3)


def test_next_and_last(meeting_store):
    store = Store(meeting_store)
    assert resolve(store, "next").id == "2026-12-03"
    assert resolve(store, "last").id == "2026-10-01"
    assert resolve(store, None).id == "2026-12-03"
    assert resolve(store, "4 Feb 2027").id == "2027-02-04"
    assert resolve(store, "next", base=date(2026, 12, 3)).id == "2026-12-03"
    with pytest.raises(NotFoundError, match="no meeting on Friday 4 December 2026; nearest: 2026-12-03"):
        resolve(store, "2026-12-04")
    with pytest.raises(NotFoundError, match="no meeting is planned on or after 2027-03-01"):
        resolve(store, "next", base=date(2027, 3, 1))
    with pytest.raises(InputError, match="not a meeting"):
        resolve(store, "whenever")


def test_cancel_then_next_skips_it(run, meeting_store):
    run("meeting cancel next --reason 'Chair unavailable'")
    shown = json.loads(run("meeting show 2026-12-03 --json").stdout)
    assert shown["status"] == "cancelled" and shown["note"] == "Chair unavailable"
    assert json.loads(run("meeting show next --json").stdout)["id"] == "2027-02-04"
    assert "already cancelled" in run("meeting cancel 2026-12-03", code=5).stderr


def test_move_renames_and_keeps_items(run, meeting_store):
    run("agenda add 'Housing growth' --meeting 2026-12-03 --presenter cat")
    run("agenda new 2026-12-03")
    result = run("meeting move 2026-12-03 10/12/2026 --start 14:00 --end 16:00")
    assert result.stdout.strip() == "2026-12-10"
    assert not (meeting_store / "meetings/2026/2026-12-03.toml").exists()
    moved = json.loads(run("meeting show 2026-12-10 --json").stdout)
    assert moved["start"] == "14:00"
    assert [i["title"] for i in moved["items"] if not i["standing"]] == ["Housing growth"]
    assert moved["items"][0]["start"] == "14:00"


def test_move_keeps_deferred_references(run, meeting_store):
    run("agenda add 'Later item' --meeting 2026-12-03")
    run("agenda defer 5 --meeting 2026-12-03")  # numbered as the preview shows it
    run("meeting move 2026-12-03 2026-12-10")
    store = Store(meeting_store)
    assert store.meetings["2027-02-04"].items[0].deferred_from == "2026-12-10"


def test_bad_meeting_input(run, meeting_store):
    snapshot = {p: p.read_bytes() for p in meeting_store.rglob("*.toml")}
    cases = [
        ("meeting new 31/02/2027", 3, "February 2027 has 28 days"),
        ("meeting new 12-03-2027", 3, "ambiguous"),
        ("meeting new 2027-03-01 --start 12:00 --end 10:00", 3, "must end after it starts"),
        ("meeting new 2027-03-01 --start 25:00", 3, "not a time"),
        ("meeting new 2027-03-01 --online 'javascript:alert(1)'", 3, "https://"),
        ("meeting new 2027-03-01 --chair nobody", 4, "unknown person"),
        ("meeting new", 3, "give the meeting's date"),
        ("meeting show 2030-01-01", 4, "no meeting on"),
        ("meeting show ../../etc", 3, "not a meeting"),
        ("meeting move 2026-10-01", 3, "give a new DATE"),
        ("meeting schedule --count 3", 3, "give --rrule"),
        ("meeting schedule --rrule FREQ=NEVER --count 3", 3, "not a recurrence rule"),
    ]
    for args, code, message in cases:
        result = run(args, code=code)
        assert message in result.stderr, (args, result.stderr)
    assert {p: p.read_bytes() for p in meeting_store.rglob("*.toml")} == snapshot


def test_meeting_edit_corrects_the_details(run, meeting_store):
    result = run("meeting edit 2026-12-03 --chair bob --vice-chair cat --start 10:30 --venue 'Council Chamber'")
    assert "meeting 2026-12-03: changed chair, vice-chair, start, venue" in result.stderr
    text = (meeting_store / "meetings/2026/2026-12-03.toml").read_text()
    assert 'chair = "bob"' in text and 'vice_chair = "cat"' in text and 'start = "10:30"' in text
    assert "sequence = 1" in text  # calendars pick up the new time
    agenda = run("agenda render 2026-12-03").stdout
    assert "- **Chair:** Bob Police (Essex Police)" in agenda and "- **Vice-chair:** Cat Health" in agenda
    assert "already says that" in run("meeting edit 2026-12-03 --chair bob").stderr
    assert "the vice-chair is someone else" in run("meeting edit 2026-12-03 --vice-chair bob", code=3).stderr
    run("meeting edit 2026-12-03 --chair none --vice-chair none --venue ''")
    text = (meeting_store / "meetings/2026/2026-12-03.toml").read_text()
    assert 'chair = "bob"' not in text and "vice_chair" not in text and "Council Chamber" not in text
    assert "unknown person" in run("meeting edit 2026-12-03 --chair zed", code=4).stderr
    assert "give what to change" in run("meeting edit 2026-12-03", code=3).stderr


def test_a_held_meeting_is_corrected_until_its_minutes_are_approved(run, meeting_store, monkeypatch):
    run("meeting edit 2026-10-01 --chair bob --end 12:30")
    assert 'chair = "bob"' in (meeting_store / "meetings/2026/2026-10-01.toml").read_text()


def test_a_past_meeting_without_attendance_is_not_shown_as_planned(run, meeting_store):
    table = run("meeting list").stdout
    row = next(line for line in table.splitlines() if line.startswith("2026-10-01"))
    assert "past, no attendance" in row and "planned" not in row
    listed = {m["id"]: m["status"] for m in json.loads(run("meeting list --json").stdout)}
    assert listed["2026-10-01"] == "planned"  # the file's status, as the JSON contract says
    run("attend 2026-10-01 --present ann-chair")
    row = next(line for line in run("meeting list").stdout.splitlines() if line.startswith("2026-10-01"))
    assert "held" in row


def test_each_listing_prints_the_keys_its_library_contract_names(run, example_store):
    """The JSON contracts live in the library, each next to the function that makes its
    rows; the command line prints exactly those keys, in that order, and so does each
    place that shows the same record (an agenda item in `meeting show`)."""
    from escg.domain.agenda import FORWARD_JSON_KEYS, ITEM_JSON_KEYS
    from escg.domain.interests import INTEREST_JSON_KEYS
    from escg.domain.meetings import LIST_JSON_KEYS
    from escg.domain.minutes import DECISION_JSON_KEYS
    from escg.domain.people import ORG_JSON_KEYS, PERSON_JSON_KEYS

    run(["interest", "add", "helen-marsh", "Trustee of the Essex Community Foundation", "--org", "community360"])
    for command, keys in (("agenda list 2026-12-03", ITEM_JSON_KEYS), ("agenda list --forward-plan", FORWARD_JSON_KEYS),
                          ("meeting list", LIST_JSON_KEYS), ("decisions", DECISION_JSON_KEYS), ("interest list", INTEREST_JSON_KEYS),
                          ("person list", PERSON_JSON_KEYS), ("org list", ORG_JSON_KEYS)):
        rows = json.loads(run(f"{command} --json").stdout)
        assert rows and all(list(row) == keys for row in rows), command
        header = run(f"{command} --format csv").stdout.splitlines()[0]
        assert header == ",".join(keys), command
    shown = json.loads(run("meeting show 2026-12-03 --json").stdout)
    assert shown["items"] and all(list(item) == ITEM_JSON_KEYS for item in shown["items"])
