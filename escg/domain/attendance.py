"""Attendance and quorum.

Each person from people is in at most one of present, apologies or absent. A
substitute (``--sub member=stand-in``) attends for a member who sent apologies.
Quorum counts members: those present, and those represented by a substitute
or by their named deputy (``deputy_for``) who is present in their place.
"""

from __future__ import annotations

from escg.core.records import record
from typing import Any

from escg.core import dates, model
from escg.core.errors import ConflictError, InputError
from escg.domain import meetings
from escg.domain.people import get_person
from escg.store import Store

MAX_GUESTS = 200
MAX_NAMES = 1000  # people named in one command; checked before any other work


def _bounded(values: list[str] | None, what: str) -> list[str]:
    values = values or []
    if len(values) > MAX_NAMES or sum(value.count(",") + 1 for value in values) > MAX_NAMES:
        raise InputError(f"at most {MAX_NAMES} {what} in one command")
    return values


def split_ids(values: list[str] | None) -> list[str]:
    """'a,b' 'c' -> ['a', 'b', 'c'], keeping order, dropping blanks and repeats."""
    found: dict[str, None] = {}
    for value in values or []:
        for part in value.split(","):
            part = part.strip()
            if part:
                found.setdefault(part)
    return list(found)


def _check_guest(text: str) -> str:
    text = " ".join(text.split())
    if not text or len(text) > model.MAX_TITLE or any(ord(c) < 32 for c in text):
        raise InputError(f"a guest is one line of at most {model.MAX_TITLE} characters, such as \"Dr A Smith (Public Health)\"")
    return text


def _drop(attendance: model.Attendance, person: str) -> None:
    for names in (attendance.present, attendance.apologies, attendance.absent):
        while person in names:
            names.remove(person)
    attendance.substitutes.pop(person, None)
    for member, stand_in in list(attendance.substitutes.items()):
        if stand_in == person:
            del attendance.substitutes[member]


def _place(record: model.Attendance, names: list[str], person: str) -> None:
    """Put ``person`` in ``names`` only (where they already are, if they are)."""
    if person in names and not any(person in other for other in (record.present, record.apologies, record.absent)
                                   if other is not names):
        return
    _drop(record, person)
    names.append(person)


