"""The one query of the action log, and the one of meetings: each compiled to SQL
for the index and evaluated on records read from the files, so the two paths can
never disagree.

Every reader that lists actions builds an ``ActionQuery``, every reader that asks
for some meetings a ``MeetingQuery``, and one that asks for decisions a
``DecisionQuery``. The index's other SQL answers fixed
questions that take no filters (one meeting's file, one action's files, every
meeting's date, the meetings with a confidential item:
escg.store.index), each with its twin on the files in escg.store. With
``ESCG_CROSSCHECK=1`` (set by the test suite) every query and every one of those
answers runs both ways, and a difference is an error. (The highest action number
is not compared: the files' twin would stop at a broken action file, which the
index's answer passes over.)
"""

from __future__ import annotations

from escg.core.records import record
from datetime import date
from typing import Any

from escg.core.model import ActionStatus, Action, MeetingStatus, MeetingSummary

OPEN = (ActionStatus.OPEN,)
CLOSED = tuple(status for status in ActionStatus if status.closed)
EVERY = tuple(ActionStatus)


@record(frozen=True)
class ActionQuery:
    """Which actions, in which order.

    An action matches when its status is one of ``statuses`` (or it was closed
    after ``closed_after``), every given field is equal, its meeting is one of
    ``meetings`` when that is given, and, when either due
    filter is given, it is open with a due date that is before ``due_before``
    or within ``due_between`` (both inclusive)."""

    statuses: tuple[ActionStatus, ...] = EVERY
    owner: str | None = None
    org: str | None = None
    meeting: str | None = None
    theme: str | None = None
    due_before: date | None = None
    due_between: tuple[date, date] | None = None
    closed_after: date | None = None
    meetings: tuple[str, ...] | None = None  # raised at one of these meetings
    by_due: bool = False  # order by due date (none last), else by id

    FIELDS = ("owner", "org", "meeting", "theme")

    # --- as SQL, on the index's actions table --------------------------------

    def sql(self) -> tuple[str, tuple[Any, ...], str]:
        """(WHERE condition, parameters, ORDER BY) on the index's ``actions`` table."""
        status = f"status IN ({','.join('?' * len(self.statuses))})"
        params: list[Any] = [s.value for s in self.statuses]
        if self.closed_after is not None:
            status = f"({status} OR closed > ?)"
            params.append(self.closed_after.isoformat())
        where = [status]
        for name in self.FIELDS:
            value = getattr(self, name)
            if value is not None:
                where.append(f"{name} = ?")
                params.append(value)
        if self.meetings is not None:
            where.append(f"meeting IN ({','.join('?' * len(self.meetings))})")
            params += self.meetings
        dues, due_params = [], []
        if self.due_before is not None:
            dues.append("due < ?")
            due_params.append(self.due_before.isoformat())
        if self.due_between is not None:
            dues.append("(due >= ? AND due <= ?)")
            due_params += [self.due_between[0].isoformat(), self.due_between[1].isoformat()]
        if dues:  # as matches(): only an open action is late or due soon
            where.append(f"status = ? AND due IS NOT NULL AND ({' OR '.join(dues)})")
            params += [ActionStatus.OPEN.value, *due_params]
        # path last: two files of one id (a clashing merge) come in the order the files are read
        order = "due IS NULL, due, number, id, path" if self.by_due else "number, id, path"
        return " AND ".join(where), tuple(params), order

    # --- in Python, on actions read from their files --------------------------

    def matches(self, action: Action) -> bool:
        if action.status not in self.statuses and not (
                self.closed_after is not None and action.closed is not None and action.closed > self.closed_after):
            return False
        for name in self.FIELDS:
            value = getattr(self, name)
            if value is not None and getattr(action, name) != value:
                return False
        if self.meetings is not None and action.meeting not in self.meetings:
            return False
        if self.due_before is None and self.due_between is None:
            return True
        if not action.status.is_open or action.due is None:
            return False
        late = self.due_before is not None and action.due < self.due_before
        soon = self.due_between is not None and self.due_between[0] <= action.due <= self.due_between[1]
        return late or soon

    def order(self, actions: list[Action]) -> list[Action]:
        if self.by_due:
            return sorted(actions, key=lambda a: (a.due is None, a.due or date.max, a.number, a.id))
        return sorted(actions, key=lambda a: (a.number, a.id))

    def run(self, actions: list[Action]) -> list[Action]:
        return self.order([action for action in actions if self.matches(action)])


