"""Attendance over time (`escg attendance`) and the register of interests (`escg interest`)."""

import json

import pytest

import stores

# meeting_store's members: ann-chair (ecc), bob (police), cat (nhs); dan is bob's deputy
# (police), eve a guest (nhs). Today is 2026-11-23.


@pytest.fixture(scope="module")
def history_template(tmp_path_factory):
    def build(run, store):
        stores.add_meetings(stores.add_people(stores.write_empty_store(store)))
        for day in ("2026-06-04", "2026-08-06", "2026-09-03"):
            stores.write_meeting(store, day, stores.planned_meeting(day))
        stores.write_meeting(store, "2026-07-02", stores.cancelled_meeting("2026-07-02", "No business"))
        run("attend 2026-06-04 --present ann-chair,bob --apologies cat")
        run("attend 2026-08-06 --present ann-chair --sub cat=eve --absent bob")
        run("attend 2026-10-01 --present ann-chair,dan --apologies bob")
        # 2026-09-03 is held (past, not cancelled) but has no attendance recorded.

    return stores.build_once(tmp_path_factory, "attendance-history", build)


@pytest.fixture
def history(history_template, store_dir):
    """Four past meetings: three with attendance recorded, one without, and a cancelled one."""
    return stores.copy_store(history_template, store_dir)


def rows(run, args="attendance --json"):
    result = run(args)
    return {row["person"] if "person" in row else row["org"]: row for row in json.loads(result.stdout)}, result


def test_the_numbers_per_member(run, history):
    found, result = rows(run)
    assert list(found) == ["ann-chair", "bob", "cat", "dan", "eve"]
    assert found["ann-chair"] == {"person": "ann-chair", "name": "Ann Chair", "org": "ecc", "membership": "member",
                                  "expected": 3, "present": 3, "substitute": 0, "substitutes": [], "apologies": 0,
                                  "absent": 0, "attendance": 100.0, "stood_in": 0, "stood_in_for": []}
    bob = found["bob"]  # present, absent, then apologies with his deputy dan present
    assert (bob["expected"], bob["present"], bob["substitute"], bob["apologies"], bob["absent"]) == (3, 1, 1, 0, 1)
    assert bob["substitutes"] == ["dan"] and bob["attendance"] == 66.7
    cat = found["cat"]  # apologies, a --sub (eve), then not on the record at all
    assert (cat["expected"], cat["present"], cat["substitute"], cat["apologies"], cat["absent"]) == (3, 0, 1, 1, 1)
    assert cat["substitutes"] == ["eve"] and cat["attendance"] == 33.3
    assert found["dan"]["expected"] == 0 and found["dan"]["attendance"] is None
    assert (found["dan"]["stood_in"], found["dan"]["stood_in_for"]) == (1, ["bob"])
    assert (found["eve"]["membership"], found["eve"]["stood_in_for"]) == ("guest", ["cat"])
    assert "attendance over 3 held meetings with attendance recorded, 2026-06-04 to 2026-10-01" in result.stderr
    assert "note: 1 held meeting has no attendance recorded and is not counted: 2026-09-03" in result.stderr


def test_future_and_cancelled_meetings_do_not_count(run, history):
    run("attend 2026-12-03 --apologies ann-chair")  # in advance: the meeting is still to come
    found, result = rows(run)
    assert found["ann-chair"]["expected"] == 3 and found["ann-chair"]["apologies"] == 0
    assert "2026-07-02" not in result.stderr and "2026-12-03" not in result.stderr


def test_since_and_until(run, history):
    found, result = rows(run, "attendance --since 2026-08-01 --until 2026-09-30 --json")
    assert found["bob"]["expected"] == 1 and found["bob"]["absent"] == 1 and found["bob"]["attendance"] == 0.0
    assert "attendance over 1 held meeting with attendance recorded, 2026-08-06 to 2026-08-06" in result.stderr
    assert "2026-09-03" in result.stderr
    found, result = rows(run, "attendance --since '1 Oct 2026' --json")
    assert found["bob"]["substitute"] == 1 and "no attendance recorded" not in result.stderr
    result = run("attendance --since 2026-10-01 --until 2026-06-01", code=3)
    assert "error: --until 2026-06-01 is before --since 2026-10-01" in result.stderr
    assert "error:" in run("attendance --since soonish", code=3).stderr


