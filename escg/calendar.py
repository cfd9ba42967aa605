"""iCalendar export: meetings as VEVENT, open actions as VTODO (RFC 5545, via icalendar).

UIDs are stable across exports so a calendar client updates an event rather
than adding a second one: a meeting's UID is kept in its file from the day it
is created (so it survives `meeting move`), or derived from its id for a
meeting made by hand; an action's UID is derived from its id.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from escg import actions, agenda, dates, model
from escg.meetings import action_uid, meeting_uid
from escg.store import Store

LONDON = ZoneInfo("Europe/London")


def export(store: Store, *, with_meetings: bool = True, with_actions: bool = True) -> bytes:
    """The calendar as iCalendar bytes."""
    from icalendar import Calendar, Event, Todo

    group = store.group
    calendar = Calendar()
    calendar.add("prodid", "-//escg//strategic coordination group//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{group.short}: {group.name}")
    stamp = dates.now_utc().replace(microsecond=0)
    if with_meetings:
        for meeting in store.meetings.values():
            event = Event()
            event.add("uid", meeting_uid(store, meeting))
            event.add("dtstamp", stamp)
            event.add("dtstart", datetime.combine(meeting.date, meeting.start, tzinfo=LONDON))
            event.add("dtend", datetime.combine(meeting.date, meeting.end, tzinfo=LONDON))
            event.add("summary", f"{group.short} meeting" + (" (cancelled)" if meeting.status.cancelled else ""))
            if meeting.venue:
                event.add("location", meeting.venue)
            if meeting.online:
                event.add("url", meeting.online)
            event.add("description", _agenda_summary(store, meeting))
            event.add("status", "CANCELLED" if meeting.status.cancelled else "CONFIRMED")
            event.add("sequence", meeting.sequence)
            calendar.add_component(event)
    if with_actions:
        today = dates.today()
        window = group.rag_window
        for action in actions.select(store, actions.Selection(status="open"), today):
            todo = Todo()
            shown = actions.view(store, action, today, window)
            todo.add("uid", action_uid(store, action))
            todo.add("dtstamp", stamp)
            todo.add("summary", f"{action.id}: {action.title}")
            if action.due:
                todo.add("due", action.due)
            if action.created:
                todo.add("dtstart", action.created)
            todo.add("status", "NEEDS-ACTION")
            todo.add("priority", {"red": 1, "amber": 5}.get(shown["rag"], 9))
            lines = [f"Owner: {shown['owner']} ({shown['org']})"]
            if shown["raised"]:
                lines.append(f"Raised: {shown['raised']}")
            if shown["latest"]:
                lines.append(f"Latest update: {shown['latest']}")
            todo.add("description", "\n".join(lines))
            todo.add("categories", [group.short])
            calendar.add_component(todo)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _agenda_summary(store: Store, meeting: model.Meeting) -> str:
    if meeting.status.cancelled:
        return f"This meeting has been cancelled. {meeting.note or ''}".strip()
    lines = [f"{store.group.name}", ""]
    for row in agenda.agenda_of(store, meeting).rows:
        lines.append(f"{row.number}. {row.start:%H:%M} {row.item.title}")
    if meeting.online:
        lines += ["", f"Join online: {meeting.online}"]
    return "\n".join(lines)
