"""Write a realistic synthetic store for benchmarks: python bench/generate.py --actions N --out DIR.

What it makes, for N actions (deterministic for a given N; seeded random):

* about one HELD meeting for every 3 actions (N // 3), on weekdays spread over
  2 to 8 years before "today" (2026-11-23), several a day in large stores
  (ids 2026-03-05, 2026-03-05b, ...), plus about 1% cancelled meetings and six
  meetings still to come (`planned`; the first two with their agenda built,
  the others with placed items only);
* every held meeting about 6 KB of TOML before its record (12 KB with it):
  a built agenda (`agenda_built = true`: the six standing items of escg.toml
  around 4 to 6 placed items with presenter, org, theme, sometimes papers and a submitter), attendance
  (present, apologies with a substitute sometimes, absent, guests), minutes
  (notes under every item, decisions, a declaration of interest now and
  then); `minutes-approved` with a `[minutes]` table (drafted, approved,
  approved_at = the next meeting held) and the `[minutes.record]` that
  `escg minutes approve` freezes (people named, actions as raised, quorum,
  themes, the file's digest) for all but the latest, which is
  `minutes-draft`;
* N actions, each raised at a held meeting under one of its item numbers
  (a few without a meeting), with progress updates, owner and due-date
  changes recorded as escg records them (`from_owner`, `from_due`), `closed`
  dates on done and dropped ones; 10-15% open, most of them raised at the
  meetings of the last months (the last ~15% of the store's span);
* one person for every 200 actions (at least 30: members, deputies with
  `deputy_for`, advisers, guests) in organisations with real sectors; an
  escg.toml with themes and the standing items; a small forward plan.

The TOML text is written directly, keys in the order escg writes them
(docs/store-format.md), with plain open/write and no fsync: this script does
not import escg, whose internals change; only the file format is stable (the
record's digest is computed as that document defines it).
tests/test_bench.py checks that each record is the one escg would freeze.
`escg --store DIR check` passes on the result.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
import tomllib
import uuid
from datetime import date, timedelta
from pathlib import Path

TODAY = date(2026, 11, 23)  # run the benchmarks with ESCG_TODAY=2026-11-23
SHORT = "SCC"
FUTURE_MEETINGS = 6

THEMES = {
    "partnership": "Improving partnership working",
    "health-wellbeing": "Joint Health and Wellbeing Strategy",
    "violence-vulnerability": "Reducing violence and vulnerability",
    "growth-infrastructure": "Growth and infrastructure",
    "inequality": "Tackling inequality",
    "climate-resilience": "Climate and resilience",
}
STANDING = [  # id, title, minutes, position, purpose: as in the example store
    ("welcome", "Welcome, introductions and apologies", 5, "start", "information"),
    ("declarations", "Declarations of interest", 5, "start", "information"),
    ("minutes", "Minutes of the last meeting and matters arising", 10, "start", "decision"),
    ("actions", "Action log review", 15, "start", "assurance"),
    ("aob", "Any other business", 10, "end", "information"),
    ("next-meeting", "Date of next meeting", 5, "end", "information"),
]
START = [s for s in STANDING if s[3] == "start"]
END = [s for s in STANDING if s[3] == "end"]

PLACES = ["Basildon", "Braintree", "Brentwood", "Castle Point", "Chelmsford", "Colchester", "Epping Forest",
          "Harlow", "Maldon", "Rochford", "Tendring", "Uttlesford", "Southend-on-Sea", "Thurrock"]
# id, name, sector: the partners first, then more of each kind for larger stores.
BASE_ORGS = [
    ("ecc", "Essex County Council", "council"),
    ("police", "Essex Police", "police"),
    ("ecfrs", "Essex County Fire and Rescue Service", "fire"),
    ("mse-icb", "NHS Mid and South Essex Integrated Care Board", "health"),
    ("uoe", "University of Essex", "education"),
    ("community360", "Community360", "voluntary"),
    ("pfcc", "Office of the Police, Fire and Crime Commissioner for Essex", "other"),
    ("southend", "Southend-on-Sea City Council", "council"),
    ("thurrock", "Thurrock Council", "council"),
    ("msehft", "Mid and South Essex NHS Foundation Trust", "health"),
    ("snee-icb", "Suffolk and North East Essex Integrated Care Board", "health"),
    ("epunft", "Essex Partnership University NHS Foundation Trust", "health"),
    ("aru", "Anglia Ruskin University", "education"),
    ("rcce", "Rural Community Council of Essex", "voluntary"),
    ("vvu", "Essex Violence and Vulnerability Unit", "other"),
    ("hwe-icb", "Hertfordshire and West Essex Integrated Care Board", "health"),
    ("probation", "Probation Service, East of England", "other"),
    ("env-agency", "Environment Agency, Essex, Norfolk and Suffolk", "other"),
    ("ecvys", "Essex Council for Voluntary Youth Services", "voluntary"),
    ("dwp", "Department for Work and Pensions, Essex", "other"),
]
MORE_ORGS = [
    ("{slug}-council", "{place} {kind} Council", "council"),
    ("{slug}-cvs", "{place} Council for Voluntary Service", "voluntary"),
    ("{slug}-csp", "{place} Community Safety Partnership", "other"),
    ("{slug}-college", "{place} College", "education"),
    ("{slug}-pcn", "{place} Primary Care Network", "health"),
    ("{slug}-police", "Essex Police, {place} District", "police"),
    ("{slug}-fire", "{place} Fire Station", "fire"),
]
FIRST = ["Helen", "Daniel", "Rebecca", "Graham", "Simon", "Priya", "Janet", "Mark", "Claire", "Joanna", "Nadia",
         "Thomas", "Fiona", "Richard", "Gillian", "Andrew", "Bernadette", "Sophie", "David", "Kieran", "Amira",
         "Peter", "Hannah", "Ruth", "James", "Chloe", "Nathan", "Kavita", "Martin", "Aisha", "Owen", "Grace",
         "Samuel", "Imran", "Lucy", "Tariq", "Eleanor", "Marcus", "Zoe", "Adebayo", "Niamh", "Rahul", "Jo",
         "Catherine", "Paul", "Yusuf", "Megan", "Oliver", "Sinead", "Victor"]
LAST = ["Marsh", "Okafor", "Hollis", "Pettit", "Whitlock", "Raman", "Fairweather", "Thornton", "Dunmore", "Kerr",
        "Farouk", "Gale", "Lambert", "Osei", "Moss", "Kettle", "Quinn", "Hargreaves", "Brennan", "Walsh",
        "Hussain", "Lowe", "Price", "Ellison", "Fenwick", "Barker", "Cole", "Shah", "Reeve", "Adeyemi", "Baxter",
        "Chaudhry", "Doyle", "Evans", "Fitzgerald", "Greenwood", "Hale", "Iqbal", "Jennings", "Khan", "Lister",
        "Mensah", "Norris", "O'Neill", "Patel", "Rowe", "Sutton", "Turner", "Underwood", "Vaughan", "Whitfield",
        "Yates", "Ashworth", "Davies", "Ellis", "Foster", "Gordon", "Harper", "Ibrahim", "Kowalski"]
TITLES = ["", "", "", "", "Dr ", "Cllr ", "Cllr ", "Professor "]
ROLES = {
    "council": ["Chief Executive", "Leader of the Council", "Director of Public Health", "Director of Adult Social Care",
                "Head of Community Safety", "Executive Director, Place", "Cabinet Member for Health"],
    "police": ["Chief Constable", "Deputy Chief Constable", "Chief Superintendent", "District Commander"],
    "fire": ["Chief Fire Officer", "Deputy Chief Fire Officer", "Station Manager", "Head of Prevention"],
    "health": ["Chief Executive", "Director of Strategy", "Director of Nursing", "Clinical Lead", "Medical Director"],
    "education": ["Vice-Chancellor", "Pro-Vice-Chancellor (Partnerships)", "Principal", "Director of Civic Engagement"],
    "voluntary": ["Chief Executive", "Head of Partnerships", "Development Manager"],
    "other": ["Director", "Chief Executive", "Head of Service", "Partnership Manager"],
}
SUBJECTS = {
    "partnership": ["Data sharing agreement for the Family Hubs programme", "Partnership governance review",
                    "Joint commissioning framework", "Shared estates programme", "Civic agreement priorities",
                    "Community safety partnership model", "Population health management data platform"],
    "health-wellbeing": ["Winter resilience: NHS and social care plan", "Children's mental health waiting times",
                         "Joint Strategic Needs Assessment refresh", "Vaccination uptake", "Hospital discharge capacity",
                         "Joint Health and Wellbeing Strategy: progress report", "Suicide prevention strategy"],
    "violence-vulnerability": ["Serious violence duty: strategy refresh", "Knife crime: Operation Sceptre results",
                               "Domestic abuse: MARAC review", "County lines and child exploitation",
                               "School exclusions and serious youth violence", "Violence against women and girls"],
    "growth-infrastructure": ["Local growth plan", "Freeport East: skills pipeline", "Grid capacity for housing growth",
                              "Water resources and new homes", "Transport strategy consultation",
                              "Greater Essex devolution programme", "Digital connectivity"],
    "inequality": ["Child poverty framework", "Cost of living: support for households", "Coastal communities health",
                   "Digital inclusion in rural areas", "Food security in school holidays", "Affordable warmth"],
    "climate-resilience": ["Flood response exercise", "Heatwave and wildfire protocol", "Net zero partnership plan",
                           "Coastal erosion and managed realignment", "Community resilience networks"],
}
KINDS = ["update", "proposal", "annual report", "deep dive", "options paper", "progress report", "consultation response",
         "evaluation", "business case", "briefing"]
PURPOSE_OF = {"update": "information", "proposal": "decision", "annual report": "assurance", "deep dive": "deep dive",
              "options paper": "decision", "progress report": "assurance", "consultation response": "discussion",
              "evaluation": "discussion", "business case": "decision", "briefing": "information"}
VERBS = ["Circulate", "Review", "Report back on", "Agree", "Draft", "Publish", "Consult partners on", "Map",
         "Evaluate", "Bring a costed proposal on", "Share", "Set up a task and finish group on", "Write to ministers on",
         "Confirm a lead for", "Bring the final version of"]
OBJECTS = ["the needs assessment", "the winter plan", "the data sharing agreement", "the family hubs pilot",
           "the serious violence strategy", "the local growth plan", "the housing pipeline", "the JSNA refresh",
           "the domestic abuse review", "the skills programme", "the cost of living support", "the risk register",
           "the hotspot analysis", "the discharge figures", "the flood exercise findings", "the evaluation plan",
           "the district vaccination figures", "the grid capacity assessment", "the youth violence data pack"]
AUDIENCES = ["to all partners", "to the district community safety partnerships", "with the integrated care boards",
             "to the next meeting", "with the voluntary sector", "to the Health and Wellbeing Board", "",
             "with secondary schools", "to the Safer Essex board", ""]
FINDINGS = [
    "Demand has stayed {pct}% above the same period last year, and the plan relies on extra capacity from {month}.",
    "Performance improved in {n} of the {m} districts, with the largest gains in {place} and {place2}.",
    "The pilot reached {n}00 households in {place}; an independent evaluation will report in {month}.",
    "Funding of £{n}.{m} million has been secured for two years, with a further bid due in {month}.",
    "The data show a {pct}% fall year on year, although rates in {place} remain well above the county average.",
    "Partners have signed the agreement except {org}, whose data protection officer expects to sign by {month}.",
    "Consultation closed with {n}{m} responses, most of them from {place} and {place2}.",
]
DISCUSSION = [
    "Members asked for figures by district so that they can target their own communications.",
    "Members supported the direction but asked that the allocations be tested with the community safety partnerships first.",
    "District members asked how the work will be sustained once the current funding ends.",
    "The group welcomed the report and asked for a further update in six months.",
    "Members agreed that the main constraint is workforce, and that it should be addressed jointly rather than by each partner.",
    "There was a discussion of the risks to delivery over the winter; the risk register will be updated.",
    "Members noted the progress and asked that the lessons be shared with the other partnerships.",
]
DECISIONS = [
    "The group endorsed the {kind} and asked for the final version to come back for sign-off.",
    "The group agreed the recommendations in the paper, subject to the comments of members.",
    "The group agreed to make {subject_lc} a shared priority for the coming year.",
    "The group approved the proposed funding allocations by district.",
    "The group agreed that the work be taken forward through the {theme_lc} programme.",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
VENUES = ["Committee Room 1, County Hall, Chelmsford", "Committee Room 2, County Hall, Chelmsford",
          "Council Chamber, Civic Centre, Southend-on-Sea", "The Forum, Essex Police HQ, Chelmsford",
          "Lecture Theatre, University of Essex, Colchester", "Board Room, Kelvedon Park"]
TIMES = [("10:00", "12:00"), ("14:00", "16:00"), ("09:30", "11:30"), ("13:00", "15:00"), ("10:30", "12:30")]
CANCEL_REASONS = ["Summer recess", "Purdah before the May elections", "Not quorate: business taken at the next meeting",
                  "Business taken at the extraordinary meeting"]
PROGRESS = ["Work started; first draft shared with partners", "Meeting held with the leads; a plan is being agreed",
            "On track; a further update will come to the next meeting", "Waiting for figures from two partners",
            "Draft circulated for comment", "Funding agreed in principle; costings being finalised",
            "Task and finish group met for the first time", "Delayed by the winter pressures"]
DONE = ["Done: circulated to all partners", "Done: presented at the meeting", "Done: published on the website",
        "Done: agreed by all partners", "Done.", "Done: figures shared with the districts"]
DROPPED = ["Dropped: superseded by the strategy refresh", "Dropped: no longer needed after the funding decision",
           "Dropped: taken forward by the Health and Wellbeing Board"]


# --- a small TOML writer (basic strings, dates, whole numbers, arrays) ------------------


_PLAIN = re.compile(r'[^"\\\x00-\x1f\x7f]*\Z').match


def q(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return f'"{text}"' if _PLAIN(text) else json.dumps(text, ensure_ascii=False)


def value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, date)):
        return str(v) if isinstance(v, int) else v.isoformat()
    if isinstance(v, str):
        return q(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        # As escg writes them: lists of tables, and lists whose text runs past 60 characters, one element a line.
        if all(isinstance(x, dict) for x in v) or sum(len(str(x)) for x in v) > 60:
            return "[\n" + "".join(f"    {value(x)},\n" for x in v) + "]"
        return "[" + ", ".join(value(x) for x in v) + "]"
    raise TypeError(type(v))


def keys(pairs) -> str:
    """key = value lines for the pairs whose value is set (None, "" and [] are never written)."""
    return "".join(f"{k} = {value(v)}\n" for k, v in pairs if v is not None and v != "" and v != [])


def record_digest(data: dict) -> str:
    """The digest of an approved meeting's file, as docs/store-format.md defines it: its TOML
    data as canonical JSON (keys sorted), the record's own digest and the circulation log left out."""
    data = {key: v for key, v in data.items() if key != "circulated"}
    minutes = data["minutes"]
    data["minutes"] = {**minutes, "record": {k: v for k, v in minutes["record"].items() if k != "digest"}}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=lambda v: v.isoformat())
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def write(path: Path, text: str) -> int:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return len(text.encode())


