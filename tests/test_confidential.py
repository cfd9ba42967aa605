"""Confidential items (issue 15): the public form of every document shows none of them.

The leak test puts a unique marker (ZZLEAK1, ZZLEAK2, ...) into every confidential field
(the title, papers, notes, decisions, declarations, the titles and updates of its actions)
and looks for each in every public output; the members' form shows them all, marked.
"""

from __future__ import annotations

import email
import io
import shutil
import subprocess
from pathlib import Path

import pytest

import stores

MARKERS = [f"ZZLEAK{n}" for n in range(1, 10)]
EXEMPTION = "Information relating to the financial or business affairs of any particular person"


def build(run, store):
    stores.write_meeting_store(store)
    toml = store / "escg.toml"
    toml.write_text(toml.read_text() + f'\n[exemptions]\n3 = "{EXEMPTION}"\n')
    (store / "papers").mkdir()
    (store / "papers" / "zzleak3-terms.md").write_text("# Heads of terms\n")
    run(["agenda", "add", "Community safety update", "--presenter", "bob", "--minutes", "10"])
    run(["agenda", "add", "ZZLEAK1 purchase of the depot site", "--presenter", "cat", "--minutes", "20",
         "--confidential", "3", "--public-title", "Property matter",
         "--paper", "https://example.org/ZZLEAK2-valuation.pdf", "--paper", "papers/zzleak3-terms.md"])
    run("agenda new")
    run("agenda new")  # twice: the exclusion resolution goes in once


def hold(run, store):
    build(run, store)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ESCG_TODAY", "2026-12-03")
        run("attend --present ann-chair,bob,cat")
        run("minutes new")
        run(["minutes", "declare", "2026-12-03", "7", "cat", "ZZLEAK4 owns land next to the depot"])
        run(["minutes", "note", "2026-12-03", "7", "The valuer reported ZZLEAK5 on the price."])
        run(["minutes", "decide", "2026-12-03", "7", "To offer ZZLEAK6 for the site."])
        run(["minutes", "action", "2026-12-03", "7", "ZZLEAK7 instruct the solicitors", "--owner", "cat",
             "--due", "2027-01-15"])
        run(["action", "update", "A-001", "ZZLEAK8 solicitors instructed"])
        run(["minutes", "note", "2026-12-03", "5", "Public business: the update was noted by the group."])
        run(["minutes", "action", "2026-12-03", "5", "Publish the community safety plan", "--owner", "bob"])


@pytest.fixture(scope="module")
def held_template(tmp_path_factory):
    return stores.build_once(tmp_path_factory, "confidential", hold, today="2026-11-23")


@pytest.fixture
def held(held_template, store_dir, monkeypatch):
    monkeypatch.setenv("ESCG_TODAY", "2026-12-03")
    return stores.copy_store(held_template, store_dir)


@pytest.fixture
def planned(tmp_path_factory, store_dir):
    return stores.copy_store(stores.build_once(tmp_path_factory, "confidential-agenda", build), store_dir)


def no_marker(text: str, where: str) -> None:
    found = [m for m in MARKERS if m.lower() in text.lower()]
    assert not found, f"{where} shows confidential text {found}"


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def docx_text(data: bytes) -> str:
    docx = pytest.importorskip("docx")
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
    return "\n".join(parts)


def has_pdf() -> bool:
    try:
        import weasyprint  # noqa: F401
    except Exception:
        return False
    return shutil.which("pdftotext") is not None


def eml_texts(run, tmp_path: Path, *args: str) -> tuple[str, str]:
    folder = tmp_path / "eml"
    shutil.rmtree(folder, ignore_errors=True)
    result = run(["mail", *args, "--eml", str(folder)])
    texts = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        texts.append(str(message["Subject"]))
        for part in message.walk():
            if part.get_content_maintype() == "text":
                texts.append(part.get_content())
            if part.get_filename():
                texts.append(part.get_filename())
    assert texts, "no message written"
    return "\n".join(texts), result.stderr


# --- the agenda ---------------------------------------------------------------------


