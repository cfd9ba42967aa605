"""The test stores, written as files: byte for byte what the CLI writes.

conftest.py's ``empty_store``, ``people_store`` and ``meeting_store`` used to be
built by running ``escg init``, ``org add``, ``person add`` and ``meeting new``
for every test. The texts below are the files those commands wrote (copied from
their output), so a fixture is a handful of small writes. The one difference:
``meeting new`` gives each meeting a random calendar UID; here they are fixed
(``meeting-<date>-test@escg``), distinct per meeting.

tests/test_stores.py runs the old commands once and checks that they still write
exactly these bytes, so a change to what the CLI writes shows up there, not as a
fixture that quietly drifted from the real thing.

Reviewed like code: a change here changes what every test starts from.
"""

from __future__ import annotations

import shutil
from pathlib import Path

TODAY = "2026-11-23"  # a Monday: conftest's frozen ESCG_TODAY

GITIGNORE = """\
# escg's lock and index are local to each machine; the TOML files are the truth.
.escg.lock
.escg-index*
.escg-last-action
.escg-journal/
"""

FORWARD_PLAN_TOML = """\
# Items proposed for future meetings, not yet placed on one.
"""

# `escg init STORE --name 'Test Coordination Group' --short TCG`
EMPTY_ESCG_TOML = """\
# Settings of the group. See docs/store-format.md for every key.
name = "Test Coordination Group"
short = "TCG"
# chair = "person-id"
# secretariat = "secretariat@example.org"
# Quorum: a number of members, or a fraction of members such as "1/3".
quorum = "1/3"
# Days before a due date that an open action turns amber.
rag_window = 14

[defaults]
start = "10:00"
end = "12:00"
# venue = "County Hall, Chelmsford"
# online = "https://meet.example.org/group"
# The usual pattern of meetings, for `escg meeting new` without a date and `meeting schedule`.
# rrule = "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TH"

# Themes that items and actions are filed under: id = "name".
[themes]
partnership = "Improving partnership working"

# Standing items, in order: "start" ones open the agenda, "end" ones close it.
[[standing]]
id = "welcome"
title = "Welcome, introductions and apologies"
minutes = 5
position = "start"
purpose = "information"

[[standing]]
id = "declarations"
title = "Declarations of interest"
minutes = 5
position = "start"
purpose = "information"

[[standing]]
id = "minutes"
title = "Minutes of the last meeting and matters arising"
minutes = 10
position = "start"
purpose = "decision"

[[standing]]
id = "actions"
title = "Action log review"
minutes = 15
position = "start"
purpose = "assurance"

[[standing]]
id = "aob"
title = "Any other business"
minutes = 10
position = "end"
purpose = "information"

[[standing]]
id = "next-meeting"
title = "Date of next meeting"
minutes = 5
position = "end"
purpose = "information"
"""

EMPTY_PEOPLE_TOML = """\
# The group's partner organisations ([orgs.<id>]) and people ([people.<id>]).
# Edit by hand or with `escg org` and `escg person`; comments are kept.
"""

# people_store's hand edit of escg.toml: a chair and a second theme.
ESCG_TOML = (EMPTY_ESCG_TOML
             .replace('# chair = "person-id"', 'chair = "ann-chair"')
             .replace('partnership = "Improving partnership working"\n',
                      'partnership = "Improving partnership working"\nhealth = "Health and wellbeing"\n'))

# Three organisations, a chair, members, a deputy and a guest: the commands that wrote
# PEOPLE_TOML, in order (test_hostile.py runs them too, and test_stores.py checks them).
PEOPLE_COMMANDS = (
    "org add ecc --name 'Essex County Council' --sector council",
    "org add police --name 'Essex Police' --sector police",
    "org add nhs --name 'NHS Trust' --sector health",
    "person add ann-chair --name 'Ann Chair' --org ecc --role 'Chief Executive' --email ann@example.org",
    "person add bob --name 'Bob Police' --org police --role 'Chief Constable' --email bob@example.org",
    "person add cat --name 'Cat Health' --org nhs --email cat@example.org",
    "person add dan --name 'Dan Deputy' --org police --membership deputy --deputy-for bob --email dan@example.org",
    "person add eve --name 'Eve Guest' --org nhs --membership guest",
)

PEOPLE_TOML = EMPTY_PEOPLE_TOML + """
[orgs.ecc]
name = "Essex County Council"
sector = "council"

[orgs.police]
name = "Essex Police"
sector = "police"

[orgs.nhs]
name = "NHS Trust"
sector = "health"

[people.ann-chair]
name = "Ann Chair"
org = "ecc"
role = "Chief Executive"
email = "ann@example.org"
membership = "member"

[people.bob]
name = "Bob Police"
org = "police"
role = "Chief Constable"
email = "bob@example.org"
membership = "member"

[people.cat]
name = "Cat Health"
org = "nhs"
email = "cat@example.org"
membership = "member"

[people.dan]
name = "Dan Deputy"
org = "police"
email = "dan@example.org"
membership = "deputy"
deputy_for = "bob"

[people.eve]
name = "Eve Guest"
org = "nhs"
membership = "guest"

"""

