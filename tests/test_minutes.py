"""Minutes, the decision log and matters arising: a whole meeting cycle."""

import json
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

import stores


def hold_the_meeting(run, store):
    """meeting_store, then the 2026-12-03 meeting held and minuted through the CLI (the
    commands are what these tests are about, so they stay commands: run once per module)."""
    stores.write_meeting_store(store)
    run(["agenda", "add", "Serious violence <update>", "--presenter", "bob", "--theme", "partnership", "--minutes", "20"])
    run("agenda new")
    run("attend --present ann-chair,cat --sub bob=dan --guest 'Dr A Visitor (UKHSA)'")
    run("minutes new")
    run(["minutes", "declare", "2026-12-03", "5", "cat", "Trustee of a youth charity"])
    run(["minutes", "note", "2026-12-03", "5", "Bob's deputy presented <the update> & answered questions."])
    run(["minutes", "decide", "2026-12-03", "5", "The group endorsed the strategy."])
    run(["minutes", "action", "2026-12-03", "5", "Circulate the strategy", "--owner", "dan", "--due", "next meeting"])


@pytest.fixture(scope="module")
def held_template(tmp_path_factory):
    return stores.build_once(tmp_path_factory, "held", hold_the_meeting, today="2026-12-03")


@pytest.fixture
def held(held_template, store_dir, monkeypatch):
    """The 2026-12-03 meeting, held, with a full set of minutes; today is the meeting day."""
    monkeypatch.setenv("ESCG_TODAY", "2026-12-03")
    return stores.copy_store(held_template, store_dir)


def test_cycle_statuses(run, held, monkeypatch):
    data = json.loads(run("meeting show 2026-12-03 --json").stdout)
    assert data["status"] == "minutes-draft"
    monkeypatch.setenv("ESCG_TODAY", "2027-02-04")
    run("minutes approve 2026-12-03")
    data = json.loads(run("meeting show 2026-12-03 --json").stdout)
    assert data["status"] == "minutes-approved"
    meeting = (held / "meetings/2026/2026-12-03.toml").read_text()
    assert 'approved = 2027-02-04' in meeting and 'approved_at = "2027-02-04"' in meeting


def test_minutes_action_is_in_the_action_log(run, held):
    actions = json.loads(run("actions --json").stdout)
    assert [(a["id"], a["owner"], a["meeting"], a["item"], a["due"]) for a in actions] == [
        ("A-001", "dan", "2026-12-03", 5, "2027-02-04")]


def test_decision_log(run, held):
    assert json.loads(run("decisions --json").stdout) == [{
        "meeting": "2026-12-03", "item": 5, "title": "Serious violence <update>",
        "text": "The group endorsed the strategy.", "theme": "partnership"}]
    assert json.loads(run("decisions --theme health --json").stdout) == []
    assert json.loads(run("decisions --since 2027-01-01 --json").stdout) == []
    assert len(json.loads(run("decisions --meeting 2026-12-03 --json").stdout)) == 1
    assert "The group endorsed the strategy." in run("decisions --format csv").stdout
    assert "| 2026-12-03 | 5 |" in run("decisions --format md").stdout


def test_markdown_minutes(run, held):
    text = run("minutes render 2026-12-03").stdout
    assert "## Minutes (DRAFT): Thursday 3 December 2026, 10:00–12:00" in text
    assert "- Ann Chair, Chief Executive, Essex County Council **(Chair)**" in text
    assert "- Dan Deputy, Essex Police (for Bob Police)" in text
    assert "- Bob Police, Essex Police (represented by Dan Deputy)" in text
    assert "- Eve Guest" not in text and "- Dr A Visitor (UKHSA)" in text
    assert "The meeting was quorate: 3 of 3 members were present or represented (quorum 1)." in text
    assert "- Cat Health (item 5, Serious violence \\<update>): Trustee of a youth charity" in text
    assert "> **Decision 5.1:** The group endorsed the strategy." in text
    assert "| A-001 | Circulate the strategy | Dan Deputy (Essex Police) | 4 Feb 2027 |" in text
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<table>" in html and "<blockquote>" in html and "<script" not in html


def test_html_minutes_escape_and_mark_draft(run, held):
    text = run("minutes render 2026-12-03 --format html").stdout
    assert text.startswith('<!DOCTYPE html>\n<html lang="en-GB">')
    assert '<span class="draft">DRAFT</span>' in text
    assert "&lt;the update&gt; &amp; answered" in text and "<the update>" not in text


def test_next_agenda_has_matters_arising(run, held, monkeypatch):
    monkeypatch.setenv("ESCG_TODAY", "2027-01-20")
    text = run("agenda render 2027-02-04").stdout
    assert "minutes of the meeting of Thursday 3 December 2026 (draft, not yet approved)" in text
    assert "| A-001 | Circulate the strategy | Dan Deputy | 4 Feb 2027 | On track |" in text


