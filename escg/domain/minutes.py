"""Minutes: notes, decisions, declarations and actions per agenda item, and approval.

A meeting's status moves held -> minutes-draft (`minutes new`, or the first
note) -> minutes-approved (`minutes approve`, recording the date and the
meeting at which they were approved). Approved minutes are a record and do not
change: approval freezes what they show from outside the meeting's file (names,
roles, organisations, the actions raised, the quorum) into [minutes.record], with
a digest of the whole file that `escg check` verifies; the only way to change
them afterwards is a recorded correction (`minutes correct`). Minutes live in the
meeting's own file, on each [[items]] table.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from escg.core import dates, model
from escg.core.errors import ConflictError, InputError, NotFoundError
from escg.domain import agenda, meetings
from escg.domain.actions import check_text
from escg.domain.people import get_person
from escg.store import ActionQuery, DecisionQuery, MeetingQuery, Store, Transaction

def with_minutes(store: Store, text: str | None) -> tuple[model.Meeting, str | None]:
    """The meeting whose minutes ``text`` names, and a note when "last" (or nothing) had to
    look past a held meeting without minutes yet (on a meeting's day, "last" is that meeting)."""
    meeting = meetings.resolve(store, text or "last")
    if meeting.status.has_minutes or (text is not None and text.strip().lower() != "last"):
        return meeting, None
    earlier = store.select_meetings(MeetingQuery(statuses=model.WITH_MINUTES, to_day=meeting.date,
                                                 newest_first=True, limit=1))
    if not earlier:
        return meeting, None
    found = meetings.resolve(store, earlier[0].id)
    return found, f"meeting {meeting.id} has no minutes yet; the last minutes are those of {found.id}"


def open_for_minutes(store: Store, text: str | None) -> model.Meeting:
    """The meeting, checked to be one whose minutes can be written now."""
    meeting = meetings.resolve(store, text or "last")
    if meeting.status.cancelled:
        raise ConflictError(f"meeting {meeting.id} was cancelled; it has no minutes")
    if meeting.date > dates.today():
        raise ConflictError(f"meeting {meeting.id} is on {meeting.date.isoformat()}, still to come; minutes follow the meeting")
    if meeting.status.approved:
        at = f" at the meeting of {meeting.minutes.approved_at}" if meeting.minutes.approved_at else ""
        raise ConflictError(f"the minutes of {meeting.id} were approved{at}; approved minutes are a record and do not change "
                            f"(to correct them, edit the file and run `escg minutes correct {meeting.id} --reason …`)")
    return meeting


def scaffold(store: Store, meeting: model.Meeting) -> bool:
    """Build the agenda if needed and move the meeting to minutes-draft; True if anything changed."""
    changed = False
    if not meeting.agenda_built:
        meeting.items = agenda.draft_items(store, meeting)
        meeting.agenda_built = True
        changed = True
    if meeting.status is not model.MeetingStatus.MINUTES_DRAFT:
        meeting.status = model.MeetingStatus.MINUTES_DRAFT
        changed = True
    if meeting.minutes.drafted is None:
        meeting.minutes.drafted = dates.today()
        changed = True
    return changed


def new_minutes(store: Store, text: str | None) -> tuple[model.Meeting, bool]:
    """Start the draft minutes from the agenda; returns (meeting, whether anything changed)."""
    with store.transaction() as txn:
        meeting = open_for_minutes(store, text)
        changed = scaffold(store, meeting)
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
        meeting = open_for_minutes(store, text)
        scaffold(store, meeting)
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
    from escg.domain.actions import new_action

    created: list[model.Action] = []

    def change(txn: Transaction, meeting: model.Meeting, item: model.AgendaItem) -> None:
        created.append(new_action(txn, store, title, owner=owner, due=due, meeting=meeting.id, item=number))

    _edit_item(store, text, number, change)
    return created[0]


def approve(store: Store, text: str | None, at: str | None = None) -> model.Meeting:
    """Approve draft minutes, recording today's date and the meeting that approved them."""
    with store.transaction() as txn:
        if text is None or text.strip().lower() == "last":
            # Minutes are approved at the next meeting, when "last" is that meeting itself:
            # here it means the latest minutes waiting for approval.
            today = dates.today()
            waiting = store.select_meetings(MeetingQuery(statuses=model.DRAFT_MINUTES, to_day=today - timedelta(days=1),
                                                         newest_first=True, limit=1))
            meeting = meetings.resolve(store, waiting[0].id if waiting else "last")
        else:
            meeting = meetings.resolve(store, text)
        if meeting.status.approved:
            raise ConflictError(f"the minutes of {meeting.id} are already approved "
                                f"({meeting.minutes.approved.isoformat() if meeting.minutes.approved else 'date not recorded'})")
        if meeting.status is not model.MeetingStatus.MINUTES_DRAFT:
            raise ConflictError(f"meeting {meeting.id} has no draft minutes to approve (it is {meeting.status}); "
                                f"start them with `escg minutes new {meeting.id}`")
        today = dates.today()
        if at is not None:
            approving = meetings.resolve_summary(store, at)
        else:
            later = store.select_meetings(MeetingQuery(from_day=meeting.date + timedelta(days=1), to_day=today,
                                                       not_cancelled=True, limit=1))
            approving = later[0] if later else None
            if approving is None:
                raise InputError(f"minutes are approved at a later meeting, and none has been held since {meeting.id}; "
                                 "give --at MEETING")
        if approving.date <= meeting.date or approving.id == meeting.id:
            raise InputError(f"the minutes of {meeting.id} must be approved at a later meeting, not {approving.id}")
        if approving.status.cancelled:
            raise ConflictError(f"meeting {approving.id} was cancelled")
        if approving.date > today:
            raise ConflictError(f"meeting {approving.id} has not happened yet")
        if not meeting.agenda_built:
            scaffold(store, meeting)  # the record holds its own agenda, never the forward plan's
        meeting.status = model.MeetingStatus.MINUTES_APPROVED
        meeting.minutes.approved = today
        meeting.minutes.approved_at = approving.id
        meeting.minutes.frozen = live_record(store, meeting)
        _seal(txn, store, meeting)
    return meeting


def live_record(store: Store, meeting: model.Meeting) -> model.Frozen:
    """What the minutes show from outside the meeting's file, as the store holds it now:
    what approval freezes, and what draft minutes are rendered from."""
    from escg.domain.actions import as_raised
    from escg.domain.attendance import quorum

    group, people, orgs = store.group, store.people, store.orgs
    raised = sorted((as_raised(store, action) for action in store.select_actions(ActionQuery(meeting=meeting.id))),
                    key=lambda action: (action.item or 0, action.number))
    record = meeting.attendance
    chair = meeting.chair or group.chair or ""
    named = [chair, *record.present, *record.apologies, *record.absent, *record.substitutes.values()]
    for item in meeting.items:
        named += [item.presenter or "", *(d.person for d in item.declarations)]
    named += [action.owner for action in raised]
    named += [people[i].deputy_for or "" for i in record.present if i in people]
    frozen_people = []
    for ident in dict.fromkeys(named):
        person = people.get(ident)
        if person is not None:
            org = orgs.get(person.org)
            frozen_people.append(model.FrozenPerson(
                id=ident, name=person.name, role=person.role or "", org=person.org,
                org_name=org.name if org else person.org, membership=person.membership,
                deputy_for=person.deputy_for or ""))
    actions = []
    for action in raised:
        org = orgs.get(action.org or "")
        actions.append(model.FrozenAction(id=action.id, title=action.title, owner=action.owner, item=action.item,
                                          org=action.org or "", org_name=org.name if org else (action.org or ""),
                                          theme=action.theme or "", due=action.due))
    used = {item.theme for item in meeting.items} | {action.theme for action in raised}
    # quorum() gives approved minutes their frozen count: count afresh, as the store stands.
    counted = quorum(store, model.Meeting(**{**meeting.__dict__, "minutes": model.MinutesRecord()}))
    approving = store.meeting_summary(meeting.minutes.approved_at)
    return model.Frozen(
        group=group.name, short=group.short, secretariat=group.secretariat or "", chair=chair,
        approved_at_date=approving.date if approving else None,
        quorum_needed=counted.needed, quorum_counted=counted.counted, quorum_members=counted.members,
        themes={key: name for key, name in group.themes.items() if key in used},
        people=frozen_people, actions=actions)


def _seal(txn: Transaction, store: Store, meeting: model.Meeting) -> None:
    """Write the approved meeting with the digest of exactly what is written."""
    meeting.minutes.frozen.digest = "sha256:" + "0" * 64  # a stand-in: the digest leaves itself out
    meetings.write(txn, store, meeting, approved=True)
    path = store.meeting_path(meeting.id)
    meeting.minutes.frozen.digest = model.record_digest(txn.parsed[path])
    meetings.write(txn, store, meeting, approved=True)
    assert model.record_digest(txn.parsed[path]) == meeting.minutes.frozen.digest


def verify(meeting: model.Meeting, data: dict) -> str | None:
    """Why the approved minutes in ``data`` (the file's TOML) are not as approved; None if they are."""
    if not meeting.status.approved:
        if meeting.minutes.frozen is not None:
            return (f"the minutes carry an approval record ([minutes.record]) but the meeting's status is "
                    f"{meeting.status}; approved minutes do not go back to draft")
        return None
    frozen = meeting.minutes.frozen
    if frozen is None:
        return None
    if model.record_digest(data) != frozen.digest:
        return ("the approved minutes have changed since they were approved (the file no longer matches "
                "[minutes.record] digest); restore it (git checkout) or record the correction with "
                f"`escg minutes correct {meeting.id} --reason …`")
    return None


def correct(store: Store, text: str, reason: str, *, refresh: bool = False) -> tuple[model.Meeting, bool]:
    """Record a correction to approved minutes: the file as it now stands (hand-edited)
    becomes the record, with the date, the reason and the digest it replaces.
    ``refresh`` also takes names, roles, organisations and the actions raised from the
    store as it is now. Returns (meeting, whether anything changed)."""
    reason = check_text(reason, "reason")
    with store.transaction() as txn:
        meeting = meetings.resolve(store, text)
        if not meeting.status.approved:
            raise ConflictError(f"the minutes of {meeting.id} are not approved ({meeting.status}); "
                                "draft minutes are edited directly")
        path = store.meeting_path(meeting.id)
        from escg.store.loader import load

        data = load(path, None, store.root).data
        before = meeting.minutes.frozen.digest if meeting.minutes.frozen else ""
        if not refresh and meeting.minutes.frozen is not None and model.record_digest(data) == before:
            return meeting, False
        if meeting.minutes.frozen is None or refresh:
            fresh = live_record(store, meeting)
            if meeting.minutes.frozen is not None:  # keep what refreshing cannot know again
                fresh.approved_at_date = meeting.minutes.frozen.approved_at_date or fresh.approved_at_date
                fresh.digest = before
                if fresh == meeting.minutes.frozen and model.record_digest(data) == before:
                    return meeting, False  # the store says what the record says: nothing to correct
            meeting.minutes.frozen = fresh
        meeting.minutes.corrections.append(model.Correction(dates.today(), reason, before or "none"))
        _seal(txn, store, meeting)
    return meeting, True


# --- the decision log --------------------------------------------------------


DECISION_JSON_KEYS = ["meeting", "item", "title", "text", "theme"]  # a row of decisions(), in order


def decisions(store: Store, *, meeting: str | None = None, theme: str | None = None,
              since: date | None = None) -> list[dict[str, Any]]:
    """Every decision across meetings, in meeting then item order (JSON contract)."""
    only = meetings.resolve_summary(store, meeting).id if meeting else None
    agenda.check_theme(store, theme)
    return [{"meeting": d.meeting, "item": d.item, "title": d.title, "text": d.text, "theme": d.theme}
            for d in store.select_decisions(DecisionQuery(meeting=only, theme=theme or None, since=since))]
