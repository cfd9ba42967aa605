"""Minutes: notes, decisions, declarations and actions per agenda item, and approval.

A meeting's status moves held -> minutes-draft (`minutes new`, or the first
note) -> minutes-approved (`minutes approve`, recording the date and the
meeting at which they were approved). Approved minutes are a record and do not
change. Minutes live in the meeting's own file, on each [[items]] table.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from escg import agenda, dates, meetings, model
from escg.actions import check_text
from escg.errors import ConflictError, InputError, NotFoundError
from escg.people import get_person
from escg.store import Store, Transaction

EDITABLE = ("planned", "agenda-published", "held", "minutes-draft")


def _open_for_minutes(store: Store, text: str | None) -> model.Meeting:
    """The meeting, checked to be one whose minutes can be written now."""
    meeting = meetings.resolve(store, text or "last")
    if meeting.status == "cancelled":
        raise ConflictError(f"meeting {meeting.id} was cancelled; it has no minutes")
    if meeting.date > dates.today():
        raise ConflictError(f"meeting {meeting.id} is on {meeting.date.isoformat()}, still to come; minutes follow the meeting")
    if meeting.status == "minutes-approved":
        at = f" at the meeting of {meeting.minutes.approved_at}" if meeting.minutes.approved_at else ""
        raise ConflictError(f"the minutes of {meeting.id} were approved{at}; approved minutes are a record and do not change")
    return meeting


def _scaffold(store: Store, meeting: model.Meeting) -> bool:
    """Build the agenda if needed and move the meeting to minutes-draft; True if anything changed."""
    changed = False
    if not meeting.agenda_built:
        meeting.items = agenda.draft_items(store, meeting)
        meeting.agenda_built = True
        changed = True
    if meeting.status != "minutes-draft":
        meeting.status = "minutes-draft"
        changed = True
    if meeting.minutes.drafted is None:
        meeting.minutes.drafted = dates.today()
        changed = True
    return changed


def new_minutes(store: Store, text: str | None) -> tuple[model.Meeting, bool]:
    """Start the draft minutes from the agenda; returns (meeting, whether anything changed)."""
    with store.transaction() as txn:
        meeting = _open_for_minutes(store, text)
        changed = _scaffold(store, meeting)
        if changed:
            meetings.write(txn, store, meeting)
    return meeting, changed


def _item(store: Store, meeting: model.Meeting, number: int) -> model.AgendaItem:
    rows = agenda.agenda_of(store, meeting).rows
    for row in rows:
        if row.number == number:
            return row.item
    raise NotFoundError(f"meeting {meeting.id} has no item {number} (it has {len(rows)}; see `escg agenda list {meeting.id}`)")


def _edit_item(store: Store, text: str | None, number: int, change) -> tuple[model.Meeting, model.AgendaItem]:
    with store.transaction() as txn:
        meeting = _open_for_minutes(store, text)
        _scaffold(store, meeting)
        item = _item(store, meeting, number)
        change(txn, meeting, item)
        meetings.write(txn, store, meeting)
    return meeting, item


def _add_text(store: Store, text: str | None, number: int, value: str, what: str, kind: str) -> model.AgendaItem:
    """Append ``value`` to the item's ``kind`` list (notes or decisions), once."""
    value = check_text(value, what)

    def change(txn: Transaction, meeting: model.Meeting, item: model.AgendaItem) -> None:
        entries = getattr(item, kind)
        if value not in entries:
            entries.append(value)

    return _edit_item(store, text, number, change)[1]


def add_note(store: Store, text: str | None, number: int, note: str) -> model.AgendaItem:
    return _add_text(store, text, number, note, "note", "notes")


def add_decision(store: Store, text: str | None, number: int, decision: str) -> model.AgendaItem:
    return _add_text(store, text, number, decision, "decision", "decisions")


def add_declaration(store: Store, text: str | None, number: int, person: str, interest: str) -> model.AgendaItem:
    interest = check_text(interest, "declaration")

    def change(txn: Transaction, meeting: model.Meeting, item: model.AgendaItem) -> None:
        who = get_person(store, person).id
        entry = model.Declaration(who, interest)
        if entry not in item.declarations:
            item.declarations.append(entry)

    return _edit_item(store, text, number, change)[1]


def add_minutes_action(store: Store, text: str | None, number: int, title: str, *, owner: str,
                       due: str | None) -> model.Action:
    """Raise an action in the minutes: it goes into the action log, linked to meeting and item."""
    from escg.actions import new_action

    created: list[model.Action] = []

    def change(txn: Transaction, meeting: model.Meeting, item: model.AgendaItem) -> None:
        created.append(new_action(txn, store, title, owner=owner, due=due, meeting=meeting.id, item=number))

    _edit_item(store, text, number, change)
    return created[0]


def approve(store: Store, text: str | None, at: str | None = None) -> model.Meeting:
    """Approve draft minutes, recording today's date and the meeting that approved them."""
    with store.transaction() as txn:
        meeting = meetings.resolve(store, text or "last")
        if meeting.status == "minutes-approved":
            raise ConflictError(f"the minutes of {meeting.id} are already approved "
                                f"({meeting.minutes.approved.isoformat() if meeting.minutes.approved else 'date not recorded'})")
        if meeting.status != "minutes-draft":
            raise ConflictError(f"meeting {meeting.id} has no draft minutes to approve (it is {meeting.status}); "
                                f"start them with `escg minutes new {meeting.id}`")
        today = dates.today()
        if at is not None:
            approving = meetings.resolve(store, at)
        else:
            approving = next((m for m in store.meetings.values()
                              if meeting.date < m.date <= today and m.status != "cancelled"), None)
            if approving is None:
                raise InputError(f"minutes are approved at a later meeting, and none has been held since {meeting.id}; "
                                 "give --at MEETING")
        if approving.date <= meeting.date or approving.id == meeting.id:
            raise InputError(f"the minutes of {meeting.id} must be approved at a later meeting, not {approving.id}")
        if approving.status == "cancelled":
            raise ConflictError(f"meeting {approving.id} was cancelled")
        if approving.date > today:
            raise ConflictError(f"meeting {approving.id} has not happened yet")
        meeting.status = "minutes-approved"
        meeting.minutes.approved = today
        meeting.minutes.approved_at = approving.id
        meetings.write(txn, store, meeting)
    return meeting


