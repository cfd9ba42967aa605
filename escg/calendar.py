"""iCalendar export: meetings as VEVENT, actions as VTODO (RFC 5545, via icalendar).

UIDs are stable across exports so a calendar client updates an event rather
than adding a second one: a meeting's UID is kept in its file from the day it
is created (so it survives `meeting move`), or derived from its id for a
meeting made by hand; an action's UID is derived from its id.

Done and dropped actions stay in the export (STATUS:COMPLETED or CANCELLED), so
a client subscribed to the feed marks its to-do done instead of keeping a stale
one; ``open_only`` leaves them out, as the export did before. Every component
carries LAST-MODIFIED, the modification time of the file it comes from, so the
same store always exports the same calendar.

Europe/London is written as a VTIMEZONE with RRULE observances (the EU rule:
last Sunday of March and of October), not the list of RDATEs icalendar derives
from zoneinfo, which some readers (vobject) get an hour wrong in winter.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from escg import actions, agenda, dates, model
from escg.confidential import action_marker, public_title
from escg.meetings import action_uid, meeting_uid
from escg.store import Store

LONDON = ZoneInfo("Europe/London")
PRODID = "-//escg//strategic coordination group//EN"
# How often a subscribed client should fetch the feed again (RFC 7986, and Outlook's name for it).
REFRESH = timedelta(hours=1)


def london_timezone() -> Any:
    """The VTIMEZONE of Europe/London as two yearly RRULE observances (in force since 1996)."""
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    zone = Timezone()
    zone.add("tzid", "Europe/London")
    zone.add("x-lic-location", "Europe/London")
    daylight = TimezoneDaylight()
    daylight.add("tzname", "BST")
    daylight.add("tzoffsetfrom", timedelta(0))
    daylight.add("tzoffsetto", timedelta(hours=1))
    daylight.add("dtstart", datetime(1996, 3, 31, 1, 0))  # 01:00 GMT, the last Sunday of March
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    standard = TimezoneStandard()
    standard.add("tzname", "GMT")
    standard.add("tzoffsetfrom", timedelta(hours=1))
    standard.add("tzoffsetto", timedelta(0))
    standard.add("dtstart", datetime(1996, 10, 27, 2, 0))  # 02:00 BST, the last Sunday of October
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    zone.add_component(daylight)
    zone.add_component(standard)
    return zone


def modified(paths: list[Path]) -> datetime:
    """The latest modification time of ``paths``, in UTC to the second (the epoch if none exists)."""
    times = [path.stat().st_mtime for path in paths if path.is_file()]
    return datetime.fromtimestamp(int(max(times, default=0)), tz=timezone.utc)


def new_calendar(store: Store, *, method: str | None = None) -> Any:
    """A VCALENDAR with escg's PRODID and the Europe/London VTIMEZONE (and METHOD for iTIP)."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add_component(london_timezone())
    return calendar


def meeting_event(store: Store, meeting: model.Meeting, stamp: datetime) -> Any:
    """The VEVENT of a meeting: its UID and SEQUENCE, times in Europe/London, the agenda as description."""
    from icalendar import Event

    group = store.group
    event = Event()
    event.add("uid", meeting_uid(store, meeting))
    event.add("dtstamp", stamp)
    event.add("last-modified", modified([store.meeting_path(meeting.id)]))
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
    return event


def export(store: Store, *, with_meetings: bool = True, with_actions: bool = True,
           open_only: bool = False) -> bytes:
    """The calendar as iCalendar bytes: done and dropped actions too, unless ``open_only``."""
    group = store.group
    calendar = new_calendar(store)
    calendar.add("x-wr-calname", f"{group.short}: {group.name}")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = dates.now_utc().replace(microsecond=0)
    if with_meetings:
        for meeting in store.meetings.values():
            calendar.add_component(meeting_event(store, meeting, stamp))
    if with_actions:
        today = dates.today()
        chosen = actions.select(store, actions.Selection(status="open"), today)
        if not open_only:  # after the open ones, so the open keep their place
            chosen += actions.select(store, actions.Selection(status="closed"), today)
        secret = action_marker(store)
        for action in chosen:
            calendar.add_component(_action_todo(store, action, stamp, today, secret(action)))
    return calendar.to_ical()


def _action_todo(store: Store, action: model.Action, stamp: datetime, today, secret: bool = False) -> Any:
    from icalendar import Todo

    group = store.group
    todo = Todo()
    shown = actions.view(store, action, today, group.rag_window)
    # A calendar feed is easily shared: an action of a confidential item shows only its id.
    todo.add("uid", action_uid(store, action))
    todo.add("dtstamp", stamp)
    todo.add("last-modified", modified(store.action_paths_of(action.id)))
    todo.add("summary", f"{action.id}: confidential action (see the members' action log)" if secret
             else f"{action.id}: {action.title}")
    if action.due:
        todo.add("due", action.due)
    if action.created:
        todo.add("dtstart", action.created)
    if action.status is model.ActionStatus.OPEN:
        todo.add("status", "NEEDS-ACTION")
    else:
        todo.add("status", "COMPLETED" if action.status is model.ActionStatus.DONE else "CANCELLED")
        if action.status is model.ActionStatus.DONE:
            closed = action.closed or today
            # COMPLETED is a UTC date-time (RFC 5545 3.8.2.1): the day it was closed, at midnight.
            todo.add("completed", datetime.combine(closed, time(0), tzinfo=timezone.utc))
            todo.add("percent-complete", 100)
    todo.add("priority", {"red": 1, "amber": 5}.get(shown["rag"], 9))
    lines = [f"Owner: {shown['owner']} ({shown['org']})"]
    if shown["raised"]:
        lines.append(f"Raised: {shown['raised']}")
    if shown["latest"] and not secret:
        lines.append(f"Latest update: {shown['latest']}")
    todo.add("description", "\n".join(lines))
    todo.add("categories", [group.short])
    return todo


def _agenda_summary(store: Store, meeting: model.Meeting) -> str:
    if meeting.status.cancelled:
        return f"This meeting has been cancelled. {meeting.note or ''}".strip()
    lines = [f"{store.group.name}", ""]
    for row in agenda.agenda_of(store, meeting).rows:
        lines.append(f"{row.number}. {row.start:%H:%M} {public_title(row.item)}")
    if meeting.online:
        lines += ["", f"Join online: {meeting.online}"]
    return "\n".join(lines)
