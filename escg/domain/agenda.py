"""Agendas: items submitted by partners, standing items, timings and the forward plan.

A meeting's agenda lives in its file as [[items]]. Before `agenda new` has
built it, only the items placed on the meeting are there and every view shows
a preview with the standing items from escg.toml around them; `agenda new`
writes the standing items in (and later re-syncs any that were added).
"""

from __future__ import annotations

from escg.core.records import record
from datetime import datetime, time, timedelta
from collections.abc import Callable
from typing import Any

from escg.core import dates, ids, model
from escg.core.errors import ConflictError, InputError, NotFoundError
from escg.domain import meetings
from escg.domain.people import get_org, get_person
from escg.store import FORWARD_PLAN, Store, Transaction

SHOWN = model.SHOWN_ITEMS


@record
class Row:
    """One numbered line of an agenda, with its computed times."""

    number: int
    item: model.AgendaItem
    start: time
    end: time


@record
class Agenda:
    meeting: model.Meeting
    rows: list[Row]
    built: bool
    overrun: int  # minutes past the meeting's end; 0 when it fits

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.overrun > 0:
            found.append(
                f"the agenda of {self.meeting.id} overruns the meeting by {self.overrun} minutes "
                f"(items end at {model.clock(self.rows[-1].end)}, the meeting at {model.clock(self.meeting.end)})"
            )
        return found


def standing_item(store: Store, meeting: model.Meeting, standing: model.StandingItem) -> model.AgendaItem:
    chair = meeting.chair or store.group.chair
    org = store.people[chair].org if chair in store.people else None
    return model.AgendaItem(
        title=standing.title,
        purpose=standing.purpose,
        presenter=chair,
        org=org,
        minutes=standing.minutes,
        standing=standing.id,
        status=model.ItemStatus.ACCEPTED,
    )


# --- confidential items (Part II) -----------------------------------------------

EXCLUSION = "exclusion"  # the standing id of the resolution that excludes the press and public
EXCLUSION_TITLE = "Exclusion of the press and public"
DEFAULT_EXCLUSION = (
    "That under section 100A(4) of the Local Government Act 1972 the press and public be excluded "
    "from the meeting for the following item(s) of business on the grounds that it (they) involve(s) "
    "the likely disclosure of exempt information as defined in the relevant paragraph(s) of Part 1 "
    "of Schedule 12A to the Act."
)
CONFIDENTIAL_TITLE = "Confidential item"  # what the public forms call an item with no public_title


def exclusion_text(store: Store) -> str:
    """The resolution the exclusion item proposes: escg.toml's `exclusion`, else the default."""
    return store.group.exclusion or DEFAULT_EXCLUSION


def confidential_reason(store: Store, text: str) -> str:
    """The reason an item is confidential, from --confidential: a key of escg.toml's
    [exemptions] ("3") gives its text ("Paragraph 3: ..." for a number), anything else is the reason itself."""
    reason = " ".join(text.split())
    if not reason:
        raise InputError("--confidential needs the reason the item is exempt, or a key of [exemptions] in escg.toml")
    if len(reason) > model.MAX_TEXT:
        raise InputError(f"the reason is longer than {model.MAX_TEXT} characters")
    found = store.group.exemptions.get(reason)
    if found is not None:
        return f"Paragraph {reason}: {found}" if reason.isdigit() else found
    return reason


def _public_title(title: str | None) -> str | None:
    if title is None:
        return None
    title = " ".join(title.split())
    if len(title) > model.MAX_TITLE:
        raise InputError(f"the public title is longer than {model.MAX_TITLE} characters")
    return title or None


def exclusion_item(store: Store, meeting: model.Meeting) -> model.AgendaItem:
    chair = meeting.chair or store.group.chair
    return model.AgendaItem(title=EXCLUSION_TITLE, purpose="decision", presenter=chair,
                            org=store.people[chair].org if chair in store.people else None,
                            minutes=2, standing=EXCLUSION, status=model.ItemStatus.ACCEPTED)


def with_exclusion(store: Store, meeting: model.Meeting, items: list[model.AgendaItem]) -> list[model.AgendaItem]:
    """``items`` with the exclusion resolution before the first confidential item, unless it has one."""
    shown = [item for item in items if item.status in SHOWN]
    if any(item.standing == EXCLUSION for item in items) or not any(item.confidential for item in shown):
        return items
    first = next(i for i, item in enumerate(items) if item.confidential and item.status in SHOWN)
    return items[:first] + [exclusion_item(store, meeting)] + items[first:]


