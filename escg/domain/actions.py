"""The action log: who does what by when, and what is late.

Each action is one file, actions/<year created>/<id>-<tag>.toml. The random
tag keeps two git clones that each add "A-043" from touching the same path, so
they merge without conflict; `escg check --fix` then renumbers the duplicate.
Ids are given out under the store lock from the highest id ever seen (in the
files, or in the local .escg-last-action), so they are never reused.
"""

from __future__ import annotations

from escg.core.patterns import Pattern

import re
from escg.core.records import record
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from escg.core import dates, ids, model
from escg.core.errors import ConflictError, InputError, NotFoundError, StoreError
from escg.domain import meetings
from escg.domain.people import get_org, get_person
from escg.store import ACTIONS, COUNTER, ActionQuery, Store, Transaction
from escg.store.query import CLOSED, EVERY, OPEN

_LOOSE_ID = Pattern(r"a?-?0*(\d{1,9})", re.IGNORECASE)
RAG_LABELS = {model.Rag.RED: "Overdue", model.Rag.AMBER: "Due soon", model.Rag.GREEN: "On track",
              model.Rag.COMPLETE: "Complete"}


def canonical_id(text: str) -> str:
    """A-042 from 'A-042', 'a-42', 'A42' or '42'; anything else is refused."""
    match = _LOOSE_ID.fullmatch(text.strip())
    if not match:
        raise InputError(f"action id {text[:40]!r} is not valid: action ids look like A-042")
    return model.action_id(int(match[1]))


def get_action(store: Store, text: str) -> model.Action:
    """The action with this id, read from its own file (not the index), so it is current."""
    ident = canonical_id(text)
    paths = store.action_paths_of(ident)
    if not paths:
        # Close ids (A-029 for A-999) are not likely meant: no guessing, just where to look.
        raise NotFoundError(f"unknown action {ident}; see `escg actions --all`")
    if len(paths) > 1:
        for path in paths:  # a copy that cannot be read says so first, as the index does
            store._read(path, model.action_from_toml)
        files = ", ".join(store.show(p) for p in paths)
        raise ConflictError(f"action id {ident} is used twice ({files}), as after a git merge; run `escg check --fix`")
    action = store._read(paths[0], model.action_from_toml)  # the file itself, not the index: it is current
    if action.id != ident:  # the index's words for the same file (escg.store.index.file_problem)
        raise StoreError(f"{store.show(paths[0])}: the file name does not start with its id {action.id}")
    return action


def action_path(store: Store, action: model.Action) -> Path:
    paths = store.action_paths_of(action.id)
    if paths:
        return paths[0]
    import secrets

    year = (action.created or dates.today()).year
    return store.path(ACTIONS) / f"{year:04d}" / f"{action.id}-{secrets.token_hex(2)}.toml"


def next_number(store: Store) -> int:
    """The number of the next new action: one above the highest in the files and in the
    local counter (Store.counted_action)."""
    return max(store.highest_action(), store.counted_action() or 0) + 1


def next_meeting_date(store: Store) -> date:
    """The date of the next meeting after today, for due dates of 'next meeting'."""
    found = meetings.next_meeting(store, dates.today() + timedelta(days=1))
    if found is None:
        raise NotFoundError("no meeting is scheduled after today, so 'next meeting' has no date")
    return found.date


def parse_due(store: Store, text: str | None) -> date | None:
    if text is None or text.strip().lower() in ("none", "never"):
        return None
    if not text.strip():
        # An empty value is a slip (an unset shell variable), not a wish to clear the date.
        raise InputError("the due date is empty: give a date such as 2027-01-31, or 'none' for no due date")
    return dates.parse_date(text, next_meeting=lambda: next_meeting_date(store))


def _active(person: model.Person) -> model.Person:
    """``person``, if still with the group: an action is never given to someone who has left."""
    if not person.active_on(dates.today()):
        raise ConflictError(f"{person.id} left the group on {person.left.isoformat()}; give the action to "
                            f"someone still in it (or `escg person leave {person.id} --undo`)")
    return person