def attend(store: Store, text: str | None, *, present: list[str] | None = None,
           apologies: list[str] | None = None, subs: list[str] | None = None,
           absent: list[str] | None = None, guests: list[str] | None = None,
           remove: list[str] | None = None) -> model.Meeting:
    """Record (or correct) attendance; repeating the same call changes nothing."""
    everyone = [*(present or []), *(apologies or []), *(subs or []), *(absent or []), *(remove or [])]
    _bounded(everyone, "people")
    if len(guests or []) > MAX_GUESTS:
        raise InputError(f"at most {MAX_GUESTS} guests")
    present_ids, apology_ids, absent_ids = split_ids(present), split_ids(apologies), split_ids(absent)
    remove_ids = split_ids(remove)
    pairs = []
    for value in subs or []:
        for part in value.split(","):
            if not part.strip():
                continue
            member, sep, stand_in = part.partition("=")
            if not sep or not member.strip() or not stand_in.strip():
                raise InputError(f"--sub takes MEMBER=SUBSTITUTE, such as cat=dan, not {part.strip()!r}")
            if member.strip() == stand_in.strip():
                raise InputError(f"{member.strip()} cannot substitute for themselves")
            pairs.append((member.strip(), stand_in.strip()))
    guest_names = [_check_guest(g) for g in guests or []]
    if not (present_ids or apology_ids or absent_ids or pairs or guest_names or remove_ids):
        raise InputError("give --present, --apologies, --sub, --absent, --guest or --remove")
    # A member with a substitute sent apologies: `--apologies cat --sub cat=dan` says it twice, consistently.
    substituted = {m for m, _ in pairs}
    mentioned = (present_ids + [a for a in apology_ids if a not in substituted] + absent_ids
                 + [m for m, _ in pairs] + [s for _, s in pairs])
    from collections import Counter

    repeated = {name for name, times in Counter(mentioned).items() if times > 1}
    if repeated:
        raise InputError(f"{', '.join(sorted(repeated))} given more than once in one command")

    with store.transaction() as txn:
        meeting = meetings.resolve(store, text or "last")
        if meeting.status.cancelled:
            raise ConflictError(f"meeting {meeting.id} was cancelled; it has no attendance")
        future = meeting.date > dates.today()
        if future and (present_ids or absent_ids or guest_names):
            raise ConflictError(f"meeting {meeting.id} is on {meeting.date.isoformat()}, still to come: "
                                "only apologies (and substitutes) can be recorded in advance")
        if meeting.status.approved:
            raise ConflictError(f"the minutes of {meeting.id} are approved; attendance is part of that record")
        for person in mentioned:
            get_person(store, person)
        record = meeting.attendance
        for person in remove_ids:
            if person in record.guests:
                record.guests.remove(person)
            else:
                get_person(store, person)
                _drop(record, person)
        for person in present_ids:
            _place(record, record.present, person)
        for person in apology_ids:
            if person not in record.substitutes:
                _place(record, record.apologies, person)
        for member, stand_in in pairs:
            if record.substitutes.get(member) == stand_in and member in record.apologies:
                continue  # recorded already: keep the order of record
            _drop(record, member)
            _drop(record, stand_in)
            record.apologies.append(member)
            record.substitutes[member] = stand_in
        for person in absent_ids:
            _place(record, record.absent, person)
        for guest in guest_names:
            if guest not in record.guests:
                record.guests.append(guest)
        if len(record.guests) > MAX_GUESTS:
            raise InputError(f"at most {MAX_GUESTS} guests")
        if record.attending and not future and meeting.status.upcoming:
            meeting.status = model.MeetingStatus.HELD
        meetings.write(txn, store, meeting)
    return meeting


@record
class Quorum:
    rule: str | int | None
    members: int
    needed: int | None
    counted: int
    represented: dict[str, str]  # member -> who represented them (themselves, a substitute, a deputy)

    @property
    def quorate(self) -> bool:
        return self.needed is None or self.counted >= self.needed


def quorum(store: Store, meeting: model.Meeting) -> Quorum:
    frozen = meeting.minutes.frozen
    if frozen is not None and meeting.status.approved:
        # Approved minutes keep the count they were approved with, whoever has joined or left since.
        return Quorum(store.group.quorum, frozen.quorum_members, frozen.quorum_needed, frozen.quorum_counted, {})
    people = store.people
    members = [p.id for p in people.values() if p.membership == "member" and p.active_on(meeting.date)]
    record = meeting.attendance
    attending = set(record.attending)
    represented: dict[str, str] = {}
    for member in members:
        if member in record.present:
            represented[member] = member
        elif member in record.substitutes and record.substitutes[member] in attending:
            represented[member] = record.substitutes[member]
    # A named deputy present while their member is not counts for that member.
    for person in record.present:
        deputy = people.get(person)
        if deputy and deputy.deputy_for in members and deputy.deputy_for not in represented:
            if person not in represented.values():
                represented[deputy.deputy_for] = person
    rule = store.group.quorum
    needed = model.quorum_needed(rule, len(members))
    return Quorum(rule, len(members), needed, len(represented), represented)


def attendance_json(store: Store, meeting: model.Meeting) -> dict[str, Any]:
    record = meeting.attendance
    counted = quorum(store, meeting)
    return {
        "present": list(record.present),
        "apologies": list(record.apologies),
        "substitutes": dict(sorted(record.substitutes.items())),
        "absent": list(record.absent),
        "guests": list(record.guests),
        "quorum": counted.needed,
        "members_counted": counted.counted,
    }
