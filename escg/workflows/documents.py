"""What documents show: the contexts the agenda, minutes and action-log templates
render (docs/templates.md), and the records `meeting show` prints.

This module sits above the domain modules (meetings < agenda < actions <
attendance, minutes) and gathers from all of them; none of them imports it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from escg.core import dates, model
from escg.domain.actions import RAG_LABELS, Selection, Showing, carried_forward, counts, view
from escg.domain.agenda import EXCLUSION, agenda_of, exclusion_text, item_json, paper_name, reason_finder
from escg.domain.attendance import attendance_json, quorum
from escg.domain.meetings import following_meeting, meeting_json, previous_meeting, resolve_summary, when
from escg.domain.minutes import live_record
from escg.store import ActionQuery, Store


def confidential_marker(store: Store):
    """A function that marks an action's view (from actions.view) ``confidential`` (and
    gives its ``reason``) when it was raised at a confidential item; meetings looked up once."""
    reason_of = reason_finder(store)

    def mark(entry: dict[str, Any]) -> dict[str, Any]:
        reason = reason_of(entry.get("meeting_id"), entry.get("item_number"))
        entry["confidential"] = bool(reason)
        entry["reason"] = reason
        return entry

    return mark


def _item_marks(store: Store, item: model.AgendaItem) -> dict[str, Any]:
    """The keys every item of an agenda or minutes context has for confidentiality."""
    return {"confidential": bool(item.confidential), "reason": item.confidential or "",
            "public_title": item.public_title or "",
            "resolution": exclusion_text(store) if item.standing == EXCLUSION else ""}


def agenda_context(store: Store, meeting: model.Meeting,
                   raised_at: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Everything the agenda templates see (docs/templates.md): the members' form, with
    confidential items marked (escg.workflows.confidential makes the public form from it).
    ``raised_at``: the action-log item lists only the actions raised at these meetings."""
    mark = confidential_marker(store)
    agenda = agenda_of(store, meeting)
    group = store.group
    people, orgs = store.people, store.orgs

    def person_name(ident: str | None) -> str:
        if not ident:
            return ""
        person = people.get(ident)
        if person is None:
            return ident
        org = orgs.get(person.org)
        return f"{person.name} ({org.name})" if org else person.name

    chair = meeting.chair or group.chair
    carried = [mark(a) for a in carried_forward(store, meeting, raised_at)] if any(r.item.standing == "actions" for r in agenda.rows) else []
    rows = []
    for row in agenda.rows:
        item = row.item
        rows.append({
            "number": row.number,
            "title": item.title,
            "purpose": item.purpose,
            "presenter": person_name(item.presenter),
            "org": orgs[item.org].name if item.org in orgs else (item.org or ""),
            "theme": group.themes.get(item.theme, item.theme or ""),
            "minutes": item.minutes,
            "start": model.clock(row.start),
            "end": model.clock(row.end),
            "papers": [{"name": paper_name(p), "href": p} for p in item.papers],
            "standing": item.standing,
            "deferred_from": item.deferred_from,
            "actions": carried if item.standing == "actions" else [],
            **_item_marks(store, item),
        })
    following = following_meeting(store, meeting)
    previous = previous_meeting(store, meeting)
    minutes_of = None
    if previous is not None and any(r.item.standing == "minutes" for r in agenda.rows):
        arising_from = store.select_actions(ActionQuery(meeting=previous.id))
        as_at = min(dates.today(), meeting.date)
        minutes_of = {
            "id": previous.id,
            "when": dates.long_date(previous.date),
            "status": status_label(store.meeting(previous.id), store),
            "arising": [mark(view(store, a, as_at, group.rag_window)) for a in sorted(arising_from, key=lambda a: a.number)],
        }
    return {
        "group": {"name": group.name, "short": group.short, "secretariat": group.secretariat},
        "meeting": {
            "id": meeting.id,
            "date": meeting.date,
            "when": when(meeting),
            "long_date": dates.long_date(meeting.date),
            "start": model.clock(meeting.start),
            "end": model.clock(meeting.end),
            "venue": meeting.venue or "",
            "online": meeting.online or "",
            "status": meeting.status,
            "cancelled": meeting.status.cancelled,
            "note": meeting.note or "",
            "chair": person_name(chair),
            "vice_chair": person_name(meeting.vice_chair),
        },
        "next_meeting": when(following) if following else "",
        "previous": minutes_of,
        "items": rows,
        "built": agenda.built,
        # What the bundled templates mark "(draft)", and a PDF DRAFT on every page: an
        # agenda not yet built, but not a cancelled meeting's.
        "draft": not agenda.built and not meeting.status.cancelled,
        "overrun": agenda.overrun,
        "today": dates.today(),
        "has_confidential": any(row["confidential"] for row in rows)
        or any(a["confidential"] for a in carried + (minutes_of["arising"] if minutes_of else [])),
        "public": False,
    }


