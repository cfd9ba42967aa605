"""The domain as plain record classes (escg.core.records), with their TOML shape: pure, no I/O.

Each ``*_from_toml`` function reads the dict that tomllib produced and reports
every problem it finds to a ``Problems`` collector as (key path, message), so
that a read can stop at the first problem while ``escg check`` lists them all.
Each ``to_toml`` returns the keys in the stable order they are written in.
"""

from __future__ import annotations

from escg.core.patterns import Pattern

import functools
import re
from escg.core.records import field, record
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Any

SECTORS = ("council", "police", "fire", "health", "education", "voluntary", "other")
MEMBERSHIPS = ("member", "deputy", "adviser", "guest")
PURPOSES = ("decision", "discussion", "information", "assurance", "deep dive")


class ItemStatus(StrEnum):
    """An agenda item's standing: proposed (awaiting the chair's yes), accepted, deferred
    (to a later meeting) or withdrawn. Ask ``shown``, not the literals."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"

    @property
    def shown(self) -> bool:
        """On the agenda: accepted, or proposed (marked as such)."""
        return self in (ItemStatus.ACCEPTED, ItemStatus.PROPOSED)


ITEM_STATUSES = tuple(status.value for status in ItemStatus)
_ITEM_STATUS = {status.value: status for status in ItemStatus}  # as ItemStatus(v), without Enum's call


class MeetingStatus(StrEnum):
    """A meeting's lifecycle: planned -> agenda-published -> held -> minutes-draft ->
    minutes-approved, or cancelled. Ask the predicates, not the literals."""

    PLANNED = "planned"
    AGENDA_PUBLISHED = "agenda-published"
    HELD = "held"
    MINUTES_DRAFT = "minutes-draft"
    MINUTES_APPROVED = "minutes-approved"
    CANCELLED = "cancelled"

    @property
    def cancelled(self) -> bool:
        return self is MeetingStatus.CANCELLED

    @property
    def upcoming(self) -> bool:
        """Not held yet and not cancelled: its agenda can still change."""
        return self in (MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED)

    @property
    def took_place(self) -> bool:
        """Held, whatever the state of its minutes."""
        return self in (MeetingStatus.HELD, MeetingStatus.MINUTES_DRAFT, MeetingStatus.MINUTES_APPROVED)

    @property
    def has_minutes(self) -> bool:
        return self in (MeetingStatus.MINUTES_DRAFT, MeetingStatus.MINUTES_APPROVED)

    @property
    def approved(self) -> bool:
        return self is MeetingStatus.MINUTES_APPROVED


MEETING_STATUSES = tuple(status.value for status in MeetingStatus)
# The predicates as sets, for a query (escg.store.MeetingQuery.statuses).
WITH_MINUTES = frozenset(status for status in MeetingStatus if status.has_minutes)
DRAFT_MINUTES = frozenset({MeetingStatus.MINUTES_DRAFT})
_MEETING_STATUS = {status.value: status for status in MeetingStatus}  # as MeetingStatus(v), without Enum's call
STANDING_POSITIONS = ("start", "end")

# A slug: lower-case letters, digits and single hyphens, at most 64 characters.
SLUG = Pattern(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63}")
MEETING_ID = Pattern(r"(\d{4})-(\d{2})-(\d{2})([b-z])?")
EMAIL = Pattern(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
CLOCK = Pattern(r"([01]\d|2[0-3]):([0-5]\d)")
# The one allow-list of links in documents: http(s) addresses, or (papers only)
# a relative path inside the store. A browser trims spaces and controls around an href and
# reads a backslash as a slash, so " javascript:x" and "\\\\server\\x" are refused, never trimmed.
WEB_LINK = Pattern(r"https?://[^\s<>\"'`\\]+", re.IGNORECASE)
SCHEME = Pattern(r"[A-Za-z][A-Za-z0-9+.-]*:")


def link_problem(value: str) -> str | None:
    """Why ``value`` is not a web link (http or https), or None."""
    if WEB_LINK.fullmatch(value):
        return None
    return f"{value[:60]!r} is not an http:// or https:// address"


def paper_problem(value: str) -> str | None:
    """Why ``value`` is neither a web link nor a path inside the store, or None."""
    if WEB_LINK.fullmatch(value):
        return None
    trimmed = value.strip()
    if (not trimmed or trimmed != value or SCHEME.match(trimmed) or trimmed.startswith(("/", "~"))
            or "\\" in value or ".." in value.split("/")
            or any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 or c in "<>\"`" for c in value)):
        return (f"paper {value[:60]!r} must be an http(s) address or a path inside the store, "
                "such as papers/report.pdf (no spaces around it, no backslashes)")
    return None

MAX_TEXT = 10_000
MAX_TITLE = 300


Path = tuple[str | int, ...]


class Problems:
    """Collects (key path, message) pairs found while reading one file."""

    def __init__(self) -> None:
        self.items: list[tuple[Path, str]] = []

    def add(self, path: Path, message: str) -> None:
        self.items.append((path, message))

    def __bool__(self) -> bool:
        return bool(self.items)


# --- small typed getters that record a problem instead of raising ------------


def _text(data: dict, key: str, path: Path, problems: Problems, *, required: bool = False,
          limit: int = MAX_TEXT) -> str | None:
    value = data.get(key)
    if value.__class__ is str and len(value) <= limit and (not required or value and not value.isspace()):
        return value  # the common case, first: a meeting file asks this 300 times
    if value is None:
        if required:
            problems.add(path + (key,), f"'{key}' is required")
        return None
    if not isinstance(value, str):
        problems.add(path + (key,), f"'{key}' must be text, not {type(value).__name__}")
        return None
    if required and not value.strip():
        problems.add(path + (key,), f"'{key}' must not be empty")
    if len(value) > limit:
        problems.add(path + (key,), f"'{key}' is longer than {limit} characters")
    return value


def _choice(data: dict, key: str, choices: tuple[str, ...], default: str, path: Path,
            problems: Problems) -> str:
    value = data.get(key, default)
    if value not in choices:
        problems.add(path + (key,), f"'{key}' must be one of {', '.join(choices)}, not {value!r}")
        return default
    return value


def _int(data: dict, key: str, default: int, low: int, high: int, path: Path,
         problems: Problems) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(path + (key,), f"'{key}' must be a whole number, not {value!r}")
        return default
    if not low <= value <= high:
        problems.add(path + (key,), f"'{key}' must be between {low} and {high}, not {value}")
        return default
    return value


def _clock(data: dict, key: str, default: time | None, path: Path, problems: Problems) -> time | None:
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, str) and (match := CLOCK.fullmatch(value)):
        return time(int(match[1]), int(match[2]))
    problems.add(path + (key,), f"'{key}' must be a 24-hour time such as \"10:00\", not {value!r}")
    return default


def _date(data: dict, key: str, path: Path, problems: Problems, *, required: bool = False) -> date | None:
    value = data.get(key)
    if value is None:
        if required:
            problems.add(path + (key,), f"'{key}' is required")
        return None
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    problems.add(path + (key,), f"'{key}' must be a TOML date such as 2026-12-03, not {value!r}")
    return None


def _text_list(data: dict, key: str, path: Path, problems: Problems) -> list[str]:
    if key not in data:
        return []  # the common case, first: an agenda item asks this three times
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(path + (key,), f"'{key}' must be a list of text")
        return []
    return list(value)


def _unknown(data: dict, known: tuple[str, ...], path: Path, problems: Problems) -> None:
    for key in data:
        if key not in known:
            problems.add(path + (key,), f"unknown key '{key}' (expected one of: {', '.join(known)})")


def clock(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _compact(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Drop keys with no value so files stay short and diffs small."""
    return {key: value for key, value in pairs if value not in (None, "", [], {})}


