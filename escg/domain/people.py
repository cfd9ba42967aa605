"""Organisations and people: the partners of the group and who represents them."""

from __future__ import annotations

from typing import Any

from escg.core import ids, model
from escg.core.errors import ConflictError, InputError
from escg.store import PEOPLE, ActionQuery, MeetingQuery, Store

PEOPLE_HEADER = """The group's partner organisations ([orgs.<id>]) and people ([people.<id>]).
Edit by hand or with `escg org` and `escg person`; comments are kept."""


PERSON_JSON_KEYS = ["id", "name", "org", "role", "email", "membership", "left"]  # person_json's, in order


def person_json(person: model.Person) -> dict[str, Any]:
    """The JSON contract for a person (docs/json.md): PERSON_JSON_KEYS."""
    return {"id": person.id, "name": person.name, "org": person.org, "role": person.role,
            "email": person.email, "membership": person.membership,
            "left": person.left.isoformat() if person.left else None}


def person_record(person: model.Person) -> dict[str, Any]:
    """What `escg person show --json` prints (docs/json.md): the person, and whom they deputise for."""
    return {**person_json(person), "deputy_for": person.deputy_for}


ORG_JSON_KEYS = ["id", "name", "sector"]  # org_json's, in order: the columns of `org list --json|csv`


def org_json(org: model.Organisation) -> dict[str, Any]:
    """The JSON contract for an organisation (docs/json.md)."""
    return {"id": org.id, "name": org.name, "sector": org.sector}


def org_record(store: Store, org: model.Organisation) -> dict[str, Any]:
    """What `escg org show --json` prints (docs/json.md): the organisation and its people's ids."""
    return {**org_json(org), "people": sorted(p.id for p in store.people.values() if p.org == org.id)}


def list_people(store: Store, *, org: str | None = None, membership: str | None = None,
                everyone: bool = False) -> list[model.Person]:
    """The people by id: of ``org``, of ``membership``, and (unless ``everyone``) only
    those still with the group today; each name given is checked."""
    from escg.core.dates import today

    if org:
        get_org(store, org)
    if membership is not None and membership not in model.MEMBERSHIPS:
        raise InputError(f"membership must be one of {', '.join(model.MEMBERSHIPS)}, not {membership!r}")
    day = today()
    return [p for p in sorted(store.people.values(), key=lambda p: p.id)
            if (org is None or p.org == org) and (membership is None or p.membership == membership)
            and (everyone or p.active_on(day))]


def get_org(store: Store, ident: str) -> model.Organisation:
    ids.slug("organisation", ident)
    try:
        return store.orgs[ident]
    except KeyError:
        raise ids.unknown("organisation", ident, store.orgs, "see `escg org list`") from None


def get_person(store: Store, ident: str) -> model.Person:
    ids.slug("person", ident)
    try:
        return store.people[ident]
    except KeyError:
        raise ids.unknown("person", ident, store.people, "see `escg person list`") from None


