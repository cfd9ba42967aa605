"""What the mail commands send: action reminders per owner, and documents to members."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from escg.core import dates, model
from escg.core.errors import ConflictError, InputError
from escg.domain import actions, meetings
from escg.services import mail
from escg.services.render import render_each
from escg.store import Store
from escg.workflows import documents

WHAT = ("agenda", "minutes", "actions")


def _sender(store: Store, config: mail.Settings):
    # A dry run or .eml files need a From even before mail is set up; sending checks for a real one.
    sender = mail.mailbox(config.sender or mail.PLACEHOLDER_SENDER, store.group.name)
    reply_to = mail.mailbox(config.reply_to) if config.reply_to else None
    return sender, reply_to


def _texts(store: Store, what: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """A message's subject (on one line), text and HTML, from the templates ``what``.subject,
    .txt and .html."""
    subject, text, html = render_each(store, (f"{what}.subject", f"{what}.txt", f"{what}.html"), context)
    return " ".join(subject.split()), text, html


def reminders(store: Store, config: mail.Settings, *, owner: str | None = None,
              all_open: bool = False) -> tuple[list[mail.Outgoing], list[tuple[str, str]]]:
    """One message per owner with open actions overdue or due within the RAG window
    (every open one with ``all_open``), overdue first. Returns (messages, skipped owners)."""
    from escg.domain.people import get_person

    today = dates.today()
    window = store.group.rag_window
    if owner is not None:
        get_person(store, owner)
    selection = actions.Selection(status=actions.Showing.OPEN, owner=owner,
                                  overdue=not all_open, due_within=None if all_open else window)
    chosen = actions.select(store, selection, today)
    by_owner: dict[str, list[model.Action]] = {}
    for action in chosen:
        by_owner.setdefault(action.owner, []).append(action)
    sender, reply_to = _sender(store, config)
    outgoing, skipped = [], []
    group = {"name": store.group.name, "short": store.group.short, "secretariat": store.group.secretariat}
    for ident in sorted(by_owner):
        person = store.people.get(ident)
        name = person.name if person else ident
        if person is not None and not person.active_on(today):
            skipped.append((name, f"left the group on {person.left.isoformat()}: give their "
                                  f"{len(by_owner[ident])} open action{'s' if len(by_owner[ident]) != 1 else ''} "
                                  "a new owner (`escg action update ID --owner PERSON`)"))
            continue
        if person is None or not person.email:
            skipped.append((name, "no e-mail address"))
            continue
        views = [actions.view(store, a, today, window) for a in by_owner[ident]]  # already overdue first
        context = {
            "group": group,
            "person": {"id": ident, "name": name},
            "actions": views,
            "counts": actions.counts(by_owner[ident], today, window),
            "today": today,
            "as_at": dates.long_date(today),
            "window": window,
            "all": all_open,
        }
        subject, text, html = _texts(store, "remind", context)
        outgoing.append(mail.draft(
            person.email, label="remind", sender=sender, to=mail.mailbox(person.email, name), reply_to=reply_to,
            subject=subject, text=text, html=html, auto=True, list_id=list_id(store, sender.domain)))
    return outgoing, skipped


def recipients(store: Store, to: str) -> tuple[list[tuple[str, str | None]], list[tuple[str, str]]]:
    """(address, name) pairs for --to members|all|ADDR[,ADDR...], and people skipped."""
    to = to.strip()
    found: list[tuple[str, str | None]] = []
    skipped: list[tuple[str, str]] = []
    if to in ("members", "all"):
        from escg.core import dates

        for person in sorted(store.people.values(), key=lambda p: p.id):
            if to == "members" and person.membership not in ("member", "deputy"):
                continue
            if not person.active_on(dates.today()):
                continue  # left the group: kept for the record, sent nothing
            if person.email:
                found.append((person.email, person.name))
            else:
                skipped.append((person.name, "no e-mail address"))
    else:
        for part in to.split(","):
            address = part.strip()
            if address:
                mail.check_address(address, "--to takes members, all, or e-mail addresses; {0!r} is none of them")
                found.append((address, None))
    if not found and not skipped:
        raise InputError("nobody to send to")
    unique, seen = [], set()
    for address, name in found:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append((address, name))
    if len(unique) > mail.MAX_MESSAGES:
        raise InputError(f"at most {mail.MAX_MESSAGES} recipients at a time")
    return unique, skipped


def papers(store: Store, meeting: model.Meeting, *, public: bool = False) -> list[Path]:
    """The local papers of a meeting's items, each proved to be a file inside the store
    (``public``: not those of confidential items)."""
    root = store.root.resolve()
    found = []
    for item in meeting.items:
        if public and item.confidential:
            continue
        for paper in item.papers:
            if model.WEB_LINK.fullmatch(paper):  # a link, not a file
                continue
            path = (store.root / paper).resolve()
            if not path.is_relative_to(root):
                raise InputError(f"paper {paper} resolves outside the store; refusing to attach it")
            if not path.is_file():
                raise InputError(f"paper {paper} is not in the store; add it or remove it from the item")
            if path.stat().st_size > mail.MAX_ATTACHMENT:
                raise InputError(f"paper {paper} is larger than {mail.MAX_ATTACHMENT // (1024 * 1024)} MB; link it by URL instead")
            if path not in found:
                found.append(path)
    return found


def meeting_of(store: Store, what: str, meeting_text: str | None) -> model.Meeting | None:
    """The meeting whose agenda or minutes ``what`` is (None for the action log)."""
    if what == "agenda":
        return meetings.resolve(store, meeting_text or "next")
    if what == "minutes":
        from escg.domain.minutes import with_minutes

        return with_minutes(store, meeting_text)[0]  # on a meeting's day, "last" minutes are the last written
    return None


def record_sent(store: Store, what: str, meeting_id: str, addresses: list[str]) -> model.Meeting:
    """Log in the meeting's file that ``what`` went to ``addresses`` now (person ids where the
    address is a person's); a sent agenda makes a planned meeting's status agenda-published."""
    by_address = {p.email.lower(): p.id for p in store.people.values() if p.email}
    to = list(dict.fromkeys(by_address.get(a.lower(), a) for a in addresses))
    with store.transaction() as txn:
        meeting = meetings.resolve(store, meeting_id)
        meeting.circulated.append(model.Circulation(what, dates.now_utc().replace(microsecond=0), to))
        if what == "agenda" and meeting.status is model.MeetingStatus.PLANNED:
            meeting.status = model.MeetingStatus.AGENDA_PUBLISHED
        meetings.write(txn, store, meeting)
    return meeting


def outside(store: Store, to: str) -> bool:
    """Whether ``--to`` names an address that is no one's in people.toml (not members or all)."""
    if to.strip() in ("members", "all"):
        return False
    known = {p.email.lower() for p in store.people.values() if p.email}
    return any(part.strip() and part.strip().lower() not in known for part in to.split(","))