def test_by_org(run, history):
    found, _ = rows(run, "attendance --by org --json")
    assert list(found) == ["ecc", "nhs", "police"]
    assert found["police"] == {"org": "police", "name": "Essex Police", "members": 1, "meetings": 3,
                               "represented": 2, "expected": 3, "present": 1, "substitute": 1,
                               "apologies": 0, "absent": 1, "attendance": 66.7}
    assert found["nhs"]["represented"] == 1 and found["nhs"]["attendance"] == 33.3


def test_formats(run, history):
    table = run("attendance").stdout.splitlines()
    assert table[0].split()[:4] == ["ID", "NAME", "ORG", "EXPECTED"]
    assert table[2].split() == ["bob", "Bob", "Police", "police", "3", "1", "1", "Dan", "Deputy", "0", "1", "66.7%"]
    md = run("attendance -f md").stdout.splitlines()
    assert md[0].startswith("| Id | Name | Org | Expected |") and md[1].startswith("|---|")
    assert "| cat | Cat Health | nhs | 3 | 0 | 1 | Eve Guest | 1 | 1 | 33.3% |  |" in md
    csv = run("attendance --by org -f csv").stdout.splitlines()
    assert csv[0] == "org,name,members,meetings,represented,expected,present,substitute,apologies,absent,attendance"
    assert csv[3] == "police,Essex Police,1,3,2,3,1,1,0,1,66.7"


def test_no_meetings_yet(run, meeting_store):
    found, result = rows(run)
    assert found["bob"]["expected"] == 0 and found["bob"]["attendance"] is None
    assert "note: 1 held meeting has no attendance recorded" in result.stderr  # 2026-10-01
    assert run("attendance --by people", code=2)


# --- the register of interests ----------------------------------------------------


def test_add_list_remove(run, people_store):
    run("interest add cat 'Trustee of Essex Youth Trust' --org police --theme health --from 2025-04-01")
    result = run("interest add bob 'Spouse works at the NHS Trust' --org nhs")
    assert "registered interest 2 of bob: Spouse works at the NHS Trust" in result.stderr
    listed = json.loads(run("interest list --json").stdout)
    assert listed == [
        {"number": 2, "person": "bob", "name": "Bob Police", "text": "Spouse works at the NHS Trust",
         "orgs": ["nhs"], "themes": [], "from": None, "until": None},
        {"number": 1, "person": "cat", "name": "Cat Health", "text": "Trustee of Essex Youth Trust",
         "orgs": ["police"], "themes": ["health"], "from": "2025-04-01", "until": None},
    ]
    assert [i["number"] for i in json.loads(run("interest list --person cat --json").stdout)] == [1]
    text = (people_store / "interests.toml").read_text()
    assert text.startswith("# The register of interests")
    assert '[[interests]]\nperson = "cat"\ntext = "Trustee of Essex Youth Trust"\norgs = ["police"]\n' in text
    assert "from = 2025-04-01\n\n[[interests]]\nperson = \"bob\"" in text
    run("interest remove 1 --person cat")
    assert [i["person"] for i in json.loads(run("interest list --json").stdout)] == ["bob"]
    assert run("interest list -f csv").stdout.splitlines()[0] == "number,person,name,text,orgs,themes,from,until"


