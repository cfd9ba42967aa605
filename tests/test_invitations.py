"""`escg mail invite`: iTIP invitations received by a real SMTP server (aiosmtpd) on loopback,
parsed back with email and icalendar, and read by vobject (another iCalendar reader)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

icalendar = pytest.importorskip("icalendar")
from test_mail import Server, configure  # noqa: E402 - skips this module too when aiosmtpd is missing

UTC = timezone.utc
DECEMBER_UID = "meeting-2026-12-03-test@escg"  # tests/stores.py's fixed UID of the next meeting


def calendar_part(message):
    """The text/calendar alternative of an invitation."""
    found = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(found) == 1
    return found[0]


def event_of(message):
    calendar = icalendar.Calendar.from_ical(calendar_part(message).get_content())
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return calendar, events[0]


def invite(run, store, args: str, code: int = 0):
    with Server() as server:
        config = store / "escg.toml"
        if "[mail]" in config.read_text():  # a second sending, to a new server
            config.write_text(re.sub(r"smtp_port = \d+", f"smtp_port = {server.port}", config.read_text()))
        else:
            configure(store, server.port)
        result = run(f"mail invite {args}", code=code)
    return result, server.messages


def test_members_get_a_request_with_rsvp(run, meeting_store):
    result, messages = invite(run, meeting_store, "next --to members")
    assert "mail invite: 4 messages sent" in result.stderr
    assert sorted(r[0] for r, _ in messages) == ["ann@example.org", "bob@example.org", "cat@example.org", "dan@example.org"]
    recipients, message = messages[0]
    assert message["Subject"] == "Invitation: TCG meeting: Thursday 3 December 2026, 10:00–12:00"
    assert message["From"] == "Test Coordination Group <escg@example.org>" and message["Message-ID"]
    assert message.get_content_type() == "multipart/mixed"
    part = calendar_part(message)
    assert part.get_param("method") == "REQUEST" and part.get_content_charset() == "utf-8"
    alternative = next(p for p in message.walk() if p.get_content_type() == "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    attachments = list(message.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attachments] == [("invite.ics", "application/ics")]
    lines = calendar_part(message).get_content().splitlines()
    assert attachments[0].get_content().decode().splitlines() == lines  # the same .ics, twice
    calendar, event = event_of(message)
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == DECEMBER_UID and int(event["sequence"]) == 0
    assert str(event["status"]) == "CONFIRMED" and str(event["location"]) == "County Hall"
    assert str(event["organizer"]) == "mailto:secretariat@example.org"
    assert event["organizer"].params["CN"] == "Test Coordination Group"
    assert "dtstamp" in event and "last-modified" in event
    attendees = {str(a): a.params for a in event["attendee"]}
    assert sorted(attendees) == ["mailto:ann@example.org", "mailto:bob@example.org", "mailto:cat@example.org",
                                 "mailto:dan@example.org"]
    bob = attendees["mailto:bob@example.org"]
    assert (bob["CN"], bob["ROLE"], bob["PARTSTAT"], bob["RSVP"]) == ("Bob Police", "REQ-PARTICIPANT", "NEEDS-ACTION", "TRUE")
    assert attendees["mailto:dan@example.org"]["ROLE"] == "REQ-PARTICIPANT"  # a deputy is a member's stand-in
    assert "Please accept or decline" in next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()
    # logged in the meeting's file, as circulated documents are
    assert 'what = "invite"' in (meeting_store / "meetings/2026/2026-12-03.toml").read_text()


def test_others_are_optional(run, meeting_store):
    _, messages = invite(run, meeting_store, "2026-12-03 --to ann@example.org,visitor@example.net")
    attendees = {str(a): a.params for a in event_of(messages[0][1])[1]["attendee"]}
    assert attendees["mailto:ann@example.org"]["ROLE"] == "REQ-PARTICIPANT"
    assert attendees["mailto:ann@example.org"]["CN"] == "Ann Chair"  # a person, found by address
    assert attendees["mailto:visitor@example.net"]["ROLE"] == "OPT-PARTICIPANT"
    assert "CN" not in attendees["mailto:visitor@example.net"]
    assert [m["To"] for _, m in messages] == ["Ann Chair <ann@example.org>", "visitor@example.net"]


def test_uid_is_stable_across_a_move_and_the_sequence_rises(run, meeting_store):
    _, first = invite(run, meeting_store, "next --to bob@example.org")
    run("meeting move 2026-12-03 2026-12-10 --start 14:00 --end 16:00")
    result, second = invite(run, meeting_store, "2026-12-10 --to bob@example.org")
    assert "the invite of 2026-12-10 was sent already" in result.stderr
    _, before = event_of(first[0][1])
    _, after = event_of(second[0][1])
    assert str(after["uid"]) == str(before["uid"]) == DECEMBER_UID
    assert int(after["sequence"]) > int(before["sequence"])
    assert after.decoded("dtstart").astimezone(UTC) == datetime(2026, 12, 10, 14, 0, tzinfo=UTC)


def test_a_cancelled_meeting_sends_cancel(run, meeting_store):
    _, first = invite(run, meeting_store, "next --to members")
    run("meeting cancel 2026-12-03 --reason 'Elections'")
    _, messages = invite(run, meeting_store, "2026-12-03 --to members")
    assert len(messages) == 4
    message = messages[0][1]
    assert message["Subject"].startswith("Cancelled: TCG meeting: Thursday 3 December 2026")
    assert calendar_part(message).get_param("method") == "CANCEL"
    calendar, event = event_of(message)
    assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == DECEMBER_UID
    assert int(event["sequence"]) > int(event_of(first[0][1])[1]["sequence"])
    assert "Elections" in next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()


@pytest.mark.parametrize(("day", "utc_hour"), [("2026-12-03", 10), ("2027-06-03", 9)])
def test_times_are_london_time_in_winter_and_summer(run, meeting_store, day, utc_hour):
    if day != "2026-12-03":
        run(f"meeting new {day}")
    _, messages = invite(run, meeting_store, f"{day} --to bob@example.org")
    calendar, event = event_of(messages[0][1])
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "Europe/London" and start.hour == 10
    assert start.astimezone(UTC) == datetime.fromisoformat(f"{day}T{utc_hour:02d}:00:00+00:00")
    assert event.decoded("dtend").astimezone(UTC).hour == utc_hour + 2
    zone = next(c for c in calendar.walk() if c.name == "VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/London"
    rules = {c.name: c["rrule"].to_ical().decode() for c in zone.subcomponents}
    assert rules == {"DAYLIGHT": "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "STANDARD": "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"}


@pytest.mark.parametrize(("day", "utc_hour"), [("2026-12-03", 10), ("2027-06-03", 9)])
def test_vobject_reads_the_right_instant(run, meeting_store, day, utc_hour):
    vobject = pytest.importorskip("vobject")
    if day != "2026-12-03":
        run(f"meeting new {day}")
    _, messages = invite(run, meeting_store, f"{day} --to bob@example.org")
    parsed = vobject.readOne(calendar_part(messages[0][1]).get_content())
    assert parsed.method.value == "REQUEST"
    start = parsed.vevent.dtstart.value
    assert start.astimezone(UTC) == datetime.fromisoformat(f"{day}T{utc_hour:02d}:00:00+00:00")


def test_dry_run_and_eml_send_nothing_and_log_nothing(run, meeting_store, tmp_path):
    result = run("mail invite next --dry-run")
    assert "Subject: Invitation: TCG meeting: Thursday 3 December 2026" in result.stdout
    assert "Attachments: invite.ics" in result.stdout
    assert "mail invite: 4 messages would be sent (dry run)" in result.stderr
    run(["mail", "invite", "next", "--eml", str(tmp_path / "out")])
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files[0] == "001-invite-ann@example.org.eml" and len(files) == 4
    assert b"METHOD:REQUEST" in (tmp_path / "out" / files[0]).read_bytes()
    assert "circulated" not in (meeting_store / "meetings/2026/2026-12-03.toml").read_text()


def test_a_past_meeting_is_refused(run, meeting_store):
    from escg.core.errors import ConflictError

    result = run("mail invite 2026-10-01 --dry-run", code=ConflictError.exit_code)
    assert "2026-10-01 is in the past" in result.stderr