def test_exclusion_resolution_once_before_the_first_confidential_item(run, planned):
    import json

    items = json.loads(run("agenda list 2026-12-03 --json").stdout)
    titles = [item["title"] for item in items]
    assert titles.count("Exclusion of the press and public") == 1
    at = titles.index("Exclusion of the press and public")
    assert titles[at + 1].startswith("ZZLEAK1")
    text = (planned / "meetings" / "2026" / "2026-12-03.toml").read_text()
    assert text.count('standing = "exclusion"') == 1
    run("agenda new 2026-12-03")
    assert (planned / "meetings" / "2026" / "2026-12-03.toml").read_text() == text
    md = run("agenda render 2026-12-03 --public").stdout
    assert "Local Government Act 1972" in md and "Schedule 12A" in md


def test_the_reason_expands_from_exemptions(planned):
    text = (planned / "meetings" / "2026" / "2026-12-03.toml").read_text()
    assert f'confidential = "Paragraph 3: {EXEMPTION}"' in text
    assert 'public_title = "Property matter"' in text


def test_public_agenda_shows_no_confidential_text(run, planned, tmp_path):
    for form in ("md", "html"):
        out = run(f"agenda render 2026-12-03 --public --format {form}").stdout
        no_marker(out, f"agenda --public ({form})")
        assert "Property matter" in out and "CONFIDENTIAL" in out and "Paragraph 3" in out
        assert "not for publication" not in out
        assert "Community safety update" in out
    docx = run("agenda render 2026-12-03 --public --format docx").stdout_bytes
    no_marker(docx_text(docx), "agenda --public (docx)")
    if has_pdf():
        pdf = run("agenda render 2026-12-03 --public --format pdf").stdout_bytes
        text = pdf_text(pdf, tmp_path)
        no_marker(text, "agenda --public (pdf)")
        assert "Property matter" in text


def test_members_agenda_shows_everything_marked(run, planned, tmp_path):
    md = run("agenda render 2026-12-03").stdout
    for marker in ("ZZLEAK1", "ZZLEAK2", "zzleak3"):
        assert marker in md
    assert "This document contains confidential items: not for publication" in md
    assert "**CONFIDENTIAL** (Paragraph 3:" in md
    html = run("agenda render 2026-12-03 --format html").stdout
    assert "ZZLEAK1" in html and "not for publication" in html
    if has_pdf():
        path = tmp_path / "members.pdf"
        path.write_bytes(run("agenda render 2026-12-03 --format pdf").stdout_bytes)
        pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        count = int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")))
        for page in range(1, count + 1):
            text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                                  capture_output=True, text=True, check=True).stdout
            assert "CONFIDENTIAL" in text, f"page {page} of the members' PDF is not marked"


def test_mail_to_an_outside_address_sends_the_public_form(run, planned, tmp_path):
    text, said = eml_texts(run, tmp_path, "agenda", "2026-12-03", "--to", "outsider@example.org")
    no_marker(text, "mail agenda --to outsider")
    assert "public form" in said
    assert "Property matter" in text
    dry = run("mail agenda 2026-12-03 --to outsider@example.org --dry-run")
    no_marker(dry.stdout + dry.stderr, "mail agenda --dry-run")


def test_mail_to_members_sends_the_members_form(run, planned, tmp_path):
    text, _ = eml_texts(run, tmp_path, "agenda", "2026-12-03", "--to", "members")
    assert "ZZLEAK1" in text and "not for publication" in text
    public, _ = eml_texts(run, tmp_path, "agenda", "2026-12-03", "--to", "members", "--public")
    no_marker(public, "mail agenda --public")
    forced, _ = eml_texts(run, tmp_path, "agenda", "2026-12-03", "--to", "outsider@example.org", "--members-form")
    assert "ZZLEAK1" in forced


def test_ics_shows_no_confidential_text(run, held):
    out = run("ics").stdout.replace("\r\n", "\n").replace("\n ", "")  # unfolded
    no_marker(out, "ics")
    assert "Property matter" in out


# --- the minutes and the action log -----------------------------------------------


