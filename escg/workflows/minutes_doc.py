"""Minutes as one Markdown document: what `escg minutes edit` opens and `minutes import` reads.

The document holds the meeting's attendance, then each agenda item as a heading
with its minutes under it::

    ## Attendance
    Present: helen-marsh, nadia-farouk
    Apologies: simon-whitlock, bernadette-quinn
    Substitutes: bernadette-quinn=hannah-price
    Absent: graham-pettit
    Guest: Paul Davies (Greater Essex Devolution Programme)

    ## 5. Winter resilience 2026/27
    Dr Farouk presented the plan.            <- a paragraph is a note

    DECISION: The group endorsed the plan.
    DECLARE @joanna-kerr: The OPFCC holds the grant.
    ACTION @nadia-farouk due 20 Nov 2026: Confirm discharge capacity
    ACTION A-022 @nadia-farouk due 20 Nov 2026: ...   <- one raised already keeps its id

A paragraph runs to the next blank line; a line of its own that must start with
a keyword (or ``#`` or ``\\``) is written with a ``\\`` before it, and an empty
line inside a note as a line holding only ``\\``, so every note survives the
round trip exactly: a document saved unchanged parses back to the minutes it
was made from, and nothing is written. HTML comments are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from escg.core import dates, model
from escg.core.errors import DocumentError, EscgError, InputError
from escg.domain import agenda, meetings
from escg.domain.actions import check_text, parse_due
from escg.store import ActionQuery, Store

ATTENDANCE_LABELS = ("Present", "Apologies", "Substitutes", "Absent", "Guest")
_HEADING = re.compile(r"##\s+(?:(\d{1,3})\.\s*(.*?)|(Attendance)|(Actions without an item))\s*$")
_KEYWORD = re.compile(r"(DECISION|DECLARE|ACTION)\b(.*)$", re.DOTALL)
_ACTION = re.compile(r"(?:\s+(A-\d{3,9}))?\s+@(\S+)(?:\s+due\s+(.+?))?\s*:\s*(.+)$", re.DOTALL)
_DECLARE = re.compile(r"\s+@(\S+)\s*:\s*(.+)$", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ESCAPE_NEEDED = re.compile(r"(DECISION|DECLARE|ACTION)\b|#|\\|<!--|(Present|Apologies|Substitutes|Absent|Guest):")
NO_ITEM = "Actions without an item"

HELP = """<!--
Edit the minutes, then save and close. Under each item:
  a paragraph is a note (it runs to the next blank line)
  DECISION: text
  DECLARE @person: the interest declared
  ACTION @owner due 31 Jan 2027: what is to be done   (a new action; "due ..." may be left out)
