"""iCalendar export: meetings as VEVENT, actions as VTODO (RFC 5545, written by escg.core.ical).

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
from zoneinfo import ZoneInfo

from escg.core import dates, model
from escg.core.ical import Component
from escg.domain import actions, agenda
from escg.domain.meetings import action_uid, meeting_uid
from escg.store import Store
from escg.workflows.confidential import action_marker, public_title

LONDON = ZoneInfo("Europe/London")
PRODID = "-//escg//strategic coordination group//EN"
# How often a subscribed client should fetch the feed again (RFC 7986, and Outlook's name for it).
REFRESH = timedelta(hours=1)


def london_timezone() -> Component:
    """The VTIMEZONE of Europe/London as two yearly RRULE observances (in force since 1996)."""
    zone = Component("VTIMEZONE")
    zone.add("tzid", "Europe/London")
    zone.add("x-lic-location", "Europe/London")
    daylight = Component("DAYLIGHT")
    daylight.add("tzname", "BST")
    daylight.add("tzoffsetfrom", timedelta(0))
    daylight.add("tzoffsetto", timedelta(hours=1))
    daylight.add("dtstart", datetime(1996, 3, 31, 1, 0))  # 01:00 GMT, the last Sunday of March
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    standard = Component("STANDARD")
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


def new_calendar(store: Store, *, method: str | None = None) -> Component:
    """A VCALENDAR with escg's PRODID and the Europe/London VTIMEZONE (and METHOD for iTIP)."""
    calendar = Component("VCALENDAR")
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add_component(london_timezone())
    return calendar


def meeting_event(store: Store, meeting: model.Meeting, stamp: datetime) -> Component:
    """The VEVENT of a meeting: its UID and SEQUENCE, times in Europe/London, the agenda as description."""
    group = store.group
    event = Component("VEVENT")
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


# What escg keeps of each component between exports (escg.store.index, table rendered):
# change FORMAT whenever a component's text changes, so that no export serves the old one.
FORMAT = "1"
_STAMP = datetime(1970, 1, 1, tzinfo=timezone.utc)  # stands for DTSTAMP in a kept text
_STAMP_LINE = "\r\nDTSTAMP:19700101T000000Z\r\n"
_PRIORITY_LINE = "\r\nPRIORITY:0\r\n"  # stands for PRIORITY, which moves with today
PRIORITIES = {model.Rag.RED: 1, model.Rag.AMBER: 5}  # and 9 for the rest


def export(store: Store, *, with_meetings: bool = True, with_actions: bool = True,
           open_only: bool = False) -> bytes:
    """The calendar as iCalendar bytes: done and dropped actions too, unless ``open_only``.

    Each component's text is kept in the store's index under a key made of the stat
    signatures of every file it was made from (its own, the meeting an action was raised
    at, escg.toml and people.toml), so an export makes again only what changed: the
    other texts are spliced in, with this export's DTSTAMP and each action's PRIORITY
    (its RAG, which moves with the date). Without an index every component is made."""
    group = store.group
    calendar = new_calendar(store)
    calendar.add("x-wr-calname", f"{group.short}: {group.name}")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = dates.now_utc().replace(microsecond=0)
    today = dates.today()
    kept = _Kept(store)
    texts: list[str] = []
    if with_meetings:
        texts += kept.meetings(lambda meeting: meeting_event(store, meeting, _STAMP))
    if with_actions:
        queries = [actions.query_of(store, actions.Selection(status=actions.Showing.OPEN), today)]
        if not open_only:  # after the open ones, so the open keep their place
            queries.append(actions.query_of(store, actions.Selection(status=actions.Showing.CLOSED), today))
        now, until = model.rag_bounds(today, group.rag_window)
        for text, status, due in kept.actions(queries, today, lambda action, secret: _action_todo(
                store, action, _STAMP, today, secret)):
            priority = PRIORITIES.get(model.rag_of(status, due, now, until), 9)
            texts.append(text.replace(_PRIORITY_LINE, f"\r\nPRIORITY:{priority}\r\n", 1))
    kept.save()
    lines = calendar.lines()
    body = "\r\n".join(lines[:-1] + texts + lines[-1:]) + "\r\n"
    return body.replace(_STAMP_LINE, f"\r\nDTSTAMP:{stamp:%Y%m%dT%H%M%SZ}\r\n").encode("utf-8")