# The commands that wrote MEETINGS, in order.
MEETING_COMMANDS = (
    "meeting new 2026-10-01",
    "meeting new 2026-12-03 --venue 'County Hall'",
    "meeting new 2027-02-04",
)


def meeting_uid(day: str) -> str:
    """The fixed stand-in for the random UID `meeting new` gives a meeting."""
    return f"meeting-{day}-test@escg"


def planned_meeting(day: str, venue: str | None = None) -> str:
    """A meeting file as `escg meeting new DAY [--venue VENUE]` writes it (with a fixed UID)."""
    venue_line = f'venue = "{venue}"\n' if venue else ""
    return (f"# TCG meeting: its agenda, attendance and minutes.\n"
            f'date = {day}\nstart = "10:00"\nend = "12:00"\n{venue_line}'
            f'status = "planned"\nuid = "{meeting_uid(day)}"\n\n')


# One past meeting (2026-10-01), the next (2026-12-03, at County Hall) and one later.
MEETINGS = {
    "2026-10-01": planned_meeting("2026-10-01"),
    "2026-12-03": planned_meeting("2026-12-03", "County Hall"),
    "2027-02-04": planned_meeting("2027-02-04"),
}


# The standing items of escg.toml: (id, title, purpose, minutes), at the start and at the end.
STANDING_START = (
    ("welcome", "Welcome, introductions and apologies", "information", 5),
    ("declarations", "Declarations of interest", "information", 5),
    ("minutes", "Minutes of the last meeting and matters arising", "decision", 10),
    ("actions", "Action log review", "assurance", 15),
)
STANDING_END = (
    ("aob", "Any other business", "information", 10),
    ("next-meeting", "Date of next meeting", "information", 5),
)


def agenda_item(title: str, presenter: str, org: str, *, minutes: int = 15, theme: str | None = None,
                submitted: str = TODAY) -> str:
    """An item as `escg agenda add TITLE --presenter P [--theme T] [--minutes M]` files it
    (``title`` as it reads in TOML, quotes escaped)."""
    theme_line = f'theme = "{theme}"\n' if theme else ""
    return (f'\n[[items]]\ntitle = "{title}"\npurpose = "discussion"\npresenter = "{presenter}"\norg = "{org}"\n'
            f'{theme_line}minutes = {minutes}\nsubmitted = {submitted}\nstatus = "accepted"\n')


def standing_item(ident: str, title: str, purpose: str, minutes: int) -> str:
    """A standing item as `escg agenda new` places it, presented by the chair."""
    return (f'\n[[items]]\ntitle = "{title}"\nstanding = "{ident}"\npurpose = "{purpose}"\n'
            f'presenter = "ann-chair"\norg = "ecc"\nminutes = {minutes}\nstatus = "accepted"\n')


def built_agenda(day: str, *items: str, venue: str | None = None) -> str:
    """A planned meeting after `escg agenda new DAY`: the standing items around ``items``."""
    return (planned_meeting(day, venue).removesuffix("\n") + "agenda_built = true\n"
            + "".join(standing_item(*s) for s in STANDING_START) + "".join(items)
            + "".join(standing_item(*s) for s in STANDING_END))


def cancelled_meeting(day: str, reason: str) -> str:
    """A planned meeting after `escg meeting cancel DAY --reason REASON`."""
    return (planned_meeting(day).replace('status = "planned"', 'status = "cancelled"').removesuffix("\n")
            + f'note = "{reason}"\nsequence = 1\n\n')


# --- writing ---------------------------------------------------------------------


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_meeting(root: Path, day: str, text: str) -> Path:
    return write(root, f"meetings/{day[:4]}/{day}.toml", text)


def write_empty_store(root: Path, name: str = "Test Coordination Group", short: str = "TCG") -> Path:
    """What `escg init ROOT --name NAME --short SHORT` writes (plain names: no quotes or
    backslashes): escg.toml, people.toml, forward-plan.toml, .gitignore and meetings/."""
    write(root, "escg.toml", EMPTY_ESCG_TOML.replace(
        'name = "Test Coordination Group"\nshort = "TCG"\n', f'name = "{name}"\nshort = "{short}"\n', 1))
    write(root, "people.toml", EMPTY_PEOPLE_TOML)
    write(root, "forward-plan.toml", FORWARD_PLAN_TOML)
    write(root, ".gitignore", GITIGNORE)
    (root / "meetings").mkdir()
    return root