def status_label(meeting: model.Meeting, store: Store) -> str:
    """How a meeting's minutes stand, in words."""
    if meeting.status.approved:
        at = store.meeting_summary(meeting.minutes.approved_at)
        return f"approved at the meeting of {dates.long_date(at.date)}" if at else "approved"
    if meeting.status.has_minutes:
        return "draft, not yet approved"
    if meeting.status.cancelled:
        return "meeting cancelled"
    return "not yet written"


def relink_papers(store: Store, context: dict[str, Any], folder: Any) -> dict[str, Any]:
    """The agenda's context with each paper in the store linked from ``folder`` (where the
    page is written), not from the store's top folder, so its links work wherever it is saved."""
    import os

    from escg.core.model import WEB_LINK

    root = os.path.realpath(store.root)
    base = os.path.realpath(folder)

    def href(paper: str) -> str:
        if WEB_LINK.fullmatch(paper):
            return paper
        return os.path.relpath(os.path.join(root, paper), base).replace(os.sep, "/")

    items = [{**item, "papers": [{**paper, "href": href(paper["href"])} for paper in item["papers"]]}
             for item in context["items"]]
    return {**context, "items": items}


def _presented_by(item: model.AgendaItem, attendance: model.Attendance, who) -> str:
    """Who presented the item, as the minutes say it: whoever the minutes record as having
    presented it, else the agenda's presenter, unless the attendance says they were not there."""
    if item.presented_by:
        return who(item.presented_by)["name"]
    if not item.presenter:
        return ""
    if attendance.attending and (item.presenter in attendance.apologies or item.presenter in attendance.absent):
        return ""
    return who(item.presenter)["name"]


def minutes_context(store: Store, meeting: model.Meeting) -> dict[str, Any]:
    """Everything the minutes templates see (docs/templates.md). Approved minutes are
    rendered from their file alone: names, roles, organisations, the actions raised and
    the quorum come from what approval froze; draft minutes from the store as it is."""
    frozen = meeting.minutes.frozen if meeting.status.approved else None
    record = frozen or live_record(store, meeting)
    people = {p.id: p for p in record.people}
    today = dates.today()
    window = store.group.rag_window

    def who(ident: str) -> dict[str, str]:
        person = people.get(ident)
        if person is None:
            return {"id": ident, "name": ident, "role": "", "org": ""}
        return {"id": ident, "name": person.name, "role": person.role, "org": person.org_name}

    def action_view(action: model.FrozenAction) -> dict[str, Any]:
        rag = model.rag_due(action.due, today, window)
        return {"id": action.id, "title": action.title, "owner": who(action.owner)["name"], "owner_id": action.owner,
                "org": action.org_name, "org_id": action.org or None, "theme": record.themes.get(action.theme, action.theme),
                "due": dates.short_date(action.due) if action.due else "", "due_iso": action.due.isoformat() if action.due else "",
                "status": model.ActionStatus.OPEN, "rag": rag, "status_label": RAG_LABELS[rag],
                "raised": dates.short_date(meeting.date) + (f", item {action.item}" if action.item else ""),
                "meeting_id": meeting.id, "item_number": action.item,
                "confidential": action.item in secret, "reason": secret.get(action.item, ""),
                "latest": "", "updates": []}

    attendance = meeting.attendance
    chair = record.chair
    present, in_attendance = [], []
    for ident in attendance.present:
        entry = {**who(ident), "chair": ident == chair, "for": ""}
        person = people.get(ident)
        alongside = bool(person and person.membership == "deputy" and person.deputy_for in attendance.present)
        if person and (person.membership in ("adviser", "guest") or alongside):
            in_attendance.append(entry)
        else:
            if person and person.membership == "deputy" and person.deputy_for and person.deputy_for not in attendance.present:
                entry["for"] = who(person.deputy_for)["name"]
            present.append(entry)
    for member, stand_in in attendance.substitutes.items():
        present.append({**who(stand_in), "chair": stand_in == chair, "for": who(member)["name"]})
    present.sort(key=lambda p: not p["chair"])  # the chair first, then as recorded
    apologies = [{**who(ident), "substitute": who(attendance.substitutes[ident])["name"] if ident in attendance.substitutes else ""}
                 for ident in attendance.apologies]
    needed, counted = record.quorum_needed, record.quorum_counted
    rows = agenda_of(store, meeting).rows
    secret = {row.number: row.item.confidential for row in rows if row.item.confidential}
    # Minutes record what was agreed: each action as raised, not as later reassigned.
    raised = [(action, action_view(action)) for action in record.actions]
    items, declarations = [], []
    for row in rows:
        item = row.item
        item_declarations = [{"person": who(d.person)["name"], "text": d.text} for d in item.declarations]
        declarations += [{**d, "item": row.number, "title": item.title, "confidential": bool(item.confidential)}
                         for d in item_declarations]
        items.append({
            "number": row.number,
            "title": item.title,
            "standing": item.standing,
            "presenter": _presented_by(item, attendance, who),
            "theme": record.themes.get(item.theme or "", item.theme or ""),
            "notes": item.notes,
            "decisions": item.decisions,
            "declarations": item_declarations,
            "actions": [entry for action, entry in raised if action.item == row.number],
            **_item_marks(store, item),
        })
    approved_on = meeting.minutes.approved
    approved_at = record.approved_at_date
    if approved_at is None and (held := store.meeting_summary(meeting.minutes.approved_at)):
        approved_at = held.date
    return {
        "group": {"name": record.group, "short": record.short, "secretariat": record.secretariat},
        "meeting": {
            "id": meeting.id,
            "when": when(meeting),
            "long_date": dates.long_date(meeting.date),
            "venue": meeting.venue or "",
            "online": meeting.online or "",
            "status": meeting.status,
            "chair": who(chair)["name"] if chair else "",
            "vice_chair": who(meeting.vice_chair)["name"] if meeting.vice_chair else "",
        },
        "draft": not meeting.status.approved,
        "approved": {
            "date": dates.long_date(approved_on) if approved_on else "",
            "at": dates.long_date(approved_at) if approved_at else "",
        },
        "frozen": frozen is not None,
        "corrections": [{"date": dates.long_date(c.date), "reason": c.reason} for c in meeting.minutes.corrections],
        "present": present,
        "apologies": apologies,
        "in_attendance": in_attendance,
        "guests": list(attendance.guests),
        "absent": [who(ident) for ident in attendance.absent],
        "quorum": {"needed": needed, "counted": counted, "members": record.quorum_members,
                   "quorate": needed is None or counted >= needed, "recorded": bool(attendance.attending)},
        "declarations": declarations,
        "items": items,
        "actions": [entry for _, entry in raised],
        "today": today,
        "has_confidential": bool(secret),
        "public": False,
    }


