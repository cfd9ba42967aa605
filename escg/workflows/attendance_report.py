"""Attendance over time: per member and per organisation, over the held meetings.

As a council's committee system shows it: for each member, over the meetings
held in a range (not cancelled, not in the future) whose attendance was
recorded, how many they were expected at, were present at, sent a substitute
to (a ``--sub`` stand-in, or their named deputy present in their place),
sent apologies to, or missed; and their attendance, present or represented
as a share of expected. A held meeting with no attendance recorded counts for
no one, and the report says how many there were.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from escg.core import dates, model
from escg.core.errors import InputError
from escg.core.records import field, record
from escg.store import MeetingQuery, Store

BY = ("person", "org")
PERSON_JSON_KEYS = ["person", "name", "org", "membership", "expected", "present", "substitute", "substitutes",
               "apologies", "absent", "attendance", "stood_in", "stood_in_for"]
ORG_JSON_KEYS = ["org", "name", "members", "meetings", "represented", "expected", "present", "substitute",
            "apologies", "absent", "attendance"]


@record
class Tally:
    expected: int = 0
    present: int = 0
    substitute: int = 0
    apologies: int = 0
    absent: int = 0
    substitutes: set[str] = field(default_factory=set)  # who stood in for this member
    stood_in: int = 0
    stood_in_for: set[str] = field(default_factory=set)  # the members this person stood in for

    @property
    def attendance(self) -> float | None:
        """Present or represented, as a percentage of expected (None when expected at none)."""
        if not self.expected:
            return None
        return round(100 * (self.present + self.substitute) / self.expected, 1)


@record
class Report:
    rows: list[dict[str, Any]]
    counted: list[str]  # the held meetings with attendance recorded, in date order
    unrecorded: list[str]  # the held meetings with none


def held_meetings(store: Store, since: date | None, until: date | None) -> list[model.MeetingSummary]:
    """The meetings in the range that took place: not cancelled, today or earlier."""
    today = dates.today()
    return store.select_meetings(MeetingQuery(from_day=since, to_day=min(until, today) if until else today,
                                              not_cancelled=True))


def outcome(meeting: model.Meeting, member: str, deputies: dict[str, list[str]],
            taken: set[str]) -> tuple[str, str | None]:
    """What ``member`` did at ``meeting``: ("present"|"substitute"|"apologies"|"absent", who stood in).
    ``taken`` holds the deputies already counted for another member at this meeting."""
    record = meeting.attendance
    if member in record.present:
        return "present", None
    stand_in = record.substitutes.get(member)
    if stand_in and stand_in in record.attending:
        return "substitute", stand_in
    for deputy in deputies.get(member, []):
        # As the quorum counts it: a named deputy present while their member is not.
        if deputy in record.present and deputy not in taken:
            taken.add(deputy)
            return "substitute", deputy
    if member in record.apologies:
        return "apologies", None
    return "absent", None  # recorded absent, or not on the record at all


def attendance_report(store: Store, *, since: date | None = None, until: date | None = None,
                      by: str = "person") -> Report:
    """Attendance over the held meetings from ``since`` to ``until`` (both included), by person or org."""
    if by not in BY:
        raise InputError(f"--by takes person or org, not {by!r}")
    if since and until and until < since:
        raise InputError(f"--until {until.isoformat()} is before --since {since.isoformat()}")
    people = store.people
    members = sorted(p.id for p in people.values() if p.membership == "member")
    deputies: dict[str, list[str]] = {}
    for person in sorted(people.values(), key=lambda p: p.id):
        if person.deputy_for:
            deputies.setdefault(person.deputy_for, []).append(person.id)
    tallies: dict[str, Tally] = {member: Tally() for member in members}
    org_meetings: dict[str, set[str]] = {}
    counted, unrecorded = [], []
    for summary in held_meetings(store, since, until):
        meeting = store.meeting(summary.id)
        if meeting is None or meeting.attendance.empty:
            unrecorded.append(summary.id)
            continue
        counted.append(meeting.id)
        # Substitutes named with --sub are counted first, so a deputy who is also one is not counted twice.
        taken = {s for s in meeting.attendance.substitutes.values() if s in meeting.attendance.attending}
        for member in members:
            if not people[member].active_on(meeting.date):
                continue  # had left the group by then: not expected
            tally = tallies[member]
            tally.expected += 1
            what, stand_in = outcome(meeting, member, deputies, taken)
            setattr(tally, what, getattr(tally, what) + 1)
            if what in ("present", "substitute"):
                org_meetings.setdefault(people[member].org, set()).add(meeting.id)
            if stand_in:
                tally.substitutes.add(stand_in)
                helper = tallies.setdefault(stand_in, Tally())
                helper.stood_in += 1
                helper.stood_in_for.add(member)
    if by == "org":
        return Report(_org_rows(store, tallies, org_meetings, len(counted)), counted, unrecorded)
    rows = []
    # Members first, then the deputies, advisers and guests who stood in for one.
    for ident in [*members, *sorted(set(tallies) - set(members))]:
        tally, person = tallies[ident], people.get(ident)
        rows.append({"person": ident, "name": person.name if person else ident, "org": person.org if person else None,
                     "membership": person.membership if person else None, "expected": tally.expected,
                     "present": tally.present, "substitute": tally.substitute,
                     "substitutes": sorted(tally.substitutes), "apologies": tally.apologies, "absent": tally.absent,
                     "attendance": tally.attendance, "stood_in": tally.stood_in,
                     "stood_in_for": sorted(tally.stood_in_for)})
    return Report(rows, counted, unrecorded)


def _org_rows(store: Store, tallies: dict[str, Tally], org_meetings: dict[str, set[str]],
              meetings: int) -> list[dict[str, Any]]:
    people = store.people
    rows = []
    for ident, org in sorted(store.orgs.items()):
        mine = [tallies[p] for p in tallies if p in people and people[p].org == ident and people[p].membership == "member"]
        if not mine:
            continue
        total = Tally(expected=sum(t.expected for t in mine), present=sum(t.present for t in mine),
                      substitute=sum(t.substitute for t in mine), apologies=sum(t.apologies for t in mine),
                      absent=sum(t.absent for t in mine))
        rows.append({"org": ident, "name": org.name, "members": len(mine), "meetings": meetings,
                     "represented": len(org_meetings.get(ident, ())), "expected": total.expected,
                     "present": total.present, "substitute": total.substitute, "apologies": total.apologies,
                     "absent": total.absent, "attendance": total.attendance})
    return rows