def document(store: Store, config: mail.Settings, what: str, meeting_text: str | None,
             to: str, public: bool | None = None) -> tuple[list[mail.Outgoing], list[tuple[str, str]]]:
    """The agenda, minutes or action log, one message per recipient: the members' form, or
    the public one (escg.workflows.confidential) with ``public``; by default (None) the public form
    when ``to`` names an address outside the group (see ``outside``)."""
    from escg.workflows import confidential

    if what not in WHAT:
        raise InputError(f"mail sends {', '.join(WHAT)}, not {what!r}")
    if public is None:
        public = outside(store, to)
    attachments: list[Path] = []
    if what == "agenda":
        meeting = meetings.resolve(store, meeting_text or "next")
        if meeting.status.cancelled:
            raise ConflictError(f"meeting {meeting.id} is cancelled")
        context = documents.agenda_context(store, meeting)
        attachments = papers(store, meeting, public=public)
        for item in context["items"]:  # a relative link means nothing in a mail client: they are attached
            for paper in item["papers"]:
                if not model.WEB_LINK.fullmatch(paper["href"]):
                    paper["href"] = ""
    elif what == "minutes":
        meeting = meetings.resolve(store, meeting_text or "last")
        if not meeting.status.has_minutes:
            raise ConflictError(f"meeting {meeting.id} has no minutes yet ({meeting.status})")
        context = documents.minutes_context(store, meeting)
    else:
        if meeting_text is not None:
            raise InputError("the action log is for the whole group: `escg mail actions` takes no MEETING")
        selection = actions.Selection(status=actions.Showing.OPEN)
        today = dates.today()
        context = documents.action_log_context(store, actions.select(store, selection, today), selection, None, today)
    if public:
        context = confidential.public(what, context)
    addresses, skipped = recipients(store, to)
    sender, reply_to = _sender(store, config)
    subject, text, html = _texts(store, what, context)
    message_id = thread = None
    if what in ("agenda", "minutes"):
        root = thread_root(store, meeting, sender.domain)
        if what == "agenda" and meeting.last_sent("agenda") is None:
            message_id = root  # the first agenda begins the meeting's thread
        else:
            thread = root
    outgoing = [mail.draft(
        address, label=what, sender=sender, to=mail.mailbox(address, name), reply_to=reply_to, subject=subject,
        text=text, html=html, attachments=attachments, auto=True, message_id=message_id, thread=thread,
        list_id=list_id(store, sender.domain)) for address, name in addresses]
    return outgoing, skipped