def confidential_reasons(store: Store, meeting_id: str | None) -> dict[int, str]:
    """Item number -> reason, for the confidential items on a meeting's agenda (an action
    raised at one of them is confidential too)."""
    if not meeting_id or meeting_id not in store.confidential_meeting_ids():
        return {}  # asked of the index: most meetings have none, and need not be read
    meeting = store.meeting(meeting_id)
    if meeting is None or not meeting.has_confidential_items:
        return {}
    return {row.number: row.item.confidential for row in agenda_of(store, meeting).rows if row.item.confidential}


def reason_finder(store: Store) -> Callable[[str | None, int | None], str]:
    """A function giving why item ``number`` of meeting ``meeting_id`` is confidential, or ""
    (each meeting looked up once): an action raised there is confidential for that reason."""
    reasons: dict[str, dict[int, str]] = {}

    def reason(meeting_id: str | None, number: int | None) -> str:
        if not (meeting_id and number):
            return ""
        if meeting_id not in reasons:
            reasons[meeting_id] = confidential_reasons(store, meeting_id)
        return reasons[meeting_id].get(number, "")

    return reason


def draft_items(store: Store, meeting: model.Meeting) -> list[model.AgendaItem]:
    """The agenda as `agenda new` would build it: standing items around the placed ones,
    and the exclusion of the press and public before the first confidential item.

    On a built agenda, standing items added to escg.toml since are put in too."""
    return with_exclusion(store, meeting, _draft_items(store, meeting))


def _draft_items(store: Store, meeting: model.Meeting) -> list[model.AgendaItem]:
    standing = store.group.standing
    if meeting.agenda_built:
        present = {item.standing for item in meeting.items if item.standing}
        items = list(meeting.items)
        for entry in standing:
            if entry.id in present:
                continue
            new = standing_item(store, meeting, entry)
            if entry.position == "start":
                closing = {s.id for s in standing if s.position == "end"}
                items.insert(_leading_standing(items, closing), new)
            else:
                items.append(new)
        return items
    start = [standing_item(store, meeting, s) for s in standing if s.position == "start"]
    end = [standing_item(store, meeting, s) for s in standing if s.position == "end"]
    placed = [item for item in meeting.items if not item.standing]
    return start + placed + end


def _leading_standing(items: list[model.AgendaItem], closing: set[str]) -> int:
    """How many standing items open the agenda (the opening block)."""
    count = 0
    for item in items:
        if not item.standing or item.standing in closing:
            break
        count += 1
    return count


