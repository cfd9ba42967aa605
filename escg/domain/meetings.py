"""Meetings: scheduling, finding ("next", "last", a date), cancelling, moving.

A meeting's id is its date (2026-12-03), with a letter suffix (2026-12-03b)
for a second meeting on one day. Its file is meetings/<year>/<id>.toml.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from escg.core import dates, ids, model
from escg.core.errors import ConflictError, InputError, NotFoundError
from escg.store import MeetingQuery, Store, Transaction

Summary = model.MeetingSummary




def resolve_summary(store: Store, text: str | None, *, base: date | None = None) -> Summary:
    """Find a meeting by id, by date (any accepted form), or by 'next' / 'last'."""
    text = (text or "next").strip()
    lowered = text.lower()
    if lowered in ("next", "last", "previous"):
        base = base or dates.today()
        found = next_meeting(store, base) if lowered == "next" else last_meeting(store, base)
        if found is None:
            if lowered == "next":
                raise NotFoundError(f"no meeting is planned on or after {base.isoformat()}; schedule one with `escg meeting new DATE`")
            raise NotFoundError(f"no meeting was held on or before {base.isoformat()}")
        return found
    if model.MEETING_ID.fullmatch(text):
        found = store.meeting_summary(text)
        if found is not None:
            return found
        if len(text) > 10:
            raise ids.unknown("meeting", text, [m.id for m in store.meeting_summaries()], "see `escg meeting list`")
    try:
        day = dates.parse_date(text, base=base)
    except InputError:
        raise InputError(f"not a meeting: {text!r}; give a meeting id (2026-12-03), a date, 'next' or 'last'") from None
    same_day = store.meetings_on(day)
    if not same_day:
        summaries = store.meeting_summaries()
        nearby = sorted(summaries, key=lambda m: abs((m.date - day).days))[:2]
        hint = f"; nearest: {', '.join(m.id for m in nearby)}" if nearby else "; see `escg meeting list`"
        raise NotFoundError(f"no meeting on {dates.long_date(day)}{hint}")
    if len(same_day) > 1:
        raise InputError(f"{len(same_day)} meetings on {day.isoformat()}: give the id ({', '.join(m.id for m in same_day)})")
    return same_day[0]


def resolve(store: Store, text: str | None, *, base: date | None = None) -> model.Meeting:
    """As ``resolve_summary``, the meeting in full (its file read)."""
    found = store.meeting(resolve_summary(store, text, base=base).id)
    assert found is not None  # the summary came from the same index
    return found


def next_meeting(store: Store, base: date | None = None) -> Summary | None:
    """The first meeting that is not cancelled on or after ``base`` (default today)."""
    return store.meeting_near(base or dates.today(), after=True)


def last_meeting(store: Store, base: date | None = None) -> Summary | None:
    """The most recent meeting that is not cancelled on or before ``base`` (default today):
    on a meeting's day, 'last' and 'next' are both that meeting."""
    return store.meeting_near(base or dates.today(), after=False)


def previous_meeting(store: Store, meeting: model.Meeting | Summary) -> Summary | None:
    """The meeting before ``meeting`` that was not cancelled."""
    return store.meeting_near(meeting.date, after=False, skip=meeting)


def following_meeting(store: Store, meeting: model.Meeting | Summary) -> Summary | None:
    return store.meeting_near(meeting.date, after=True, skip=meeting)


def free_id(store: Store, day: date, taken: set[str] = frozenset()) -> str:
    base = day.isoformat()
    used = {m.id for m in store.meeting_summaries()} | set(taken)
    if base not in used:
        return base
    for letter in "bcdefghijklmnopqrstuvwxyz":
        if base + letter not in used:
            return base + letter
    raise ConflictError(f"too many meetings on {base}")


def new_uid() -> str:
    import uuid

    return f"meeting-{uuid.uuid4()}@escg"


def _domain(store: Store) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", store.group.short.lower()).strip("-") or "group"
    return f"{slug}.escg"