def check_email(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not model.EMAIL.fullmatch(value) or len(value) > 254:
        raise InputError(f"not an e-mail address: {value!r} (expected name@example.org)")
    return value


def _check_text(label: str, value: str | None, limit: int = model.MAX_TITLE) -> str | None:
    if value is None:
        return None
    if any(ord(c) < 32 and c not in "\t" for c in value):
        raise InputError(f"{label} must be one line of text without control characters")
    value = value.strip()
    if len(value) > limit:
        raise InputError(f"{label} is longer than {limit} characters")
    return value


def _write(store: Store, orgs: dict[str, model.Organisation], people: dict[str, model.Person], *,
           org: str | None = None, person: str | None = None) -> None:
    """Write the one organisation or person a command added, changed or removed
    (absent from ``orgs``/``people`` means removed); every other entry is left byte for byte."""
    from escg.store.edit import sync_tables

    def change(document: Any) -> None:
        if org is not None:
            sync_tables(document, "orgs", {org: orgs[org].to_toml()} if org in orgs else {}, only={org})
        if person is not None:
            sync_tables(document, "people", {person: people[person].to_toml()} if person in people else {}, only={person})

    with store.transaction() as txn:
        txn.edit(store.path(PEOPLE), change, parse=model.people_from_toml,
                 create="".join(f"# {line}\n" for line in PEOPLE_HEADER.splitlines()) + "\n")


def add_org(store: Store, ident: str, name: str, sector: str = "other") -> model.Organisation:
    ids.slug("organisation", ident)
    name = _check_text("the name", name)
    if not name:
        raise InputError("an organisation needs a --name")
    if sector not in model.SECTORS:
        raise InputError(f"sector must be one of {', '.join(model.SECTORS)}, not {sector!r}")
    with store.lock:
        store.forget()
        if ident in store.orgs:
            raise ConflictError(f"organisation {ident!r} already exists ({store.orgs[ident].name})")
        org = model.Organisation(ident, name, sector)
        orgs = {**store.orgs, ident: org}
        _write(store, orgs, store.people, org=ident)
    return org


def edit_org(store: Store, ident: str, *, name: str | None = None, sector: str | None = None) -> model.Organisation:
    with store.lock:
        store.forget()
        org = get_org(store, ident)
        if name is not None:
            org.name = _check_text("the name", name) or org.name
        if sector is not None:
            if sector not in model.SECTORS:
                raise InputError(f"sector must be one of {', '.join(model.SECTORS)}, not {sector!r}")
            org.sector = sector
        _write(store, store.orgs, store.people, org=ident)
    return org


def remove_org(store: Store, ident: str) -> None:
    with store.lock:
        store.forget()
        get_org(store, ident)
        users = [p.id for p in store.people.values() if p.org == ident]
        items = [where for where, item in _items(store, _naming(store, org=ident)) if item.org == ident]
        items += [f"action {a.id}" for a in store.select_actions(ActionQuery(org=ident))]
        if users or items:
            named = ", ".join((users + items)[:5])
            raise ConflictError(f"organisation {ident!r} is still referenced ({named}); change those first")
        orgs = {k: v for k, v in store.orgs.items() if k != ident}
        _write(store, orgs, store.people, org=ident)


def add_person(store: Store, ident: str, *, name: str, org: str, role: str | None = None,
               email: str | None = None, membership: str = "member",
               deputy_for: str | None = None) -> model.Person:
    ids.slug("person", ident)
    name = _check_text("the name", name)
    if not name:
        raise InputError("a person needs a --name")
    if membership not in model.MEMBERSHIPS:
        raise InputError(f"membership must be one of {', '.join(model.MEMBERSHIPS)}, not {membership!r}")
    person = model.Person(ident, name, org, _check_text("the role", role), check_email(email), membership, deputy_for)
    with store.lock:
        store.forget()
        if ident in store.people:
            raise ConflictError(f"person {ident!r} already exists ({store.people[ident].name})")
        get_org(store, org)
        if deputy_for is not None:
            get_person(store, deputy_for)
        people = {**store.people, ident: person}
        _write(store, store.orgs, people, person=ident)
    return person


def edit_person(store: Store, ident: str, **changes: Any) -> model.Person:
    """Change the given fields (None leaves a field as it is; "" clears role, e-mail, deputy_for)."""
    with store.lock:
        store.forget()
        person = get_person(store, ident)
        if changes.get("name") is not None:
            person.name = _check_text("the name", changes["name"]) or person.name
        if changes.get("org") is not None:
            person.org = get_org(store, changes["org"]).id
        if changes.get("role") is not None:
            person.role = _check_text("the role", changes["role"]) or None
        if changes.get("email") is not None:
            person.email = check_email(changes["email"]) if changes["email"] else None
        if changes.get("membership") is not None:
            if changes["membership"] not in model.MEMBERSHIPS:
                raise InputError(f"membership must be one of {', '.join(model.MEMBERSHIPS)}")
            person.membership = changes["membership"]
        if changes.get("deputy_for") is not None:
            target = changes["deputy_for"]
            if target:
                get_person(store, target)
                if target == ident:
                    raise InputError("a person cannot deputise for themselves")
            person.deputy_for = target or None
        _write(store, store.orgs, store.people, person=ident)
    return person


def leave_person(store: Store, ident: str, on: Any = None, *, undo: bool = False) -> tuple[model.Person, list[str]]:
    """Record that a person left the group (``on``, default today): kept in people.toml for
    the record, out of new lists, mailings and quorum counts from that day. ``undo`` brings them
    back. Returns (the person, the open actions they still own)."""
    from escg.core import dates

    with store.lock:
        store.forget()
        person = get_person(store, ident)
        if undo:
            if person.left is None:
                raise ConflictError(f"{ident} has not left the group")
            person.left = None
        else:
            day = on or dates.today()
            if person.left is not None and person.left == day:
                raise ConflictError(f"{ident} left the group on {day.isoformat()} already")
            person.left = day
        _write(store, store.orgs, store.people, person=ident)
    from escg.store.query import OPEN

    owned = [a.id for a in store.select_actions(ActionQuery(statuses=OPEN, owner=ident))] if not undo else []
    return person, owned


def _naming(store: Store, *, person: str | None = None, org: str | None = None) -> list[model.Meeting]:
    """The meetings that the index says name ``person`` or ``org``, read in full."""
    return [store.meeting(summary.id) for summary in store.select_meetings(MeetingQuery(person=person, org=org))]


def _items(store: Store, meetings: list[model.Meeting]):
    """Every agenda item of ``meetings`` and of the forward plan, with where it is."""
    for meeting in meetings:
        for index, item in enumerate(meeting.items, start=1):
            yield f"meeting {meeting.id} item {index}", item
    for index, item in enumerate(store.forward_plan, start=1):
        yield f"forward plan item {index}", item


def person_references(store: Store, ident: str) -> list[str]:
    """Where ``ident`` is still named: deputies, the chair, a meeting's chair or vice-chair,
    agenda items, actions."""
    found = [f"deputy {p.id}" for p in store.people.values() if p.deputy_for == ident]
    if store.group.chair == ident:
        found.append("the chair in escg.toml")
    found += [f"chair of meeting {m.id}" for m in store.select_meetings(MeetingQuery(chair=ident))]
    # The index's summaries name everyone a meeting names: only those meetings are read, once.
    named = _naming(store, person=ident)
    found += [f"vice-chair of meeting {meeting.id}" for meeting in named if meeting.vice_chair == ident]
    found += [where for where, item in _items(store, named) if ident in (item.presenter, item.submitted_by)]
    found += [f"action {a.id}" for a in store.select_actions(ActionQuery(owner=ident))]
    return found


def remove_person(store: Store, ident: str) -> None:
    with store.lock:
        store.forget()
        get_person(store, ident)
        found = person_references(store, ident)
        if found:
            more = f" and {len(found) - 5} more" if len(found) > 5 else ""
            raise ConflictError(f"person {ident!r} is still referenced by {', '.join(found[:5])}{more}; change those first")
        people = {k: v for k, v in store.people.items() if k != ident}
        _write(store, store.orgs, people, person=ident)
