"""Agendas: submitting items, building, ordering, deferring, timings."""

import json

from escg.store import Store


def items(run, meeting="next"):
    return json.loads(run(f"agenda list {meeting} --json").stdout)


def test_build_agenda_from_standing_and_placed_items(run, meeting_store):
    run("agenda add 'Serious violence duty: needs assessment' --presenter bob --theme partnership --minutes 20 --purpose decision")
    run("agenda add 'Deep dive: waiting times' --presenter cat --purpose 'deep dive' --minutes 30 --theme health")
    preview = run("agenda list")
    assert "preview" in preview.stderr
    result = run("agenda new")
    assert result.stdout.strip() == "2026-12-03"
    assert "8 items (2 placed, 6 standing)" in result.stderr
    rows = items(run)
    assert [(r["number"], r["start"], r["title"]) for r in rows] == [
        (1, "10:00", "Welcome, introductions and apologies"),
        (2, "10:05", "Declarations of interest"),
        (3, "10:10", "Minutes of the last meeting and matters arising"),
        (4, "10:20", "Action log review"),
        (5, "10:35", "Serious violence duty: needs assessment"),
        (6, "10:55", "Deep dive: waiting times"),
        (7, "11:25", "Any other business"),
        (8, "11:35", "Date of next meeting"),
    ]
    assert rows[4] == {"number": 5, "title": "Serious violence duty: needs assessment", "purpose": "decision",
                       "presenter": "bob", "org": "police", "theme": "partnership", "minutes": 20,
                       "start": "10:35", "standing": False}
    assert rows[0]["presenter"] == "ann-chair" and rows[0]["standing"] is True
    # building again changes nothing
    path = meeting_store / "meetings/2026/2026-12-03.toml"
    before = path.read_bytes()
    assert "already up to date" in run("agenda new").stderr
    assert path.read_bytes() == before


def test_items_added_after_building_go_before_closing_items(run, meeting_store):
    run("agenda new")
    run("agenda add 'Late paper' --presenter cat --minutes 10")
    titles = [r["title"] for r in items(run)]
    assert titles[-3:] == ["Late paper", "Any other business", "Date of next meeting"]


def test_new_standing_item_is_synced_into_a_built_agenda(run, meeting_store):
    run("agenda new")
    config = meeting_store / "escg.toml"
    config.write_text(config.read_text().replace(
        '[[standing]]\nid = "minutes"',
        '[[standing]]\nid = "risk"\ntitle = "Risk register"\nminutes = 5\nposition = "start"\npurpose = "assurance"\n\n[[standing]]\nid = "minutes"'))
    run("agenda new")
    titles = [r["title"] for r in items(run)]
    assert titles.index("Risk register") < titles.index("Any other business")
    assert titles.count("Risk register") == 1


def test_overrun_warns(run, meeting_store):
    run("agenda add 'Long item' --minutes 90")
    result = run("agenda new")
    assert "warning: the agenda of 2026-12-03 overruns the meeting by 20 minutes (items end at 12:20, the meeting at 12:00)" in result.stderr
    assert "overruns" in run("agenda list").stderr


def test_move_remove_defer_place(run, meeting_store):
    run("agenda add First --minutes 10")
    run("agenda add Second --minutes 10")
    run("agenda add Third --minutes 10")
    run("agenda new")
    run("agenda move 7 --to 5")
    assert [r["title"] for r in items(run)][4:7] == ["Third", "First", "Second"]
    run("agenda move 5 --to 7")
    assert [r["title"] for r in items(run)][4:7] == ["First", "Second", "Third"]
    run("agenda remove 6")
    assert "Second" not in [r["title"] for r in items(run)]
    result = run("agenda defer 5")
    assert "deferred item 5 to meeting 2027-02-04" in result.stderr
    later = Store(meeting_store).meetings["2027-02-04"].items
    assert [(i.title, i.deferred_from) for i in later] == [("First", "2026-12-03")]
    run("agenda defer 5 --forward-plan")
    plan = json.loads(run("agenda list --forward-plan --json").stdout)
    assert [(p["title"], p["status"], p["deferred_from"]) for p in plan] == [("Third", "deferred", "2026-12-03")]
    run("agenda place 1 --meeting 2027-02-04")
    assert json.loads(run("agenda list --forward-plan --json").stdout) == []
    assert [i.title for i in Store(meeting_store).meetings["2027-02-04"].items] == ["First", "Third"]