An action raised already keeps its id (ACTION A-022 ...); change its text, owner or due
date there. Attendance lines take person ids, separated by commas.
A line that must start with a keyword, # or \\ as plain text: put \\ before it.
Save an empty file to cancel. This comment is ignored.
-->"""


# --- the state the document shows ------------------------------------------------------


@dataclass
class ActionLine:
    id: str | None
    owner: str
    due: Any  # date | None
    title: str
    item: int | None
    line: int = field(default=0, compare=False)  # where the document has it


@dataclass
class ItemMinutes:
    number: int
    title: str
    notes: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    declarations: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Document:
    present: list[str] = field(default_factory=list)
    apologies: list[str] = field(default_factory=list)
    substitutes: dict[str, str] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    guests: list[str] = field(default_factory=list)
    items: dict[int, ItemMinutes] = field(default_factory=dict)
    actions: list[ActionLine] = field(default_factory=list)
    has_attendance: bool = True  # False when an imported document has no Attendance section


def raised_at(store: Store, meeting: model.Meeting) -> list[model.Action]:
    return [a for a in store.select_actions(ActionQuery(meeting=meeting.id))]


def state_of(store: Store, meeting: model.Meeting) -> Document:
    """What the minutes say now, as a Document."""
    record = meeting.attendance
    doc = Document(list(record.present), list(record.apologies), dict(record.substitutes), list(record.absent),
                   list(record.guests))
    for row in agenda.agenda_of(store, meeting).rows:
        item = row.item
        doc.items[row.number] = ItemMinutes(row.number, item.title, list(item.notes), list(item.decisions),
                                            [(d.person, d.text) for d in item.declarations])
    for action in sorted(raised_at(store, meeting), key=lambda a: a.number):
        doc.actions.append(ActionLine(action.id, action.owner, action.due, action.title, action.item))
    return doc


# --- writing the document ---------------------------------------------------------------


def _escape(text: str) -> list[str]:
    """The lines of one paragraph, so that reading them back gives ``text`` exactly."""
    lines = []
    for line in text.split("\n"):
        if line == "" or line.strip() == "":
            lines.append("\\" + line)  # an empty line inside a note
        elif _ESCAPE_NEEDED.match(line) or line != line.lstrip():
            lines.append("\\" + line)
        else:
            lines.append(line)
    return lines


def _block(prefix: str, text: str) -> list[str]:
    first, *rest = _escape(text)
    if first.startswith("\\") and not text.startswith("\\"):
        first = first[1:]  # after "DECISION: " a leading keyword is no keyword
    return [prefix + first, *rest]


def _action_line(line: ActionLine) -> list[str]:
    ident = f" {line.id}" if line.id else ""
    due = f" due {dates.short_date(line.due)}" if line.due else ""
    return _block(f"ACTION{ident} @{line.owner}{due}: ", line.title)


def render_document(store: Store, meeting: model.Meeting, state: Document | None = None) -> str:
    """The minutes of ``meeting`` as the document `minutes edit` opens."""
    doc = state or state_of(store, meeting)
    out = [f"# Minutes of {store.group.short or store.group.name}, {dates.long_date(meeting.date)} ({meeting.id})", "",
           HELP, "", "## Attendance", ""]
    out.append("Present: " + ", ".join(doc.present))
    out.append("Apologies: " + ", ".join(doc.apologies))
    out.append("Substitutes: " + ", ".join(f"{m}={s}" for m, s in doc.substitutes.items()))
    out.append("Absent: " + ", ".join(doc.absent))
    out += [f"Guest: {guest}" for guest in doc.guests]
    by_item: dict[int | None, list[ActionLine]] = {}
    for line in doc.actions:
        by_item.setdefault(line.item if line.item in doc.items else None, []).append(line)
    for number, item in doc.items.items():
        out += ["", f"## {number}. {item.title}"]
        blocks: list[list[str]] = [_escape(note) for note in item.notes]
        blocks += [_block("DECISION: ", text) for text in item.decisions]
        blocks += [_block(f"DECLARE @{person}: ", text) for person, text in item.declarations]
        blocks += [_action_line(line) for line in by_item.get(number, [])]
        for block in blocks:
            out += [""] + block
    if by_item.get(None):
        out += ["", f"## {NO_ITEM}"]
        for line in by_item[None]:
            out += [""] + _action_line(line)
    return "\n".join(out) + "\n"


# --- reading it back ------------------------------------------------------------------------


def _strip_comments(text: str) -> list[str]:
    """The document's lines with comments blanked out (so line numbers stay true)."""
    def blank(match: re.Match) -> str:
        return "\n" * match.group(0).count("\n")

    return _COMMENT.sub(blank, text).split("\n")


def _paragraphs(lines: list[tuple[int, str]]) -> list[tuple[int, str, bool]]:
    """(first line number, text, whether its first line was escaped) of each paragraph."""
    found: list[tuple[int, str, bool]] = []
    current: list[str] = []
    start, escaped = 0, False
    for number, line in lines + [(0, "")]:
        if line.strip() == "" or (current and _KEYWORD.match(line)):
            # A blank line ends a paragraph; so does a DECISION:, DECLARE or ACTION line,
            # which begins one of its own (a keyword inside a note is written \ACTION).
            if current:
                found.append((start, "\n".join(current), escaped))
            current = []
            if line.strip() == "":
                continue
        if not current:
            start, escaped = number, line.startswith("\\")
        current.append(line[1:] if line.startswith("\\") else line)
    return found