class _Kept:
    """The component texts of the last export, from the store's index, and the new ones."""

    def __init__(self, store: Store) -> None:
        from escg import __version__

        self.store = store
        self.index = store.index()
        self.old: dict[str, tuple[str, str]] = {}
        self.new: dict[str, tuple[str, str]] = {}
        if self.index is not None:
            signature = self.index.signature_of
            self.context = f"{__version__}/{FORMAT}/{signature('escg.toml')}/{signature('people.toml')}"
            self.old = self.index.rendered("ics")
        self._meetings: list[tuple[str, str, str]] | None = None

    def meeting_signatures(self) -> list[tuple[str, str, str]]:
        if self._meetings is None:
            self._meetings = self.index.meeting_signatures()
        return self._meetings

    def _kept(self, path: str, key: str) -> str | None:
        """The text kept for ``path`` under ``key``, or None."""
        old = self.old.get(path)
        return old[1] if old is not None and old[0] == f"{self.context}|{key}" else None

    def _text(self, path: str, key: str, make) -> str:
        text = self._kept(path, key)
        if text is None:
            text = make()
            self.new[path] = (f"{self.context}|{key}", text)
        return text

    def meetings(self, event) -> list[str]:
        store = self.store
        if self.index is None:
            return ["\r\n".join(event(meeting).lines()) for meeting in store.meetings.values()]
        return [self._text(path, signature, lambda ident=ident: "\r\n".join(event(store.meeting(ident)).lines()))
                for ident, path, signature in self.meeting_signatures()]

    def actions(self, queries, today, todo) -> list[tuple[str, str, str | None]]:
        """(text, status, due) of the actions each query selects, in order."""
        store = self.store
        secret = action_marker(store)
        if self.index is None:
            return [("\r\n".join(todo(action, secret(action)).lines()), action.status.value,
                     action.due.isoformat() if action.due else None)
                    for query in queries for action in store.select_actions(query)]
        rows = [row for query in queries for row in store.action_keys(query)]
        files: dict[str, list[str]] = {}  # id -> signatures of its files (two after a clashing merge)
        for ident, _, signature in self.index.action_signatures():
            files.setdefault(ident, []).append(signature)
        # Asked only when an action names a meeting: the meetings' signatures stop at a meeting
        # that cannot be read, which the files' path reads only to show an action raised there.
        meetings = ({ident: signature for ident, _, signature in self.meeting_signatures()}
                    if any(row[4] for row in rows) else {})
        keys = []
        for path, ident, status, due, meeting, closed in rows:
            key = f"{','.join(sorted(files.get(ident, [])))}|{meeting or ''}:{meetings.get(meeting or '', '')}"
            if status == model.ActionStatus.DONE and closed is None:
                key += f"|{today.isoformat()}"  # COMPLETED says today
            keys.append(key)
        missing = [row[0] for row, key in zip(rows, keys) if self._kept(row[0], key) is None]
        loaded = self.index.actions_at(missing) if missing else {}
        return [(self._text(path, key, lambda path=path: "\r\n".join(
                     todo(loaded[path], secret(loaded[path])).lines())), status, due)
                for (path, _, status, due, _, _), key in zip(rows, keys)]

    def save(self) -> None:
        if self.index is not None and self.new:
            self.index.save_rendered("ics", self.new)


def _action_todo(store: Store, action: model.Action, stamp: datetime, today, secret: bool = False) -> Component:
    """The VTODO of an action, its PRIORITY left for export to fill in (``_PRIORITY_LINE``)."""
    group = store.group
    todo = Component("VTODO")
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
    if action.status.is_open:
        todo.add("status", "NEEDS-ACTION")
    else:
        todo.add("status", "COMPLETED" if action.status is model.ActionStatus.DONE else "CANCELLED")
        if action.status is model.ActionStatus.DONE:
            closed = action.closed or today
            # COMPLETED is a UTC date-time (RFC 5545 3.8.2.1): the day it was closed, at midnight.
            todo.add("completed", datetime.combine(closed, time(0), tzinfo=timezone.utc))
            todo.add("percent-complete", 100)
    todo.add("priority", 0)
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
