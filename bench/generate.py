"""Write a valid synthetic store for benchmarks: python bench/generate.py --actions N --out DIR.

Meetings, agenda items, people and actions in the proportions of a county's
committee system (about 25 actions raised a meeting, 200 actions a person,
about 15% of actions open), written through the library's own model and
writer (escg.model's to_toml, escg.store.edit.new_document, atomic_write),
so the files are exactly what escg writes. Deterministic for a given N.
`escg check` passes on the result.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, time as clock, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from escg import model  # noqa: E402
from escg.store import ACTIONS, PEOPLE  # noqa: E402
from escg.store.create import init_store  # noqa: E402
from escg.store.edit import new_document  # noqa: E402
from escg.store.files import atomic_write  # noqa: E402

TODAY = date(2026, 11, 23)  # run the benchmarks with ESCG_TODAY=2026-11-23
THEMES = {
    "partnership": "Improving partnership working",
    "health-wellbeing": "Joint Health and Wellbeing Strategy",
    "violence-vulnerability": "Reducing violence and vulnerability",
    "growth-infrastructure": "Growth and infrastructure",
    "inequality": "Tackling inequality",
}
SECTORS = ["council", "police", "fire", "health", "education", "voluntary", "other"]
VERBS = ["Circulate", "Review", "Report on", "Agree", "Draft", "Publish", "Consult partners on", "Map", "Evaluate", "Fund"]
OBJECTS = ["the needs assessment", "the winter plan", "the data sharing agreement", "the family hubs pilot",
           "the serious violence strategy", "the local growth plan", "the housing pipeline", "the JSNA refresh",
           "the domestic abuse review", "the skills programme", "the cost of living support", "the risk register"]


def generate(actions: int, out: Path, seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed + actions)
    if (out / "escg.toml").exists():
        raise SystemExit(f"{out} already holds a store")
    init_store(out, f"Synthetic County Committees ({actions} actions)", "SCC")
    config = out / "escg.toml"
    text = config.read_text().replace('[themes]\npartnership = "Improving partnership working"\n',
                                      "[themes]\n" + "".join(f'{k} = "{v}"\n' for k, v in THEMES.items()))
    config.write_text(text.replace('# chair = "person-id"', 'chair = "person-0000"'))

    people_count = max(30, actions // 200)
    orgs = {f"org-{n:03d}": model.Organisation(f"org-{n:03d}", f"Organisation {n}", SECTORS[n % len(SECTORS)])
            for n in range(max(10, people_count // 10))}
    org_ids = list(orgs)
    people = {}
    for n in range(people_count):
        ident = f"person-{n:04d}"
        people[ident] = model.Person(ident, f"Person {n}", org_ids[n % len(org_ids)], "Officer",
                                     f"{ident}@example.org", "member" if n % 5 else "deputy",
                                     f"person-{n - 1:04d}" if n % 5 == 0 and n else None)
    atomic_write(out / PEOPLE, new_document({
        "orgs": {k: v.to_toml() for k, v in orgs.items()},
        "people": {k: v.to_toml() for k, v in people.items()},
    }, header="Synthetic people for benchmarks."), durable=False)
    person_ids = list(people)

    # Meetings: one for every 25 actions, spread over the years, the last few still to come.
    meeting_count = max(12, actions // 25)
    years = max(1, actions // 5000)
    start = date(TODAY.year - years, TODAY.month, 1)
    span = (TODAY - start).days
    meetings: list[model.Meeting] = []
    used: set[str] = set()
    for n in range(meeting_count):
        if n >= meeting_count - 4:
            day = TODAY + timedelta(days=10 + 30 * (n - meeting_count + 4))
        else:
            day = start + timedelta(days=span * n // meeting_count)
        ident = day.isoformat()
        for letter in "bcdefghijklmnopqrstuvwxyz":
            if ident not in used:
                break
            ident = day.isoformat() + letter
        used.add(ident)
        past = day < TODAY
        items = [model.AgendaItem(f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}", rng.choice(model.PURPOSES),
                                  rng.choice(person_ids), None, rng.choice(list(THEMES)), 15)
                 for _ in range(5)]
        for item in items:
            item.org = people[item.presenter].org
        meeting = model.Meeting(ident, day, clock(10), clock(12), "County Hall", None,
                                "held" if past else "planned", items=items)
        meetings.append(meeting)
        data = meeting.to_toml()
        data["items"] = [item.to_toml() for item in items]
        atomic_write(out / "meetings" / ident[:4] / f"{ident}.toml", new_document(data), durable=False)
    held = [m for m in meetings if m.status == "held"]

    open_count = 0
    for n in range(1, actions + 1):
        meeting = held[min(len(held) - 1, (n - 1) * len(held) // actions)]
        created = meeting.date
        is_open = rng.random() < 0.15
        due = created + timedelta(days=rng.randint(14, 120))
        if is_open:
            open_count += 1
            due = TODAY + timedelta(days=rng.randint(-60, 120))
        owner = rng.choice(person_ids)
        action = model.Action(
            id=model.action_id(n), title=f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}", owner=owner,
            org=people[owner].org, due=due if rng.random() < 0.95 else None,
            status="open" if is_open else ("done" if rng.random() < 0.9 else "dropped"),
            meeting=meeting.id, item=rng.randint(1, 5) if meeting.agenda_built else None,
            theme=rng.choice(list(THEMES)), created=created,
        )
        for u in range(rng.randint(0, 2)):
            action.updates.append(model.Update(min(TODAY, created + timedelta(days=7 * (u + 1))), f"Progress note {u + 1}."))
        if not is_open:
            action.closed = min(TODAY, created + timedelta(days=rng.randint(7, 150)))
        path = out / ACTIONS / f"{created.year:04d}" / f"{action.id}-{rng.getrandbits(16):04x}.toml"
        atomic_write(path, new_document(action.to_toml(), header=f"Action {action.id}"), durable=False)
    (out / ".escg-last-action").write_text(f"{actions}\n")
    return {"actions": actions, "open": open_count, "meetings": meeting_count, "people": people_count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, required=True, help="how many actions")
    parser.add_argument("--out", type=Path, required=True, help="folder for the new store")
    args = parser.parse_args()
    started = time.perf_counter()
    counts = generate(args.actions, args.out)
    print(f"wrote {args.out}: {counts['actions']} actions ({counts['open']} open), {counts['meetings']} meetings, "
          f"{counts['people']} people in {time.perf_counter() - started:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