def agenda_of(store: Store, meeting: model.Meeting) -> Agenda:
    """Number and time the agenda (the preview if it has not been built yet)."""
    if meeting.agenda_built:
        items = meeting.items
    elif meeting.status.cancelled:
        items = []  # no preview for a meeting that will not happen
    else:
        items = draft_items(store, meeting)
    rows = []
    clock = datetime.combine(meeting.date, meeting.start)
    number = 0
    for item in items:
        if item.status not in SHOWN:
            continue
        number += 1
        finish = clock + timedelta(minutes=item.minutes)
        rows.append(Row(number, item, clock.time(), finish.time() if finish.date() == meeting.date else time(23, 59)))
        clock = finish
    limit = datetime.combine(meeting.date, meeting.end)
    overrun = max(0, int((clock - limit).total_seconds() // 60))
    return Agenda(meeting, rows, meeting.agenda_built, overrun)


def build(store: Store, text: str | None) -> tuple[Agenda, int]:
    """Write the draft agenda into the meeting's file; returns it and how many items were added."""
    with store.transaction() as txn:
        meeting = meetings.resolve(store, text)
        if meeting.status.cancelled:
            raise ConflictError(f"meeting {meeting.id} is cancelled; it has no agenda")
        store.check_actions()  # the action log it carries forward must be readable before anything is written
        before = len(meeting.items)
        meeting.items = draft_items(store, meeting)
        was_built, meeting.agenda_built = meeting.agenda_built, True
        # Forward-plan items aimed at this meeting, or at its month, take their place on it.
        plan = store.forward_plan
        aimed = [item for item in plan if item.aim in (meeting.id, meeting.id[:7])] if meeting.status.upcoming else []
        for item in aimed:
            _insert(store, meeting, model.AgendaItem(**{**item.__dict__, "source": None, "status": model.ItemStatus.ACCEPTED,
                                                        "aim": None}))
        meeting.items = with_exclusion(store, meeting, meeting.items)  # an aimed item may be confidential
        if aimed:
            write_forward_plan(txn, store, [item for item in plan if item not in aimed])
        added = len(meeting.items) - before
        changed = added > 0 or not was_built
        if changed:
            meetings.write(txn, store, meeting)
    return agenda_of(store, meeting), added


# --- items -------------------------------------------------------------------


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InputError("an agenda item needs a title")
    if len(title) > model.MAX_TITLE:
        raise InputError(f"the title is longer than {model.MAX_TITLE} characters")
    return title


def check_purpose(purpose: str) -> str:
    cleaned = purpose.strip().lower().replace("-", " ").replace("_", " ")
    if cleaned not in model.PURPOSES:
        raise InputError(f"purpose must be one of {', '.join(model.PURPOSES)}, not {purpose!r}")
    return cleaned


def check_theme(store: Store, theme: str | None) -> str | None:
    return ids.theme(store.group.themes, theme)


def check_paper(store: Store, paper: str) -> tuple[str, str | None]:
    """A paper is a URL, or a path inside the store; returns (paper, warning)."""
    paper = paper.strip()
    if any(ord(c) < 32 or c in "<>\"`" for c in paper) or not paper or len(paper) > 2000:
        raise InputError("a paper must be one line: a URL or a path inside the store")
    if why := model.paper_problem(paper):
        raise InputError(why)
    if model.WEB_LINK.fullmatch(paper):
        return paper, None
    warning = None if (store.root / paper).is_file() else f"paper {paper} is not in the store yet"
    return paper, warning


def aim_passed(aim: str) -> bool:
    """Whether the month or meeting an item is aimed at is over (a meeting: its day has passed)."""
    today = dates.today()
    return aim[:7] < today.isoformat()[:7] if len(aim) == 7 else aim[:10] < today.isoformat()


def describe_aim(aim: str) -> str:
    if len(aim) == 7:
        return f"{dates.MONTH_NAMES[int(aim[5:7])]} {aim[:4]}"
    return f"the meeting of {aim}"


def parse_aim(store: Store, text: str) -> str:
    """A forward-plan item's aim: a month (2027-03, "March 2027") or a meeting (any MEETING form)."""
    import re

    value = " ".join(text.split())
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
        if 1 <= int(match[2]) <= 12:
            return f"{match[1]}-{int(match[2]):02d}"
    if match := re.fullmatch(r"([A-Za-z]+)\.? (\d{4})", value):
        number = dates.MONTHS.get(match[1].lower())
        if number:
            return f"{match[2]}-{number:02d}"
    try:
        return meetings.resolve_summary(store, value).id
    except (NotFoundError, InputError):
        raise InputError(f"--for {text[:40]!r}: give a month such as 2027-03 or 'March 2027', or a meeting "
                         "(its id or date)") from None


def add_item(store: Store, title: str, *, meeting: str | None = None, forward_plan: bool = False,
             purpose: str = "discussion", presenter: str | None = None, org: str | None = None,
             theme: str | None = None, minutes: int = 15, papers: list[str] | None = None,
             submitted_by: str | None = None, aim: str | None = None, confidential: str | None = None,
             public_title: str | None = None) -> tuple[str, int, list[str]]:
    """Place an item on a meeting (default: the next) or the forward plan; with ``aim``
    (a month or a meeting) on the forward plan, to be placed when that agenda is built.

    Returns (where, item number, warnings)."""
    title = check_title(title)
    purpose = check_purpose(purpose)
    if not 0 <= minutes <= 600:
        raise InputError("--minutes must be between 0 and 600")
    if public_title is not None and confidential is None:
        raise InputError("--public-title is for a confidential item: give --confidential REASON too")
    public_title = _public_title(public_title)
    warnings: list[str] = []
    with store.transaction() as txn:
        if presenter is not None:
            presenter = get_person(store, presenter).id
        if org is not None:
            org = get_org(store, org).id
        elif presenter is not None:
            org = store.people[presenter].org
        if submitted_by is not None:
            get_person(store, submitted_by)
        theme = check_theme(store, theme)
        checked = []
        for paper in papers or []:
            paper, warning = check_paper(store, paper)
            checked.append(paper)
            if warning:
                warnings.append(warning)
        item = model.AgendaItem(
            title=title, purpose=purpose, presenter=presenter, org=org, theme=theme,
            minutes=minutes, papers=checked, submitted_by=submitted_by,
            submitted=dates.today(), status=model.ItemStatus.PROPOSED if forward_plan or aim else model.ItemStatus.ACCEPTED,
            confidential=confidential_reason(store, confidential) if confidential is not None else None,
            public_title=public_title,
        )
        if aim is not None:
            if meeting is not None:
                raise InputError("give --meeting or --for, not both: --for puts the item on the forward plan, "
                                 "aimed at a month or meeting")
            item.aim = parse_aim(store, aim)
            if aim_passed(item.aim):
                raise InputError(f"--for {aim}: {item.aim} has passed; aim it at a month or meeting to come")
            target_meeting = store.meeting(item.aim) if len(item.aim) > 7 else None
            if target_meeting is not None and target_meeting.agenda_built:
                warnings.append(f"the agenda of {item.aim} is built already; place the item with "
                                f"`escg agenda place` (or add it with --meeting {item.aim})")
            forward_plan = True
        if forward_plan:
            if meeting is not None:
                raise InputError("give --meeting or --forward-plan, not both")
            plan = store.forward_plan
            plan.append(item)
            write_forward_plan(txn, store, plan)
            where = f"the forward plan, for {describe_aim(item.aim)}" if item.aim else "the forward plan"
            return where, len(plan), warnings
        target = meetings.resolve(store, meeting)
        _check_open(target)
        _insert(store, target, item)
        if target.agenda_built:
            target.items = with_exclusion(store, target, target.items)
        position = _index(target.items, item)
        meetings.write(txn, store, target)
    saved = store.meeting(target.id)
    agenda = agenda_of(store, saved)
    added = saved.items[position]  # the preview of an unbuilt agenda holds the same objects
    number = next(row.number for row in agenda.rows if row.item is added)
    return f"meeting {target.id}", number, warnings + agenda.warnings


def _index(items: list[model.AgendaItem], item: model.AgendaItem) -> int:
    """Where ``item`` itself is (two items may be equal: the same title twice)."""
    return next(i for i, other in enumerate(items) if other is item)


def _check_open(meeting: model.Meeting) -> None:
    if meeting.status.cancelled:
        raise ConflictError(f"meeting {meeting.id} is cancelled")
    if meeting.status.took_place:
        raise ConflictError(f"meeting {meeting.id} has been held; its agenda is closed")


def _insert(store: Store, meeting: model.Meeting, item: model.AgendaItem) -> None:
    """Put ``item`` after the placed items, before the closing standing items."""
    closing = {s.id for s in store.group.standing if s.position == "end"}
    at = len(meeting.items)
    if meeting.agenda_built:
        while at > 0 and meeting.items[at - 1].standing in closing:
            at -= 1
    meeting.items.insert(at, item)


def write_forward_plan(txn: Transaction, store: Store, plan: list[model.AgendaItem]) -> None:
    from escg.store.edit import sync_array

    def change(document: Any) -> None:
        sync_array(document, "items", [(item.source, item.to_toml()) for item in plan])

    txn.edit(store.path(FORWARD_PLAN), change, parse=model.forward_plan_from_toml,
             create="# Items proposed for future meetings, not yet placed on one.\n\n")


def _row(store: Store, meeting: model.Meeting, number: int) -> tuple[int, model.AgendaItem]:
    """The index in meeting.items of agenda item ``number`` (as `agenda list` shows it)."""
    agenda = agenda_of(store, meeting)
    for row in agenda.rows:
        if row.number == number:
            if not meeting.agenda_built and row.item.standing:
                raise ConflictError(f"item {number} is a standing item of the preview; build the agenda first with `escg agenda new {meeting.id}`")
            return _index(meeting.items, row.item), row.item
    raise NotFoundError(f"meeting {meeting.id} has no item {number} (it has {len(agenda.rows)}; see `escg agenda list {meeting.id}`)")


def move_item(store: Store, text: str | None, number: int, position: int) -> Agenda:
    """Move item ``number`` to ``position`` within the same agenda."""
    with store.transaction() as txn:
        meeting = meetings.resolve(store, text)
        _check_open(meeting)
        if not meeting.agenda_built:
            raise ConflictError(f"the agenda of {meeting.id} is a preview; build it with `escg agenda new {meeting.id}` before reordering")
        index, item = _row(store, meeting, number)
        agenda = agenda_of(store, meeting)
        if not 1 <= position <= len(agenda.rows):
            raise InputError(f"position must be between 1 and {len(agenda.rows)}")
        target = agenda.rows[position - 1].item
        meeting.items.pop(index)
        at = _index(meeting.items, target) if target is not item else index
        if position > number:
            at += 1
        meeting.items.insert(at, item)
        meetings.write(txn, store, meeting)
    return agenda_of(store, store.meeting(meeting.id))


def remove_item(store: Store, text: str | None, number: int) -> model.AgendaItem:
    with store.transaction() as txn:
        meeting = meetings.resolve(store, text)
        _check_open(meeting)
        index, item = _row(store, meeting, number)
        meeting.items.pop(index)
        meetings.write(txn, store, meeting)
    return item


def defer_item(store: Store, text: str | None, number: int, *, to: str | None = None,
               forward_plan: bool = False) -> str:
    """Move item ``number`` to a later meeting (default: the following one) or the forward plan."""
    with store.transaction() as txn:
        meeting = meetings.resolve(store, text)
        _check_open(meeting)
        index, item = _row(store, meeting, number)
        if item.standing:
            raise ConflictError(f"item {number} is a standing item; it cannot be deferred")
        meeting.items.pop(index)
        moved = model.AgendaItem(**{**item.__dict__, "source": None, "deferred_from": meeting.id})
        if forward_plan:
            if to is not None:
                raise InputError("give --to or --forward-plan, not both")
            moved.status = model.ItemStatus.DEFERRED
            plan = store.forward_plan
            plan.append(moved)
            meetings.write(txn, store, meeting)
            write_forward_plan(txn, store, plan)
            return "the forward plan"
        following = meetings.following_meeting(store, meeting)
        target = meetings.resolve(store, to) if to else store.meeting(following.id) if following else None
        if target is None:
            raise NotFoundError(f"no meeting after {meeting.id} to defer to; schedule one or use --forward-plan")
        if target.id == meeting.id:
            raise InputError("an item cannot be deferred to the meeting it is on")
        _check_open(target)
        _insert(store, target, moved)
        meetings.write(txn, store, meeting)
        meetings.write(txn, store, target)
        return f"meeting {target.id}"


def place_item(store: Store, number: int, text: str | None) -> str:
    """Move forward-plan item ``number`` onto a meeting's agenda."""
    with store.transaction() as txn:
        plan = store.forward_plan
        if not 1 <= number <= len(plan):
            raise NotFoundError(f"the forward plan has no item {number} (it has {len(plan)})")
        target = meetings.resolve(store, text)
        _check_open(target)
        item = plan.pop(number - 1)
        placed = model.AgendaItem(**{**item.__dict__, "source": None, "status": model.ItemStatus.ACCEPTED})
        _insert(store, target, placed)
        meetings.write(txn, store, target)
        write_forward_plan(txn, store, plan)
    return target.id


# --- views -------------------------------------------------------------------


# The JSON contracts of this module's views, in order (docs/json.md): `agenda list
# --json|csv` and `meeting show --json`'s items; `agenda forward --json|csv`.
ITEM_JSON_KEYS = ["number", "title", "purpose", "presenter", "org", "theme", "minutes", "start", "standing"]
FORWARD_JSON_KEYS = ["number", "title", "purpose", "presenter", "org", "theme", "minutes", "status",
                "deferred_from", "submitted", "aim"]


def item_json(row: Row) -> dict[str, Any]:
    """The JSON contract for an agenda item (docs/json.md): ITEM_JSON_KEYS."""
    item = row.item
    return {
        "number": row.number,
        "title": item.title,
        "purpose": item.purpose,
        "presenter": item.presenter,
        "org": item.org,
        "theme": item.theme,
        "minutes": item.minutes,
        "start": model.clock(row.start),
        "standing": item.standing is not None,
    }


def forward_json(number: int, item: model.AgendaItem) -> dict[str, Any]:
    return {
        "number": number,
        "title": item.title,
        "purpose": item.purpose,
        "presenter": item.presenter,
        "org": item.org,
        "theme": item.theme,
        "minutes": item.minutes,
        "status": item.status,
        "deferred_from": item.deferred_from,
        "submitted": item.submitted.isoformat() if item.submitted else None,
        "aim": item.aim,
    }


def paper_name(paper: str) -> str:
    """A short label for a paper: its file name, or for a URL the last part of its path."""
    path = paper.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if model.WEB_LINK.fullmatch(paper):
        host_and_path = path.split("://", 1)[1]
        return host_and_path.rsplit("/", 1)[-1] if "/" in host_and_path else host_and_path
    return path.rsplit("/", 1)[-1]


def edit_item(store: Store, text: str | None, number: int, *, title: str | None = None,
              purpose: str | None = None, presenter: str | None = None, org: str | None = None,
              theme: str | None = None, minutes: int | None = None, papers: list[str] | None = None,
              add_papers: list[str] | None = None, remove_papers: list[str] | None = None,
              presented_by: str | None = None, confidential: str | None = None,
              public_title: str | None = None) -> tuple[model.AgendaItem, list[str], list[str]]:
    """Correct agenda item ``number`` in place. Before the meeting, anything on the agenda;
    after it (until the minutes are approved), who actually presented it (``presented_by``).
    Returns (the item, what changed, warnings)."""
    warnings: list[str] = []
    changed: list[str] = []
    with store.transaction() as txn:
        meeting = meetings.resolve(store, text)
        if meeting.status.cancelled:
            raise ConflictError(f"meeting {meeting.id} is cancelled")
        if meeting.status.approved:
            raise ConflictError(f"the minutes of {meeting.id} are approved; its agenda is part of that record")
        agenda_fields = (title, purpose, presenter, org, theme, minutes, papers, add_papers, remove_papers)
        past = meeting.status.took_place or meeting.date < dates.today()
        if past and any(v is not None for v in agenda_fields):
            raise ConflictError(f"meeting {meeting.id} has been held; its agenda is closed (after the meeting, "
                                "--presented-by says who presented an item)")
        if presented_by is not None and not (past or meeting.date == dates.today()):
            raise ConflictError(f"meeting {meeting.id} is still to come; --presented-by records who presented "
                                "an item at the meeting (before it, change --presenter)")
        if all(v is None for v in (*agenda_fields, presented_by, confidential, public_title)):
            raise InputError("give what to change: --title, --purpose, --presenter, --org, --theme, --minutes, "
                             "--paper, --add-paper, --remove-paper, --presented-by, --confidential or --public-title")
        index, item = _row(store, meeting, number)
        wanted: dict[str, Any] = {}
        if title is not None:
            wanted["title"] = check_title(title)
        if purpose is not None:
            wanted["purpose"] = check_purpose(purpose)
        if presenter is not None:
            wanted["presenter"] = None if presenter.lower() == "none" else get_person(store, presenter).id
            if org is None and wanted["presenter"]:
                wanted["org"] = store.people[wanted["presenter"]].org
        if org is not None:
            wanted["org"] = None if org.lower() == "none" else get_org(store, org).id
        if theme is not None:
            wanted["theme"] = None if theme.lower() == "none" else check_theme(store, theme)
        if minutes is not None:
            if not 0 <= minutes <= 600:
                raise InputError("--minutes must be between 0 and 600")
            wanted["minutes"] = minutes
        if papers is not None or add_papers or remove_papers:
            current = list(item.papers) if papers is None else []
            for paper in [*(papers or []), *(add_papers or [])]:
                paper, warning = check_paper(store, paper)
                if warning:
                    warnings.append(warning)
                if paper not in current:
                    current.append(paper)
            for paper in remove_papers or []:
                if paper.strip() not in current:
                    raise NotFoundError(f"item {number} has no paper {paper.strip()[:100]!r} (it has "
                                        f"{', '.join(item.papers) or 'none'})")
                current.remove(paper.strip())
            wanted["papers"] = current
        if presented_by is not None:
            wanted["presented_by"] = None if presented_by.lower() == "none" else get_person(store, presented_by).id
        if confidential is not None:
            # Marking an item confidential (or not) is allowed after the meeting too: its minutes follow it.
            public = confidential.strip().lower() == "none"
            wanted["confidential"] = None if public else confidential_reason(store, confidential)
            if public:
                wanted["public_title"] = None
        if public_title is not None:
            if not (wanted.get("confidential") or (item.confidential and "confidential" not in wanted)):
                raise InputError(f"item {number} is not confidential: --public-title is for a confidential item "
                                 "(give --confidential REASON too)")
            wanted["public_title"] = None if public_title.strip().lower() == "none" else _public_title(public_title)
        for key, value in wanted.items():
            if getattr(item, key) != value:
                setattr(item, key, value)
                changed.append(key.replace("_", "-"))
        if not changed:
            return item, [], []
        if meeting.agenda_built and not past:
            meeting.items = with_exclusion(store, meeting, meeting.items)
        if warning := meetings.sent_warning(meeting, f"the old item {number}"):
            warnings.append(warning)
        meetings.write(txn, store, meeting)
    return item, changed, warnings