def test_refusals(run, held, monkeypatch):
    snapshot = {p: p.read_bytes() for p in held.rglob("*.toml")}
    cases = [
        ("minutes new 2027-02-04", 5, "still to come"),
        ("minutes note 2026-12-03 42 Hello", 4, "has no item 42"),
        ("minutes declare 2026-12-03 5 nobody Interest", 4, "unknown person"),
        ("minutes action 2026-12-03 5 Do --owner nobody", 4, "unknown person"),
        ("minutes action 2026-12-03 5 Do", 3, "needs an --owner"),
        ("minutes approve 2026-12-03", 3, "give --at"),
        ("minutes approve 2026-10-01", 5, "no draft minutes"),
        ("minutes render 2026-10-01", 5, "no minutes yet"),
        ("minutes note 2026-12-03 5 ''", 3, "empty"),
    ]
    for args, code, message in cases:
        result = run(args, code=code)
        assert message in result.stderr, (args, result.stderr)
    run("meeting cancel 2027-02-04")
    assert "cancelled" in run("minutes new 2027-02-04", code=5).stderr
    monkeypatch.setenv("ESCG_TODAY", "2027-03-01")
    assert "was cancelled" in run("minutes approve 2026-12-03 --at 2027-02-04", code=5).stderr
    snapshot_after = {p: p.read_bytes() for p in held.rglob("*.toml")}
    changed = [p for p in snapshot_after if snapshot_after[p] != snapshot.get(p)]
    assert [p.name for p in changed] == ["2027-02-04.toml"]  # only the cancellation


def test_approved_minutes_are_a_record(run, held, monkeypatch):
    monkeypatch.setenv("ESCG_TODAY", "2027-02-04")
    run("minutes approve 2026-12-03")
    text = run("minutes render 2026-12-03").stdout
    assert "DRAFT" not in text and "Approved at the meeting of Thursday 4 February 2027." in text
    assert "approved minutes are a record" in run("minutes note 2026-12-03 5 More", code=5).stderr
    assert "already approved" in run("minutes approve 2026-12-03", code=5).stderr
    assert "approved" in run("attend 2026-12-03 --present bob", code=5).stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (installed by .ci/run)")
def test_minutes_in_a_real_browser(run, held, tmp_path):
    """Chromium loads the rendered minutes and agenda; the DOM it builds has the structure we wrote."""
    for name, args in (("minutes.html", "minutes render 2026-12-03 -f html"), ("agenda.html", "agenda render 2026-12-03 -f html")):
        page = tmp_path / name
        page.write_text(run(args).stdout)
        dom = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120).stdout

        class Tags(HTMLParser):
            def __init__(self):
                super().__init__()
                self.tags, self.lang = [], None

            def handle_starttag(self, tag, attrs):
                self.tags.append(tag)
                if tag == "html":
                    self.lang = dict(attrs).get("lang")

        parsed = Tags()
        parsed.feed(dom)
        assert parsed.lang == "en-GB"
        assert "table" in parsed.tags and "script" not in parsed.tags
        if name == "minutes.html":
            assert "Decision 5.1:" in dom and "&lt;the update&gt;" in dom
    pdf = tmp_path / "minutes.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile2'}",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", (tmp_path / "minutes.html").as_uri()],
                   capture_output=True, timeout=120)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_presented_by_names_who_was_there(run, held):
    """Bob sent apologies (Dan came for him): the minutes do not say Bob presented item 5."""
    text = run("minutes render 2026-12-03").stdout
    assert "Presented by Bob Police" not in text
    stores.write(held, "meetings/2026/2026-12-03.toml", (held / "meetings/2026/2026-12-03.toml").read_text()
                 .replace('title = "Serious violence <update>"', 'title = "Serious violence <update>"\npresented_by = "dan"', 1))
    assert "*Presented by Dan Deputy.*" in run("minutes render 2026-12-03").stdout


def test_the_declarations_item_points_to_the_declarations(run, held):
    text = run("minutes render 2026-12-03").stdout
    section = text.split("### 2. Declarations of interest")[1].split("###")[0]
    assert "The declarations of interest are recorded above." in section and "No minute recorded" not in section
    html = run("minutes render 2026-12-03 --format html").stdout
    assert 'The declarations of interest are recorded <a href="#attendance">above</a>.' in html


def test_approve_last_at_the_next_meeting_means_the_minutes_waiting(run, held, monkeypatch):
    """On the day of the next meeting, 'last' is that meeting itself; approving 'last' means
    the latest minutes waiting for approval, as the README's cycle runs it."""
    monkeypatch.setenv("ESCG_TODAY", "2027-02-04")
    run("attend 2027-02-04 --present ann-chair")
    result = run("minutes approve last")
    assert "minutes of 2026-12-03 approved at the meeting of 2027-02-04" in result.stderr


def test_on_a_meetings_day_the_last_minutes_are_the_last_written(run, example_store, monkeypatch):
    """On 3 December, before its minutes are begun, `minutes render` (last) is October's, as said."""
    monkeypatch.setenv("ESCG_TODAY", "2026-12-03")
    result = run("minutes render")
    assert "meeting 2026-12-03 has no minutes yet; the last minutes are those of 2026-10-01" in result.stderr
    assert "Minutes (DRAFT): Thursday 1 October 2026" in result.stdout
    assert "has no minutes yet" in run("minutes render 2026-12-03", code=5).stderr  # named: as named