def _ids(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_document(store: Store, meeting: model.Meeting, text: str, *, partial: bool = False) -> Document:
    """The Document ``text`` says, every line checked; DocumentError lists every problem.

    With ``partial`` (an imported file), a section the text leaves out is not in the
    result: the caller keeps those minutes as they are."""
    problems: list[tuple[int, str]] = []
    rows = {row.number: row.item for row in agenda.agenda_of(store, meeting).rows}
    people = store.people
    doc = Document(has_attendance=False)
    sections: list[tuple[str | int, int, list[tuple[int, str]]]] = []
    current: tuple[str | int, int, list[tuple[int, str]]] | None = None
    seen: set[str | int] = set()
    for number, line in enumerate(_strip_comments(text), start=1):
        if line.startswith("# ") and current is None:
            continue  # the title
        heading = _HEADING.fullmatch(line.rstrip()) if line.startswith("##") else None
        if line.startswith("##") and not line.startswith("###"):
            if heading is None:
                problems.append((number, f"{line.strip()[:60]!r} is not a heading this document has: item headings "
                                         "are '## N. Title', as the agenda has them"))
                current = ("?", number, [])
                continue
            if heading[3]:
                key: str | int = "attendance"
            elif heading[4]:
                key = "no-item"
            else:
                key = int(heading[1])
                if key not in rows:
                    problems.append((number, f"the agenda has no item {key} (it has {len(rows)}); "
                                             "items are added with `escg agenda add`"))
                elif " ".join(heading[2].split()) != " ".join(rows[key].title.split()):
                    problems.append((number, f"item {key}'s heading must stay '{key}. {rows[key].title}'; "
                                             "change an item's title with `escg agenda edit`"))
            if key in seen:
                problems.append((number, f"{'attendance' if key == 'attendance' else f'item {key}'} appears twice"))
            seen.add(key)
            current = (key, number, [])
            sections.append(current)
            continue
        if current is None:
            if line.strip():
                problems.append((number, "text before the first heading: put it under an item's heading"))
            continue
        current[2].append((number, line))

    placed: set[str] = set()  # people in one of the attendance lists

    def person(number: int, ident: str, what: str) -> str | None:
        if ident not in people:
            from escg.domain.people import get_person

            try:
                get_person(store, ident)
            except EscgError as error:
                problems.append((number, f"{what}: {error}"))
            return None
        return ident

    for key, heading_line, lines in sections:
        if key == "attendance":
            doc.has_attendance = True
            for number, line in lines:
                if not line.strip():
                    continue
                label, colon, value = line.partition(":")
                label = label.strip()
                if not colon or label not in ATTENDANCE_LABELS:
                    problems.append((number, "attendance lines are Present:, Apologies:, Substitutes:, Absent: "
                                             "and Guest: (one line a guest)"))
                    continue
                if label == "Guest":
                    guest = " ".join(value.split())
                    if guest:
                        if len(guest) > model.MAX_TITLE or any(ord(c) < 32 for c in guest):
                            problems.append((number, f"a guest is one line of at most {model.MAX_TITLE} characters"))
                        else:
                            doc.guests.append(guest)
                    continue
                if label == "Substitutes":
                    for pair in _ids(value):
                        member, equals, stand_in = pair.partition("=")
                        member, stand_in = member.strip(), stand_in.strip()
                        if not equals or not member or not stand_in:
                            problems.append((number, f"a substitute is MEMBER=STAND-IN, such as cat=dan, not {pair!r}"))
                            continue
                        if member == stand_in:
                            problems.append((number, f"{member} cannot substitute for themselves"))
                            continue
                        if person(number, member, "substitutes") and person(number, stand_in, "substitutes"):
                            if member in doc.substitutes:
                                problems.append((number, f"{member} has two substitutes"))
                            doc.substitutes[member] = stand_in
                    continue
                target = {"Present": doc.present, "Apologies": doc.apologies, "Absent": doc.absent}[label]
                for ident in _ids(value):
                    if person(number, ident, label.lower()):
                        if ident in placed:
                            problems.append((number, f"{ident} is in more than one of Present, Apologies and Absent"))
                            continue
                        placed.add(ident)
                        target.append(ident)
            for member, stand_in in doc.substitutes.items():
                if member not in doc.apologies:
                    if member in placed:
                        problems.append((heading_line, f"{member} has a substitute, so sent apologies: "
                                                       "take them out of Present and Absent"))
                    else:
                        doc.apologies.append(member)  # a substitute says the member sent apologies
                        placed.add(member)
                if stand_in in placed:
                    problems.append((heading_line, f"{stand_in} substitutes for {member}, so is not also "
                                                   "in Present, Apologies or Absent"))
            continue
        if key == "?":
            continue
        item_number = key if isinstance(key, int) and key in rows else None
        if isinstance(key, int) and item_number is None:
            continue
        minutes = ItemMinutes(item_number or 0, rows[item_number].title if item_number else NO_ITEM)
        for start, paragraph, escaped in _paragraphs(lines):
            keyword = None if escaped else _KEYWORD.match(paragraph)
            if keyword is None:
                if key == "no-item":
                    problems.append((start, f"under '{NO_ITEM}' only ACTION lines go; notes go under an item"))
                    continue
                try:
                    minutes.notes.append(check_text(paragraph, "note"))
                except InputError as error:
                    problems.append((start, str(error)))
                continue
            word, rest = keyword[1], keyword[2]
            if word == "DECISION":
                value = rest.lstrip()
                if not value.startswith(":"):
                    problems.append((start, "write a decision as DECISION: the text"))
                    continue
                try:
                    minutes.decisions.append(check_text(value[1:].lstrip(" "), "decision"))
                except InputError as error:
                    problems.append((start, str(error)))
                if key == "no-item":
                    problems.append((start, "a decision goes under its item"))
            elif word == "DECLARE":
                match = _DECLARE.fullmatch(rest)
                if match is None:
                    problems.append((start, "write a declaration as DECLARE @person: the interest"))
                    continue
                who = person(start, match[1], "DECLARE")
                try:
                    text = check_text(match[2], "declaration")
                except InputError as error:
                    problems.append((start, str(error)))
                    continue
                if who:
                    minutes.declarations.append((who, text))
                if key == "no-item":
                    problems.append((start, "a declaration goes under its item"))
            else:
                match = _ACTION.fullmatch(rest)
                if match is None:
                    problems.append((start, "write an action as ACTION @owner due 31 Jan 2027: what is to be done "
                                            "(the due date may be left out)"))
                    continue
                owner = person(start, match[2], "ACTION")
                due = None
                if match[3]:
                    try:
                        due = parse_due(store, match[3])
                    except EscgError as error:
                        problems.append((start, f"due {match[3]!r}: {error}"))
                        continue
                title = " ".join(match[4].split())
                if not title or len(title) > 2000:
                    problems.append((start, "an action needs its text (at most 2000 characters)"))
                    continue
                if any(ord(c) < 32 for c in title):
                    problems.append((start, "the action's text contains control characters"))
                    continue
                if owner:
                    doc.actions.append(ActionLine(match[1], owner, due, title, item_number, start))
        if item_number:
            doc.items[item_number] = minutes

    for number, item in rows.items():
        if number not in doc.items and not partial:
            problems.append((len(text.split("\n")), f"item {number} ('{item.title}') is missing: keep every item's "
                                                   "heading, even with nothing under it"))
    if not doc.has_attendance and not partial:
        problems.append((1, "the '## Attendance' section is missing"))
    ids = [a.id for a in doc.actions if a.id]
    for ident in {i for i in ids if ids.count(i) > 1}:
        problems.append((next(a.line for a in doc.actions if a.id == ident), f"action {ident} appears twice"))
    if problems:
        raise DocumentError(sorted(problems))
    return doc


def mark_errors(text: str, problems: list[tuple[int, str]]) -> str:
    """``text`` with each problem written in a comment above its line, for the editor to show."""
    lines = strip_markers(text).split("\n")
    by_line: dict[int, list[str]] = {}
    for number, message in problems:
        by_line.setdefault(number, []).append(message)
    out = []
    for number, line in enumerate(lines, start=1):
        for message in by_line.get(number, []):
            out.append(f"<!-- escg error: {message.replace('--', '- -')} -->")
        out.append(line)
    return "\n".join(out)


def strip_markers(text: str) -> str:
    """``text`` without the error markers mark_errors put in (what the user saw, not wrote)."""
    return re.sub(r"^<!-- escg error: .*? -->\n", "", text, flags=re.M)


# --- what changed, and writing it -------------------------------------------------------------


def changes(store: Store, meeting: model.Meeting, before: Document, after: Document) -> list[str]:
    """One line for each change from ``before`` to ``after``, as a person reads it."""
    said = []
    if after.has_attendance:
        for label in ("present", "apologies", "absent", "guests"):
            old, new = getattr(before, label), getattr(after, label)
            added = [p for p in new if p not in old]
            removed = [p for p in old if p not in new]
            if added:
                said.append(f"attendance: {label} + {', '.join(added)}")
            if removed:
                said.append(f"attendance: {label} - {', '.join(removed)}")
        if before.substitutes != after.substitutes:
            said.append("attendance: substitutes now " + (", ".join(f"{m}={s}" for m, s in after.substitutes.items())
                                                            or "none"))
    for number, item in after.items.items():
        old = before.items.get(number)
        if old is None:
            continue
        for label, noun in (("notes", "note"), ("decisions", "decision"), ("declarations", "declaration")):
            was, now = getattr(old, label), getattr(item, label)
            if was == now:
                continue
            added = sum(1 for x in now if x not in was)
            removed = sum(1 for x in was if x not in now)
            parts = [f"{n} {noun}{'s' if n != 1 else ''} {verb}" for n, verb in ((added, "added"), (removed, "removed")) if n]
            said.append(f"item {number}: " + (", ".join(parts) if parts else f"{label} reordered"))
    old_actions = {a.id: a for a in before.actions}
    for line in after.actions:
        if line.id is None:
            due = f", due {dates.short_date(line.due)}" if line.due else ""
            where = f"item {line.item}" if line.item else "the meeting"
            said.append(f"new action at {where}: {line.title} ({line.owner}{due})")
            continue
        old = old_actions.get(line.id)
        if old is None:
            continue
        for label in ("title", "owner", "due", "item"):
            if getattr(old, label) != getattr(line, label):
                said.append(f"action {line.id}: {label} changed")
    return said


def check_actions(before: Document, after: Document, *, partial: bool) -> list[tuple[int, str]]:
    """Action lines that cannot be applied: an id not raised here, or one taken out."""
    problems = []
    known = {a.id for a in before.actions}
    for line in after.actions:
        if line.id and line.id not in known:
            problems.append((line.line, f"action {line.id} was not raised at this meeting; write a new action "
                                        "without an id"))
    if not partial:
        kept = {a.id for a in after.actions if a.id}
        for ident in sorted(known - kept):
            problems.append((1, f"action {ident} was raised at this meeting and its line was taken out; actions "
                                f"are not deleted by editing minutes: put its line back (and `escg action drop "
                                f"{ident} --reason ...` to withdraw it)"))
    return problems


def merge(before: Document, after: Document) -> Document:
    """An imported (partial) document over the minutes as they are: the sections it has win."""
    merged = Document(before.present, before.apologies, before.substitutes, before.absent, before.guests,
                      dict(before.items), [], True)
    if after.has_attendance:
        merged.present, merged.apologies, merged.substitutes = after.present, after.apologies, after.substitutes
        merged.absent, merged.guests = after.absent, after.guests
    merged.items.update(after.items)
    mentioned = {a.id for a in after.actions if a.id}
    merged.actions = [a for a in before.actions if a.id not in mentioned] + after.actions
    return merged


def apply(store: Store, meeting_id: str, original: str, after: Document) -> tuple[model.Meeting, list[model.Action]]:
    """Write ``after`` in one transaction, if the minutes still read as ``original`` did
    when the edit began (else ConflictError: someone changed them meanwhile)."""
    from escg.core.errors import ConflictError
    from escg.domain.actions import new_action, write as write_action
    from escg.domain.minutes import open_for_minutes, scaffold

    created: list[model.Action] = []
    with store.transaction() as txn:
        meeting = open_for_minutes(store, meeting_id)
        if render_document(store, meeting) != original:
            raise ConflictError(f"the minutes of {meeting.id} changed while you were editing them")
        scaffold(store, meeting)
        if after.has_attendance:
            record = meeting.attendance
            record.present, record.apologies = list(after.present), list(after.apologies)
            record.substitutes, record.absent = dict(after.substitutes), list(after.absent)
            record.guests = list(after.guests)
        rows = {row.number: row.item for row in agenda.agenda_of(store, meeting).rows}
        for number, minutes in after.items.items():
            item = rows[number]
            item.notes = list(minutes.notes)
            item.decisions = list(minutes.decisions)
            item.declarations = [model.Declaration(p, t) for p, t in minutes.declarations]
        existing = {a.id: a for a in raised_at(store, meeting)}
        for line in after.actions:
            if line.id is None:
                continue
            action = existing[line.id]
            changed = False
            update = model.Update(dates.today(), "")
            notes = []
            if line.title != action.title:
                notes.append("Text corrected in the minutes.")
                action.title = line.title
                changed = True
            if line.owner != action.owner:
                notes.append(f"Owner changed from {action.owner} to {line.owner} in the minutes.")
                update.from_owner = action.owner
                person = store.people[line.owner]
                action.owner, action.org = person.id, person.org
                changed = True
            if line.due != action.due:
                notes.append(f"Due date changed from {dates.short_date(action.due) if action.due else 'none'} "
                             f"to {dates.short_date(line.due) if line.due else 'none'} in the minutes.")
                update.from_due = action.due or "none"
                action.due = line.due
                changed = True
            if line.item != action.item:
                action.item = line.item
                changed = True
            if changed:
                if notes:
                    update.note = " ".join(notes)
                    action.updates.append(update)
                write_action(txn, store, action, old_updates=len(action.updates) - (1 if notes else 0))
        meetings.write(txn, store, meeting)
        for line in after.actions:
            if line.id is None:
                created.append(new_action(txn, store, line.title, owner=line.owner,
                                          due=line.due.isoformat() if line.due else None,
                                          meeting=meeting.id, item=line.item))
    return meeting, created