def test_public_minutes_show_no_confidential_text(run, held, tmp_path):
    for form in ("md", "html"):
        out = run(f"minutes render 2026-12-03 --public --format {form}").stdout
        no_marker(out, f"minutes --public ({form})")
        assert "Property matter" in out
        assert "The minutes of this item are confidential." in out
        assert "Publish the community safety plan" in out  # public business stays
    no_marker(docx_text(run("minutes render 2026-12-03 --public --format docx").stdout_bytes), "minutes (docx)")
    if has_pdf():
        no_marker(pdf_text(run("minutes render 2026-12-03 --public --format pdf").stdout_bytes, tmp_path),
                  "minutes (pdf)")
    text, _ = eml_texts(run, tmp_path, "minutes", "2026-12-03", "--to", "outsider@example.org")
    no_marker(text, "mail minutes --to outsider")


def test_members_minutes_show_everything_marked(run, held):
    out = run("minutes render 2026-12-03").stdout
    for marker in ("ZZLEAK1", "ZZLEAK4", "ZZLEAK5", "ZZLEAK6", "ZZLEAK7"):
        assert marker in out
    assert "not for publication" in out and "CONFIDENTIAL" in out


def test_public_action_log_leaves_confidential_actions_out(run, held, tmp_path):
    members = run("actions --all --format md").stdout
    assert "ZZLEAK7" in members and "ZZLEAK8" in members and "not for publication" in members
    for form in ("md", "html"):
        out = run(f"actions --all --public --format {form}").stdout
        no_marker(out, f"actions --public ({form})")
        assert "Publish the community safety plan" in out
    md = run("actions --all --public --format md").stdout
    assert "| 0 | 0 | 1 | 0 | 1 |" in md  # one action: the public one, counted alone
    no_marker(docx_text(run("actions --all --public --format docx").stdout_bytes), "actions (docx)")
    text, _ = eml_texts(run, tmp_path, "actions", "--to", "outsider@example.org")
    no_marker(text, "mail actions --to outsider")
    run("actions --public --json", code=3)


def test_next_agenda_drops_confidential_matters_arising(run, held, monkeypatch):
    monkeypatch.setenv("ESCG_TODAY", "2026-12-10")
    run("agenda new 2027-02-04")
    members = run("agenda render 2027-02-04").stdout
    assert "ZZLEAK7" in members
    public = run("agenda render 2027-02-04 --public").stdout
    no_marker(public, "the next agenda --public")
    assert "Publish the community safety plan" in public


def test_a_hostile_store_template_cannot_print_confidential_values(run, held):
    # Every value of every item, action and declaration, printed by a store's template.
    dump = """{% macro show(v) %}{% if v is mapping %}{% for k in v %}{{ k }}={{ show(v[k]) }};{% endfor %}
{% elif v is iterable and v is not string %}{% for x in v %}{{ show(x) }},{% endfor %}{% else %}{{ v }}{% endif %}{% endmacro %}
{% for key in _context_keys %}{% endfor %}{{ show(items) }}{{ show(declarations is defined and declarations or []) }}
{{ show(actions is defined and actions or []) }}{{ show(previous is defined and previous or {}) }}
"""
    templates = held / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "minutes.md").write_text(dump.replace("{% for key in _context_keys %}{% endfor %}", ""))
    (templates / "agenda.md").write_text(dump.replace("{% for key in _context_keys %}{% endfor %}", ""))
    minutes = run("minutes render 2026-12-03 --public").stdout
    assert "number=7" in minutes  # the dump works
    no_marker(minutes, "a store's minutes.md (public)")
    no_marker(run("agenda render 2026-12-03 --public").stdout, "a store's agenda.md (public)")
    assert "ZZLEAK5" in run("minutes render 2026-12-03").stdout


@pytest.mark.parametrize("template, text, found", [
    ("agenda.md", "{{ items | length }} items. ZZLEAK1 purchase of the depot site\n",
     "the public agenda.md of 2026-12-03 shows confidential text (item 7 title)"),
    # the action log rendered is of the actions raised at meetings with confidential items
    ("actions.md", "{{ total }} actions. ZZLEAK7 instruct the solicitors\n",
     "the public action log (md) of 2026-12-03 shows confidential text (action A-001 title)"),
])
def test_check_is_clean_and_catches_a_leaking_template(run, held, template, text, found):
    """A store template that prints a confidential text whatever the context holds."""
    run("check")
    templates = held / "templates"
    templates.mkdir(exist_ok=True)
    (templates / template).write_text(text)
    result = run("check", code=6)
    assert found in result.stdout


