"""The register of interests: what each person has declared, in ``interests.toml``.

An optional file at the store root, one ``[[interests]]`` table per declared
interest: the person, the interest as text, and optionally the organisations
and themes it touches and the dates it runs from and until. `escg interest`
keeps it (through the store's transaction, tomlkit keeping the file's
comments); `escg check` validates it; and `escg agenda new` prompts a
declaration for each item whose organisation or theme touches a registered
interest of someone expected at the meeting.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from escg.core import dates, model
from escg.core.errors import InputError, NotFoundError, StoreError
from escg.core.records import field, record
from escg.domain.people import get_org, get_person
from escg.store import Store
from escg.store.loader import read

INTERESTS = "interests.toml"
HEADER = """The register of interests: one [[interests]] table per declared interest.
Edit by hand or with `escg interest`; comments are kept. See docs/store-format.md."""
KEYS = ("person", "text", "orgs", "themes", "from", "until")
MAX_INTEREST = 1000  # characters of one interest's text
MAX_INTERESTS = 10_000


@record
class Interest:
    number: int  # its place in the file, from 1: what `interest remove` takes
    person: str
    text: str
    orgs: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    since: date | None = None  # the file's `from`
    until: date | None = None

    def current(self, day: date) -> bool:
        """Whether the interest was registered as held on ``day``."""
        return (self.since is None or self.since <= day) and (self.until is None or day <= self.until)

    def to_toml(self) -> dict[str, Any]:
        data: dict[str, Any] = {"person": self.person, "text": self.text}
        for key, value in (("orgs", self.orgs), ("themes", self.themes), ("from", self.since), ("until", self.until)):
            if value:
                data[key] = value
        return data


def _text_list(entry: dict, key: str, path: tuple, problems: model.Problems) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(path + (key,), f"'{key}' must be a list of ids, such as [\"essex-police\"]")
        return []
    for ident in value:
        if not model.SLUG.fullmatch(ident):
            problems.add(path + (key,), f"{ident[:60]!r} in '{key}' is not an id (lower-case letters, digits, hyphens)")
    return list(value)


def _day(entry: dict, key: str, path: tuple, problems: model.Problems) -> date | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    problems.add(path + (key,), f"'{key}' must be a TOML date such as 2026-04-01, not {value!r}")
    return None


def interests_from_toml(data: dict, problems: model.Problems) -> list[Interest]:
    """The register, every problem of the file's own shape reported (references are `escg check`'s)."""
    for key in data:
        if key != "interests":
            problems.add((key,), f"unknown key '{key}' (expected [[interests]] tables)")
    entries = data.get("interests", [])
    if not isinstance(entries, list):
        problems.add(("interests",), "'interests' must be an array of tables ([[interests]])")
        return []
    if len(entries) > MAX_INTERESTS:
        problems.add(("interests",), f"more than {MAX_INTERESTS} interests")
        return []
    found = []
    for index, entry in enumerate(entries):
        path: tuple = ("interests", index)
        if not isinstance(entry, dict):
            problems.add(path, "each [[interests]] entry must be a table")
            continue
        for key in entry:
            if key not in KEYS:
                problems.add(path + (key,), f"unknown key '{key}' (expected one of: {', '.join(KEYS)})")
        person = entry.get("person")
        if not isinstance(person, str) or not model.SLUG.fullmatch(person):
            problems.add(path + ("person",), "'person' is required: the id of a person in people.toml"
                         if person is None else f"'person' must be a person id, not {person!r}")
            person = ""
        text = entry.get("text")
        if not isinstance(text, str) or not text.strip():
            problems.add(path + ("text",), "'text' is required: the interest, such as \"Trustee of Essex Youth Trust\"")
            text = ""
        elif len(text) > MAX_INTEREST:
            problems.add(path + ("text",), f"'text' is longer than {MAX_INTEREST} characters")
        since, until = _day(entry, "from", path, problems), _day(entry, "until", path, problems)
        if since and until and until < since:
            problems.add(path + ("until",), f"'until' ({until.isoformat()}) is before 'from' ({since.isoformat()})")
        found.append(Interest(index + 1, person, text, _text_list(entry, "orgs", path, problems),
                              _text_list(entry, "themes", path, problems), since, until))
    return found


def register(store: Store) -> list[Interest]:
    """Every declared interest, in file order ([] without an interests.toml)."""
    path = store.path(INTERESTS)
    if not path.exists():
        return []
    return read(path, interests_from_toml, store.root)


INTEREST_JSON_KEYS = ["number", "person", "name", "text", "orgs", "themes", "from", "until"]  # interest_json's


def interest_json(store: Store, interest: Interest) -> dict[str, Any]:
    """The JSON contract of an interest (docs/json.md): INTEREST_JSON_KEYS."""
    person = store.people.get(interest.person)
    return {"number": interest.number, "person": interest.person, "name": person.name if person else None,
            "text": interest.text, "orgs": list(interest.orgs), "themes": list(interest.themes),
            "from": interest.since.isoformat() if interest.since else None,
            "until": interest.until.isoformat() if interest.until else None}


def list_interests(store: Store, person: str | None = None) -> list[Interest]:
    """The register sorted by person, then file order; with ``person``, theirs only."""
    if person is not None:
        get_person(store, person)
    return sorted((i for i in register(store) if person is None or i.person == person),
                  key=lambda i: (i.person, i.number))


def _clean(text: str) -> str:
    if any(ord(c) < 32 or c == "\x7f" for c in text):
        raise InputError("the interest must be one line of text without control characters")
    text = " ".join(text.split())
    if not text:
        raise InputError("give the interest as text, such as \"Trustee of Essex Youth Trust\"")
    if len(text) > MAX_INTEREST:
        raise InputError(f"the interest is longer than {MAX_INTEREST} characters")
    return text


def _unique(values: list[str] | None) -> list[str]:
    found: dict[str, None] = {}
    for value in values or []:
        for part in value.split(","):
            if part.strip():
                found.setdefault(part.strip())
    return list(found)


def add_interest(store: Store, person: str, text: str, *, orgs: list[str] | None = None,
                 themes: list[str] | None = None, since: str | None = None, until: str | None = None) -> Interest:
    """Register an interest; everything is checked before the file is written."""
    text = _clean(text)
    org_ids, theme_ids = _unique(orgs), _unique(themes)
    start = dates.parse_date(since) if since else None
    end = dates.parse_date(until) if until else None
    if start and end and end < start:
        raise InputError(f"--until {end.isoformat()} is before --from {start.isoformat()}")
    with store.transaction() as txn:
        get_person(store, person)
        for org in org_ids:
            get_org(store, org)
        for theme in theme_ids:
            if theme not in store.group.themes:
                raise NotFoundError(f"no theme {theme!r} in escg.toml [themes] (themes: "
                                    f"{', '.join(store.group.themes) or 'none'})")
        existing = register(store)
        interest = Interest(len(existing) + 1, person, text, org_ids, theme_ids, start, end)

        def change(document: Any) -> None:
            import tomlkit

            table = tomlkit.table()
            for key, value in interest.to_toml().items():
                table[key] = value
            table.add(tomlkit.nl())
            if "interests" not in document:
                document["interests"] = tomlkit.aot()
            elif len(document["interests"]) and not tomlkit.dumps(document).endswith("\n\n"):
                document["interests"][-1].add(tomlkit.nl())  # a blank line before the new table
            document["interests"].append(table)

        txn.edit(store.path(INTERESTS), change, parse=interests_from_toml,
                 create="".join(f"# {line}\n" for line in HEADER.splitlines()) + "\n")
    return interest


def remove_interest(store: Store, number: int, person: str | None = None) -> Interest:
    """Take interest ``number`` (as `escg interest list` numbers it) off the register."""
    with store.transaction() as txn:
        found = register(store)
        if not 1 <= number <= len(found):
            raise NotFoundError(f"no interest {number} in the register (it has {len(found)}; see `escg interest list`)")
        interest = found[number - 1]
        if person is not None and interest.person != person:
            raise InputError(f"interest {number} is {interest.person}'s, not {person}'s")

        def change(document: Any) -> None:
            del document["interests"][number - 1]
            if not len(document["interests"]):
                del document["interests"]

        txn.edit(store.path(INTERESTS), change, parse=interests_from_toml)
    return interest


# --- `escg check` ----------------------------------------------------------------


def check_register(checker: Any, persons: dict, orgs: dict, themes: dict) -> None:
    """Add every problem of interests.toml to ``checker`` (escg.workflows.check.Checker), with its line."""
    path = checker.root / INTERESTS
    if not path.exists() and not path.is_symlink():
        return
    loaded = checker.read(path, interests_from_toml)
    if loaded is None:
        return
    for interest in loaded.value:
        where = ("interests", interest.number - 1)
        if interest.person and interest.person not in persons:
            checker.add(loaded, where + ("person",), f"person {interest.person!r} is not in people.toml")
        for org in interest.orgs:
            if org not in orgs:
                checker.add(loaded, where + ("orgs",), f"organisation {org!r} is not in people.toml")
        for theme in interest.themes:
            if theme not in themes:
                checker.add(loaded, where + ("themes",), f"theme {theme!r} is not in escg.toml [themes]")


# --- `escg agenda new` -----------------------------------------------------------


def expected_at(store: Store, meeting: model.Meeting) -> list[str]:
    """Who is expected at ``meeting``: the members, and whoever is recorded as attending
    (present, or substituting), less those who sent apologies or were absent."""
    record = meeting.attendance
    away = set(record.apologies) | set(record.absent)
    members = [p.id for p in store.people.values() if p.membership == "member" and p.active_on(meeting.date)]
    found = dict.fromkeys(person for person in [*members, *record.attending] if person not in away)
    return list(found)


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def declaration_prompts(store: Store, agenda: Any) -> list[str]:
    """Lines for stderr: each placed item of ``agenda`` (escg.domain.agenda.Agenda) whose organisation
    or theme touches a registered interest, current on the meeting's day, of someone expected."""
    try:
        found = register(store)
    except StoreError as error:
        # The agenda is written already: a broken register must not look as if that failed.
        return [f"warning: no declarations prompted: {error} (see `escg check`)"]
    meeting = agenda.meeting
    if not found:
        return []
    expected = set(expected_at(store, meeting))
    current = [i for i in found if i.person in expected and i.current(meeting.date)]
    lines = []
    for row in agenda.rows:
        item = row.item
        if item.standing:
            continue
        for interest in current:
            if (item.org and item.org in interest.orgs) or (item.theme and item.theme in interest.themes):
                person = store.people.get(interest.person)
                name = person.name if person else interest.person
                lines.append(f"note: item {row.number} ({_short(item.title)}) touches the registered interest of "
                             f"{name} ({_short(interest.text)}): ask for a declaration")
    return lines
