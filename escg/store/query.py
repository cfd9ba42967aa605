"""The one query of the action log: compiled to SQL for the index, evaluated on
actions when the files are read directly, so the two paths can never disagree.

Every reader that lists actions builds an ``ActionQuery``; nothing else writes
SQL about actions. With ``ESCG_CROSSCHECK=1`` (set by the test suite) every
query runs both ways and a difference is an error.
"""

from __future__ import annotations

from escg.records import record
from datetime import date
from typing import Any

from escg.model import ActionStatus, Action

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
        order = "due IS NULL, due, number, id" if self.by_due else "number, id"
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