# --- the group's settings (escg.toml) ----------------------------------------


@record
class StandingItem:
    id: str
    title: str
    minutes: int = 5
    position: str = "start"
    purpose: str = "information"


DEFAULT_STANDING = [
    StandingItem("welcome", "Welcome, introductions and apologies", 5, "start", "information"),
    StandingItem("declarations", "Declarations of interest", 5, "start", "information"),
    StandingItem("minutes", "Minutes of the last meeting and matters arising", 10, "start", "decision"),
    StandingItem("actions", "Action log review", 15, "start", "assurance"),
    StandingItem("aob", "Any other business", 10, "end", "information"),
    StandingItem("next-meeting", "Date of next meeting", 5, "end", "information"),
]


@record
class Group:
    name: str
    short: str
    chair: str | None = None
    secretariat: str | None = None
    quorum: str | int | None = None
    rag_window: int = 14
    papers_days: int = 5  # clear days before a meeting by which its papers are due (`remind --papers`)
    publish_drafts: bool = False  # `escg publish` puts draft minutes on the public site too
    themes: dict[str, str] = field(default_factory=dict)
    start: time = time(10, 0)
    end: time = time(12, 0)
    venue: str | None = None
    online: str | None = None
    rrule: str | None = None
    standing: list[StandingItem] = field(default_factory=lambda: list(DEFAULT_STANDING))
    mail: dict[str, Any] = field(default_factory=dict)
    # Confidential items (docs/store-format.md): short keys for the reasons an item is
    # exempt ("3" -> the text of paragraph 3 of Schedule 12A), and the resolution that
    # excludes the press and public before the first of them (None: the default).
    exemptions: dict[str, str] = field(default_factory=dict)
    exclusion: str | None = None


GROUP_KEYS = ("name", "short", "chair", "secretariat", "quorum", "rag_window", "papers_days", "publish_drafts", "themes",
              "defaults", "standing", "mail", "exemptions", "exclusion")
DEFAULTS_KEYS = ("start", "end", "venue", "online", "rrule")
STANDING_KEYS = ("id", "title", "minutes", "position", "purpose")


def group_from_toml(data: dict, problems: Problems) -> Group:
    _unknown(data, GROUP_KEYS, (), problems)
    name = _text(data, "name", (), problems, required=True, limit=MAX_TITLE) or "?"
    short = _text(data, "short", (), problems, required=True, limit=32) or "?"
    group = Group(name=name, short=short)
    group.chair = _text(data, "chair", (), problems)
    group.secretariat = _text(data, "secretariat", (), problems)
    if group.secretariat and not EMAIL.fullmatch(group.secretariat):
        problems.add(("secretariat",), f"'secretariat' is not an e-mail address: {group.secretariat!r}")
    quorum = data.get("quorum")
    if quorum is not None:
        if isinstance(quorum, bool) or not isinstance(quorum, (int, str)):
            problems.add(("quorum",), "'quorum' must be a number of members or a fraction such as \"1/3\"")
        else:
            try:
                quorum_needed(quorum, 10)
                if isinstance(quorum, int) and quorum < 1:
                    raise ValueError("'quorum' must be at least 1 member")
                group.quorum = quorum
            except ValueError as error:
                problems.add(("quorum",), str(error))
    group.rag_window = _int(data, "rag_window", 14, 0, 365, (), problems)
    group.papers_days = _int(data, "papers_days", 5, 0, 60, (), problems)
    drafts = data.get("publish_drafts", False)
    if not isinstance(drafts, bool):
        problems.add(("publish_drafts",), "'publish_drafts' must be true or false")
        drafts = False
    group.publish_drafts = drafts
    themes = data.get("themes", {})
    if not isinstance(themes, dict):
        problems.add(("themes",), "'themes' must be a table of id = \"name\"")
    else:
        for key, value in themes.items():
            if not SLUG.fullmatch(key):
                problems.add(("themes", key), f"theme id {key!r} must be a slug such as 'health-wellbeing'")
            if not isinstance(value, str) or not value.strip():
                problems.add(("themes", key), f"theme '{key}' needs a name as text")
            else:
                group.themes[key] = value
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        problems.add(("defaults",), "'defaults' must be a table")
        defaults = {}
    _unknown(defaults, DEFAULTS_KEYS, ("defaults",), problems)
    group.start = _clock(defaults, "start", time(10, 0), ("defaults",), problems) or time(10, 0)
    group.end = _clock(defaults, "end", time(12, 0), ("defaults",), problems) or time(12, 0)
    group.venue = _text(defaults, "venue", ("defaults",), problems)
    group.online = _text(defaults, "online", ("defaults",), problems)
    if group.online and (why := link_problem(group.online)):
        problems.add(("defaults", "online"), f"'online' {why}")
    group.rrule = _text(defaults, "rrule", ("defaults",), problems)
    if "standing" in data:
        standing = data["standing"]
        group.standing = []
        if not isinstance(standing, list):
            problems.add(("standing",), "'standing' must be an array of tables ([[standing]])")
            standing = []
        seen: set[str] = set()
        for index, entry in enumerate(standing):
            path: Path = ("standing", index)
            if not isinstance(entry, dict):
                problems.add(path, "each [[standing]] entry must be a table")
                continue
            _unknown(entry, STANDING_KEYS, path, problems)
            ident = _text(entry, "id", path, problems, required=True) or f"standing-{index}"
            if not SLUG.fullmatch(ident):
                problems.add(path + ("id",), f"standing item id {ident!r} must be a slug such as 'aob'")
            if ident in seen:
                problems.add(path + ("id",), f"standing item id {ident!r} is used twice")
            seen.add(ident)
            group.standing.append(StandingItem(
                id=ident,
                title=_text(entry, "title", path, problems, required=True, limit=MAX_TITLE) or ident,
                minutes=_int(entry, "minutes", 5, 0, 600, path, problems),
                position=_choice(entry, "position", STANDING_POSITIONS, "start", path, problems),
                purpose=_choice(entry, "purpose", PURPOSES, "information", path, problems),
            ))
    mail = data.get("mail", {})
    if not isinstance(mail, dict):
        problems.add(("mail",), "'mail' must be a table")
    else:
        group.mail = dict(mail)
    exemptions = data.get("exemptions", {})
    if not isinstance(exemptions, dict):
        problems.add(("exemptions",), "'exemptions' must be a table of key = \"reason\"")
    else:
        for key, value in exemptions.items():
            if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
                problems.add(("exemptions", key), f"exemption '{key}' needs its reason as text")
            else:
                group.exemptions[str(key)] = " ".join(value.split())
    group.exclusion = _text(data, "exclusion", (), problems, limit=MAX_TEXT)
    return group