def meeting_uid(store: Store, meeting: model.Meeting) -> str:
    """The calendar UID: kept in the file from creation (so it survives a move), or
    derived from the id for a meeting made by hand."""
    return meeting.uid or f"meeting-{meeting.id}@{_domain(store)}"


def action_uid(store: Store, action: model.Action) -> str:
    return f"action-{action.id}@{_domain(store)}"


def revise(store: Store, meeting: model.Meeting) -> None:
    """A change calendars must pick up: keep the UID (fixing it before the id can
    change) and raise the SEQUENCE."""
    meeting.uid = meeting_uid(store, meeting)
    meeting.sequence += 1


def sent_warning(meeting: model.Meeting, what: str) -> str | None:
    """The warning for a change to a meeting still to come whose agenda was sent already:
    members have ``what`` (the old item 5, the old venue...)."""
    sent = meeting.last_sent("agenda")
    if sent is None or not meeting.status.upcoming:
        return None
    return (f"the agenda of {meeting.id} was sent on {sent.at:%d %b %Y}: members have {what}; "
            f"send it again with `escg mail agenda {meeting.id} --send`")


def check_times(start: time, end: time) -> None:
    if end <= start:
        raise InputError(f"the meeting must end after it starts ({model.clock(start)}–{model.clock(end)})")