# --- the decision log --------------------------------------------------------


def decisions(store: Store, *, meeting: str | None = None, theme: str | None = None,
              since: date | None = None) -> list[dict[str, Any]]:
    """Every decision across meetings, in meeting then item order (JSON contract)."""
    only = meetings.resolve(store, meeting).id if meeting else None
    agenda.check_theme(store, theme)
    found = []
    for each in store.meetings.values():
        if only and each.id != only:
            continue
        if since and each.date < since:
            continue
        for row in agenda.agenda_of(store, each).rows:
            if theme and row.item.theme != theme:
                continue
            for decision in row.item.decisions:
                found.append({"meeting": each.id, "item": row.number, "title": row.item.title,
                              "text": decision, "theme": row.item.theme})
    return found


# --- rendering ---------------------------------------------------------------


def status_label(meeting: model.Meeting, store: Store) -> str:
    """How a meeting's minutes stand, in words."""
    if meeting.status == "minutes-approved":
        at = store.meetings.get(meeting.minutes.approved_at or "")
        return f"approved at the meeting of {dates.long_date(at.date)}" if at else "approved"
    if meeting.status == "minutes-draft":
        return "draft, not yet approved"
    if meeting.status == "cancelled":
        return "meeting cancelled"
    return "not yet written"


def render_context(store: Store, meeting: model.Meeting) -> dict[str, Any]:
    """Everything the minutes templates see (docs/templates.md)."""
    from escg.actions import as_raised, view
    from escg.attendance import quorum

    people, orgs, group = store.people, store.orgs, store.group
    today = dates.today()
    window = group.rag_window

    def who(ident: str) -> dict[str, str]:
        person = people.get(ident)
        if person is None:
            return {"id": ident, "name": ident, "role": "", "org": ""}
        org = orgs.get(person.org)
        return {"id": ident, "name": person.name, "role": person.role or "", "org": org.name if org else person.org}

    record = meeting.attendance
    chair = meeting.chair or group.chair
    present, in_attendance = [], []
    for ident in record.present:
        entry = {**who(ident), "chair": ident == chair, "for": ""}
        person = people.get(ident)
        alongside = bool(person and person.membership == "deputy" and person.deputy_for in record.present)
        if person and (person.membership in ("adviser", "guest") or alongside):
            in_attendance.append(entry)
        else:
            if person and person.membership == "deputy" and person.deputy_for and person.deputy_for not in record.present:
                entry["for"] = who(person.deputy_for)["name"]
            present.append(entry)
    for member, stand_in in record.substitutes.items():
        present.append({**who(stand_in), "chair": stand_in == chair, "for": who(member)["name"]})
    present.sort(key=lambda p: not p["chair"])  # the chair first, then as recorded
    apologies = [{**who(ident), "substitute": who(record.substitutes[ident])["name"] if ident in record.substitutes else ""}
                 for ident in record.apologies]
    counted = quorum(store, meeting)
    # Minutes record what was agreed: each action as raised, not as later reassigned.
    raised = [as_raised(store, a) for a in store.query_actions("meeting = ?", (meeting.id,), keep=lambda a: a.meeting == meeting.id)]
    rows = agenda.agenda_of(store, meeting).rows
    items, declarations = [], []
    for row in rows:
        item = row.item
        item_declarations = [{"person": who(d.person)["name"], "text": d.text} for d in item.declarations]
        declarations += [{**d, "item": row.number, "title": item.title} for d in item_declarations]
        items.append({
            "number": row.number,
            "title": item.title,
            "standing": item.standing,
            "presenter": who(item.presenter)["name"] if item.presenter else "",
            "theme": group.themes.get(item.theme or "", item.theme or ""),
            "notes": item.notes,
            "decisions": item.decisions,
            "declarations": item_declarations,
            "actions": [view(store, a, today, window) for a in raised if a.item == row.number],
        })
    approved_at = store.meetings.get(meeting.minutes.approved_at or "")
    return {
        "group": {"name": group.name, "short": group.short, "secretariat": group.secretariat},
        "meeting": {
            "id": meeting.id,
            "when": meetings.when(meeting),
            "long_date": dates.long_date(meeting.date),
            "venue": meeting.venue or "",
            "online": meeting.online or "",
            "status": meeting.status,
            "chair": who(chair)["name"] if chair else "",
        },
        "draft": meeting.status != "minutes-approved",
        "approved": {
            "date": dates.long_date(meeting.minutes.approved) if meeting.minutes.approved else "",
            "at": dates.long_date(approved_at.date) if approved_at else "",
        },
        "present": present,
        "apologies": apologies,
        "in_attendance": in_attendance,
        "guests": list(record.guests),
        "absent": [who(ident) for ident in record.absent],
        "quorum": {"needed": counted.needed, "counted": counted.counted, "members": counted.members,
                   "quorate": counted.quorate, "recorded": bool(record.attending)},
        "declarations": declarations,
        "items": items,
        "actions": [view(store, a, today, window) for a in sorted(raised, key=lambda a: (a.item or 0, a.number))],
        "today": today,
    }
