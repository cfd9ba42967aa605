"""Organisations and people through the CLI."""

import csv
import io
import json

from escg.store import Store


def test_add_list_show_people(run, people_store):
    result = run("person list --json")
    people = json.loads(result.stdout)
    assert [p["id"] for p in people] == ["ann-chair", "bob", "cat", "dan", "eve"]
    assert people[1] == {"id": "bob", "name": "Bob Police", "org": "police", "role": "Chief Constable",
                         "email": "bob@example.org", "membership": "member", "left": None}
    assert set(people[0]) == {"id", "name", "org", "role", "email", "membership", "left"}
    assert json.loads(run("person show dan --json").stdout)["deputy_for"] == "bob"
    shown = run("person show dan").stdout
    assert "Deputy for    bob" in shown and "Essex Police" in shown


def test_person_list_filters_and_formats(run, people_store):
    assert [p["id"] for p in json.loads(run("person list --org police --json").stdout)] == ["bob", "dan"]
    assert [p["id"] for p in json.loads(run("person list --membership deputy -f json").stdout)] == ["dan"]
    rows = list(csv.DictReader(io.StringIO(run("person list --format csv").stdout)))
    assert rows[0]["id"] == "ann-chair" and rows[4]["email"] == ""
    table = run("person list").stdout
    assert table.splitlines()[0].split() == ["ID", "NAME", "ORG", "ROLE", "E-MAIL", "MEMBERSHIP"]
    assert "\x1b[" not in table
    md = run("person list --format md").stdout
    assert md.splitlines()[1] == "|---|---|---|---|---|---|"


def test_membership_defaults_to_member(run, people_store):
    run("person add fred --name Fred --org ecc")
    assert Store(people_store).people["fred"].membership == "member"


def test_org_list_and_show(run, people_store):
    orgs = json.loads(run("org list --json").stdout)
    assert orgs == [
        {"id": "ecc", "name": "Essex County Council", "sector": "council"},
        {"id": "nhs", "name": "NHS Trust", "sector": "health"},
        {"id": "police", "name": "Essex Police", "sector": "police"},
    ]
    assert json.loads(run("org show police --json").stdout)["people"] == ["bob", "dan"]


def test_bad_people_input(run, people_store):
    before = (people_store / "people.toml").read_bytes()
    cases = [
        ("person add zed --name Z --org nowhere", 4, "unknown organisation 'nowhere'"),
        ("person add zed --name Z --org polise", 4, "did you mean 'police'"),
        ("person add bob --name B --org ecc", 5, "person 'bob' already exists"),
        ("person add zed --name Z --org ecc --email zed@", 3, "not an e-mail address"),
        ("person add zed --name Z --org ecc --membership boss", 3, "membership must be one of"),
        ("person add zed --name Z --org ecc --deputy-for nobody", 4, "unknown person 'nobody'"),
        ("person add 'Zed Zee' --name Z --org ecc", 3, "such as 'zed-zee'"),
        ("person add ../etc --name Z --org ecc", 3, "is not valid"),
        ("person add zed --org ecc", 3, "needs a --name"),
        ("org add ecc --name Again", 5, "already exists"),
        ("org add fire --name Fire --sector ambulance", 3, "sector must be one of"),
        ("person show nobody", 4, "unknown person"),
        ("person remove bob", 5, "still referenced by deputy dan"),
        ("person remove ann-chair", 5, "the chair in escg.toml"),
        ("org remove police", 5, "still referenced"),
        ("person edit bob --email nope", 3, "not an e-mail"),
    ]
    for args, code, message in cases:
        result = run(args, code=code)
        assert message in result.stderr, (args, result.stderr)
        assert result.stderr.startswith("error: ")
    assert (people_store / "people.toml").read_bytes() == before


def test_edit_and_remove(run, people_store):
    run("person edit eve --org ecc --role Observer --membership adviser")
    eve = Store(people_store).people["eve"]
    assert (eve.org, eve.role, eve.membership) == ("ecc", "Observer", "adviser")
    run("person edit eve --role ''")
    assert Store(people_store).people["eve"].role is None
    run("person remove eve")
    assert "eve" not in Store(people_store).people
    run("org add fire --name Fire --sector fire")
    run("org edit fire --name 'Essex County Fire and Rescue Service'")
    assert Store(people_store).orgs["fire"].name == "Essex County Fire and Rescue Service"
    run("org remove fire")
    assert "fire" not in Store(people_store).orgs


def test_presenter_cannot_be_removed(run, meeting_store):
    run("agenda add 'Update' --presenter cat")
    result = run("person remove cat", code=5)
    assert "meeting 2026-12-03 item 1" in result.stderr


def test_a_person_who_leaves_is_kept_but_out_of_new_lists(run, meeting_store):
    run("action add 'Chase the data' --owner cat --due 2026-12-01")
    result = run("person leave cat --on 2026-11-20")
    assert "cat left the group on 2026-11-20; kept for the record" in result.stderr
    assert "cat still owns 1 open action (A-001)" in result.stderr
    assert "cat" not in [p["id"] for p in json.loads(run("person list --json").stdout)]
    everyone = {p["id"]: p for p in json.loads(run("person list --all --json").stdout)}
    assert everyone["cat"]["left"] == "2026-11-20"
    assert "left the group on 2026-11-20" in run("action add 'New' --owner cat", code=5).stderr
    assert "the store is clean" in run("check").stderr  # her actions and records still name her
    run("person leave cat --undo")
    assert "cat" in [p["id"] for p in json.loads(run("person list --json").stdout)]
    assert "has not left" in run("person leave cat --undo", code=5).stderr


def test_quorum_counts_only_members_still_with_the_group(meeting_store):
    from escg.domain.attendance import quorum
    from escg.domain.people import leave_person
    from escg.store import Store

    store = Store.open(str(meeting_store))
    meeting = store.meeting("2026-10-01")
    members = quorum(store, meeting).members
    leave_person(store, "bob", __import__("datetime").date(2026, 9, 1))
    store = Store.open(str(meeting_store))
    assert quorum(store, store.meeting("2026-10-01")).members == members - 1
    leave_person(store, "cat", __import__("datetime").date(2026, 10, 2))  # after the meeting: still counted
    store = Store.open(str(meeting_store))
    assert quorum(store, store.meeting("2026-10-01")).members == members - 1


def test_a_meetings_vice_chair_is_a_reference_and_checked(run, example_store):
    """person remove took away a meeting's vice-chair, and check did not notice an unknown
    vice_chair, where it does an unknown chair (an adversary's pass)."""
    run("person add zed-test --name Zed --org ecc")
    run("meeting edit 2027-02-04 --vice-chair zed-test")
    error = run("person remove zed-test", code=5).stderr
    assert "still referenced by vice-chair of meeting 2027-02-04" in error
    path = example_store / "meetings" / "2027" / "2027-02-04.toml"
    path.write_text(path.read_text().replace('vice_chair = "zed-test"', 'vice_chair = "nobody-here"'))
    assert "meetings/2027/2027-02-04.toml:8: vice-chair 'nobody-here' is not in people.toml" in run("check", code=6).stdout