def quorum_needed(rule: str | int | None, members: int) -> int | None:
    """How many members make a quorum under ``rule`` (a count or a fraction "1/3")."""
    if rule is None:
        return None
    if isinstance(rule, int):
        return rule
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", rule)
    if match and int(match[2]) > 0 and int(match[1]) <= int(match[2]):
        numerator, denominator = int(match[1]), int(match[2])
        return -(-members * numerator // denominator)  # ceiling
    if rule.strip().isdigit():
        return int(rule)
    raise ValueError(f"bad quorum rule {rule!r}: use a number of members or a fraction such as \"1/3\"")


# --- organisations and people (people.toml) ----------------------------------


@record
class Organisation:
    id: str
    name: str
    sector: str = "other"

    def to_toml(self) -> dict[str, Any]:
        return _compact([("name", self.name), ("sector", self.sector)])


@record
class Person:
    id: str
    name: str
    org: str
    role: str | None = None
    email: str | None = None
    membership: str = "member"
    deputy_for: str | None = None
    # The day they left the group (`escg person leave`): kept for the record, out of new lists.
    left: date | None = None

    def active_on(self, day: date) -> bool:
        """Still with the group on ``day`` (they left after it, or not at all)."""
        return self.left is None or day < self.left

    def to_toml(self) -> dict[str, Any]:
        return _compact([
            ("name", self.name), ("org", self.org), ("role", self.role),
            ("email", self.email), ("membership", self.membership),
            ("deputy_for", self.deputy_for), ("left", self.left),
        ])


ORG_KEYS = ("name", "sector")
PERSON_KEYS = ("name", "org", "role", "email", "membership", "deputy_for", "left")


def people_from_toml(data: dict, problems: Problems) -> tuple[dict[str, Organisation], dict[str, Person]]:
    _unknown(data, ("orgs", "people"), (), problems)
    orgs: dict[str, Organisation] = {}
    people: dict[str, Person] = {}
    for ident, entry in _tables(data, "orgs", problems):
        path: Path = ("orgs", ident)
        _unknown(entry, ORG_KEYS, path, problems)
        orgs[ident] = Organisation(
            id=ident,
            name=_text(entry, "name", path, problems, required=True, limit=MAX_TITLE) or ident,
            sector=_choice(entry, "sector", SECTORS, "other", path, problems),
        )
    for ident, entry in _tables(data, "people", problems):
        path = ("people", ident)
        _unknown(entry, PERSON_KEYS, path, problems)
        person = Person(
            id=ident,
            name=_text(entry, "name", path, problems, required=True, limit=MAX_TITLE) or ident,
            org=_text(entry, "org", path, problems, required=True) or "",
            role=_text(entry, "role", path, problems, limit=MAX_TITLE),
            email=_text(entry, "email", path, problems, limit=254),
            membership=_choice(entry, "membership", MEMBERSHIPS, "member", path, problems),
            deputy_for=_text(entry, "deputy_for", path, problems),
            left=_date(entry, "left", path, problems),
        )
        if person.email and not EMAIL.fullmatch(person.email):
            problems.add(path + ("email",), f"not an e-mail address: {person.email!r}")
        people[ident] = person
    for person in people.values():
        path = ("people", person.id)
        if person.org and person.org not in orgs:
            problems.add(path + ("org",), f"unknown organisation {person.org!r}")
        if person.deputy_for:
            if person.deputy_for not in people:
                problems.add(path + ("deputy_for",), f"unknown person {person.deputy_for!r}")
            elif person.deputy_for == person.id:
                problems.add(path + ("deputy_for",), "a person cannot deputise for themselves")
    return orgs, people


def _tables(data: dict, key: str, problems: Problems):
    section = data.get(key, {})
    if not isinstance(section, dict):
        problems.add((key,), f"'{key}' must be a table of tables ([{key}.<id>])")
        return
    for ident, entry in section.items():
        if not SLUG.fullmatch(ident):
            problems.add((key, ident), f"id {ident!r} must be a slug: lower-case letters, digits and hyphens")
        if not isinstance(entry, dict):
            problems.add((key, ident), f"[{key}.{ident}] must be a table")
            continue
        yield ident, entry


# --- meetings and their agenda items (meetings/YYYY/<id>.toml) ---------------


@record
class Declaration:
    person: str
    text: str

    def to_toml(self) -> dict[str, Any]:
        return {"person": self.person, "text": self.text}


@record
class AgendaItem:
    title: str
    purpose: str = "discussion"
    presenter: str | None = None
    org: str | None = None
    theme: str | None = None
    minutes: int = 15
    papers: list[str] = field(default_factory=list)
    submitted_by: str | None = None
    submitted: date | None = None
    status: ItemStatus = ItemStatus.ACCEPTED
    standing: str | None = None
    deferred_from: str | None = None
    # Who presented it at the meeting, when not the presenter named on the agenda.
    presented_by: str | None = None
    # A forward-plan item's aim: a month ("2027-03") or a meeting id; `agenda new` places it.
    aim: str | None = None
    # The minutes of this item: notes, decisions, declarations of interest.
    notes: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    # Confidential ("Part II"): the reason it is exempt from publication, and the neutral
    # title the public forms show instead of the real one (docs/store-format.md).
    confidential: str | None = None
    public_title: str | None = None
    # Index of the [[items]] table this came from, so a write reuses that table
    # (and its comments); None for an item not yet in the file.
    source: int | None = field(default=None, compare=False, repr=False)

    def to_toml(self) -> dict[str, Any]:
        data = _compact([
            ("title", self.title), ("standing", self.standing), ("purpose", self.purpose),
            ("presenter", self.presenter), ("org", self.org), ("theme", self.theme),
            ("minutes", self.minutes), ("papers", self.papers),
            ("submitted_by", self.submitted_by), ("submitted", self.submitted),
            ("status", str(self.status)), ("deferred_from", self.deferred_from),
            ("presented_by", self.presented_by), ("aim", self.aim), ("notes", self.notes), ("decisions", self.decisions),
            ("declarations", [d.to_toml() for d in self.declarations]),
            ("confidential", self.confidential), ("public_title", self.public_title),
        ])
        data["minutes"] = self.minutes
        return data


ITEM_KEYS = ("title", "standing", "purpose", "presenter", "org", "theme", "minutes", "papers",
             "submitted_by", "submitted", "status", "deferred_from", "presented_by", "aim", "notes", "decisions",
             "declarations", "confidential", "public_title")
AIM = Pattern(r"\d{4}-(0[1-9]|1[0-2])(-\d{2}[b-z]?)?")


def _declarations(entry: dict, path: Path, problems: Problems) -> list[Declaration]:
    raw = entry.get("declarations", [])
    if not isinstance(raw, list):
        problems.add(path + ("declarations",), "'declarations' must be a list of { person, text } tables")
        return []
    found = []
    for value in raw:
        where = path + ("declarations",)
        if not isinstance(value, dict):
            problems.add(where, "each declaration must be a table { person = \"id\", text = \"...\" }")
            continue
        _unknown(value, ("person", "text"), where, problems)
        person = _text(value, "person", where, problems, required=True)
        text = _text(value, "text", where, problems, required=True)
        if person and text is not None:
            found.append(Declaration(person, text))
    return found


def _papers(entry: dict, path: Path, problems: Problems) -> list[str]:
    papers = _text_list(entry, "papers", path, problems)
    for paper in papers:
        if why := paper_problem(paper):
            problems.add(path + ("papers",), why)
    return papers


def _aim(entry: dict, path: Path, problems: Problems) -> str | None:
    aim = _text(entry, "aim", path, problems)
    if aim is not None and not AIM.fullmatch(aim):
        problems.add(path + ("aim",), f"'aim' must be a month such as \"2027-03\" or a meeting id, not {aim!r}")
        return None
    return aim


def _confidential(entry: dict, path: Path, problems: Problems) -> str | None:
    reason = _text(entry, "confidential", path, problems)
    if reason is not None and not reason.strip():
        # An empty reason would read as "not confidential" and publish the item.
        problems.add(path + ("confidential",), "'confidential' needs the reason the item is exempt, as text")
        return "Confidential"
    return reason


def item_from_toml(entry: dict, path: Path, problems: Problems) -> AgendaItem:
    _unknown(entry, ITEM_KEYS, path, problems)
    return AgendaItem(
        title=_text(entry, "title", path, problems, required=True, limit=MAX_TITLE) or "?",
        purpose=_choice(entry, "purpose", PURPOSES, "discussion", path, problems),
        presenter=_text(entry, "presenter", path, problems),
        org=_text(entry, "org", path, problems),
        theme=_text(entry, "theme", path, problems),
        minutes=_int(entry, "minutes", 15, 0, 600, path, problems),
        papers=_papers(entry, path, problems),
        submitted_by=_text(entry, "submitted_by", path, problems),
        submitted=_date(entry, "submitted", path, problems),
        status=_ITEM_STATUS[_choice(entry, "status", ITEM_STATUSES, ItemStatus.ACCEPTED.value, path, problems)],
        standing=_text(entry, "standing", path, problems),
        deferred_from=_text(entry, "deferred_from", path, problems),
        presented_by=_text(entry, "presented_by", path, problems),
        aim=_aim(entry, path, problems),
        notes=_text_list(entry, "notes", path, problems),
        decisions=_text_list(entry, "decisions", path, problems),
        declarations=_declarations(entry, path, problems),
        confidential=_confidential(entry, path, problems),
        public_title=_text(entry, "public_title", path, problems, limit=MAX_TITLE),
        source=path[-1] if path and isinstance(path[-1], int) else None,
    )


@record
class Circulation:
    """One sending of a document: what (agenda, minutes, actions), when (UTC), to whom."""

    what: str
    at: datetime
    to: list[str] = field(default_factory=list)  # person ids

    def to_toml(self) -> dict[str, Any]:
        return {"what": self.what, "at": self.at, "to": list(self.to)}


CIRCULATED = ("agenda", "minutes", "actions", "invite")  # invite: `escg mail invite`, iTIP


def circulated_from_toml(data: dict, problems: Problems) -> list[Circulation]:
    found = []
    for path, entry in _table_list(data, "circulated", (), problems):
        _unknown(entry, ("what", "at", "to"), path, problems)
        what = _choice(entry, "what", CIRCULATED, "agenda", path, problems)
        at = entry.get("at")
        if isinstance(at, datetime):
            at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
        else:
            problems.add(path + ("at",), "'at' must be a date and time, such as 2026-11-26T09:00:00Z")
            continue
        found.append(Circulation(what, at, _text_list(entry, "to", path, problems)))
    return found


@record
class Meeting:
    id: str
    date: date
    start: time
    end: time
    venue: str | None = None
    online: str | None = None
    status: MeetingStatus = MeetingStatus.PLANNED
    chair: str | None = None
    vice_chair: str | None = None
    note: str | None = None
    uid: str | None = None  # the calendar UID, kept across moves
    sequence: int = 0  # raised on each move or cancellation, so calendars update
    agenda_built: bool = False
    items: list[AgendaItem] = field(default_factory=list)
    attendance: Attendance = field(default_factory=lambda: Attendance())
    minutes: MinutesRecord = field(default_factory=lambda: MinutesRecord())
    # What was sent, when and to whom (`escg mail ... --send`): the circulation log.
    circulated: list[Circulation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.status = MeetingStatus(self.status)  # a caller may pass the plain text

    def last_sent(self, what: str) -> Circulation | None:
        return next((c for c in reversed(self.circulated) if c.what == what), None)

    @property
    def has_confidential_items(self) -> bool:
        return any(item.confidential for item in self.items)

    @property
    def year(self) -> int:
        return self.date.year

    def to_toml(self) -> dict[str, Any]:
        data = _compact([
            ("date", self.date), ("start", clock(self.start)), ("end", clock(self.end)),
            ("venue", self.venue), ("online", self.online), ("status", self.status.value),
            ("chair", self.chair), ("vice_chair", self.vice_chair), ("note", self.note), ("uid", self.uid),
        ])
        if self.sequence:
            data["sequence"] = self.sequence
        if self.agenda_built:
            data["agenda_built"] = True
        if not self.attendance.empty:
            data["attendance"] = self.attendance.to_toml()
        if not self.minutes.empty:
            data["minutes"] = self.minutes.to_toml()
        if self.circulated:
            data["circulated"] = [c.to_toml() for c in self.circulated]
        return data


SHOWN_ITEMS = tuple(status for status in ItemStatus if status.shown)  # the item statuses on an agenda


@record
class MeetingSummary:
    """What lists, 'next'/'last' and references need of a meeting, without its
    items' text: the index holds one per meeting file."""

    id: str
    date: date
    status: MeetingStatus
    start: time
    end: time
    venue: str | None = None
    online: str | None = None
    chair: str | None = None
    built: bool = False
    placed: int = 0  # items that are not standing items, whatever their status
    people: tuple[str, ...] = ()  # everyone the file names: attendance, presenters, submitters, chair
    orgs: tuple[str, ...] = ()  # the organisations its items name

    @classmethod
    def of(cls, meeting: Meeting) -> MeetingSummary:
        record = meeting.attendance
        named = {*record.present, *record.apologies, *record.absent, *record.substitutes.values(),
                 *(i.presenter for i in meeting.items if i.presenter),
                 *(i.submitted_by for i in meeting.items if i.submitted_by),
                 *(i.presented_by for i in meeting.items if i.presented_by),
                 *([meeting.chair] if meeting.chair else []),
                 *([meeting.vice_chair] if meeting.vice_chair else [])}
        return cls(meeting.id, meeting.date, meeting.status, meeting.start, meeting.end, meeting.venue,
                   meeting.online, meeting.chair, meeting.agenda_built,
                   sum(1 for item in meeting.items if not item.standing), tuple(sorted(named)),
                   tuple(sorted({item.org for item in meeting.items if item.org})))

    def row(self) -> tuple:
        return (self.id, self.date.isoformat(), self.status.value, clock(self.start), clock(self.end), self.venue,
                self.online, self.chair, int(self.built), self.placed, " ".join(self.people), " ".join(self.orgs))

    @classmethod
    def from_row(cls, row: tuple) -> MeetingSummary:
        ident, day, status, start, end, venue, online, chair, built, placed, people, orgs = row
        return cls(ident, date.fromisoformat(day), _MEETING_STATUS[status], time.fromisoformat(start),
                   time.fromisoformat(end), venue, online, chair, bool(built), placed,
                   tuple(people.split()) if people else (), tuple(orgs.split()) if orgs else ())


@record
class Decision:
    """One decision as the decision log lists it; ``item`` is its agenda number."""

    meeting: str
    item: int
    title: str
    text: str
    theme: str | None


def decisions_of(meeting: Meeting, opening_standing: int) -> list[Decision]:
    """The decisions in a meeting, numbered as its agenda numbers them (an agenda not
    built yet is previewed with ``opening_standing`` standing items before the placed ones)."""
    found = []
    shown = placed = 0
    for item in meeting.items:
        if item.status not in SHOWN_ITEMS:
            continue
        shown += 1
        if item.standing is None:
            placed += 1
        elif not meeting.agenda_built:
            continue  # a preview shows the group's standing items, not the file's
        number = shown if meeting.agenda_built else opening_standing + placed
        found += [Decision(meeting.id, number, item.title, text, item.theme) for text in item.decisions]
    return found


@record
class Attendance:
    """Who came: members present, apologies (with substitutes), absent, guests."""

    present: list[str] = field(default_factory=list)
    apologies: list[str] = field(default_factory=list)
    substitutes: dict[str, str] = field(default_factory=dict)  # absent member -> who came instead
    absent: list[str] = field(default_factory=list)
    guests: list[str] = field(default_factory=list)  # free text, "Name (Organisation)"

    @property
    def empty(self) -> bool:
        return not (self.present or self.apologies or self.substitutes or self.absent or self.guests)

    @property
    def attending(self) -> list[str]:
        """Everyone in the room (or online) from people: present and substitutes."""
        return self.present + [s for s in self.substitutes.values() if s not in self.present]

    def to_toml(self) -> dict[str, Any]:
        return _compact([("present", self.present), ("apologies", self.apologies),
                         ("substitutes", dict(self.substitutes)), ("absent", self.absent),
                         ("guests", self.guests)])


@record
class FrozenPerson:
    """A person as approved minutes name them, kept when they were approved."""

    id: str
    name: str
    role: str = ""
    org: str = ""  # the organisation's id
    org_name: str = ""
    membership: str = "member"
    deputy_for: str = ""

    def to_toml(self) -> dict[str, Any]:
        return {"id": self.id, **_compact([("name", self.name), ("role", self.role), ("org", self.org),
                                           ("org_name", self.org_name), ("membership", self.membership),
                                           ("deputy_for", self.deputy_for)])}


@record
class FrozenAction:
    """An action as approved minutes record it: as raised, before any later change."""

    id: str
    title: str
    owner: str
    item: int | None = None
    org: str = ""
    org_name: str = ""
    theme: str = ""
    due: date | None = None

    def to_toml(self) -> dict[str, Any]:
        return {"id": self.id, **_compact([("item", self.item), ("title", self.title), ("owner", self.owner),
                                           ("org", self.org), ("org_name", self.org_name),
                                           ("theme", self.theme), ("due", self.due)])}


@record
class Frozen:
    """What approved minutes show that lives outside the meeting's own file (names,
    roles, organisations, the actions raised, the quorum, the group), kept at
    approval so later edits elsewhere cannot change the record; and the digest of
    the whole approved file, which `escg check` verifies (docs/store-format.md)."""

    digest: str = ""
    group: str = ""
    short: str = ""
    secretariat: str = ""
    chair: str = ""
    approved_at_date: date | None = None
    quorum_needed: int | None = None
    quorum_counted: int = 0
    quorum_members: int = 0
    themes: dict[str, str] = field(default_factory=dict)
    people: list[FrozenPerson] = field(default_factory=list)
    actions: list[FrozenAction] = field(default_factory=list)

    def to_toml(self) -> dict[str, Any]:
        data = {"digest": self.digest, **_compact([("group", self.group), ("short", self.short),
                                                   ("secretariat", self.secretariat), ("chair", self.chair),
                                                   ("approved_at_date", self.approved_at_date),
                                                   ("quorum_needed", self.quorum_needed)])}
        data["quorum_counted"] = self.quorum_counted
        data["quorum_members"] = self.quorum_members
        data.update(_compact([("themes", dict(self.themes)),
                              ("people", [p.to_toml() for p in self.people]),
                              ("actions", [a.to_toml() for a in self.actions])]))
        return data


@record
class Correction:
    """A recorded correction to approved minutes (`escg minutes correct`)."""

    date: date
    reason: str
    digest: str  # the record's digest before the correction

    def to_toml(self) -> dict[str, Any]:
        return {"date": self.date, "reason": self.reason, "digest": self.digest}


@record
class MinutesRecord:
    """The state of a meeting's minutes beyond its status: when drafted and approved,
    what was frozen at approval, and the corrections since."""

    drafted: date | None = None
    approved: date | None = None
    approved_at: str | None = None  # the meeting at which they were approved
    frozen: Frozen | None = None
    corrections: list[Correction] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return (self.drafted is None and self.approved is None and self.approved_at is None
                and self.frozen is None and not self.corrections)

    def to_toml(self) -> dict[str, Any]:
        data = _compact([("drafted", self.drafted), ("approved", self.approved), ("approved_at", self.approved_at)])
        if self.frozen is not None:
            data["record"] = self.frozen.to_toml()
        if self.corrections:
            data["corrections"] = [c.to_toml() for c in self.corrections]
        return data


DIGEST = Pattern(r"sha256:[0-9a-f]{64}")


def without_log(data: dict) -> dict:
    """A meeting file's data but its circulation log, which says who was sent the record
    after it was made, and so is not part of the approved record (its digest, its seal)."""
    return {key: value for key, value in data.items() if key != "circulated"}


def record_digest(data: dict) -> str:
    """The digest of an approved meeting's file: its TOML data, the record's own
    digest left out, as canonical JSON (so layout and comments do not count)."""
    from escg.core.digests import sha256
    import json

    data = without_log(data)
    minutes = data.get("minutes")
    if isinstance(minutes, dict) and isinstance(minutes.get("record"), dict):
        record = {k: v for k, v in minutes["record"].items() if k != "digest"}
        data = {**data, "minutes": {**minutes, "record": record}}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=lambda value: value.isoformat())
    return "sha256:" + sha256(text.encode()).hexdigest()


def attendance_from_toml(data: Any, problems: Problems) -> Attendance:
    path: Path = ("attendance",)
    if data is None:
        return Attendance()
    if not isinstance(data, dict):
        problems.add(path, "[attendance] must be a table")
        return Attendance()
    _unknown(data, ("present", "apologies", "substitutes", "absent", "guests"), path, problems)
    substitutes = data.get("substitutes", {})
    if not isinstance(substitutes, dict) or not all(isinstance(v, str) for v in substitutes.values()):
        problems.add(path + ("substitutes",), "'substitutes' must be a table of member = \"substitute\"")
        substitutes = {}
    attendance = Attendance(
        present=_text_list(data, "present", path, problems),
        apologies=_text_list(data, "apologies", path, problems),
        substitutes=dict(substitutes),
        absent=_text_list(data, "absent", path, problems),
        guests=_text_list(data, "guests", path, problems),
    )
    seen: dict[str, str] = {}
    for label, names in (("present", attendance.present), ("apologies", attendance.apologies),
                         ("absent", attendance.absent)):
        for name in names:
            if name in seen:
                problems.add(path + (label,), f"{name!r} is listed both as {seen[name]} and {label}")
            seen[name] = label
    for member in attendance.substitutes:
        if member not in attendance.apologies:
            problems.add(path + ("substitutes",), f"substitute given for {member!r}, who is not in apologies")
    return attendance


def _table_list(data: dict, key: str, path: Path, problems: Problems) -> list[tuple[Path, dict]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        problems.add(path + (key,), f"'{key}' must be a list of tables")
        return []
    return [(path + (key, index), entry) for index, entry in enumerate(value)]


FROZEN_KEYS = ("digest", "group", "short", "secretariat", "chair", "approved_at_date", "quorum_needed",
               "quorum_counted", "quorum_members", "themes", "people", "actions")
FROZEN_PERSON_KEYS = ("id", "name", "role", "org", "org_name", "membership", "deputy_for")
FROZEN_ACTION_KEYS = ("id", "item", "title", "owner", "org", "org_name", "theme", "due")


def frozen_from_toml(data: Any, problems: Problems) -> Frozen | None:
    path: Path = ("minutes", "record")
    if not isinstance(data, dict):
        problems.add(path, "[minutes.record] must be a table")
        return None
    _unknown(data, FROZEN_KEYS, path, problems)
    digest = _text(data, "digest", path, problems, required=True) or ""
    if digest and not DIGEST.fullmatch(digest):
        problems.add(path + ("digest",), f"'digest' must be sha256: and 64 hex digits, not {digest!r}")
    themes = data.get("themes", {})
    if not isinstance(themes, dict) or not all(isinstance(v, str) for v in themes.values()):
        problems.add(path + ("themes",), "'themes' must be a table of theme = \"name\"")
        themes = {}
    people = []
    for where, entry in _table_list(data, "people", path, problems):
        _unknown(entry, FROZEN_PERSON_KEYS, where, problems)
        people.append(FrozenPerson(  # each key spelt out: a dict built and unpacked for each
            id=_text(entry, "id", where, problems, required=True) or "",  # person cost a tenth more
            name=_text(entry, "name", where, problems, required=True) or "",
            role=_text(entry, "role", where, problems) or "",
            org=_text(entry, "org", where, problems) or "",
            org_name=_text(entry, "org_name", where, problems) or "",
            deputy_for=_text(entry, "deputy_for", where, problems) or "",
            membership=_choice(entry, "membership", MEMBERSHIPS, "member", where, problems)))
    actions = []
    for where, entry in _table_list(data, "actions", path, problems):
        _unknown(entry, FROZEN_ACTION_KEYS, where, problems)
        item = _int(entry, "item", 0, 0, 10_000, where, problems) if "item" in entry else None
        actions.append(FrozenAction(
            id=_text(entry, "id", where, problems, required=True) or "",
            title=_text(entry, "title", where, problems, required=True, limit=MAX_TITLE) or "",
            owner=_text(entry, "owner", where, problems, required=True) or "",
            item=item or None,
            org=_text(entry, "org", where, problems) or "",
            org_name=_text(entry, "org_name", where, problems) or "",
            theme=_text(entry, "theme", where, problems) or "",
            due=_date(entry, "due", where, problems)))
    return Frozen(
        digest=digest,
        group=_text(data, "group", path, problems, limit=MAX_TITLE) or "",
        short=_text(data, "short", path, problems, limit=MAX_TITLE) or "",
        secretariat=_text(data, "secretariat", path, problems, limit=MAX_TITLE) or "",
        chair=_text(data, "chair", path, problems) or "",
        approved_at_date=_date(data, "approved_at_date", path, problems),
        quorum_needed=_int(data, "quorum_needed", 0, 0, 100_000, path, problems) if "quorum_needed" in data else None,
        quorum_counted=_int(data, "quorum_counted", 0, 0, 100_000, path, problems),
        quorum_members=_int(data, "quorum_members", 0, 0, 100_000, path, problems),
        themes=dict(themes), people=people, actions=actions)


def minutes_record_from_toml(data: Any, problems: Problems) -> MinutesRecord:
    path: Path = ("minutes",)
    if data is None:
        return MinutesRecord()
    if not isinstance(data, dict):
        problems.add(path, "[minutes] must be a table")
        return MinutesRecord()
    _unknown(data, ("drafted", "approved", "approved_at", "record", "corrections"), path, problems)
    at = _text(data, "approved_at", path, problems)
    if at is not None and not MEETING_ID.fullmatch(at):
        problems.add(path + ("approved_at",), f"'approved_at' must be a meeting id, not {at!r}")
    frozen = frozen_from_toml(data["record"], problems) if "record" in data else None
    corrections = []
    for where, entry in _table_list(data, "corrections", path, problems):
        _unknown(entry, ("date", "reason", "digest"), where, problems)
        corrections.append(Correction(date=_date(entry, "date", where, problems, required=True) or date(1970, 1, 1),
                                      reason=_text(entry, "reason", where, problems, required=True) or "",
                                      digest=_text(entry, "digest", where, problems) or ""))
    return MinutesRecord(drafted=_date(data, "drafted", path, problems),
                         approved=_date(data, "approved", path, problems), approved_at=at,
                         frozen=frozen, corrections=corrections)


MEETING_KEYS = ("date", "start", "end", "venue", "online", "status", "chair", "vice_chair", "note", "uid",
                "sequence", "agenda_built", "items", "attendance", "minutes", "circulated")


def _online(data: dict, problems: Problems) -> str | None:
    value = _text(data, "online", (), problems, limit=2000)
    if value and (why := link_problem(value)):
        problems.add(("online",), f"'online' {why}")
    return value


def meeting_from_toml(ident: str, data: dict, problems: Problems) -> Meeting:
    _unknown(data, MEETING_KEYS, (), problems)
    match = MEETING_ID.fullmatch(ident)
    day = _date(data, "date", (), problems, required=True)
    if not match:
        problems.add((), f"meeting file name {ident!r} is not a meeting id such as 2026-12-03")
    elif day is not None and day.isoformat() != ident[:10]:
        problems.add(("date",), f"date {day.isoformat()} does not match the file name {ident}.toml")
    start = _clock(data, "start", time(10, 0), (), problems) or time(10, 0)
    end = _clock(data, "end", time(12, 0), (), problems) or time(12, 0)
    if end <= start:
        problems.add(("end",), f"the meeting ends ({clock(end)}) before it starts ({clock(start)})")
    built = data.get("agenda_built", False)
    if not isinstance(built, bool):
        problems.add(("agenda_built",), "'agenda_built' must be true or false")
        built = False
    items_data = data.get("items", [])
    items: list[AgendaItem] = []
    if not isinstance(items_data, list):
        problems.add(("items",), "'items' must be an array of tables ([[items]])")
    else:
        for index, entry in enumerate(items_data):
            if not isinstance(entry, dict):
                problems.add(("items", index), "each [[items]] entry must be a table")
                continue
            items.append(item_from_toml(entry, ("items", index), problems))
    return Meeting(
        id=ident,
        date=day or date(1970, 1, 1),
        start=start,
        end=end,
        venue=_text(data, "venue", (), problems, limit=MAX_TITLE),
        online=_online(data, problems),
        status=MeetingStatus(_choice(data, "status", MEETING_STATUSES, "planned", (), problems)),
        chair=_text(data, "chair", (), problems),
        vice_chair=_text(data, "vice_chair", (), problems),
        note=_text(data, "note", (), problems),
        uid=_text(data, "uid", (), problems, limit=255),
        sequence=_int(data, "sequence", 0, 0, 1_000_000, (), problems),
        agenda_built=built,
        items=items,
        attendance=attendance_from_toml(data.get("attendance"), problems),
        minutes=minutes_record_from_toml(data.get("minutes"), problems),
        circulated=circulated_from_toml(data, problems),
    )


def meeting_parser(ident: str):
    """The parse function of the meeting file named ``ident`` (its id is its file name)."""
    return lambda data, problems: meeting_from_toml(ident, data, problems)


def forward_plan_from_toml(data: dict, problems: Problems) -> list[AgendaItem]:
    _unknown(data, ("items",), (), problems)
    items_data = data.get("items", [])
    if not isinstance(items_data, list):
        problems.add(("items",), "'items' must be an array of tables ([[items]])")
        return []
    items = []
    for index, entry in enumerate(items_data):
        if not isinstance(entry, dict):
            problems.add(("items", index), "each [[items]] entry must be a table")
            continue
        items.append(item_from_toml(entry, ("items", index), problems))
    return items


# --- actions (actions/<year>/<id>-<tag>.toml) ---------------------------------


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def is_open(self) -> bool:
        return self is ActionStatus.OPEN

    @property
    def closed(self) -> bool:
        return self is not ActionStatus.OPEN


ACTION_STATUSES = tuple(status.value for status in ActionStatus)


class Rag:
    """An action's RAG, as the JSON contract and the documents give it: plain text
    (a render's key reads plain values fastest), so these are constants, not an enum."""

    RED, AMBER, GREEN, COMPLETE = "red", "amber", "green", "complete"


RAGS = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE)
ACTION_ID = Pattern(r"A-(\d{3,9})")


@record
class Update:
    date: date
    note: str
    # What a change replaced, kept apart from the note so minutes can show an action
    # as agreed: the previous owner, and the previous due date (or "none").
    from_owner: str | None = None
    from_due: date | str | None = None

    def to_toml(self) -> dict[str, Any]:
        data: dict[str, Any] = {"date": self.date, "note": self.note}
        if self.from_owner is not None:
            data["from_owner"] = self.from_owner
        if self.from_due is not None:
            data["from_due"] = self.from_due
        return data


@record
class Action:
    id: str
    title: str
    owner: str
    org: str | None = None
    due: date | None = None
    status: ActionStatus = ActionStatus.OPEN
    meeting: str | None = None
    item: int | None = None
    theme: str | None = None
    created: date | None = None
    closed: date | None = None
    updates: list[Update] = field(default_factory=list)

    def __post_init__(self) -> None:
        if type(self.status) is not ActionStatus:
            self.status = ActionStatus(self.status)  # a caller may pass the plain text

    @property
    def number(self) -> int:
        match = ACTION_ID.fullmatch(self.id)
        return int(match[1]) if match else 0

    def to_toml(self) -> dict[str, Any]:
        data = _compact([
            ("id", self.id), ("title", self.title), ("owner", self.owner), ("org", self.org),
            ("due", self.due), ("status", self.status.value), ("meeting", self.meeting), ("item", self.item),
            ("theme", self.theme), ("created", self.created), ("closed", self.closed),
        ])
        if self.updates:
            data["updates"] = [update.to_toml() for update in self.updates]
        return data


ACTION_KEYS = ("id", "title", "owner", "org", "due", "status", "meeting", "item", "theme", "created",
               "closed", "updates")


def action_id_in(stem: str) -> str:
    """The action id a file's stem names: A-001 of A-001-beef (the file escg writes) or
    of A-001 (one named by hand)."""
    return "-".join(stem.split("-")[:2])


def action_id(number: int) -> str:
    return f"A-{number:03d}"


def action_from_toml(data: dict, problems: Problems) -> Action:
    _unknown(data, ACTION_KEYS, (), problems)
    ident = _text(data, "id", (), problems, required=True) or "A-000"
    if not ACTION_ID.fullmatch(ident):
        problems.add(("id",), f"action id {ident!r} must look like A-042")
    item = data.get("item")
    if item is not None and (isinstance(item, bool) or not isinstance(item, int) or item < 1):
        problems.add(("item",), f"'item' must be an agenda item number, not {item!r}")
        item = None
    meeting = _text(data, "meeting", (), problems)
    if meeting is not None and not MEETING_ID.fullmatch(meeting):
        problems.add(("meeting",), f"'meeting' must be a meeting id such as 2026-12-03, not {meeting!r}")
    updates = []
    raw_updates = data.get("updates", [])
    if not isinstance(raw_updates, list):
        problems.add(("updates",), "'updates' must be an array of tables ([[updates]])")
        raw_updates = []
    for index, entry in enumerate(raw_updates):
        path: Path = ("updates", index)
        if not isinstance(entry, dict):
            problems.add(path, "each [[updates]] entry must be a table")
            continue
        _unknown(entry, ("date", "note", "from_owner", "from_due"), path, problems)
        when = _date(entry, "date", path, problems, required=True)
        note = _text(entry, "note", path, problems, required=True)
        from_owner = _text(entry, "from_owner", path, problems)
        from_due = entry.get("from_due")
        if from_due is not None and from_due != "none" and not (isinstance(from_due, date) and not hasattr(from_due, "hour")):
            problems.add(path + ("from_due",), "'from_due' must be a date or \"none\"")
            from_due = None
        if when and note is not None:
            updates.append(Update(when, note, from_owner, from_due))
    action = Action(
        id=ident,
        title=_text(data, "title", (), problems, required=True, limit=MAX_TEXT) or "?",
        owner=_text(data, "owner", (), problems, required=True) or "",
        org=_text(data, "org", (), problems),
        due=_date(data, "due", (), problems),
        status=ActionStatus(_choice(data, "status", ACTION_STATUSES, "open", (), problems)),
        meeting=meeting,
        item=item,
        theme=_text(data, "theme", (), problems),
        created=_date(data, "created", (), problems),
        closed=_date(data, "closed", (), problems),
        updates=updates,
    )
    if action.status.is_open and action.closed is not None:
        problems.add(("closed",), "an open action has no 'closed' date")
    return action


def contract_parts(action: Action) -> tuple[dict[str, Any], dict[str, Any]]:
    iso = lambda value: value.isoformat() if value else None  # noqa: E731
    head = {"id": action.id, "title": action.title, "owner": action.owner, "org": action.org,
            "due": iso(action.due), "status": action.status.value}
    tail = {"meeting": action.meeting, "item": action.item, "created": iso(action.created),
            "closed": iso(action.closed),
            "updates": [{"date": u.date.isoformat(), "note": u.note} for u in action.updates]}
    return head, tail


@functools.lru_cache(maxsize=8)  # asked for each action of a listing read from the files
def rag_bounds(today: date, window: int) -> tuple[str, str]:
    """(today, the last day an open action is amber) as ISO dates, for rag_of."""
    return today.isoformat(), (today + timedelta(days=window)).isoformat()


def review_row(action: Action) -> tuple:
    """(id, due, status, owner, org, title, meeting, item) of an action, dates as ISO text:
    what a listing shows, as the index's columns hold it (StoreIndex.review_rows)."""
    return (action.id, action.due.isoformat() if action.due else None, action.status.value, action.owner,
            action.org, action.title, action.meeting, action.item)


def rag_of(status: str, due: str | None, today: str, amber_until: str) -> str:
    """The one RAG rule (SPEC §3), on ISO dates as the index holds them (``rag_bounds``
    gives ``today`` and ``amber_until``): red = overdue, amber = due within the window,
    green = later or no date, complete = done or dropped."""
    if status != ActionStatus.OPEN:
        return Rag.COMPLETE
    if due is None:
        return Rag.GREEN
    if due < today:
        return Rag.RED
    return Rag.AMBER if due <= amber_until else Rag.GREEN


def rag(action: Action, today: date, window: int) -> str:
    """``rag_of`` an action."""
    return rag_of(action.status, action.due.isoformat() if action.due else None, *rag_bounds(today, window))


def rag_due(due: date | None, today: date, window: int) -> str:
    """``rag_of`` an open action due on ``due``."""
    return rag_of(ActionStatus.OPEN, due.isoformat() if due else None, *rag_bounds(today, window))
