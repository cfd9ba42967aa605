"""escg.core.ical writes what the icalendar package writes, and `escg ics` serves kept texts only
while every file they were made from is unchanged."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from escg.core.ical import Address, Component, fold

icalendar = pytest.importorskip("icalendar")


def same_as_icalendar(data: bytes) -> None:
    """icalendar parses ``data`` and writes back the very same bytes: the same order,
    escaping, folding and value forms."""
    assert icalendar.Calendar.from_ical(data).to_ical() == data


def test_values_escaping_and_folding_match_icalendar():
    calendar = Component("VCALENDAR")
    calendar.add("prodid", "-//test//EN")
    calendar.add("version", "2.0")
    calendar.add("refresh-interval", timedelta(hours=1, minutes=30), parameters={"VALUE": "DURATION"})
    event = Component("VEVENT")
    event.add("uid", "x@y")
    event.add("dtstamp", datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc))
    event.add("dtstart", datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/London")))
    event.add("summary", "Housing, growth; and \\ \"infrastructure\"\nsecond line")
    # multi-byte characters and escapes where a fold falls
    event.add("description", ("£ é 😀 " * 30) + "\\" * 5 + ",;" * 40)
    event.add("location", "a" * 73 + ",b")
    event.add("url", "https://example.org/a,b;c")
    event.add("sequence", 3)
    event.add("organizer", Address("mailto:sec@example.org", CN="Group: the, \"best\""))
    event.add("attendee", Address("mailto:a@example.org", CN="Ann", ROLE="REQ-PARTICIPANT", RSVP="TRUE"))
    event.add("attendee", Address("mailto:b@example.org", CN="Bob"))
    calendar.add_component(event)
    todo = Component("VTODO")
    todo.add("uid", "t@y")
    todo.add("due", date(2026, 11, 20))
    todo.add("categories", ["TCG", "a,b"])
    todo.add("priority", 1)
    calendar.add_component(todo)
    data = calendar.to_ical()
    same_as_icalendar(data)
    parsed = icalendar.Calendar.from_ical(data)
    [parsed_event] = parsed.walk("VEVENT")
    assert str(parsed_event["summary"]) == "Housing, growth; and \\ \"infrastructure\"\nsecond line"
    assert parsed_event.decoded("dtstart") == datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    assert [str(a) for a in parsed_event["attendee"]] == ["mailto:a@example.org", "mailto:b@example.org"]
    assert parsed_event["organizer"].params["CN"] == 'Group: the, "best"'
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


@pytest.mark.parametrize("line", ["x" * 74, "x" * 75, "x" * 200, "é" * 80, "😀" * 40, "a\\" * 60, "^" * 100])
def test_folds_as_icalendar_does(line):
    from icalendar.parser.string import _foldline

    assert fold(line) == _foldline(line)


def test_the_export_invitation_and_site_calendar_are_icalendar_exact(run, example_store, tmp_path):
    same_as_icalendar(run("ics").stdout_bytes)
    same_as_icalendar(run("ics --open").stdout_bytes)
    run(f"publish --out {tmp_path / 'site'}")
    same_as_icalendar((tmp_path / "site" / "calendar.ics").read_bytes())


def test_an_invitation_is_icalendar_exact(example_store):
    from escg.store import Store
    from escg.workflows import invitations

    store = Store.open(example_store)
    meeting = next(iter(store.meetings.values()))
    people = invitations.attendees(store, [("ann@example.org", "Ann, of Essex"), ("b@example.org", None)])
    same_as_icalendar(invitations.invitation(store, meeting, people, "secretariat@example.org"))


def uncached(run, monkeypatch) -> bytes:
    """The export made afresh, every component from the files (no index)."""
    monkeypatch.setenv("ESCG_NO_INDEX", "1")
    try:
        return run("ics").stdout_bytes
    finally:
        monkeypatch.delenv("ESCG_NO_INDEX")


def rewrite(path: Path, old: str, new: str) -> None:
    """Change a file in place, as an editor that truncates and rewrites does."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    with open(path, "r+", encoding="utf-8") as handle:
        handle.seek(0)
        handle.truncate()
        handle.write(text.replace(old, new, 1))


def test_kept_texts_follow_every_file_they_come_from(run, example_store, monkeypatch):
    first = run("ics").stdout_bytes
    assert run("ics").stdout_bytes == first == uncached(run, monkeypatch)  # served from what was kept

    # an action edited in place
    action = sorted((example_store / "actions").rglob("A-012-*.toml"))[0]
    rewrite(action, 'title = "', 'title = "Edited: ')
    assert b"A-012: Edited: " in run("ics").stdout_bytes.replace(b"\r\n ", b"")
    assert run("ics").stdout_bytes == uncached(run, monkeypatch)

    # people.toml: an owner's name shows in every one of their actions
    people = example_store / "people.toml"
    name = "Joanna Kerr"
    rewrite(people, f'"{name}"', '"Joanna Kerr-Smith"')
    kept = run("ics").stdout_bytes
    assert b"Joanna Kerr-Smith" in kept.replace(b"\r\n ", b"") and kept == uncached(run, monkeypatch)

    # the meeting an action was raised at, edited by hand: its item 7 made confidential
    # hides the title of the action raised there
    out = run("ics").stdout_bytes
    rewrite(example_store / "meetings" / "2026" / "2026-04-02.toml", 'title = "Community safety partnership review"\n',
            'title = "Community safety partnership review"\nconfidential = "Exempt: information about a person"\n')
    after = run("ics").stdout_bytes
    assert after != out and after == uncached(run, monkeypatch)
    assert b"A-012: confidential action" in after.replace(b"\r\n ", b"")

    # another day: every PRIORITY follows the new RAG, and DTSTAMP the new time
    monkeypatch.setenv("ESCG_TODAY", "2027-03-01")
    later = run("ics").stdout_bytes
    assert later == uncached(run, monkeypatch) and b"DTSTAMP:20270301" in later


def test_a_read_only_index_still_exports(run, example_store):
    run("ics")
    index = example_store / ".escg-index.sqlite"
    action = sorted((example_store / "actions").rglob("A-012-*.toml"))[0]
    rewrite(action, 'title = "', 'title = "Edited: ')
    index.chmod(0o444)
    try:
        assert b"A-012: Edited: " in run("ics").stdout_bytes.replace(b"\r\n ", b"")
    finally:
        index.chmod(0o644)