def test_check_finds_a_public_action_that_quotes_confidential_text(run, held):
    """An action raised anywhere but at a confidential item is public: if its title or a
    progress note quotes a confidential item, the public action log and agendas show it."""
    run("check")
    run(["action", "add", "Report on the zzleak1 purchase of the depot site to the board", "--owner", "bob"])
    result = run("check", code=6)
    assert ("action A-003 quotes confidential text of 2026-12-03 (item 7 title), which the public "
            "action log and agendas show") in result.stdout
    assert result.stdout.startswith("actions/2026/A-003-")
    path = next((held / "actions").rglob("A-003-*.toml"))
    path.write_text(path.read_text().replace("the zzleak1 purchase of the depot site", "a property matter"))
    run("check")
    run(["action", "update", "A-002", "As minuted: the valuer reported ZZLEAK5 on the price."])
    assert "(item 7 note)" in run("check", code=6).stdout


def test_a_check_of_an_unchanged_store_reads_its_leak_search_back(run, held, monkeypatch):
    """The leak search renders the public forms of every meeting with confidential items:
    kept in the index, it is done again only when a file, today, a template or escg's code
    changed, or with --full."""
    import escg.workflows.confidential as confidential

    monkeypatch.delenv("ESCG_CROSSCHECK")  # which searches again to compare
    calls = []
    search = confidential.leaks
    monkeypatch.setattr(confidential, "leaks", lambda store: calls.append(1) or search(store))
    run("check")
    run("check")
    assert len(calls) == 1
    run(["action", "update", "A-002", "Plan drafted"])
    run("check")
    assert len(calls) == 2
    monkeypatch.setenv("ESCG_TODAY", "2026-12-04")
    run("check")
    run("check --full")
    assert len(calls) == 4
    path = next((held / "actions").rglob("A-002-*.toml"))
    path.unlink()  # a file gone is a change too
    assert "A-002" not in run("actions --all --json").stdout
    run("check")
    assert len(calls) == 5


def test_a_kept_leak_search_is_compared_with_a_new_one(held):
    """ESCG_CROSSCHECK (the whole suite): a result read back must be what a new search finds."""
    from escg.store import Store
    from escg.workflows.check import check

    assert check(Store(held)) == []
    index = Store(held).index()
    index.keep("leaks", {**index.kept("leaks"), "found": [["meetings/2026/2026-12-03.toml", "stale"]]})
    index.close()
    with pytest.raises(AssertionError, match="kept leak search"):
        check(Store(held))


def test_a_check_of_a_store_without_confidential_items_loads_no_renderer(example_store):
    import sys

    code = ("import sys\nfrom pathlib import Path\nfrom escg.store import Store\nfrom escg.workflows.check import check\n"
            f"assert check(Store(Path({str(example_store)!r}))) == []\n"
            "print(sorted(m for m in sys.modules if m in ('jinja2', 'escg.services.render', 'escg.workflows.confidential', 'escg.workflows.documents')))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert found.strip() == "[]"


def test_edit_marks_and_unmarks(run, planned):
    run(["agenda", "edit", "5", "-m", "2026-12-03", "--confidential", "Paragraph 1: information relating to an individual"])
    md = run("agenda render 2026-12-03 --public").stdout
    assert "Community safety update" not in md and "Confidential item" in md
    run(["agenda", "edit", "5", "-m", "2026-12-03", "--confidential", "none"])
    assert "Community safety update" in run("agenda render 2026-12-03 --public").stdout
    result = run(["agenda", "edit", "5", "-m", "2026-12-03", "--public-title", "X"], code=3)
    assert "not confidential" in result.stderr
    result = run(["agenda", "add", "Something", "--public-title", "X"], code=3)
    assert "--confidential" in result.stderr


def test_an_empty_reason_is_a_problem(run, planned):
    path = planned / "meetings" / "2026" / "2026-12-03.toml"
    text = path.read_text().replace(f'confidential = "Paragraph 3: {EXEMPTION}"', 'confidential = ""')
    path.write_text(text)
    result = run("check", code=6)
    assert "'confidential' needs the reason" in result.stdout