def add_people(root: Path) -> Path:
    """To an empty store: a chair and a second theme in escg.toml, and PEOPLE_COMMANDS' people."""
    write(root, "escg.toml", ESCG_TOML)
    write(root, "people.toml", PEOPLE_TOML)
    return root


def add_meetings(root: Path) -> Path:
    """To a people store: the three meetings of MEETING_COMMANDS."""
    for day, text in MEETINGS.items():
        write_meeting(root, day, text)
    return root


def write_people_store(root: Path) -> Path:
    return add_people(write_empty_store(root))


def write_meeting_store(root: Path) -> Path:
    return add_meetings(write_people_store(root))


def action_toml(number: int, title: str, owner: str, org: str, *, due: str | None = None,
                status: str = "open", meeting: str | None = None, item: int | None = None,
                theme: str | None = None, created: str = TODAY, closed: str | None = None,
                updates: tuple[tuple[str, str], ...] = ()) -> str:
    """An action file as `escg action add` (then `action done`...) writes it; ``updates``
    are (date, note) pairs. Titles and notes here are plain: no quotes or backslashes."""
    ident = f"A-{number:03d}"
    lines = [f"# Action {ident}", f'id = "{ident}"', f'title = "{title}"', f'owner = "{owner}"', f'org = "{org}"']
    lines += [f"due = {due}"] if due else []
    lines += [f'status = "{status}"']
    lines += [f'meeting = "{meeting}"'] if meeting else []
    lines += [f"item = {item}"] if item is not None else []
    lines += [f'theme = "{theme}"'] if theme else []
    lines += [f"created = {created}"]
    lines += [f"closed = {closed}"] if closed else []
    text = "\n".join(lines) + "\n"
    for day, note in updates:
        text += f'\n[[updates]]\ndate = {day}\nnote = "{note}"\n'
    return text


def write_actions(root: Path, *texts: str) -> None:
    """Action files A-001, A-002... (in the order given) and the local counter, as
    `action add` leaves them; the random suffix of each file name is fixed."""
    for number, text in enumerate(texts, start=1):
        assert f'id = "A-{number:03d}"' in text, (number, text)
        write(root, f"actions/2026/A-{number:03d}-{number:04x}.toml", text)
    write(root, ".escg-last-action", f"{len(texts)}\n")


# --- the small store of test_properties.py ------------------------------------------
# init_store(ROOT, "G", "G"), then (through the library) two organisations and two people:
#   people.add_org(store, "ecc", "Essex County Council", "council")
#   people.add_org(store, "police", "Essex Police", "police")
#   people.add_person(store, "jo", name="Jo Bloggs", org="ecc")
#   people.add_person(store, "sam", name="Sam Lee", org="police")

SMALL_PEOPLE_TOML = EMPTY_PEOPLE_TOML + """
[orgs.ecc]
name = "Essex County Council"
sector = "council"

[orgs.police]
name = "Essex Police"
sector = "police"

[people.jo]
name = "Jo Bloggs"
org = "ecc"
membership = "member"

[people.sam]
name = "Sam Lee"
org = "police"
membership = "member"

"""


def write_small_store(root: Path) -> Path:
    """Group "G" (short "G"): organisations ecc and police, jo (ecc) and sam (police)."""
    write_empty_store(root, "G", "G")
    write(root, "people.toml", SMALL_PEOPLE_TOML)
    return root


# --- where many small files are written --------------------------------------------


def ram_dir() -> str | None:
    """/dev/shm, a RAM file system, when there is a writable one, else None (the default
    temporary folder). For tests that create thousands of files or fsync in a loop: on this
    machine's disk that costs seconds, in RAM a fraction of one; what they prove is the same."""
    import os

    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


# --- stores built once through the CLI, copied per test ------------------------------


def copy_store(built: Path, store_dir: Path) -> Path:
    """A fresh copy of a built store at ``store_dir`` (without the lock and the index cache)."""
    shutil.copytree(built, store_dir, ignore=shutil.ignore_patterns(".escg.lock", ".escg-index*"))
    return store_dir


EXAMPLE = Path(__file__).resolve().parent.parent / "agendas"


def copy_example(store_dir: Path) -> Path:
    """A fresh copy of the example store in agendas/ at ``store_dir``."""
    return copy_store(EXAMPLE, store_dir)


# --- the stores of test_actions.py, test_mail.py and test_calendar.py ---------------
# Each adds to a meeting_store the files its commands wrote (test_stores.py checks them).

