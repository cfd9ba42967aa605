"""Confidential items ("Part II"): the public form of every document, and the check that
no confidential text reaches one.

An agenda item marked ``confidential`` (with the reason it is exempt, as English local
government does with exempt information under Schedule 12A to the Local Government Act
1972) keeps its number and time in the public form, shows its ``public_title`` (or
"Confidential item") and the reason, and loses everything else: its real title,
presenter, papers, notes, decisions, declarations and actions. An action raised at a
confidential item is confidential too, and leaves the public action log.

The public contexts are built afresh from the members' ones (escg.workflows.documents), keeping
their keys (a template sees the same names) but never a confidential value, so no
template, not even a store's own, can print one.
"""

from __future__ import annotations

from typing import Any

from escg.core import model
from escg.domain.agenda import CONFIDENTIAL_TITLE

KINDS = ("agenda", "minutes", "actions")


def _blank(value: Any) -> Any:
    """An empty value of the same kind, so a public item has every key a members' one has."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return ""
    if isinstance(value, (list, tuple)):
        return []
    if isinstance(value, dict):
        return {}
    return None


# What a confidential item keeps in public (its place on the agenda); the rest is blanked.
KEPT = ("number", "start", "end", "minutes", "standing", "confidential", "reason", "public_title", "resolution")


def _public_item(item: dict[str, Any]) -> dict[str, Any]:
    if not item.get("confidential"):
        return dict(item)
    public = {key: (value if key in KEPT else _blank(value)) for key, value in item.items()}
    public["title"] = item.get("public_title") or CONFIDENTIAL_TITLE
    if "purpose" in item:
        public["purpose"] = item["purpose"]  # decision, discussion...: says nothing of the matter
    return public


def _open_actions(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(entry) for entry in entries if not entry.get("confidential")]


def public_agenda(context: dict[str, Any]) -> dict[str, Any]:
    """The public form of an agenda context (escg.workflows.documents.agenda_context)."""
    items = []
    for item in context["items"]:
        public = _public_item(item)
        public["actions"] = _open_actions(item.get("actions", []))
        items.append(public)
    previous = context.get("previous")
    if previous is not None:
        previous = {**previous, "arising": _open_actions(previous.get("arising", []))}
    return {**context, "items": items, "previous": previous, "has_confidential": False, "public": True}


def public_minutes(context: dict[str, Any]) -> dict[str, Any]:
    """The public form of a minutes context (escg.workflows.documents.minutes_context)."""
    secret = {item["number"] for item in context["items"] if item.get("confidential")}
    items = [_public_item(item) if item["number"] in secret else {**item, "actions": _open_actions(item["actions"])}
             for item in context["items"]]
    declarations = [dict(d) for d in context["declarations"] if d.get("item") not in secret and not d.get("confidential")]
    return {**context, "items": items, "declarations": declarations, "actions": _open_actions(context["actions"]),
            "has_confidential": False, "public": True}


def _counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    result = {rag: 0 for rag in model.RAGS}
    for entry in entries:
        result[entry["rag"]] += 1
    return result


def public_actions(context: dict[str, Any]) -> dict[str, Any]:
    """The public form of an action log context (escg.workflows.documents.action_log_context): the
    confidential actions left out, and the counts made again without them."""
    groups, shown = [], []
    for group in context["groups"]:
        entries = _open_actions(group["actions"])
        if not entries and group["actions"]:
            continue  # a group of nothing but confidential actions would name its owner or theme
        shown += entries
        groups.append({**group, "actions": entries, "counts": _counts(entries)})
    if not groups and context["groups"]:
        groups = [{"name": "", "actions": [], "counts": _counts([])}]
    return {**context, "groups": groups, "counts": _counts(shown), "total": len(shown),
            "has_confidential": False, "public": True}


def public(kind: str, context: dict[str, Any]) -> dict[str, Any]:
    """The public form of the ``kind`` (agenda, minutes or actions) context."""
    if kind == "agenda":
        return public_agenda(context)
    if kind == "minutes":
        return public_minutes(context)
    if kind == "actions":
        return public_actions(context)
    raise ValueError(f"no public form of {kind!r}")


def public_title(item: model.AgendaItem) -> str:
    """What an item is called where the public may see it (a calendar, a public page)."""
    if item.confidential:
        return item.public_title or CONFIDENTIAL_TITLE
    return item.title


def action_marker(store: Any):
    """A function telling whether an action was raised at a confidential item (each
    meeting looked up once)."""
    from escg.domain.agenda import reason_finder

    reason = reason_finder(store)
    return lambda action: bool(reason(action.meeting, action.item))


# --- the check ------------------------------------------------------------------------


def secrets(store: Any, meeting: model.Meeting) -> list[tuple[str, str]]:
    """(what, text) for every confidential text of ``meeting``: each confidential item's
    title, notes, decisions, declarations and paper names, and its actions' titles and updates.
    Texts that are also public elsewhere (the public title, a standard phrase) are left out."""
    from escg.domain.agenda import agenda_of, paper_name
    from escg.store import ActionQuery

    rows = [row for row in agenda_of(store, meeting).rows if row.item.confidential]
    if not rows:
        return []
    found: list[tuple[str, str]] = []
    for row in rows:
        item, where = row.item, f"item {row.number}"
        found.append((f"{where} title", item.title))
        found += [(f"{where} note", text) for text in item.notes]
        found += [(f"{where} decision", text) for text in item.decisions]
        found += [(f"{where} declaration", d.text) for d in item.declarations]
        found += [(f"{where} paper", paper_name(p)) for p in item.papers]
        found += [(f"{where} paper", p) for p in item.papers]
    numbers = {row.number for row in rows}
    for action in store.select_actions(ActionQuery(meeting=meeting.id)):
        if action.item in numbers:
            found.append((f"action {action.id} title", action.title))
            found += [(f"action {action.id} update", u.note) for u in action.updates]
    if meeting.minutes.frozen is not None:
        found += [(f"action {a.id} title", a.title) for a in meeting.minutes.frozen.actions if a.item in numbers]
    public = {" ".join(r.item.public_title.split()).lower() for r in rows if r.item.public_title}
    public |= {CONFIDENTIAL_TITLE.lower()}
    # A text too short or too common to be a leak (a note "Noted.") would flag every document.
    return [(what, text) for what, text in found
            if len(" ".join(text.split())) >= 8 and " ".join(text.split()).lower() not in public]


def _normal(text: str) -> str:
    if "&" not in text and "\\" not in text:
        return " ".join(text.split()).lower()  # the common case, without html or re
    import html
    import re

    return " ".join(html.unescape(re.sub(r"\\(.)", r"\1", text)).split()).lower()


def _public_forms(store: Any, kind: str, context: dict, label: str = "") -> list[tuple[str, str]]:
    """(what, text) of the public ``kind`` document in each form the public may read."""
    from escg.services.render import render_each

    forms = ("md", "html", "txt")
    texts = render_each(store, [f"{kind}.{form}" for form in forms], context)
    return [((label or f"public {kind}.{{}}").format(form), text) for form, text in zip(forms, texts)]


def leaks(store: Any) -> list[tuple[str, str]]:
    """(file, message) for every confidential text found where the public may read it.

    Each meeting with confidential items has its public agenda and minutes, and the
    public action log of the actions raised at those meetings, rendered through the
    store's templates as Markdown, HTML and plain text, and searched for its confidential
    texts: what a template prints that the public form must not. And every public action
    (one not raised at a confidential item), whose title and progress notes the public
    action log and agendas show, is searched as text, without rendering: what the
    secretariat wrote where it will be published. (Rendering the whole log, 100,000
    actions in a large store, into every document made each check as slow as that.)"""
    meetings = sorted(store.meetings_with_confidential_items(), key=lambda m: m.id)
    if not meetings:
        return []
    from escg.core import dates
    from escg.domain import actions
    from escg.store import ActionQuery
    from escg.workflows import documents

    raised_at = tuple(m.id for m in meetings)
    found: list[tuple[str, str]] = []
    log: list[tuple[str, str]] = []
    every: list[tuple[str, str, str]] = []
    for meeting in meetings:
        texts = [(what, _normal(secret)) for what, secret in secrets(store, meeting)]
        if not texts:
            continue
        every += [(meeting.id, what, secret) for what, secret in texts]
        shown: list[tuple[str, str]] = []
        if not meeting.status.cancelled:
            context = public_agenda(documents.agenda_context(store, meeting, raised_at))
            shown += _public_forms(store, "agenda", context)
        if meeting.status.has_minutes:
            context = public_minutes(documents.minutes_context(store, meeting))
            shown += _public_forms(store, "minutes", context)
        if not log:
            today = dates.today()
            selection = actions.Selection(status=actions.Showing.ALL)
            raised = store.select_actions(ActionQuery(meetings=raised_at, by_due=True))
            context = public_actions(documents.action_log_context(store, raised, selection, None, today))
            log = _public_forms(store, "actions", context, "public action log ({})")
        shown += log
        file = store.show(store.meeting_path(meeting.id))
        for document, text in shown:
            normal = _normal(text)
            for what, secret in texts:
                if secret in normal:
                    found.append((file, f"the {document} of {meeting.id} shows confidential text ({what}): "
                                        "a template prints what the public form must not"))
    return found + _quoted(store, every)


def _quoted(store: Any, texts: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(file, message) for each public action whose title or a progress note holds one of
    ``texts`` (meeting, what, text as _normal makes it): one text of all of them,
    searched once a secret."""
    from bisect import bisect_right

    from escg.store import ActionQuery

    if not texts:
        return []
    confidential = action_marker(store)
    owners: list[model.Action] = []
    starts: list[int] = []
    parts: list[str] = []
    at = 0
    for action in store.select_actions(ActionQuery()):
        if confidential(action):
            continue
        for text in (action.title, *(update.note for update in action.updates)):
            normal = _normal(text)
            owners.append(action)
            starts.append(at)
            parts.append(normal)
            at += len(normal) + 1
    blob = "\n".join(parts)  # no normal text holds a newline, so no match spans two texts
    hits: dict[str, list[tuple[str, str]]] = {}
    for ident, what, needle in texts:
        seen: set[str] = set()
        position = blob.find(needle)
        while position >= 0:
            action = owners[bisect_right(starts, position) - 1]
            if action.id not in seen:
                seen.add(action.id)
                hits.setdefault(action.id, []).append((ident, what))
            position = blob.find(needle, position + 1)
    found = []
    for ident in sorted(hits):
        paths = store.action_paths_of(ident)
        file = store.show(paths[0]) if paths else ident
        for meeting, what in hits[ident]:
            found.append((file, f"action {ident} quotes confidential text of {meeting} ({what}), which the public "
                                "action log and agendas show: reword it, or raise it at the confidential item"))
    return found