def check_title(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise InputError("an action needs its text")
    if len(text) > 2000:
        raise InputError("the action's text is longer than 2000 characters")
    return text


def check_text(text: str, what: str = "note") -> str:
    """A note, decision or declaration: not empty, bounded, no control characters but newlines and tabs."""
    text = text.strip()
    if not text:
        raise InputError(f"the {what} is empty")
    if len(text) > model.MAX_TEXT:
        raise InputError(f"the {what} is longer than {model.MAX_TEXT} characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise InputError(f"the {what} contains control characters")
    return text


def write(txn: Transaction, store: Store, action: model.Action, *, old_updates: int) -> None:
    """Stage ``action``'s file; ``old_updates`` is how many [[updates]] the file already has."""
    from escg.store.edit import sync_array, sync_table

    def change(document: Any) -> None:
        top = action.to_toml()
        top.pop("updates", None)  # kept as [[updates]] tables below
        sync_table(document, top, keep=("updates",))
        sync_array(document, "updates", [(i if i < old_updates else None, u.to_toml())
                                         for i, u in enumerate(action.updates)])

    txn.edit(action_path(store, action), change, parse=model.action_from_toml,
             create=f"# Action {action.id}\n")


def add_action(store: Store, title: str, *, owner: str, due: str | None = None,
               meeting: str | None = None, item: int | None = None,
               theme: str | None = None) -> model.Action:
    """Record a new action, giving it the next free id."""
    with store.transaction() as txn:
        return new_action(txn, store, title, owner=owner, due=due, meeting=meeting, item=item, theme=theme)


def new_action(txn: Transaction, store: Store, title: str, *, owner: str, due: str | None = None,
               meeting: str | None = None, item: int | None = None,
               theme: str | None = None) -> model.Action:
    """Stage a new action in ``txn`` (the caller holds the store lock)."""
    from escg.domain.agenda import agenda_of, check_theme

    title = check_title(title)
    person = _active(get_person(store, owner))
    due_date = parse_due(store, due)
    meeting_id = None
    if item is not None and meeting is None:
        raise InputError("--item needs --meeting")
    if meeting is not None:
        found = meetings.resolve(store, meeting)
        meeting_id = found.id
        if found.date > dates.today():
            raise ConflictError(f"meeting {found.id} has not happened yet; an action is raised at a meeting "
                                "already held (leave out --meeting for one raised between meetings)")
        if found.status.cancelled:
            raise ConflictError(f"meeting {found.id} was cancelled")
        if found.status.approved:
            raise ConflictError(f"the minutes of {found.id} are approved, and an action raised there would change "
                                "that record; raise it at a later meeting, or between meetings without --meeting")
        if item is not None:
            rows = agenda_of(store, found).rows
            row = next((r for r in rows if r.number == item), None)
            if row is None:
                raise NotFoundError(f"meeting {found.id} has no item {item} (it has {len(rows)}; see `escg agenda list {found.id}`)")
            theme = theme or row.item.theme
    theme = check_theme(store, theme)
    number = next_number(store)
    staged = txn.writes.get(store.path(COUNTER))
    if staged and staged.strip().isdigit():  # another new action in this same transaction
        number = max(number, int(staged) + 1)
    action = model.Action(
        id=model.action_id(number), title=title, owner=person.id, org=person.org, due=due_date,
        status=model.ActionStatus.OPEN, meeting=meeting_id, item=item, theme=theme, created=dates.today(),
    )
    write(txn, store, action, old_updates=0)
    # Remember the id locally too, so deleting the newest file cannot free it for reuse.
    txn.stage_raw(store.path(COUNTER), f"{number}\n")
    return action


def _change(store: Store, text: str, apply) -> model.Action:
    with store.transaction() as txn:
        action = get_action(store, text)
        old_updates = len(action.updates)
        apply(action)
        write(txn, store, action, old_updates=old_updates)
    return action


def update_action(store: Store, text: str, note: str | None = None, *, due: str | None = None,
                  owner: str | None = None) -> model.Action:
    """Add a dated progress note, and optionally move the due date or change the owner."""
    if note is None and due is None and owner is None:
        raise InputError("give a NOTE, --due or --owner")

    def apply(action: model.Action) -> None:
        parts = []
        change = model.Update(dates.today(), "")
        if due is not None:
            new_due = parse_due(store, due)
            if new_due != action.due:
                parts.append(f"Due date changed from {_day(action.due)} to {_day(new_due)}.")
                change.from_due = action.due or "none"
                action.due = new_due
        if owner is not None:
            person = get_person(store, owner)
            if person.id != action.owner:
                _active(person)
                parts.append(f"Owner changed from {action.owner} to {person.id}.")
                change.from_owner = action.owner
                action.owner, action.org = person.id, person.org
        if note is not None:
            text = check_text(note)
            parts.insert(0, text if not parts or text[-1] in ".!?" else text + ".")
        if not parts:
            raise InputError(f"nothing to change: {action.id} already has that due date and owner")
        change.note = " ".join(parts)
        action.updates.append(change)

    return _change(store, text, apply)


def _day(value: date | None) -> str:
    return value.isoformat() if value else "none"


def close_action(store: Store, text: str, status: str, note: str | None) -> model.Action:
    """Mark an open action done or dropped (a drop needs a reason)."""
    status = model.ActionStatus(status)
    if not status.closed:
        raise InputError("an action is closed as done or dropped")

    def apply(action: model.Action) -> None:
        if action.status.closed:
            raise ConflictError(f"action {action.id} is already {action.status} (on {_day(action.closed)}); "
                                f"`escg action reopen {action.id}` first")
        if status is model.ActionStatus.DROPPED and not (note and note.strip()):
            raise InputError("dropping an action needs a --reason")
        action.status = status
        action.closed = dates.today()
        label = "Done" if status is model.ActionStatus.DONE else "Dropped"
        text_note = f"{label}: {check_text(note)}" if note else f"{label}."
        action.updates.append(model.Update(dates.today(), text_note))

    return _change(store, text, apply)


def reopen_action(store: Store, text: str, note: str | None = None) -> model.Action:
    def apply(action: model.Action) -> None:
        if action.status.is_open:
            raise ConflictError(f"action {action.id} is already open")
        action.status = model.ActionStatus.OPEN
        action.closed = None
        action.updates.append(model.Update(dates.today(), f"Reopened: {check_text(note)}" if note else "Reopened."))

    return _change(store, text, apply)


# --- review ------------------------------------------------------------------


class Showing(StrEnum):
    """Which actions a selection shows, by status: open, closed (done or dropped) or all."""

    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"

    @property
    def statuses(self) -> tuple:
        """The query's statuses (escg.store.query's OPEN, CLOSED, EVERY)."""
        return {Showing.OPEN: OPEN, Showing.CLOSED: CLOSED, Showing.ALL: EVERY}[self]


@record
class Selection:
    """Which actions `escg actions` shows."""

    status: Showing = Showing.OPEN
    overdue: bool = False
    due_within: int | None = None
    owner: str | None = None
    org: str | None = None
    meeting: str | None = None
    theme: str | None = None


def query_of(store: Store, selection: Selection, today: date) -> ActionQuery:
    """The selection as the store's query, sorted by due date (none last) then id;
    checks the names it is given."""
    if selection.owner:
        get_person(store, selection.owner)
    if selection.org:
        get_org(store, selection.org)
    meeting_id = meetings.resolve_summary(store, selection.meeting).id if selection.meeting else None
    ids.theme(store.group.themes, selection.theme)
    statuses = selection.status.statuses
    # Either due filter may match: --overdue --due-within 14d means "late or due soon".
    within = None
    if selection.due_within is not None:
        within = (today, today + timedelta(days=selection.due_within))
    return ActionQuery(statuses=statuses, owner=selection.owner, org=selection.org, meeting=meeting_id,
                       theme=selection.theme, due_before=today if selection.overdue else None,
                       due_between=within, by_due=True)


def select(store: Store, selection: Selection, today: date | None = None) -> list[model.Action]:
    """The actions matching ``selection``, sorted by due date (none last) then id."""
    today = today or dates.today()
    return store.select_actions(query_of(store, selection, today))


def review_json(store: Store, selection: Selection, today: date) -> list[str]:
    """Each row of `escg actions --format json`, as json.dumps writes it. From the index,
    each row is two stored halves around its RAG: no parsing or encoding per action."""
    query = query_of(store, selection, today)
    window = store.group.rag_window
    halves = store.action_json_halves(query)
    if halves is None:
        import json

        return [json.dumps(action_json(a, today, window), ensure_ascii=False) for a in store.select_actions(query)]
    now, until = model.rag_bounds(today, window)
    return [f'{head}, "rag": "{model.rag_of(status, due, now, until)}", {tail}' for head, tail, status, due in halves]


ACTION_JSON_KEYS = ["id", "title", "owner", "org", "due", "status", "rag", "meeting", "item", "created", "closed", "updates"]


def review(store: Store, selection: Selection, today: date) -> list[dict[str, Any]]:
    """The rows `escg actions --format json|csv` prints: the JSON contract, sorted by due date then id."""
    window = store.group.rag_window
    return [action_json(a, today, window) for a in select(store, selection, today)]


def action_json(action: model.Action, today: date, window: int) -> dict[str, Any]:
    """The JSON contract for an action (docs/json.md)."""
    head, tail = model.contract_parts(action)
    return {**head, "rag": model.rag(action, today, window), **tail}


def counts(actions: list[model.Action], today: date, window: int) -> dict[str, int]:
    result = {rag: 0 for rag in model.RAGS}
    for action in actions:
        result[model.rag(action, today, window)] += 1
    return result


def view(store: Store, action: model.Action, today: date, window: int) -> dict[str, Any]:
    """An action as documents show it: names rather than ids, UK dates, a RAG label."""
    people, orgs = store.people, store.orgs
    person = people.get(action.owner)
    org = orgs.get(action.org or "")
    rag = model.rag(action, today, window)
    if action.status.is_open:
        label = RAG_LABELS[rag]
    else:
        label = f"{action.status.capitalize()} {dates.short_date(action.closed)}" if action.closed else action.status.capitalize()
    latest = action.updates[-1] if action.updates else None
    return {
        "id": action.id,
        "title": action.title,
        "owner": person.name if person else action.owner,
        "owner_id": action.owner,
        "org": org.name if org else (action.org or ""),
        "org_id": action.org,
        "theme": store.group.themes.get(action.theme or "", action.theme or ""),
        "due": dates.short_date(action.due) if action.due else "",
        "due_iso": action.due.isoformat() if action.due else "",
        "status": action.status,
        "rag": rag,
        "status_label": label,
        "raised": raised_at(store, action),
        "meeting_id": action.meeting,  # where it was raised: a confidential item makes it confidential
        "item_number": action.item,
        "latest": f"{dates.short_date(latest.date)}: {latest.note}" if latest else "",
        "updates": [{"date": dates.short_date(u.date), "note": u.note} for u in action.updates],
    }


def raised_at(store: Store, action: model.Action) -> str:
    """Where the action was raised, as documents show it: "3 Dec 2026, item 5"."""
    return raised(store, action.meeting, action.item)


def raised(store: Store, meeting: str | None, item: int | None) -> str:
    if not meeting:
        return ""
    held = store.meeting_date(meeting)
    shown = dates.short_date(held) if held else meeting
    return shown + (f", item {item}" if item else "")


def review_table(store: Store, selection: Selection, today: date) -> list[dict[str, Any]]:
    """The rows of the `escg actions` table: id, due, rag, owner, org, title and where it
    was raised, from model.review_row (the index's columns: no action read back)."""
    now, until = model.rag_bounds(today, store.group.rag_window)
    rag_of = model.rag_of
    return [{"id": ident, "due": due, "rag": rag_of(status, due, now, until), "owner": owner, "org": org,
             "title": title, "raised": raised(store, meeting, item)}
            for ident, due, status, owner, org, title, meeting, item in
            store.review_rows(query_of(store, selection, today))]


def as_raised(store: Store, action: model.Action) -> model.Action:
    """The action as it was agreed: owner and due date before any later change (from
    the from_owner and from_due that `action update` records, never from note text)."""
    owner, due = action.owner, action.due
    for update in reversed(action.updates):
        if update.from_owner is not None:
            owner = update.from_owner
        if update.from_due is not None:
            due = None if update.from_due == "none" else update.from_due
    person = store.people.get(owner)
    return model.Action(**{**action.__dict__, "owner": owner, "org": person.org if person else action.org,
                           "due": due, "status": model.ActionStatus.OPEN, "closed": None, "updates": []})


def carried_forward(store: Store, meeting: model.Meeting,
                    raised_at: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The actions an agenda's action-log item lists: those open as at the meeting
    (as at today, for a meeting still to come) and those closed since the previous one
    (``raised_at``: of those, only the ones raised at these meetings)."""
    today = dates.today()
    as_at = min(today, meeting.date)
    previous = meetings.previous_meeting(store, meeting)
    since = previous.date if previous else date.min
    window = store.group.rag_window
    shown = []
    # Only actions open now, or closed after the previous meeting, can be listed.
    candidates = store.select_actions(ActionQuery(statuses=OPEN, closed_after=since, meetings=raised_at, by_due=True))
    for action in candidates:
        if action.meeting == meeting.id or (action.created and action.created > as_at):
            continue  # raised at or after this meeting: not yet its business
        closed = action.closed if action.status.closed else None
        if closed is None or closed > as_at:
            as_then = model.Action(**{**action.__dict__, "status": model.ActionStatus.OPEN, "closed": None})
            entry = view(store, as_then, as_at, window)
            entry["closed_since"] = False
        elif since < closed <= as_at:
            entry = view(store, action, as_at, window)
            entry["closed_since"] = True
        else:
            continue
        shown.append(entry)
    return shown