def test_forward_plan_items(run, meeting_store):
    run("agenda add 'Airport expansion' --forward-plan --theme partnership --presenter bob")
    plan = json.loads(run("agenda list --forward-plan --json").stdout)
    assert plan[0]["title"] == "Airport expansion" and plan[0]["status"] == "proposed"
    assert plan[0]["submitted"] == "2026-11-23"
    assert "1 item waits on the forward plan" in run("agenda new").stderr


def test_papers(run, meeting_store):
    (meeting_store / "papers").mkdir()
    (meeting_store / "papers/report.pdf").write_bytes(b"%PDF-1.4")
    result = run("agenda add Report --paper papers/report.pdf --paper https://example.org/a.pdf --paper papers/later.pdf")
    assert "warning: paper papers/later.pdf is not in the store yet" in result.stderr
    item = Store(meeting_store).meetings["2026-12-03"].items[0]
    assert item.papers == ["papers/report.pdf", "https://example.org/a.pdf", "papers/later.pdf"]


def test_bad_agenda_input(run, meeting_store):
    run("agenda new")
    snapshot = {p: p.read_bytes() for p in meeting_store.rglob("*.toml")}
    cases = [
        ("agenda add ''", 3, "needs a title"),
        ("agenda add X --purpose gossip", 3, "purpose must be one of"),
        ("agenda add X --theme weather", 4, "unknown theme 'weather'"),
        ("agenda add X --presenter nobody", 4, "unknown person"),
        ("agenda add X --org nowhere", 4, "unknown organisation"),
        ("agenda add X --minutes 1000", 3, "between 0 and 600"),
        ("agenda add X --paper ../../etc/passwd", 3, "inside the store"),
        ("agenda add X --paper /etc/passwd", 3, "inside the store"),
        ("agenda add X --paper file:///etc/passwd", 3, "http"),
        ("agenda add X --meeting 2030-01-01", 4, "no meeting on"),
        ("agenda add X --meeting 2026-12-03 --forward-plan", 3, "not both"),
        ("agenda remove 42", 4, "has no item 42"),
        ("agenda move 1 --to 99", 3, "position must be between"),
        ("agenda defer 1", 5, "standing item"),
        ("agenda place 3", 4, "forward plan has no item 3"),
        ("agenda render --format rtf", 2, ""),
    ]
    for args, code, message in cases:
        result = run(args, code=code)
        assert message in result.stderr, (args, result.stderr)
    assert {p: p.read_bytes() for p in meeting_store.rglob("*.toml")} == snapshot


def test_no_agenda_for_cancelled_or_held_meetings(run, meeting_store):
    run("meeting cancel 2027-02-04")
    assert "cancelled" in run("agenda new 2027-02-04", code=5).stderr
    path = meeting_store / "meetings/2026/2026-10-01.toml"
    path.write_text(path.read_text().replace('status = "planned"', 'status = "held"'))
    assert "agenda is closed" in run("agenda add X --meeting 2026-10-01", code=5).stderr


def test_same_title_twice_gets_its_own_number(run, meeting_store):
    assert "added item 5 " in run("agenda add A --meeting 2027-02-04").stderr
    assert "added item 6 " in run("agenda add A --meeting 2027-02-04").stderr


def test_reordering_a_preview_asks_to_build_first(run, meeting_store):
    run("agenda add A")
    run("agenda add B")
    assert "build it with `escg agenda new" in run("agenda move 5 --to 1", code=5).stderr