# --- the store -------------------------------------------------------------------------


def slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower().replace("'", ""))
    return "-".join(part for part in out.split("-") if part)


def long_date(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def make_orgs(count: int) -> list[tuple[str, str, str]]:
    orgs = list(BASE_ORGS)
    n = 0
    while len(orgs) < count:
        place = PLACES[n % len(PLACES)]
        pattern = MORE_ORGS[(n // len(PLACES)) % len(MORE_ORGS)]
        kind = "City" if place in ("Chelmsford", "Colchester", "Southend-on-Sea") else "District"
        suffix = "" if n < len(PLACES) * len(MORE_ORGS) else f"-{n // (len(PLACES) * len(MORE_ORGS)) + 1}"
        ident = pattern[0].format(slug=slug(place)) + suffix
        if not any(o[0] == ident for o in orgs):
            orgs.append((ident, pattern[1].format(place=place, kind=kind) + suffix.replace("-", " "), pattern[2]))
        n += 1
    return orgs[:count]


def make_people(rng: random.Random, count: int, orgs) -> list[dict]:
    people, used = [], set()
    members: list[dict] = []
    for n in range(count):
        while True:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            ident = slug(f"{first} {last}")
            k = 2
            while ident in used:
                ident, k = slug(f"{first} {last} {k}"), k + 1
            break
        used.add(ident)
        org = orgs[n % len(orgs)] if n < len(orgs) * 2 else rng.choice(orgs)
        roll = rng.random()
        kind = "member" if n < 12 or roll < 0.55 else "deputy" if roll < 0.80 else "adviser" if roll < 0.93 else "guest"
        deputy_for = None
        if kind == "deputy":
            same = [m for m in members if m["org"] == org[0]] or members
            chosen = rng.choice(same)
            deputy_for, org = chosen["id"], next(o for o in orgs if o[0] == chosen["org"])
        person = {"id": ident, "name": f"{rng.choice(TITLES)}{first} {last}", "org": org[0],
                  "role": rng.choice(ROLES[org[2]]), "email": f"{ident}@example.org", "membership": kind,
                  "deputy_for": deputy_for}
        people.append(person)
        if kind == "member":
            members.append(person)
    return people


def config_text(name: str, chair: str) -> str:
    themes = "".join(f"{k} = {q(v)}\n" for k, v in THEMES.items())
    standing = "\n".join(f"[[standing]]\n" + keys([("id", s[0]), ("title", s[1]), ("minutes", s[2]),
                                                   ("position", s[3]), ("purpose", s[4])]) for s in STANDING)
    return f"""# Settings of the group. See docs/store-format.md for every key.
name = {q(name)}
short = "{SHORT}"
# The group's chair: a person id from people.toml.
chair = "{chair}"
# Where agendas, minutes and reminders come from.
secretariat = "scc.secretariat@example.org"
# Quorum: a number of members, or a fraction of members such as "1/3".
quorum = 8
# Days before a due date that an open action turns amber.
rag_window = 14

[defaults]
start = "10:00"
end = "12:00"
venue = "{VENUES[0]}"
online = "https://meet.example.org/scc"
# The usual pattern of meetings, for `escg meeting new` without a date and `meeting schedule`.
rrule = "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TH"

# Themes that items and actions are filed under: id = "name".
[themes]
{themes}
# Standing items, in order: "start" ones open the agenda, "end" ones close it.
{standing}"""


def people_text(orgs, people) -> str:
    parts = ["# The group's partner organisations ([orgs.<id>]) and people ([people.<id>]).\n"
             "# Edit by hand or with `escg org` and `escg person`; comments are kept.\n"]
    for ident, name, sector in orgs:
        parts.append(f"\n[orgs.{ident}]\n" + keys([("name", name), ("sector", sector)]))
    for p in people:
        parts.append(f"\n[people.{p['id']}]\n" + keys([(k, p[k]) for k in ("name", "org", "role", "email",
                                                                              "membership", "deputy_for")]))
    return "".join(parts)


def meeting_days(rng: random.Random, count: int, start: date, end: date) -> list[str]:
    """``count`` meeting ids on weekdays from ``start`` to before ``end``, in order, several a day if need be."""
    weekdays = [start + timedelta(days=k) for k in range((end - start).days)
                if (start + timedelta(days=k)).weekday() < 5]
    ids, per_day = [], {}
    for n in range(count):
        day = weekdays[len(weekdays) * n // count]
        k = per_day.get(day, 0)
        per_day[day] = k + 1
        if k >= 26:
            raise SystemExit("too many meetings a day; widen the span")
        ids.append(day.isoformat() + ("" if k == 0 else "bcdefghijklmnopqrstuvwxyz"[k - 1]))
    return ids


class Generator:
    def __init__(self, actions: int, out: Path, seed: int = 2026):
        self.rng = random.Random(seed * 1_000_003 + actions)
        self.n_actions = actions
        self.out = out
        self.bytes = {"meetings": 0, "actions": 0}
        self.files = {"meetings": 0, "actions": 0}

    # -- helpers --
    def name(self, ident: str) -> str:
        return self.people_by_id[ident]["name"]

    def fill(self, template: str, subject: str, theme: str, kind: str) -> str:
        rng = self.rng
        place, place2 = rng.sample(PLACES, 2)
        return template.format(pct=rng.randint(3, 24), month=rng.choice(MONTHS), n=rng.randint(2, 9),
                               m=rng.randint(2, 9), place=place, place2=place2, kind=kind,
                               org=rng.choice(self.orgs)[1], subject_lc=subject[0].lower() + subject[1:],
                               theme_lc=THEMES[theme][0].lower() + THEMES[theme][1:])

    def uid(self) -> str:
        return f"meeting-{uuid.UUID(int=self.rng.getrandbits(128), version=4)}@escg"

    # -- the whole store --
    def run(self) -> dict:
        rng, out, n = self.rng, self.out, self.n_actions
        if (out / "escg.toml").exists():
            raise SystemExit(f"{out} already holds a store")
        out.mkdir(parents=True, exist_ok=True)
        people_count = max(30, n // 200)
        self.orgs = make_orgs(max(20, people_count // 6))
        self.people = make_people(rng, people_count, self.orgs)
        self.people_by_id = {p["id"]: p for p in self.people}
        self.org_name = {o[0]: o[1] for o in self.orgs}
        self.members = [p["id"] for p in self.people if p["membership"] == "member"]
        self.deputies_of: dict[str, list[str]] = {}
        for p in self.people:
            if p["deputy_for"]:
                self.deputies_of.setdefault(p["deputy_for"], []).append(p["id"])
        self.advisers = [p["id"] for p in self.people if p["membership"] == "adviser"]
        self.chair = self.members[0]
        self.vice_chair = self.members[1]
        self.group_name = f"Synthetic County Strategic Coordination Group ({n:,} actions)"
        write(out / "escg.toml", config_text(self.group_name, self.chair))
        write(out / "people.toml", people_text(self.orgs, self.people))
        write(out / ".gitignore", "# escg's lock and index are local to each machine; the TOML files are the truth.\n"
                                  ".escg.lock\n.escg-index*\n.escg-last-action\n")

        # The calendar: held and cancelled meetings before today, a few to come.
        held_count = max(4, n // 3)
        cancelled_count = max(1, held_count // 100)
        years = min(8.0, 2 + n / 15000)
        start = TODAY - timedelta(days=int(365.25 * years))
        past = meeting_days(rng, held_count + cancelled_count, start, TODAY - timedelta(days=3))
        cancelled = set(rng.sample(range(1, len(past) - 1), cancelled_count))
        held_ids = [m for i, m in enumerate(past) if i not in cancelled]
        future_ids = [(TODAY + timedelta(days=10 + 14 * k)).isoformat() for k in range(FUTURE_MEETINGS)]
        for k, ident in enumerate(future_ids):  # to a weekday
            day = date.fromisoformat(ident)
            future_ids[k] = (day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)).isoformat()
        self.recent_from = TODAY - timedelta(days=int((TODAY - start).days * 0.15))

        # Plan the actions: how many each held meeting raises, under which items; a few raised elsewhere.
        unlinked = max(1, n // 40)
        per_meeting = [0] * len(held_ids)
        for _ in range(n - unlinked):
            per_meeting[rng.randrange(len(held_ids))] += 1
        loose_after = sorted(rng.randrange(len(held_ids)) for _ in range(unlinked))

        for year in {m[:4] for m in past + future_ids}:
            (out / "meetings" / year).mkdir(parents=True, exist_ok=True)
        (out / "actions").mkdir(exist_ok=True)
        self.years_made: set[str] = set()
        self.approving: dict[str, dict] = {}  # approved meetings waiting for their actions (record())
        self.as_raised: dict[str, list[dict]] = {}  # meeting -> its actions as raised

        number = 0
        previous_held = None
        loose = iter(loose_after + [None])
        next_loose = next(loose)
        raised_recently: list[str] = []  # ids raised at the last few meetings, for the action log notes
        held_index = 0
        for position, ident in enumerate(past):
            if position in cancelled:
                self.write_cancelled(ident)
                continue
            count = per_meeting[held_index]
            following = held_ids[held_index + 1] if held_index + 1 < len(held_ids) else None
            plan = self.meeting_plan(ident)
            items_for_actions = [5 + k for k in range(plan["placed"])] + [4, plan["placed"] + 5]  # placed, actions, aob
            raised = []
            for _ in range(count):
                number += 1
                raised.append((number, rng.choice(items_for_actions) if rng.random() < 0.93 else rng.choice(items_for_actions[:-2])))
            self.write_held(ident, plan, previous_held, following, raised, raised_recently)
            for num, item in raised:
                self.write_action(num, ident, item, plan)
            if ident in self.approving:
                self._meeting(ident, self.record(ident, self.approving.pop(ident)))
            raised_recently = (raised_recently + [f"A-{num:03d}" for num, _ in raised])[-12:]
            while next_loose == held_index:
                number += 1
                self.write_action(number, None, None, None, created=date.fromisoformat(ident[:10]) + timedelta(days=rng.randint(1, 6)))
                next_loose = next(loose)
            previous_held = ident
            held_index += 1
        assert number == n, (number, n)
        for k, ident in enumerate(future_ids):
            self.write_future(ident, built=k < 2)
        self.write_forward_plan()
        write(out / ".escg-last-action", f"{n}\n")
        return {"actions": n, "open": self.open_count, "held": len(held_ids), "cancelled": cancelled_count,
                "future": len(future_ids), "people": people_count, "orgs": len(self.orgs), "bytes": self.bytes,
                "files": self.files}

    open_count = 0

    # -- meetings --
    def meeting_plan(self, ident: str) -> dict:
        rng = self.rng
        placed = rng.randint(4, 6)
        times = TIMES[0] if len(ident) == 10 else TIMES[("bcdefghijklmnopqrstuvwxyz".index(ident[10]) + 1) % len(TIMES)]
        chair = self.vice_chair if rng.random() < 0.05 else self.chair
        items = []
        for _ in range(placed):
            theme = rng.choice(list(THEMES))
            subject = rng.choice(SUBJECTS[theme])
            kind = rng.choice(KINDS)
            presenter = rng.choice(self.people)["id"]
            items.append({"title": subject if ":" in subject else f"{subject}: {kind}", "subject": subject, "kind": kind,
                          "purpose": PURPOSE_OF[kind], "presenter": presenter,
                          "org": self.people_by_id[presenter]["org"], "theme": theme,
                          "minutes": 35 if kind == "deep dive" else rng.choice([10, 15, 15, 20, 25])})
        # The meeting ends on the half hour after its agenda does, so no agenda overruns.
        hours, mins = map(int, times[0].split(":"))
        length = sum(s[2] for s in STANDING) + sum(i["minutes"] for i in items)
        end = hours * 60 + mins + -(-length // 30) * 30
        times = (times[0], f"{end // 60:02d}:{end % 60:02d}")
        return {"placed": placed, "items": items, "times": times, "chair": chair,
                "venue": rng.choice(VENUES) if rng.random() < 0.3 else VENUES[0]}

    def head(self, ident: str, plan: dict, status: str, built: bool, uid: str, extra=()) -> str:
        day = date.fromisoformat(ident[:10])
        return (f"# {SHORT} meeting: its agenda, attendance and minutes.\n"
                + keys([("date", day), ("start", plan["times"][0]), ("end", plan["times"][1]), ("venue", plan["venue"]),
                        ("online", "https://meet.example.org/scc"), ("status", status),
                        ("chair", plan["chair"] if plan["chair"] != self.chair else None), *extra, ("uid", uid),
                        ("agenda_built", True if built else None)]))

    def item_text(self, item: dict, submitted: date | None, notes=(), decisions=(), declarations=()) -> str:
        rng = self.rng
        papers = []
        if "standing" not in item and rng.random() < 0.4:
            papers.append(f"https://example.org/{item['org']}/{slug(item['title'])[:40]}.pdf")
        submitted_by = None
        if "standing" not in item and rng.random() < 0.2:
            submitted_by = rng.choice(self.advisers or self.members)
        return "\n[[items]]\n" + keys([
            ("title", item["title"]), ("standing", item.get("standing")), ("purpose", item["purpose"]),
            ("presenter", item["presenter"]), ("org", item["org"]), ("theme", item.get("theme")),
            ("minutes", item["minutes"]), ("papers", papers), ("submitted_by", submitted_by),
            ("submitted", submitted if "standing" not in item else None), ("status", "accepted"),
            ("notes", list(notes)), ("decisions", list(decisions)), ("declarations", list(declarations))])

    def standing_items(self, plan: dict, which) -> list[dict]:
        chair = plan["chair"]
        return [{"title": s[1], "standing": s[0], "purpose": s[4], "presenter": chair,
                 "org": self.people_by_id[chair]["org"], "minutes": s[2]} for s in which]

    def write_held(self, ident: str, plan: dict, previous: str | None, following: str | None,
                   raised: list[tuple[int, int]], recent: list[str]) -> None:
        rng = self.rng
        day = date.fromisoformat(ident[:10])
        chair = plan["chair"]
        # Attendance: most of a panel of members, some apologies (a deputy standing in now and then), a few absent.
        presenters = {i["presenter"] for i in plan["items"]}
        pool = [m for m in self.members if m != chair and m not in presenters]
        panel = rng.sample(pool, min(len(pool), rng.randint(16, 20)))
        present = [chair] + panel[:-5]
        apologies = panel[-5:-1] if rng.random() < 0.8 else panel[-5:-2]
        absent = [m for m in panel[-1:] if m not in apologies] if rng.random() < 0.6 else []
        substitutes = {}
        for member in apologies:
            deputies = [d for d in self.deputies_of.get(member, ()) if d not in present]
            if deputies and rng.random() < 0.5:
                substitutes[member] = deputies[0]
        advisers = [a for a in rng.sample(self.advisers, min(len(self.advisers), rng.randint(1, 3)))]
        present += [a for a in advisers if a not in present]
        present += [p for p in dict.fromkeys(i["presenter"] for i in plan["items"])
                    if p not in present and p not in substitutes.values()]
        guests = [f"{rng.choice(FIRST)} {rng.choice(LAST)} ({rng.choice(self.orgs)[1]})" for _ in range(rng.choice([0, 0, 1, 1, 2]))]

        by_item: dict[int, list[str]] = {}
        for num, item in raised:
            by_item.setdefault(item, []).append(f"A-{num:03d}")
        declaration = None
        if rng.random() < 0.15:
            number = rng.randint(5, 4 + plan["placed"])
            declaration = (number, rng.choice(present[1:] or present))

        items_text = []
        start_items = self.standing_items(plan, START)
        end_items = self.standing_items(plan, END)
        welcomed = [f"{self.name(s)}, attending for {self.name(m)}" for m, s in substitutes.items()]
        welcome = ("The chair welcomed " + ", ".join(welcomed) + (" and " if welcomed and guests else "")
                   + (", ".join(g.split(" (")[0] + " for item " + str(rng.randint(5, 4 + plan["placed"])) for g in guests))
                   + ". Apologies were noted as above." if welcomed or guests else
                   "The chair welcomed members. Apologies were noted as above.")
        if declaration:
            declared = (f"{self.name(declaration[1])} declared an interest in item {declaration[0]}, as recorded above, "
                        "and took part in the discussion but not in the decision.")
        else:
            declared = "No declarations of interest were made."
        minutes_note = (f"The minutes of the meeting of {long_date(date.fromisoformat(previous[:10]))} were agreed as a true "
                        "record. There were no matters arising that were not covered by the action log."
                        if previous else "This was the first meeting of the group.")
        if recent:
            done = rng.sample(recent, min(len(recent), 3))
            log_note = [f"Actions {', '.join(done[:-1])} and {done[-1]} were reported complete or on track."
                        if len(done) > 1 else f"Action {done[0]} was reported on track.",
                        f"{self.name(rng.choice(present))} gave an update on the overdue actions; revised dates will be "
                        "recorded in the log."]
        else:
            log_note = ["There were no actions to review."]
        if 4 in by_item:
            log_note.append(f"Action{'s' if len(by_item[4]) > 1 else ''} {', '.join(by_item[4])} agreed.")
        notes_of = [[welcome], [declared], [minutes_note], log_note]
        for k, item in enumerate(start_items):
            items_text.append(self.item_text(item, None, notes_of[k]))
        for k, item in enumerate(plan["items"], start=5):
            notes = [f"{self.name(item['presenter'])} presented the {item['kind']} on "
                     f"{item['subject']}. "
                     + self.fill(rng.choice(FINDINGS), item["subject"], item["theme"], item["kind"]),
                     rng.choice(DISCUSSION) + (f" Action{'s' if len(by_item.get(k, [])) > 1 else ''} "
                                               f"{' and '.join(by_item[k])} {'were' if len(by_item[k]) > 1 else 'was'} agreed."
                                               if k in by_item else "")]
            if rng.random() < 0.45:
                notes.insert(1, self.fill(rng.choice(FINDINGS), item["subject"], item["theme"], item["kind"])
                             + " " + rng.choice(DISCUSSION))
            decisions = []
            if item["purpose"] == "decision" or rng.random() < 0.2:
                decisions.append(self.fill(rng.choice(DECISIONS), item["subject"], item["theme"], item["kind"]))
            declarations = []
            if declaration and declaration[0] == k:
                declarations.append({"person": declaration[1],
                                     "text": f"{self.org_name[self.people_by_id[declaration[1]]['org']]} would receive "
                                             "part of the funding discussed under this item."})
            items_text.append(self.item_text(item, day - timedelta(days=rng.randint(14, 28)), notes, decisions, declarations))
        aob = plan["placed"] + 5
        aob_notes = [rng.choice(["There was no other business.",
                                 f"{self.name(rng.choice(present))} reported that a multi-agency exercise will be held in "
                                 f"{rng.choice(MONTHS)} and asked each partner to take part."])]
        if aob in by_item:
            aob_notes.append(f"Action{'s' if len(by_item[aob]) > 1 else ''} {', '.join(by_item[aob])} agreed.")
        next_note = (f"The next meeting will be held on {long_date(date.fromisoformat(following[:10]))}."
                     if following else "The date of the next meeting will be confirmed.")
        items_text.append(self.item_text(end_items[0], None, aob_notes))
        items_text.append(self.item_text(end_items[1], None, [next_note]))

        attendance = "\n[attendance]\n" + keys([("present", present), ("apologies", apologies), ("absent", absent),
                                                ("guests", guests)])
        if substitutes:
            attendance += "\n[attendance.substitutes]\n" + "".join(f"{m} = {q(s)}\n" for m, s in substitutes.items())
        if following:
            status = "minutes-approved"
            gap = (date.fromisoformat(following[:10]) - day).days
            record = keys([("drafted", day + timedelta(days=rng.randint(0, min(7, gap)))),
                           ("approved", date.fromisoformat(following[:10])), ("approved_at", following)])
        else:
            status = "minutes-draft"
            record = keys([("drafted", day)])
        text = (self.head(ident, plan, status, True, self.uid()) + "".join(items_text) + attendance
                + "\n[minutes]\n" + record)
        if not following:
            self._meeting(ident, text)
            return
        # Approved minutes carry the record `escg minutes approve` freezes: written once the
        # actions raised here are (record() takes no random numbers, so the store's actions
        # are those the generator made before it wrote records).
        named = [chair, *present, *apologies, *absent, *substitutes.values()]
        for k, item in enumerate([*start_items, *plan["items"], *end_items]):
            named.append(item["presenter"])
            if declaration and k == declaration[0] - 1:
                named.append(declaration[1])
        self.approving[ident] = {"text": text, "chair": chair, "named": named, "present": present,
                                 "substitutes": substitutes, "themes": {i["theme"] for i in plan["items"]},
                                 "approved_at": date.fromisoformat(following[:10])}

    def write_cancelled(self, ident: str) -> None:
        plan = {"times": TIMES[0] if len(ident) == 10 else TIMES[1], "venue": VENUES[0], "chair": self.chair}
        text = self.head(ident, plan, "cancelled", False, self.uid(),
                         extra=[("note", self.rng.choice(CANCEL_REASONS))]) + "sequence = 1\n"
        self._meeting(ident, text)

    def write_future(self, ident: str, built: bool) -> None:
        rng = self.rng
        plan = self.meeting_plan(ident)
        if not built:
            plan["items"] = plan["items"][:rng.randint(1, 3)]
        submitted = TODAY - timedelta(days=rng.randint(1, 20))
        items = []
        if built:
            items += [self.item_text(i, None) for i in self.standing_items(plan, START)]
        items += [self.item_text(i, submitted) for i in plan["items"]]
        if built:
            items += [self.item_text(i, None) for i in self.standing_items(plan, END)]
        self._meeting(ident, self.head(ident, plan, "planned", built, self.uid()) + "".join(items))

    def record(self, ident: str, held: dict) -> str:
        """The meeting's text with [minutes.record] as `escg minutes approve` writes it
        (escg.domain.minutes.live_record; docs/store-format.md), its digest computed as documented."""
        raised = sorted(self.as_raised.pop(ident, []), key=lambda a: (a["item"] or 0, a["number"]))
        named = held["named"] + [a["owner"] for a in raised]
        named += [self.people_by_id[i]["deputy_for"] or "" for i in held["present"] if i in self.people_by_id]
        people = []
        for person_id in dict.fromkeys(named):
            person = self.people_by_id.get(person_id)
            if person is not None:
                people.append({"id": person_id, "name": person["name"], "role": person["role"], "org": person["org"],
                               "org_name": self.org_name[person["org"]], "membership": person["membership"],
                               "deputy_for": person["deputy_for"]})
        # The quorum as escg.domain.attendance.quorum counts it: members present, or stood in for by a
        # substitute who attended, or by their named deputy present.
        attending = held["present"] + [s for s in held["substitutes"].values() if s not in held["present"]]
        represented: dict[str, str] = {}
        for member in self.members:
            if member in held["present"]:
                represented[member] = member
            elif member in held["substitutes"] and held["substitutes"][member] in attending:
                represented[member] = held["substitutes"][member]
        for person_id in held["present"]:
            deputy = self.people_by_id.get(person_id)
            if deputy and deputy["deputy_for"] in self.members and deputy["deputy_for"] not in represented:
                if person_id not in represented.values():
                    represented[deputy["deputy_for"]] = person_id
        used = held["themes"] | {a["theme"] for a in raised}
        compact = lambda pairs: {k: v for k, v in pairs if v not in (None, "", [], {})}  # noqa: E731 - as escg's
        text = held["text"] + "\n[minutes.record]\n" + keys([
            ("digest", "sha256:" + "0" * 64), ("group", self.group_name), ("short", SHORT),
            ("secretariat", "scc.secretariat@example.org"), ("chair", held["chair"]),
            ("approved_at_date", held["approved_at"]), ("quorum_needed", 8), ("quorum_counted", len(represented)),
            ("quorum_members", len(self.members)),
            ("people", [{"id": p["id"], **compact(list(p.items())[1:])} for p in people]),
            ("actions", [{"id": a["id"], **compact([(k, a[k]) for k in ("item", "title", "owner", "org", "org_name",
                                                                         "theme", "due")])} for a in raised])])
        themes = [(key, name) for key, name in THEMES.items() if key in used]
        if themes:
            text += "\n[minutes.record.themes]\n" + keys(themes)
        return text.replace("sha256:" + "0" * 64, record_digest(tomllib.loads(text)), 1)

    def _meeting(self, ident: str, text: str) -> None:
        self.bytes["meetings"] += write(self.out / "meetings" / ident[:4] / f"{ident}.toml", text)
        self.files["meetings"] += 1

    def write_forward_plan(self) -> None:
        rng = self.rng
        parts = ["# Items proposed for future meetings, not yet placed on one.\n"]
        for k in range(4):
            theme = rng.choice(list(THEMES))
            subject = rng.choice(SUBJECTS[theme])
            presenter = rng.choice(self.people)
            parts.append("\n[[items]]\n" + keys([
                ("title", f"{subject}: {rng.choice(KINDS)}"), ("purpose", "discussion"), ("presenter", presenter["id"]),
                ("org", presenter["org"]), ("theme", theme), ("minutes", 15),
                ("submitted", TODAY - timedelta(days=rng.randint(5, 40))), ("status", "proposed")]))
        write(self.out / "forward-plan.toml", "".join(parts))

    # -- actions --
    def write_action(self, number: int, meeting: str | None, item: int | None, plan: dict | None,
                     created: date | None = None) -> None:
        rng = self.rng
        created = created or date.fromisoformat(meeting[:10])
        ident = f"A-{number:03d}"
        if plan and 5 <= item < 5 + plan["placed"]:
            theme = plan["items"][item - 5]["theme"]
        else:
            theme = rng.choice(list(THEMES))
        owner = rng.choice(self.people)
        recent = created >= self.recent_from
        is_open = rng.random() < (0.72 if recent else 0.025)
        due = created + timedelta(days=rng.choice([14, 28, 42, 56, 63, 91, 120])) if rng.random() < 0.95 else None
        updates = []
        moments = sorted(created + timedelta(days=rng.randint(5, 150)) for _ in range(rng.choice([0, 1, 1, 2, 2, 3])))
        for moment in moments:
            if moment >= TODAY:
                break
            updates.append({"date": moment, "note": rng.choice(PROGRESS)})
        if rng.random() < 0.06 and updates:  # the owner changed
            new_owner = rng.choice(self.people)
            if new_owner["id"] != owner["id"]:
                updates[-1]["note"] += f". Owner changed from {owner['id']} to {new_owner['id']}."
                updates[-1]["from_owner"] = owner["id"]
                owner = new_owner
        closed = None
        status = "open"
        if is_open:
            self.open_count += 1
            if due and due < TODAY and rng.random() < 0.55:  # moved on, as escg records a new due date
                new_due = TODAY + timedelta(days=rng.randint(-25, 90))
                moment = min(TODAY - timedelta(days=1), max(due - timedelta(days=3), created + timedelta(days=1)))
                if not updates or updates[-1]["date"] <= moment:
                    updates.append({"date": moment, "note": f"{rng.choice(PROGRESS)}. Due date changed from "
                                                            f"{due.isoformat()} to {new_due.isoformat()}.",
                                    "from_due": due})
                    due = new_due
        else:
            status = "done" if rng.random() < 0.9 else "dropped"
            limit = min(TODAY - timedelta(days=1), (due or created + timedelta(days=60)) + timedelta(days=45))
            closed = min(limit, max(created + timedelta(days=3), (updates[-1]["date"] if updates else created)
                                    + timedelta(days=rng.randint(3, 60))))
            updates = [u for u in updates if u["date"] <= closed]
            updates.append({"date": closed, "note": rng.choice(DONE if status == "done" else DROPPED)})
        audience = rng.choice(AUDIENCES)
        title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}" + (f" {audience}" if audience else "")
        if meeting:  # as raised, before any change of owner or due date the file records (escg.domain.actions.as_raised)
            first_owner = next((u["from_owner"] for u in updates if "from_owner" in u), owner["id"])
            first_due = next((u["from_due"] for u in updates if "from_due" in u), due)
            org = self.people_by_id[first_owner]["org"]
            self.as_raised.setdefault(meeting, []).append({
                "number": number, "id": ident, "item": item, "title": title, "owner": first_owner,
                "org": org, "org_name": self.org_name[org], "theme": theme, "due": first_due})
        text = f"# Action {ident}\n" + keys([
            ("id", ident), ("title", title), ("owner", owner["id"]), ("org", owner["org"]), ("due", due),
            ("status", status), ("meeting", meeting), ("item", item), ("theme", theme), ("created", created),
            ("closed", closed)])
        text += "\n".join("[[updates]]\n" + keys([("date", u["date"]), ("note", u["note"]), ("from_owner", u.get("from_owner")),
                                                 ("from_due", u.get("from_due"))]) for u in updates)
        year = f"{created.year:04d}"
        if year not in self.years_made:
            (self.out / "actions" / year).mkdir(exist_ok=True)
            self.years_made.add(year)
        path = self.out / "actions" / year / f"{ident}-{rng.getrandbits(16):04x}.toml"
        self.bytes["actions"] += write(path, text)
        self.files["actions"] += 1


def generate(actions: int, out: Path, seed: int = 2026) -> dict:
    return Generator(actions, out, seed).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, required=True, help="how many actions")
    parser.add_argument("--out", type=Path, required=True, help="folder for the new store")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    args = parser.parse_args()
    if args.actions < 12:
        raise SystemExit("--actions must be at least 12")
    started = time.perf_counter()
    c = generate(args.actions, args.out, args.seed)
    took = time.perf_counter() - started
    print(f"wrote {args.out} in {took:.1f}s: {c['actions']:,} actions ({c['open']:,} open, "
          f"{100 * c['open'] / c['actions']:.1f}%), {c['held']:,} held meetings, {c['cancelled']} cancelled, "
          f"{c['future']} to come, {c['people']} people in {c['orgs']} organisations; average meeting file "
          f"{c['bytes']['meetings'] / c['files']['meetings'] / 1024:.1f} KB, action file "
          f"{c['bytes']['actions'] / c['files']['actions']:.0f} B", file=sys.stderr)


if __name__ == "__main__":
    main()