def thread_root(store: Store, meeting: model.Meeting, domain: str) -> str:
    """The Message-ID a meeting's mail threads under: the first agenda sent has it, and the
    minutes, invitations and later agendas point to it (In-Reply-To, References). It is made
    from the meeting's calendar UID, so it survives a move."""
    uid = meetings.meeting_uid(store, meeting)
    left = re.sub(r"[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]", "-", uid.split("@", 1)[0])[:120]
    return f"<{left}.thread@{domain}>"


def list_id(store: Store, domain: str) -> str:
    """List-Id: the group, so members can filter its mail: "Essex SCG" <escg.example.org>."""
    label = re.sub(r"[^a-z0-9-]", "-", (store.group.short or store.group.name).lower()).strip("-")[:60] or "escg"
    name = "".join(c for c in store.group.name if c not in '"\\' and ord(c) >= 32)[:200]
    return f'"{name}" <{label}.{domain}>'



def papers_due(store: Store, meeting: model.Meeting, days: int | None = None):
    """The day the papers of ``meeting`` are due: ``days`` clear days before it (default the
    group's papers_days): neither the day they are due nor the meeting's day counts."""
    from datetime import timedelta

    days = store.group.papers_days if days is None else days
    return meeting.date - timedelta(days=days + 1)


def paper_reminders(store: Store, config: mail.Settings, meeting: model.Meeting, *, days: int | None = None
                    ) -> tuple[list[mail.Outgoing], list[tuple[str, str]]]:
    """One message per presenter of an item of ``meeting`` whose papers are missing: none
    named yet, or a paper named in the store that is not there yet."""
    from escg.domain.agenda import agenda_of, paper_name

    due = papers_due(store, meeting, days)
    by_presenter: dict[str, list[dict[str, Any]]] = {}
    for row in agenda_of(store, meeting).rows:
        item = row.item
        if item.standing or not item.presenter or item.status != model.ItemStatus.ACCEPTED:
            continue
        missing = [paper_name(p) for p in item.papers
                   if not model.WEB_LINK.fullmatch(p) and not (store.root / p).is_file()]
        if item.papers and not missing:
            continue
        by_presenter.setdefault(item.presenter, []).append(
            {"number": row.number, "title": item.title, "missing": missing, "none": not item.papers})
    sender, reply_to = _sender(store, config)
    group = {"name": store.group.name, "short": store.group.short, "secretariat": store.group.secretariat}
    outgoing, skipped = [], []
    today = dates.today()
    for ident, items in sorted(by_presenter.items()):
        person = store.people.get(ident)
        name = person.name if person else ident
        if person is not None and not person.active_on(today):
            numbers = [str(i["number"]) for i in items]
            which = (f"item {numbers[0]} a new presenter" if len(numbers) == 1
                     else f"items {', '.join(numbers)} new presenters")
            skipped.append((name, f"left the group on {person.left.isoformat()}: give {which} (`escg agenda edit "
                                  f"{numbers[0] if len(numbers) == 1 else 'ITEM'} -m {meeting.id} --presenter PERSON`)"))
            continue
        if person is None or not person.email:
            skipped.append((name, "no e-mail address"))
            continue
        context = {"group": group, "person": {"id": ident, "name": name}, "items": items,
                   "meeting": {"id": meeting.id, "when": meetings.when(meeting), "long_date": dates.long_date(meeting.date)},
                   "due": dates.long_date(due), "days": store.group.papers_days if days is None else days,
                   "today": today}
        subject, text, html = _texts(store, "papers", context)
        outgoing.append(mail.draft(
            person.email, label="papers", sender=sender, to=mail.mailbox(person.email, name), reply_to=reply_to,
            subject=subject, text=text, html=html, auto=True, thread=thread_root(store, meeting, sender.domain),
            list_id=list_id(store, sender.domain)))
    return outgoing, skipped