def test_validation_before_any_write(run, people_store):
    path = people_store / "interests.toml"
    assert "unknown person 'zed'" in run("interest add zed 'x'", code=4).stderr
    assert "no theme 'nope'" in run("interest add bob x --theme nope", code=4).stderr
    assert "unknown organisation" in run("interest add bob x --org nope", code=4).stderr
    assert "is before --from" in run("interest add bob x --from 2026-05-01 --until 2026-01-01", code=3).stderr
    assert "give the interest as text" in run(["interest", "add", "bob", "  "], code=3).stderr
    assert "control characters" in run(["interest", "add", "bob", "a\nb"], code=3).stderr
    assert not path.exists()
    run("interest add bob 'Governor of a school'")
    before = path.read_bytes()
    assert "no interest 3" in run("interest remove 3", code=4).stderr
    assert "interest 1 is bob's, not cat's" in run("interest remove 1 --person cat", code=3).stderr
    assert path.read_bytes() == before


def test_comments_are_kept(run, people_store):
    path = people_store / "interests.toml"
    path.write_text("# Kept by the monitoring officer.\n\n[[interests]]\n# Declared at the March meeting.\n"
                    'person = "bob"  # the chief constable\ntext = "Director of a charity"\n')
    run("interest add cat 'Trustee' --org police")
    text = path.read_text()
    assert text.startswith("# Kept by the monitoring officer.\n\n[[interests]]\n# Declared at the March meeting.\n"
                           'person = "bob"  # the chief constable\ntext = "Director of a charity"\n\n[[interests]]\n'
                           'person = "cat"\n')
    run("interest remove 2")
    assert path.read_text().startswith("# Kept by the monitoring officer.\n\n[[interests]]\n# Declared at the March")
    assert "# the chief constable" in path.read_text()


def test_check_catches_a_malformed_register(run, people_store):
    path = people_store / "interests.toml"
    path.write_text('[[interests]]\nperson = "bob"\ntext = "Director"\n\n[[interests]]\nperson = "zed"\n'
                    'text = "Trustee"\norgs = ["police", "nope"]\nthemes = ["nope"]\nfrom = "last year"\n')
    result = run("check", code=6)
    assert "interests.toml:6: person 'zed' is not in people.toml" in result.stdout
    assert "interests.toml:8: organisation 'nope' is not in people.toml" in result.stdout
    assert "interests.toml:9: theme 'nope' is not in escg.toml [themes]" in result.stdout
    assert "interests.toml:10: 'from' must be a TOML date" in result.stdout
    path.write_text('[[interests]]\nperson = "bob"\ntext = "Director\n')
    assert "interests.toml:3: invalid TOML" in run("check", code=6).stdout
    assert "interests.toml:3: invalid TOML" in run("interest list", code=6).stderr
    path.write_text('[[interests]]\nperson = "bob"\n')
    assert "interests.toml:1: 'text' is required" in run("check", code=6).stdout


# --- agenda new prompts declarations ----------------------------------------------


def test_agenda_new_prompts_declarations(run, meeting_store):
    run("agenda add 'Serious violence duty: strategy refresh and year 3 funding' --meeting 2026-12-03 "
        "--presenter bob --org police --theme partnership")
    run("agenda add 'Health and wellbeing report' --meeting 2026-12-03 --presenter ann-chair --theme health")
    run("interest add cat 'Trustee of Essex Youth Trust' --org police")
    run("interest add ann-chair 'Non-executive director, NHS Trust' --theme health --until 2026-06-30")  # ended
    run("interest add eve 'Adviser to the trust' --theme health")  # a guest, not expected
    result = run("agenda new 2026-12-03")
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == ["note: item 5 (Serious violence duty: strategy refresh and year 3 funding) touches the "
                     "registered interest of Cat Health (Trustee of Essex Youth Trust): ask for a declaration"]
    assert result.stdout == "2026-12-03\n"
    run("attend 2026-12-03 --apologies cat")  # not expected any more
    assert "note:" not in run("agenda new 2026-12-03").stderr
    (meeting_store / "interests.toml").write_text("[[interests]]\nperson = 3\n")
    result = run("agenda new 2026-12-03")  # the agenda is not held up by a broken register
    assert "warning: no declarations prompted: interests.toml:2:" in result.stderr