def check_link(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if any(ord(c) < 32 for c in value) or len(value) > 2000:
        raise InputError("the online link must be one line of at most 2000 characters")
    if value and (why := model.link_problem(value)):
        raise InputError(f"the online link: {why}")
    return value or None


def check_venue(value: str | None) -> str | None:
    if value is None:
        return None
    if any(ord(c) < 32 for c in value) or len(value) > model.MAX_TITLE:
        raise InputError(f"the venue must be one line of at most {model.MAX_TITLE} characters")
    return value.strip() or None


def write(txn: Transaction, store: Store, meeting: model.Meeting, *, replaces: str | None = None,
          approved: bool = False) -> None:
    """Stage ``meeting``'s file, editing the existing one in place when there is one.
    A file whose minutes are approved is refused at commit unless ``approved`` says
    this is the approval or a recorded correction (escg.domain.minutes)."""
    from escg.store.edit import sync_array, sync_table

    path = store.meeting_path(meeting.id)
    source = store.meeting_path(replaces) if replaces else path
    if approved:
        txn.unsealed.add(path)

    def change(document: Any) -> None:
        top = meeting.to_toml()
        top.pop("circulated", None)  # an array of tables of its own, below
        sync_table(document, top, keep=("items", "circulated"))
        sync_array(document, "items", [(item.source, item.to_toml()) for item in meeting.items])
        if meeting.circulated or "circulated" in document:
            # The log only grows: the entries already in the file are kept as they are written.
            sync_array(document, "circulated", [(index, entry.to_toml()) for index, entry in enumerate(meeting.circulated)])

    if source.exists() and source != path:
        # A move: carry the old file's text (and comments) to the new name.
        from escg.store.loader import load

        txn.writes[path] = load(source, None, store.root).text
        txn.edit(path, change, parse=model.meeting_parser(meeting.id))
        txn.delete(source)
    else:
        txn.edit(path, change, parse=model.meeting_parser(meeting.id),
                 create=f"# {store.group.short} meeting: its agenda, attendance and minutes.\n\n")


def new_meeting(store: Store, day: date | None, *, start: time | None = None, end: time | None = None,
                venue: str | None = None, online: str | None = None,
                chair: str | None = None, second: bool = False) -> model.Meeting:
    """Create one meeting (on the next date of the default rule if ``day`` is None). A day
    that has a meeting already gets a second (2026-12-03b) only when ``second`` says so."""
    from escg.domain.people import get_person

    with store.transaction() as txn:
        group = store.group
        if day is None:
            day = _next_scheduled(store)
        if chair is not None:
            get_person(store, chair)
        ident = free_id(store, day)
        if ident != day.isoformat() and not second:
            raise ConflictError(f"there is a meeting on {day.isoformat()} already ({day.isoformat()}); to hold "
                                f"a second that day, give --second (it will be {ident}); to change that one, "
                                f"`escg meeting edit {day.isoformat()}` or `escg meeting move`")
        meeting = model.Meeting(
            id=ident,
            uid=new_uid(),
            date=day,
            start=start or group.start,
            end=end or group.end,
            venue=check_venue(venue) if venue is not None else group.venue,
            online=check_link(online) if online is not None else group.online,
            chair=chair,
        )
        check_times(meeting.start, meeting.end)
        write(txn, store, meeting)
    return meeting


def _next_scheduled(store: Store) -> date:
    rule = store.group.rrule
    if not rule:
        raise InputError("give the meeting's date (e.g. `escg meeting new 2026-12-03`), "
                         "or set a default rule as `rrule` under [defaults] in escg.toml")
    meetings = store.select_meetings(MeetingQuery(newest_first=True, limit=1))  # the last
    after = max(meetings[0].date if meetings else dates.today(), dates.today())
    for day in dates.recurrence(rule, after, 2):
        if day > after or not meetings:
            return day
    raise InputError(f"the default rule {rule!r} gives no date after {after.isoformat()}")


def schedule(store: Store, rule: str | None, start_day: date, count: int, *,
             start: time | None = None, end: time | None = None, venue: str | None = None,
             online: str | None = None) -> tuple[list[model.Meeting], list[date]]:
    """Create a series of meetings from an RRULE; returns (created, skipped dates that had one)."""
    with store.transaction() as txn:
        group = store.group
        rule = rule or group.rrule
        if not rule:
            raise InputError("give --rrule (e.g. FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TH) or set rrule under [defaults]")
        created: list[model.Meeting] = []
        skipped: list[date] = []
        taken = {m.date for m in store.select_meetings(MeetingQuery(not_cancelled=True))}
        for day in dates.recurrence(rule, start_day, count):
            if day in taken:
                skipped.append(day)
                continue
            meeting = model.Meeting(
                id=free_id(store, day, {m.id for m in created}),
                uid=new_uid(),
                date=day,
                start=start or group.start,
                end=end or group.end,
                venue=check_venue(venue) if venue is not None else group.venue,
                online=check_link(online) if online is not None else group.online,
            )
            check_times(meeting.start, meeting.end)
            write(txn, store, meeting)
            created.append(meeting)
    return created, skipped


def meeting_json(meeting: model.Meeting | Summary) -> dict[str, Any]:
    """The JSON contract for a meeting (docs/json.md)."""
    return {
        "id": meeting.id,
        "date": meeting.date.isoformat(),
        "start": model.clock(meeting.start),
        "end": model.clock(meeting.end),
        "venue": meeting.venue,
        "online": meeting.online,
        "status": meeting.status.value,
    }


# `meeting list --json|csv`: the keys of meeting_json a listing gives, in order (docs/json.md).
LIST_JSON_KEYS = ["id", "date", "start", "end", "venue", "online", "status"]


def list_row(meeting: Summary) -> dict[str, Any]:
    """A row of `escg meeting list`: the JSON contract (LIST_JSON_KEYS), and what the table shows."""
    row = meeting_json(meeting)
    row.update(day=f"{dates.DAY_NAMES[meeting.date.weekday()][:3]} {dates.short_date(meeting.date)}",
               time=f"{row['start']}–{row['end']}", items=meeting.placed, state=state(meeting))
    return row


def state(meeting: model.Meeting | Summary) -> str:
    """The status as a person reads it: a meeting whose day has passed with nothing recorded
    is not still 'planned', it is one whose attendance was never recorded."""
    if meeting.status.upcoming and meeting.date < dates.today():
        return "past, no attendance"
    return str(meeting.status)


def when(meeting: model.Meeting | Summary) -> str:
    """Thursday 3 December 2026, 10:00–12:00"""
    return f"{dates.long_date(meeting.date)}, {model.clock(meeting.start)}–{model.clock(meeting.end)}"