ACTION_STORE_COMMANDS = (
    "agenda add 'Violence needs assessment' --meeting 2026-10-01 --presenter bob --theme partnership",
    "agenda new 2026-10-01",
    "action add 'Circulate the needs assessment' --owner bob --due 2026-11-20 --meeting 2026-10-01 --item 5",
    "action add 'Draft the winter plan' --owner cat --due 2026-12-01",
    "action add 'Review data sharing' --owner ann-chair --due 2027-01-15 --theme health",
    "action add 'Keep an eye on funding' --owner dan",
    "action add 'Book the venue' --owner ann-chair --due 2026-11-10",
    "action done A-005 --note 'Booked'",
)


def add_action_store(root: Path) -> Path:
    """A built agenda for 2026-10-01 (item 5 is bob's), four open actions and A-005 done."""
    write_meeting(root, "2026-10-01", built_agenda(
        "2026-10-01", agenda_item("Violence needs assessment", "bob", "police", theme="partnership")))
    write_actions(
        root,
        action_toml(1, "Circulate the needs assessment", "bob", "police", due="2026-11-20", meeting="2026-10-01",
                    item=5, theme="partnership"),
        action_toml(2, "Draft the winter plan", "cat", "nhs", due="2026-12-01"),
        action_toml(3, "Review data sharing", "ann-chair", "ecc", due="2027-01-15", theme="health"),
        action_toml(4, "Keep an eye on funding", "dan", "police"),
        action_toml(5, "Book the venue", "ann-chair", "ecc", due="2026-11-10", status="done", closed=TODAY,
                    updates=((TODAY, "Done: Booked"),)),
    )
    return root


MAIL_STORE_COMMANDS = (
    "action add 'Circulate the assessment' --owner bob --due 2026-11-20",
    "action add 'Book the venue' --owner bob --due 2026-11-30",
    "action add 'Review the data' --owner cat --due 2027-03-01",
    "action add 'Chase the guests' --owner eve --due 2026-11-01",
)


def add_mail_store(root: Path) -> Path:
    """As at 2026-11-23: bob has one overdue and one due-soon action, cat one later, eve (no e-mail) one overdue."""
    write_actions(
        root,
        action_toml(1, "Circulate the assessment", "bob", "police", due="2026-11-20"),
        action_toml(2, "Book the venue", "bob", "police", due="2026-11-30"),
        action_toml(3, "Review the data", "cat", "nhs", due="2027-03-01"),
        action_toml(4, "Chase the guests", "eve", "nhs", due="2026-11-01"),
    )
    return root


ICS_STORE_COMMANDS = (
    ["agenda", "add", "Housing, growth; and \"infrastructure\"\nreview", "--presenter", "cat", "--minutes", "20"],
    "agenda new",
    "meeting cancel 2027-02-04 --reason 'Elections'",
    "action add 'Circulate the plan, with comments; by Friday' --owner bob --due 2026-11-20",
    "action add 'Review data' --owner cat",
    "action add 'Done already' --owner cat --due 2026-11-01",
    "action done A-003",
)


def add_ics_store(root: Path) -> Path:
    """A built agenda for 2026-12-03 (a title with a newline, commas, a semicolon and quotes),
    2027-02-04 cancelled, two open actions and one done."""
    write_meeting(root, "2026-12-03", built_agenda(
        "2026-12-03", agenda_item('Housing, growth; and \\"infrastructure\\" review', "cat", "nhs", minutes=20),
        venue="County Hall"))
    write_meeting(root, "2027-02-04", cancelled_meeting("2027-02-04", "Elections"))
    write_actions(
        root,
        action_toml(1, "Circulate the plan, with comments; by Friday", "bob", "police", due="2026-11-20"),
        action_toml(2, "Review data", "cat", "nhs"),
        action_toml(3, "Done already", "cat", "nhs", due="2026-11-01", status="done", closed=TODAY,
                    updates=((TODAY, "Done."),)),
    )
    return root


def build_once(tmp_path_factory, name: str, build, *, today: str = TODAY) -> Path:
    """A store built once (per module or session) by ``build(run, store)``, through the CLI,
    with ``today`` frozen; tests take a ``copy_store`` of it."""
    import pytest
    from conftest import Run

    store = tmp_path_factory.mktemp(name) / "store"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ESCG_STORE", str(store))
        patch.setenv("ESCG_TODAY", today)
        patch.setenv("ESCG_CROSSCHECK", "1")
        patch.delenv("ESCG_LOCK_TIMEOUT", raising=False)
        build(Run(), store)
    return store


def meeting_store_with(tmp_path_factory, name: str, commands: list) -> Path:
    """The meeting store (people and three meetings, written as files) with ``commands``
    run on it once, through the CLI, for a module's tests to take a ``copy_store`` of."""
    def build(run, store: Path) -> None:
        add_meetings(add_people(write_empty_store(store)))
        for command in commands:
            run(command)

    return build_once(tmp_path_factory, name, build)