def action_log_context(s: Store, found: list[model.Action], selection: Selection, group_by: str | None,
                today: date) -> dict[str, Any]:
    """What the actions.md and actions.html templates see (docs/templates.md)."""
    window = s.group.rag_window
    mark = confidential_marker(s)
    pairs = [(action, mark(view(s, action, today, window))) for action in found]
    grouped: dict[str, list] = {}
    for action, entry in pairs:
        name = (entry[group_by] or "(none)") if group_by else ""
        grouped.setdefault(name, []).append((action, entry))
    groups = [{"name": name,
               "actions": [entry for _, entry in grouped[name]],
               "counts": counts([action for action, _ in grouped[name]], today, window)}
              for name in sorted(grouped)]
    filters = []
    if selection.status is not Showing.OPEN:
        filters.append(f"{selection.status} actions")
    if selection.overdue:
        filters.append("overdue")
    if selection.due_within is not None:
        filters.append(f"due within {selection.due_within} days")
    meeting = resolve_summary(s, selection.meeting).id if selection.meeting else None
    for label, value in (("owner", selection.owner), ("organisation", selection.org),
                         ("meeting", meeting), ("theme", selection.theme)):
        if value:
            filters.append(f"{label} {value}")
    return {
        "group": {"name": s.group.name, "short": s.group.short, "secretariat": s.group.secretariat},
        "as_at": dates.long_date(today),
        "today": today,
        "window": window,
        "counts": counts(found, today, window),
        "total": len(found),
        "filters": filters,
        "group_by": group_by or "",
        "groups": groups,
        "has_confidential": any(entry["confidential"] for _, entry in pairs),
        "public": False,
    }


def meeting_record(store: Store, meeting: model.Meeting) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """`escg meeting show`: the JSON contract (docs/json.md), and the lines of its text form."""
    agenda = agenda_of(store, meeting)
    counted = quorum(store, meeting)
    record = {**meeting_json(meeting), "chair": meeting.chair or store.group.chair,
              "vice_chair": meeting.vice_chair, "note": meeting.note,
              "agenda_built": meeting.agenda_built, "items": [item_json(row) for row in agenda.rows],
              "attendance": attendance_json(store, meeting), "quorate": counted.quorate,
              "minutes": {"drafted": meeting.minutes.drafted.isoformat() if meeting.minutes.drafted else None,
                          "approved": meeting.minutes.approved.isoformat() if meeting.minutes.approved else None,
                          "approved_at": meeting.minutes.approved_at},
              "circulated": [{"what": c.what, "at": c.at.strftime("%Y-%m-%dT%H:%M:%SZ"), "to": list(c.to)}
                             for c in meeting.circulated]}
    attendance = meeting.attendance
    summary = None
    if not attendance.empty:
        summary = (f"{len(attendance.attending)} attending, {len(attendance.apologies)} apologies; "
                   + ("quorate" if counted.quorate else "not quorate")
                   + (f" ({counted.counted} of {counted.members} members, quorum {counted.needed})" if counted.needed else ""))
    lines = [("Meeting", meeting.id), ("When", when(meeting)), ("Venue", meeting.venue), ("Online", meeting.online),
             ("Status", meeting.status.value), ("Note", meeting.note), ("Attendance", summary),
             ("Sent", "; ".join(f"{c.what} {c.at:%d %b %Y %H:%M} UTC to {len(c.to)}" for c in meeting.circulated) or None),
             ("Agenda", f"{len(agenda.rows)} items" + ("" if meeting.agenda_built else " (preview; not built yet)"))]
    return record, lines
