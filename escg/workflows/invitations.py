"""Meeting invitations by mail: iTIP (RFC 5546) REQUEST, or CANCEL for a cancelled meeting.

Each recipient gets one message: a short text and HTML note, and the meeting as
``text/calendar; method=REQUEST`` inside the multipart/alternative (where mail
clients look for an invitation to show Accept and Decline), plus the same
calendar as an ``invite.ics`` attachment (which Outlook and Google expect).

The event carries the meeting's UID (kept across moves) and SEQUENCE (raised
by every move and by cancellation), so sending again after `escg meeting move`
updates the invitation in members' calendars instead of adding a second one,
and a cancelled meeting's CANCEL removes it. Every recipient is an ATTENDEE
(members and deputies required, everyone else optional), asked to reply.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from escg.core import dates, model
from escg.core.errors import ConflictError
from escg.core.ical import Address
from escg.domain import meetings
from escg.services import mail
from escg.store import Store
from escg.workflows.calendar import meeting_event, new_calendar
from escg.workflows.circulation import recipients

REQUIRED = ("member", "deputy")  # memberships invited as REQ-PARTICIPANT; the rest OPT-PARTICIPANT
ATTACHMENT = "invite.ics"


def organizer(store: Store, config: mail.Settings) -> str:
    """The ORGANIZER's address: the secretariat, else the mail sender, else a placeholder for dry runs."""
    return mail.check_address(store.group.secretariat or config.sender or mail.PLACEHOLDER_SENDER)


def method_of(meeting: model.Meeting) -> str:
    return "CANCEL" if meeting.status.cancelled else "REQUEST"


def attendees(store: Store, addresses: list[tuple[str, str | None]]) -> list[tuple[str, str | None, str]]:
    """(address, name, role) per recipient: a person's name and role by their address,
    OPT-PARTICIPANT for an address that is nobody's in people.toml."""
    by_address = {p.email.lower(): p for p in store.people.values() if p.email}
    found = []
    for address, name in addresses:
        person = by_address.get(address.lower())
        role = "REQ-PARTICIPANT" if person is not None and person.membership in REQUIRED else "OPT-PARTICIPANT"
        found.append((address, name or (person.name if person else None), role))
    return found


def invitation(store: Store, meeting: model.Meeting, people: list[tuple[str, str | None, str]],
               organizer_address: str, stamp: datetime | None = None) -> bytes:
    """The iTIP calendar of ``meeting``: METHOD REQUEST (or CANCEL), the VTIMEZONE and one VEVENT."""
    method = method_of(meeting)
    stamp = stamp or dates.now_utc().replace(microsecond=0)
    calendar = new_calendar(store, method=method)
    event = meeting_event(store, meeting, stamp)
    where = [part for part in (meeting.venue, meeting.online) if part]
    if where:  # clients show LOCATION, not URL, in the invitation: the online link goes there too
        event.pop("location", None)
        event.add("location", ", ".join(where))
    event.add("organizer", Address(f"mailto:{organizer_address}", CN=store.group.name))
    for address, name, role in people:
        attendee = Address(f"mailto:{address}")
        attendee.params["CUTYPE"] = "INDIVIDUAL"
        attendee.params["ROLE"] = role
        if method == "REQUEST":
            attendee.params["PARTSTAT"] = "NEEDS-ACTION"
            attendee.params["RSVP"] = "TRUE"
        if name:
            attendee.params["CN"] = name
        event.add("attendee", attendee)
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()


def _when(meeting: model.Meeting) -> str:
    return f"{dates.long_date(meeting.date)}, {meeting.start:%H:%M}–{meeting.end:%H:%M}"


def _note(store: Store, meeting: model.Meeting) -> tuple[str, str, str]:
    """(subject, text, html) of the message around the calendar part."""
    group = store.group
    title = f"{group.short} meeting: {_when(meeting)}"
    if meeting.status.cancelled:
        subject = f"Cancelled: {title}"
        lines = [f"The {group.name} meeting on {_when(meeting)} has been cancelled."]
        if meeting.note:
            lines += ["", meeting.note]
    else:
        subject = f"Invitation: {title}"
        lines = [f"You are invited to the {group.name} meeting.", "", f"When: {_when(meeting)} (UK time)"]
        if meeting.venue:
            lines.append(f"Where: {meeting.venue}")
        if meeting.online:
            lines.append(f"Online: {meeting.online}")
        lines += ["", "Please accept or decline in your calendar, so the secretariat can record apologies."]
    text = "\n".join(lines) + "\n"
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines if line)
    page = (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head><meta charset="utf-8">'
            f"<title>{html.escape(subject)}</title></head>\n<body>\n{body}</body>\n</html>\n")
    return subject, text, page


def draft_invitation(store: Store, config: mail.Settings, meeting: model.Meeting, address: str,
                     name: str | None, ics: bytes) -> mail.Outgoing:
    """One invitation to ``address``, drafted (escg.services.mail.draft): built, when it is written
    or sent, as multipart/mixed of (text, HTML, text/calendar) and invite.ics."""
    from functools import partial

    subject, text, page = _note(store, meeting)
    sender = mail.mailbox(config.sender or mail.PLACEHOLDER_SENDER, store.group.name)
    reply_to = mail.mailbox(config.reply_to) if config.reply_to else None
    from escg.workflows.circulation import list_id, thread_root

    # In the meeting's thread (escg.workflows.circulation.thread_root), as its agenda and minutes are.
    return mail.draft(address, label="invite", finish=partial(_with_calendar, meeting, ics), attached=(ATTACHMENT,),
                      sender=sender, to=mail.mailbox(address, name), reply_to=reply_to, subject=subject, text=text,
                      html=page, auto=True, thread=thread_root(store, meeting, sender.domain),
                      list_id=list_id(store, sender.domain))


def _with_calendar(meeting: model.Meeting, ics: bytes, built: Any) -> Any:
    """The message escg.services.mail.build made (From, To, Reply-To, Subject, Date and Message-ID
    set and proved), with the calendar among its alternatives and attached as invite.ics,
    which makes it multipart/mixed."""
    from email import policy
    from email.message import EmailMessage

    # The parts get the default policy, so base64 lines are 76 long (RFC 2045), not 998.
    part = EmailMessage(policy=policy.default)
    part.set_content(ics.decode("utf-8"), subtype="calendar")
    # Written as Outlook and Google write it (no quotes): some clients look for method=REQUEST literally.
    part.replace_header("Content-Type", f"text/calendar; method={method_of(meeting)}; charset=UTF-8")
    built.attach(part)
    attachment = EmailMessage(policy=policy.default)
    attachment.set_content(ics, maintype="application", subtype="ics", filename=ATTACHMENT,
                           params={"name": ATTACHMENT})
    built.make_mixed()
    built.attach(attachment)
    return built


def invitations(store: Store, config: mail.Settings, meeting_text: str | None,
                to: str) -> tuple[model.Meeting, list[mail.Outgoing], list[tuple[str, str]]]:
    """The meeting, one invitation per recipient of ``to`` (members|all|ADDR,...), and people skipped."""
    meeting = meetings.resolve(store, meeting_text or "next")
    if not meeting.status.cancelled and meeting.date < dates.today():
        raise ConflictError(f"meeting {meeting.id} is in the past; invitations are for meetings to come")
    addresses, skipped = recipients(store, to)
    people = attendees(store, addresses)
    ics = invitation(store, meeting, people, organizer(store, config))
    outgoing = [draft_invitation(store, config, meeting, address, name, ics) for address, name, _ in people]
    return meeting, outgoing, skipped