@record(frozen=True)
class MeetingQuery:
    """Which meetings (as their summaries), in date then id order, or the reverse.

    A meeting matches when it has id ``ident``, is dated ``day``, on or after
    ``from_day``, on or before ``to_day``, comes strictly after or before the
    (date, id) of ``after`` or ``before``, has one of ``statuses``, is chaired by
    ``chair`` (the meeting's own chair), names ``person`` or ``org`` anywhere in its
    file (MeetingSummary.people, .orgs), and is not cancelled with ``not_cancelled``:
    each only when given. ``limit`` keeps the first few."""

    ident: str | None = None
    day: date | None = None
    from_day: date | None = None
    to_day: date | None = None
    after: tuple[date, str] | None = None
    before: tuple[date, str] | None = None
    statuses: frozenset[MeetingStatus] | None = None
    chair: str | None = None
    person: str | None = None
    org: str | None = None
    not_cancelled: bool = False
    newest_first: bool = False
    limit: int | None = None

    # --- as SQL, on the index's meetings table ---------------------------------

    def sql(self) -> tuple[str, tuple[Any, ...], str, int | None]:
        """(WHERE condition, parameters, ORDER BY, LIMIT) on the index's ``meetings`` table."""
        where: list[str] = []
        params: list[Any] = []
        for test, value in (("id = ?", self.ident), ("date = ?", self.day), ("date >= ?", self.from_day),
                            ("date <= ?", self.to_day)):
            if value is not None:
                where.append(test)
                params.append(value if isinstance(value, str) else value.isoformat())
        # A row value, which SQLite answers from meetings_by_date: the same test written with
        # OR read every meeting and sorted them (43 ms at 33,700 meetings, not 0.01).
        for test, key in (("(date, id) > (?, ?)", self.after), ("(date, id) < (?, ?)", self.before)):
            if key is not None:
                where.append(test)
                params += [key[0].isoformat(), key[1]]
        if self.statuses is not None:
            where.append(f"status IN ({', '.join('?' * len(self.statuses))})" if self.statuses else "0")
            params += sorted(status.value for status in self.statuses)
        if self.chair is not None:
            where.append("chair = ?")
            params.append(self.chair)
        for column, name in (("people", self.person), ("orgs", self.org)):  # space-separated ids
            if name is not None:
                where.append(f"instr(' ' || {column} || ' ', ?) > 0" if name else "0")  # "" names no one
                params += [f" {name} "] if name else []
        if self.not_cancelled:
            where.append("status != ?")
            params.append(MeetingStatus.CANCELLED.value)
        order = "date DESC, id DESC" if self.newest_first else "date, id"
        return " AND ".join(where), tuple(params), order, self.limit

    # --- in Python, on summaries made from the files -----------------------------

    def matches(self, meeting: MeetingSummary) -> bool:
        key = (meeting.date, meeting.id)
        return ((self.ident is None or meeting.id == self.ident)
                and (self.day is None or meeting.date == self.day)
                and (self.from_day is None or meeting.date >= self.from_day)
                and (self.to_day is None or meeting.date <= self.to_day)
                and (self.after is None or key > self.after)
                and (self.before is None or key < self.before)
                and (self.statuses is None or meeting.status in self.statuses)
                and (self.chair is None or meeting.chair == self.chair)
                and (self.person is None or self.person in meeting.people)
                and (self.org is None or self.org in meeting.orgs)
                and not (self.not_cancelled and meeting.status.cancelled))

    def run(self, meetings: list[MeetingSummary]) -> list[MeetingSummary]:
        found = sorted((m for m in meetings if self.matches(m)), key=lambda m: (m.date, m.id),
                       reverse=self.newest_first)
        return found[: self.limit] if self.limit else found


@record
class DecisionQuery:
    """Which decisions, in meeting (date, id) then agenda order: of the meeting ``meeting``,
    under ``theme``, at meetings on or after ``since``; each only when given."""

    meeting: str | None = None
    theme: str | None = None
    since: date | None = None

    def sql(self) -> tuple[str, tuple[Any, ...]]:
        """(WHERE condition, parameters) on the index's decisions ``d`` joined to meetings ``m``."""
        where: list[str] = []
        params: list[Any] = []
        for test, value in (("d.meeting = ?", self.meeting), ("d.theme = ?", self.theme),
                            ("m.date >= ?", self.since.isoformat() if self.since else None)):
            if value is not None:
                where.append(test)
                params.append(value)
        return " AND ".join(where), tuple(params)

    def takes_meeting(self, meeting: Any) -> bool:
        """Whether the decisions of ``meeting`` (a Meeting, as read from its file) may match."""
        return (self.meeting is None or meeting.id == self.meeting) and (self.since is None or meeting.date >= self.since)

    def takes(self, decision: Any) -> bool:
        return self.theme is None or decision.theme == self.theme
