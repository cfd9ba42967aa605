"""Changes to a meeting that reach beyond its own file: moving it (its id is its
date, so everything that names it follows) and cancelling it.

This module sits above the domain modules (meetings < agenda < actions), which
never import it.
"""

from __future__ import annotations

from datetime import date, time

from escg.core import model
from escg.core.errors import ConflictError
from escg.domain import actions, agenda
from escg.domain.meetings import check_link, check_times, check_venue, free_id, resolve, revise, sent_warning, write
from escg.store import ActionQuery, Store, Transaction


def cancel(store: Store, text: str, reason: str | None = None) -> tuple[model.Meeting, int]:
    """Cancel a meeting that has not been held; the items placed on it go to the
    forward plan (marked deferred from it), in the same change. Returns the meeting
    and how many items moved."""
    with store.transaction() as txn:
        meeting = resolve(store, text)
        if meeting.status.cancelled:
            raise ConflictError(f"meeting {meeting.id} is already cancelled")
        if meeting.status.took_place:
            raise ConflictError(f"meeting {meeting.id} has been held ({meeting.status}); it cannot be cancelled")
        placed = [item for item in meeting.items if item.standing is None and item.status in model.SHOWN_ITEMS]
        meeting.items = [item for item in meeting.items if not any(item is p for p in placed)]
        meeting.status = model.MeetingStatus.CANCELLED
        revise(store, meeting)
        if reason:
            meeting.note = check_venue(reason)
        write(txn, store, meeting)
        if placed:
            plan = store.forward_plan
            plan += [model.AgendaItem(**{**item.__dict__, "source": None, "status": model.ItemStatus.DEFERRED,
                                         "deferred_from": meeting.id}) for item in placed]
            agenda.write_forward_plan(txn, store, plan)
    return meeting, len(placed)


def move(store: Store, text: str, day: date | None, *, start: time | None = None,
         end: time | None = None, venue: str | None = None, online: str | None = None) -> model.Meeting:
    """Move a meeting to another date and/or time or place; a new date gives it a new id."""
    with store.transaction() as txn:
        meeting = resolve(store, text)
        if not meeting.status.upcoming:
            raise ConflictError(f"meeting {meeting.id} is {meeting.status}; only a planned meeting can be moved")
        old_id = meeting.id
        if start is not None:
            meeting.start = start
        if end is not None:
            meeting.end = end
        if venue is not None:
            meeting.venue = check_venue(venue)
        if online is not None:
            meeting.online = check_link(online)
        check_times(meeting.start, meeting.end)
        revise(store, meeting)
        if day is not None and day != meeting.date:
            meeting.date = day
            meeting.id = free_id(store, day)
            write(txn, store, meeting, replaces=old_id)
            _rename_references(txn, store, old_id, meeting.id)
        else:
            write(txn, store, meeting)
    return meeting


def _rename_references(txn: Transaction, store: Store, old: str, new: str) -> None:
    """Point everything that named meeting ``old`` at ``new``."""
    for other in store.meetings.values():
        if other.id == old:
            continue
        if any(item.deferred_from == old for item in other.items):
            for item in other.items:
                if item.deferred_from == old:
                    item.deferred_from = new
            write(txn, store, other)
    for action in store.select_actions(ActionQuery(meeting=old)):
        action.meeting = new
        actions.write(txn, store, action, old_updates=len(action.updates))
    plan = store.forward_plan
    if any(item.deferred_from == old for item in plan):
        for item in plan:
            if item.deferred_from == old:
                item.deferred_from = new
        agenda.write_forward_plan(txn, store, plan)


def edit(store: Store, text: str, *, chair: str | None = None, vice_chair: str | None = None,
         start: time | None = None, end: time | None = None, venue: str | None = None,
         online: str | None = None, note: str | None = None) -> tuple[model.Meeting, list[str], list[str]]:
    """Correct a meeting's details in place (its date stays: `meeting move` changes that).
    Returns (the meeting, what changed, warnings). "none" clears the chair or vice-chair."""
    from escg.core.errors import InputError
    from escg.domain.actions import check_text
    from escg.domain.people import get_person

    changed: list[str] = []
    warnings: list[str] = []
    with store.transaction() as txn:
        meeting = resolve(store, text)
        if meeting.status.approved:
            raise ConflictError(f"the minutes of {meeting.id} are approved, and its chair, times and place are "
                                f"part of that record (to correct them, edit the file and run "
                                f"`escg minutes correct {meeting.id} --reason …`)")
        if meeting.status.cancelled and any(v is not None for v in (chair, vice_chair, start, end, venue, online)):
            raise ConflictError(f"meeting {meeting.id} was cancelled; only its --note can change")

        def person(value: str, what: str) -> str | None:
            if value.strip().lower() == "none":
                return None
            return get_person(store, value).id

        wanted: dict[str, object] = {}
        if chair is not None:
            wanted["chair"] = person(chair, "chair")
        if vice_chair is not None:
            wanted["vice_chair"] = person(vice_chair, "vice-chair")
        if start is not None:
            wanted["start"] = start
        if end is not None:
            wanted["end"] = end
        if venue is not None:
            wanted["venue"] = check_venue(venue)
        if online is not None:
            wanted["online"] = check_link(online)
        if note is not None:
            wanted["note"] = check_text(note, "note") if note.strip() else None
        if not wanted:
            raise InputError("give what to change: --chair, --vice-chair, --start, --end, --venue, --online or --note")
        for key, value in wanted.items():
            if getattr(meeting, key) != value:
                setattr(meeting, key, value)
                changed.append(key.replace("_", "-"))
        check_times(meeting.start, meeting.end)
        if meeting.vice_chair and meeting.vice_chair == (meeting.chair or store.group.chair):
            raise InputError(f"{meeting.vice_chair} chairs meeting {meeting.id}; the vice-chair is someone else")
        if not changed:
            return meeting, [], []
        seen = {"start", "end", "venue", "online"}
        if meeting.status.upcoming and seen & set(changed):
            revise(store, meeting)  # calendars pick up the new time or place
        if warning := sent_warning(meeting, f"the old {', '.join(changed)}"):
            warnings.append(warning)
        write(txn, store, meeting)
    return meeting, changed, warnings