def test_paper_links_work_wherever_the_page_is_saved(run, example_store, tmp_path):
    """A page written with --out links each paper from where the page is, not from the store."""
    import re

    store = example_store
    for out in (tmp_path / "site" / "agenda.html", store / "agenda.html", tmp_path / "notes" / "agenda.md"):
        form = "md" if out.suffix == ".md" else "html"
        run(["--store", str(store), "agenda", "render", "2026-12-03", "-f", form, "--out", str(out)])
        text = out.read_text()
        links = re.findall(r'href="([^"]+)"', text) if form == "html" else re.findall(r"\]\(<([^>]+)>\)", text)
        local = [link for link in links if not link.startswith(("http", "mailto", "#"))]
        assert len(local) == 3, links
        for link in local:
            assert (out.parent / link).resolve().is_file(), link
    # to stdout, the links stay relative to the store's top folder
    text = run(["--store", str(store), "agenda", "render", "2026-12-03", "-f", "html"]).stdout
    assert 'href="papers/2026-12-03-jhws-annual-report.md"' in text


def test_agenda_edit_corrects_an_item(run, meeting_store):
    run(["agenda", "add", "Violence update", "--presenter", "bob", "--paper", "papers/a.md"])
    number = 5  # after the four opening standing items of the preview
    assert "standing item of the preview" in run(f"agenda edit 1 --title X", code=5).stderr
    result = run(["agenda", "edit", str(number), "--title", "Serious violence update", "--minutes", "25",
                  "--presenter", "cat", "--add-paper", "https://example.org/b.pdf", "--remove-paper", "papers/a.md"])
    assert "item 5: changed title, presenter, org, minutes, papers" in result.stderr
    item = next(i for i in json.loads(run("agenda list --json").stdout) if i["number"] == number)
    assert (item["title"], item["presenter"], item["org"], item["minutes"]) == ("Serious violence update", "cat", "nhs", 25)
    assert "already says that" in run(f"agenda edit {number} --minutes 25").stderr
    assert "has no paper 'nope.md'" in run(f"agenda edit {number} --remove-paper nope.md", code=4).stderr
    assert "records who presented an item at the meeting" in run(f"agenda edit {number} --presented-by bob",
                                                                  code=5).stderr


def test_presented_by_after_the_meeting_only(run, meeting_store):
    run("agenda new 2026-10-01")
    assert "its agenda is closed" in run("agenda edit 1 -m 2026-10-01 --title X", code=5).stderr
    run("agenda edit 1 -m 2026-10-01 --presented-by bob")
    assert 'presented_by = "bob"' in (meeting_store / "meetings/2026/2026-10-01.toml").read_text()


def test_a_forward_plan_item_aimed_at_a_month_is_placed_when_that_agenda_is_built(run, meeting_store):
    run(["agenda", "add", "Winter debrief", "--for", "February 2027", "--presenter", "bob"])
    run(["agenda", "add", "For the meeting itself", "--for", "2027-02-04"])
    run(["agenda", "add", "Later", "--for", "2027-06"])
    plan = json.loads(run("agenda list --forward-plan --json").stdout)
    assert [(p["title"], p["aim"]) for p in plan] == [("Winter debrief", "2027-02"),
                                                      ("For the meeting itself", "2027-02-04"), ("Later", "2027-06")]
    run("agenda new 2026-12-03")  # another month: nothing placed
    assert len(json.loads(run("agenda list --forward-plan --json").stdout)) == 3
    run("agenda new 2027-02-04")
    titles = [i["title"] for i in json.loads(run("agenda list 2027-02-04 --json").stdout)]
    assert titles.index("Winter debrief") < titles.index("Any other business")
    assert "For the meeting itself" in titles
    assert [p["title"] for p in json.loads(run("agenda list --forward-plan --json").stdout)] == ["Later"]
    assert "give a month such as 2027-03" in run(["agenda", "add", "X", "--for", "someday"], code=3).stderr
    assert "the store is clean" in run("check").stderr


def test_an_aim_that_has_passed_is_refused_or_reported(run, meeting_store, monkeypatch):
    assert "2026-10 has passed" in run(["agenda", "add", "Too late", "--for", "October 2026"], code=3).stderr
    result = run(["agenda", "add", "Spring review", "--for", "2027-03"])
    assert "added item 1 to the forward plan, for March 2027" in result.stderr
    monkeypatch.setenv("ESCG_TODAY", "2027-04-02")
    out = run("check", code=6).stdout
    assert "forward-plan.toml:" in out and "aimed at 2027-03, which has passed without placing it" in out
