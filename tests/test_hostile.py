"""Hostile input: markup in every text that reaches a document, ids that try to
leave the store, inputs far too large, and output that must land only where asked.

Every document escg renders (HTML and Markdown, on stdout, in files and in the
HTML part of mail) is parsed, never just grepped, so that escaped text
(``&lt;script&gt;``) and live markup (``<script>``) are told apart.
"""

from __future__ import annotations

import email
import json
import re
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from email import policy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

import stores
from escg.cli import app

# Markup, script, template syntax, an entity and Markdown, in one line of text.
PAYLOAD = ('<script>alert(1)</script> "><img src=x onerror=alert(1)> </td></tr></table> '
           '{{ 7*7 }} {% raw %} &amp; | ** [x](javascript:alert(1))')


def hostile(label: str) -> str:
    """A labelled payload, so each document can be checked for each field that reaches it."""
    return f"{label} {PAYLOAD}"


# --- parsing what escg wrote -------------------------------------------------


class Page(HTMLParser):
    """The tags, attributes and visible text of an HTML document."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.chunks: list[str] = []
        self._style = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, name, value) for name, value in attrs]
        if tag == "style":
            self._style += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "style":
            self._style -= 1

    def handle_endtag(self, tag):
        if tag == "style":
            self._style -= 1

    def handle_data(self, data):
        if not self._style:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def assert_no_live_markup(html: str, where: str) -> Page:
    """No script, no image, no event handler, no javascript: link: only escaped text."""
    lowered = html.lower()
    assert "<script" not in lowered, where
    assert "<img" not in lowered, where
    page = Page(html)
    assert not {"script", "img", "iframe", "object", "embed", "svg"} & set(page.tags), (where, set(page.tags))
    handlers = [(tag, name) for tag, name, _ in page.attrs if name.startswith("on")]
    assert not handlers, (where, handlers)  # onerror= exists only as escaped text
    links = [value for _, name, value in page.attrs
             if name in ("href", "src", "action") and value and value.strip().lower().startswith(("javascript:", "vbscript:", "data:"))]
    assert not links, (where, links)
    assert 'href="javascript:' not in lowered, where
    # Template syntax in the data stayed text: Jinja did not evaluate it.
    assert "{{ 7*7 }}" in page.text and "{% raw %}" in page.text, where
    assert " 49 {% raw %}" not in page.text, where
    return page


def assert_fields_verbatim(page: Page, labels: list[str], where: str) -> None:
    """Each labelled payload reached the document, and reads back exactly as typed
    (escaped once, not twice, and not stripped)."""
    for label in labels:
        assert hostile(label) in page.text, (where, label)


def markdown_page(text: str, where: str) -> Page:
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert 'href="javascript:' not in html.lower(), where
    return assert_no_live_markup(html, where)


def eml_html(folder: Path) -> list[tuple[str, email.message.EmailMessage, str]]:
    """(file name, message, its text/html part) for every .eml in ``folder``."""
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(("html",))
        assert body is not None, path.name
        assert message.get_content_type() in ("multipart/alternative", "multipart/mixed"), path.name
        found.append((path.name, message, body.get_content()))
    assert found, f"no .eml written in {folder}"
    return found


# --- a store with markup in every free-text field -----------------------------

GROUP = "GROUPNAME"
ORG, PERSON, ROLE, SECOND = "ORGNAME", "PERSONNAME", "ROLE", "SECOND"
VENUE, REASON, TITLE, PAST = "VENUE", "REASON", "TITLE", "EARLIER"
NOTE, DECISION, DECLARATION, GUEST = "NOTE", "DECISION", "DECLARATION", "GUEST"
ACTION, MINACTION, PROGRESS = "ACTION", "RAISED", "PROGRESS"

# A note of several lines, each of which would be Markdown structure if left unescaped.
NOTE_TEXT = (hostile(NOTE) + "\n- a list item?\n# a heading?\n1. a numbered item?\n> a quote?\n"
             "<div onclick=alert(1)>raw html</div>\n[ref]: javascript:alert(1)\n    indented code?")


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def build_hostile_store(run, store: Path) -> None:
    run(["init", str(store), "--name", "Test Coordination Group", "--short", "TCG"])
    config = store / "escg.toml"
    text = config.read_text()
    # The group's name as a hand edit of escg.toml, plus a chair and a secretariat.
    text = re.sub(r'^name = .*$', lambda _: f"name = {toml_string(hostile(GROUP))}", text, count=1, flags=re.M)
    text = text.replace('# chair = "person-id"', 'chair = "p-one"')
    text = text.replace('# secretariat = "secretariat@example.org"', 'secretariat = "sec@example.org"')
    config.write_text(text)
    for args in (
        ["org", "add", "o-one", "--name", hostile(ORG), "--sector", "council"],
        ["person", "add", "p-one", "--name", hostile(PERSON), "--org", "o-one", "--role", hostile(ROLE),
         "--email", "one@example.org"],
        ["person", "add", "p-two", "--name", hostile(SECOND), "--org", "o-one", "--email", "two@example.org"],
        ["meeting", "new", "2026-10-01", "--venue", hostile(VENUE)],
        ["meeting", "new", "2026-12-03", "--venue", hostile(VENUE)],
        ["meeting", "new", "2027-01-07"],
        ["meeting", "cancel", "2027-01-07", "--reason", hostile(REASON)],
        ["agenda", "add", hostile(TITLE), "-m", "2026-12-03", "--presenter", "p-one", "--theme", "partnership"],
        ["agenda", "add", hostile(PAST), "-m", "2026-10-01", "--presenter", "p-two"],
        ["attend", "2026-10-01", "--present", "p-one,p-two", "--guest", hostile(GUEST)],
        ["minutes", "new", "2026-10-01"],
        ["minutes", "note", "2026-10-01", "5", NOTE_TEXT],
        ["minutes", "decide", "2026-10-01", "5", hostile(DECISION)],
        ["minutes", "declare", "2026-10-01", "5", "p-one", hostile(DECLARATION)],
        ["minutes", "action", "2026-10-01", "5", hostile(MINACTION), "--owner", "p-two", "--due", "2026-11-01"],
        ["action", "add", hostile(ACTION), "--owner", "p-one", "--due", "2026-11-30"],
        ["action", "update", "A-002", hostile(PROGRESS) + "\nand a second line"],
        ["agenda", "new", "2026-12-03"],
    ):
        run(args)


def template(tmp_path_factory, name: str, build) -> Path:
    """A store built once per module through the CLI, with the same frozen today as the tests."""
    from conftest import TODAY, Run

    store = tmp_path_factory.mktemp(name) / "store"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ESCG_STORE", str(store))
        patch.setenv("ESCG_TODAY", TODAY)
        build(Run(), store)
    return store


def copy_of(built: Path, store_dir: Path) -> Path:
    """A fresh copy of a built store at $ESCG_STORE (without the lock and the cache)."""
    shutil.copytree(built, store_dir, ignore=shutil.ignore_patterns(".escg.lock", ".escg-index*"))
    return store_dir


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory) -> Path:
    return template(tmp_path_factory, "hostile", build_hostile_store)


@pytest.fixture
def hostile_store(hostile_template, store_dir) -> Path:
    return copy_of(hostile_template, store_dir)


AGENDA_FIELDS = [GROUP, VENUE, PERSON, ORG, TITLE, ACTION, MINACTION, SECOND]
CANCELLED_FIELDS = [GROUP, REASON, PERSON]
MINUTES_FIELDS = [GROUP, VENUE, PERSON, ROLE, ORG, SECOND, PAST, GUEST, NOTE, DECISION, DECLARATION, MINACTION]
ACTIONS_FIELDS = [GROUP, ACTION, MINACTION, PERSON, SECOND, ORG, PROGRESS]


HTML_OUTPUTS = [
    (["agenda", "render", "2026-12-03", "-f", "html"], AGENDA_FIELDS),
    (["agenda", "render", "2027-01-07", "-f", "html"], CANCELLED_FIELDS),
    (["minutes", "render", "2026-10-01", "-f", "html"], MINUTES_FIELDS),
    (["actions", "--format", "html"], ACTIONS_FIELDS),
    (["actions", "--format", "html", "--group-by", "owner"], ACTIONS_FIELDS),
    (["actions", "--format", "html", "--group-by", "org", "--all"], ACTIONS_FIELDS),
    (["actions", "--format", "html", "--group-by", "theme"], [ACTION, MINACTION, PERSON]),
]


@pytest.mark.parametrize("args,fields", HTML_OUTPUTS, ids=[" ".join(args) for args, _ in HTML_OUTPUTS])
def test_html_documents_escape_every_field(run, hostile_store, args, fields):
    html = run(args).stdout
    assert html.startswith("<!DOCTYPE html>")
    page = assert_no_live_markup(html, " ".join(args))
    assert_fields_verbatim(page, fields, " ".join(args))


def test_html_written_with_out_is_the_same_escaped_document(run, hostile_store, tmp_path):
    out = tmp_path / "agenda.html"
    run(["agenda", "render", "2026-12-03", "-f", "html", "--out", str(out)])
    page = assert_no_live_markup(out.read_text(encoding="utf-8"), "agenda --out")
    assert_fields_verbatim(page, AGENDA_FIELDS, "agenda --out")


MARKDOWN_OUTPUTS = [
    (["agenda", "render", "2026-12-03"], AGENDA_FIELDS),
    (["agenda", "show", "2026-12-03"], AGENDA_FIELDS),
    (["agenda", "render", "2027-01-07", "-f", "md"], CANCELLED_FIELDS),
    (["minutes", "render", "2026-10-01"], MINUTES_FIELDS),
    (["actions", "--format", "md"], ACTIONS_FIELDS),
    (["actions", "--format", "md", "--group-by", "owner"], ACTIONS_FIELDS),
]


@pytest.mark.parametrize("args,fields", MARKDOWN_OUTPUTS, ids=[" ".join(args) for args, _ in MARKDOWN_OUTPUTS])
def test_markdown_documents_render_without_markup(run, hostile_store, args, fields):
    text = run(args).stdout
    page = markdown_page(text, " ".join(args))
    assert_fields_verbatim(page, fields, " ".join(args))


def test_markdown_note_lines_stay_paragraph_text(run, hostile_store):
    """Lines of a note that look like a list, heading, quote, HTML or a link
    reference stay plain text in the rendered minutes."""
    html = MarkdownIt("commonmark").enable("table").render(run("minutes render 2026-10-01").stdout)
    page = Page(html)
    # Had a line become structure, its marker would be gone from the text.
    for shown in ("- a list item?", "# a heading?", "1. a numbered item?", "> a quote?",
                  "<div onclick=alert(1)>raw html</div>", "[ref]: javascript:alert(1)"):
        assert shown in page.text, shown
    assert "div" not in page.tags
    assert not [value for _, name, value in page.attrs if name == "onclick"]


def test_mailed_agenda_minutes_and_action_log_escape_every_field(run, hostile_store, tmp_path):
    cases = [
        (["mail", "agenda", "2026-12-03"], AGENDA_FIELDS),
        (["mail", "minutes", "2026-10-01"], MINUTES_FIELDS),
        (["mail", "actions"], ACTIONS_FIELDS),
    ]
    for number, (args, fields) in enumerate(cases):
        folder = tmp_path / f"eml-{number}"
        run([*args, "--to", "a@example.org", "--eml", str(folder)])
        (name, message, html), = eml_html(folder)
        page = assert_no_live_markup(html, name)
        assert_fields_verbatim(page, fields, name)
        assert message["To"].addresses[0].addr_spec == "a@example.org"
        assert "\n" not in message["Subject"] and "<script" not in message["Subject"].lower()


@pytest.mark.parametrize("group,person", [
    ("Greater Essex Strategic Coordination Group, for Southend-on-Sea, Thurrock and Essex County", "Ann Chair"),
    ("Essex SCG", "Dr Jo Bloggs-Smith, Director of Public Health and Wellbeing (Essex County Council)"),
    (hostile(GROUP), hostile(PERSON)),
], ids=["long group name with commas", "long person name with a comma", "markup"])
def test_names_stay_one_address_in_mail_headers(run, empty_store, tmp_path, group, person):
    config = empty_store / "escg.toml"
    config.write_text(re.sub(r'^name = .*$', lambda _: f"name = {toml_string(group)}", config.read_text(),
                             count=1, flags=re.M).replace('# secretariat = "secretariat@example.org"',
                                                          'secretariat = "sec@example.org"'))
    run("org add ecc --name 'Essex County Council'")
    run(["person", "add", "ann", "--name", person, "--org", "ecc", "--email", "ann@example.org"])
    run("action add 'Write the plan' --owner ann --due 2026-11-01")
    folder = tmp_path / "remind"
    run(["remind", "--eml", str(folder)])
    (_, message, _), = eml_html(folder)
    assert [(a.display_name, a.addr_spec) for a in message["From"].addresses] == [(group, "sec@example.org")]
    assert [(a.display_name, a.addr_spec) for a in message["To"].addresses] == [(person, "ann@example.org")]


def test_reminders_escape_every_field(run, hostile_store, tmp_path):
    folder = tmp_path / "remind"
    run(["remind", "--eml", str(folder)])
    messages = eml_html(folder)
    assert len(messages) == 2  # p-one (due soon) and p-two (overdue)
    expected = {"one@example.org": [ACTION, PROGRESS, PERSON, GROUP], "two@example.org": [MINACTION, SECOND, GROUP]}
    for name, message, html in messages:
        page = assert_no_live_markup(html, name)
        recipient = name.split("-remind-", 1)[1].removesuffix(".eml")  # the To header is checked below
        assert_fields_verbatim(page, expected[recipient], name)


def test_paper_cannot_become_a_script_link(run, busy_store):
    for paper in ("javascript:alert(1)", "JavaScript:alert(1)", "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4K"):
        result = run.runner.invoke(app, ["agenda", "add", "Paper", "-m", "2026-12-03", "--paper", paper])
        assert result.exit_code in (0, 3), result.stderr
    assert_no_live_markup_links(run(["agenda", "render", "2026-12-03", "-f", "html"]).stdout)


def test_default_online_link_cannot_become_a_script_link(run, empty_store):
    config = empty_store / "escg.toml"
    config.write_text(config.read_text().replace('# online = "https://meet.example.org/group"',
                                                 'online = "javascript:alert(1)"'))
    result = run.runner.invoke(app, ["meeting", "new", "2026-12-03"])
    if result.exit_code == 0:
        assert_no_live_markup_links(run(["agenda", "render", "2026-12-03", "-f", "html"]).stdout)
    else:
        assert result.exit_code in (3, 6) and result.stderr.startswith("error: ")


def assert_no_live_markup_links(html: str) -> None:
    page = Page(html)
    links = [value for _, name, value in page.attrs
             if name in ("href", "src") and value and value.strip().lower().startswith(("javascript:", "vbscript:", "data:"))]
    assert not links, links


# --- free text that escg reads back ---------------------------------------------


def test_a_progress_note_cannot_crash_the_minutes(run, minuted_store):
    run("minutes action 2026-10-01 1 'Write the plan' --owner bob --due 2026-11-01")
    run(["action", "update", "A-002", "Due date changed from soon to later."])
    result = run.runner.invoke(app, ["minutes", "render", "2026-10-01"])
    assert isinstance(result.exception, SystemExit) or result.exception is None, repr(result.exception)
    assert result.exit_code == 0, result.stderr


def test_minutes_show_actions_as_agreed_whatever_a_note_says(run, minuted_store):
    run("minutes action 2026-10-01 1 'Write the plan' --owner bob --due 2026-11-01")
    run(["action", "update", "A-002",
         "Told the group: Owner changed from cat to bob. Due date changed from 2026-01-01 to 2026-11-01."])
    text = run("minutes render 2026-10-01").stdout
    assert "**Action A-002:** Write the plan (Bob Police, by 1 Nov 2026)" in text, text


# --- ids from the command line ------------------------------------------------


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``root``; the lock file and the
    action index, a cache the spec allows to be rebuilt at will, are left out."""
    found: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        if path.name == ".escg.lock" or path.name.startswith(".escg-index"):
            continue
        relative = str(path.relative_to(root))
        found[relative] = None if path.is_dir() else path.read_bytes()
    return found


def neighbours(tmp_path: Path) -> dict[Path, set[str]]:
    """The names beside and above the test's folder, where '../..' would land (above
    it, other pytest runs may come and go: their pytest-N folders, and the garbage-*
    names pytest gives old ones while it deletes them, are left out)."""
    return {tmp_path.parent: {p.name for p in tmp_path.parent.iterdir()},
            tmp_path.parent.parent: {p.name for p in tmp_path.parent.parent.iterdir()
                                     if not p.name.startswith(("pytest-", "garbage-"))}}


def changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k, b"\0missing") != after.get(k, b"\0missing"))


def assert_one_line_error(result, argv) -> None:
    shown = [a[:60] for a in argv]
    assert isinstance(result.exception, SystemExit), (shown, repr(result.exception))  # no traceback
    assert result.stdout == "", shown
    assert result.stderr.startswith("error: "), (shown, result.stderr[:200])
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, (shown, result.stderr[:300])
    assert "Traceback" not in result.stderr


GENERIC_IDS = ["a/b", "..", "../../etc/passwd", "/etc/passwd", "a\x00b", "a\nb", "a\rb", "a\x1bb", "a\tb",
               "x" * 5000, "café", "名前", "😀", "-x", "-", "a\\b", "C:\\x", "~", "a b"]


def derived_ids(valid: str) -> list[str]:
    """A valid id dressed up to leave the store or to smuggle a control character."""
    return [f"{valid}/..", f"{valid}/../../etc/passwd", f"../{valid}", f"../../{valid}", f"{valid}\x00",
            f"{valid}\x00x", f"{valid}\nx", f"{valid}\r", f"{valid}\rx", f"{valid}\x07", f"{valid}\x7f",
            f"-{valid}", f"{valid}é", f"{valid}名前", f"{valid}😀", valid + "x" * 5000, f"{valid}\u202e"]


# command name -> (argv for an id, a valid id to dress up, whether the command writes when it succeeds,
#                  the only file it may then change)
ID_COMMANDS = {
    "person add": (lambda i: ["person", "add", "--name", "X", "--org", "ecc", "--", i], "bob", True, None),
    "org add": (lambda i: ["org", "add", "--name", "X", "--", i], "police", True, None),
    "person show": (lambda i: ["person", "show", "--", i], "bob", False, None),
    "org show": (lambda i: ["org", "show", "--", i], "police", False, None),
    "meeting show": (lambda i: ["meeting", "show", "--", i], "2026-10-01", False, None),
    "agenda list": (lambda i: ["agenda", "list", "--", i], "2026-10-01", False, None),
    "action show": (lambda i: ["action", "show", "--", i], "A-001", False, None),
    "action add --owner": (lambda i: ["action", "add", "Something to do", "--owner", i], "bob", True, None),
    "minutes note": (lambda i: ["minutes", "note", "--", i, "1", "A note"], "2026-10-01", True,
                     "store/meetings/2026/2026-10-01.toml"),
}


def build_busy_store(run, store: Path, *, minuted: bool = False) -> None:
    """What conftest's meeting_store holds (people, three meetings), plus action A-001;
    with ``minuted``, draft minutes of 2026-10-01 and a built agenda for 2026-12-03."""
    # Written as files (what init, stores.PEOPLE_COMMANDS and stores.MEETING_COMMANDS write),
    # with escg.toml naming the chair only (no second theme).
    stores.write_meeting_store(store)
    stores.write(store, "escg.toml", stores.EMPTY_ESCG_TOML.replace('# chair = "person-id"', 'chair = "ann-chair"'))
    run("action add 'Existing action' --owner bob --due 2026-12-10")
    if minuted:
        run("attend 2026-10-01 --present bob,cat")
        run("minutes new 2026-10-01")
        run("agenda new 2026-12-03")  # built, so rendering it prints no "preview" note on stderr


@pytest.fixture(scope="module")
def busy_template(tmp_path_factory) -> Path:
    return template(tmp_path_factory, "busy", build_busy_store)


@pytest.fixture(scope="module")
def minuted_template(tmp_path_factory) -> Path:
    return template(tmp_path_factory, "minuted", lambda run, store: build_busy_store(run, store, minuted=True))


@pytest.fixture
def busy_store(busy_template, store_dir) -> Path:
    return copy_of(busy_template, store_dir)


@pytest.fixture
def minuted_store(minuted_template, store_dir) -> Path:
    return copy_of(minuted_template, store_dir)



@pytest.mark.parametrize("command", list(ID_COMMANDS))
def test_hostile_ids_are_refused_and_write_nothing(run, busy_store, tmp_path, command):
    build, valid, writes, target = ID_COMMANDS[command]
    for ident in GENERIC_IDS + derived_ids(valid):
        argv = build(ident)
        before, around = snapshot(tmp_path), neighbours(tmp_path)
        result = run.runner.invoke(app, argv)
        after = snapshot(tmp_path)
        assert neighbours(tmp_path) == around, (command, ident[:60])
        if result.exit_code == 0:
            # Handled: the id named something real once surrounding white space (or, for a
            # date, what dateutil ignores) was set aside. A read wrote nothing; a write
            # changed only its own target inside the store.
            assert not result.exception or isinstance(result.exception, SystemExit)
            assert not (writes and target is None), (command, ident[:60], "a hostile id was accepted")
            assert changed(before, after) in ([], [target]), (command, ident[:60], changed(before, after))
        else:
            assert result.exit_code in (3, 4), (command, ident[:60], result.exit_code, result.stderr[:200])
            assert_one_line_error(result, argv)
            assert changed(before, after) == [], (command, ident[:60], changed(before, after))


def test_ids_are_refused_before_any_file_is_named(run, busy_store, tmp_path):
    """The refusals name the id, not a path built from it."""
    result = run.runner.invoke(app, ["person", "show", "../../etc/passwd"])
    assert result.exit_code == 3 and "/etc/passwd'" in result.stderr and "people.toml" not in result.stderr
    result = run.runner.invoke(app, ["meeting", "show", "2026-10-01/../../../etc/passwd"])
    assert result.exit_code == 3 and "not a meeting" in result.stderr
    assert not (tmp_path.parent / "etc").exists() and not (tmp_path / "etc").exists()


# --- very large input ---------------------------------------------------------


class TookTooLong(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """Interrupt the command (in this process) if it runs longer than ``seconds``."""

    def interrupt(signum, frame):
        raise TookTooLong(f"still running after {seconds}s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


LIMIT = 5.0  # seconds: "refused or handled within a few seconds"
MEGABYTE = "x" * 1_000_000
LONG_NOTE = "y" * 100_000


LARGE = {
    "1 MB agenda title": ["agenda", "add", MEGABYTE, "-m", "2026-12-03"],
    "1 MB forward-plan title": ["agenda", "add", MEGABYTE, "--forward-plan"],
    "1 MB action text": ["action", "add", MEGABYTE, "--owner", "bob"],
    "1 MB minutes action": ["minutes", "action", "2026-10-01", "1", MEGABYTE, "--owner", "bob"],
    "1 MB organisation name": ["org", "add", "fire", "--name", MEGABYTE],
    "1 MB person name": ["person", "add", "zed", "--name", MEGABYTE, "--org", "ecc"],
    "1 MB role": ["person", "edit", "bob", "--role", MEGABYTE],
    "1 MB venue": ["meeting", "new", "2027-03-04", "--venue", MEGABYTE],
    "1 MB cancel reason": ["meeting", "cancel", "2027-02-04", "--reason", MEGABYTE],
    "1 MB guest": ["attend", "2026-10-01", "--guest", MEGABYTE],
    "1 MB date": ["meeting", "new", MEGABYTE],
    "1 MB rule": ["meeting", "schedule", "--rrule", "FREQ=WEEKLY;" + MEGABYTE, "--count", "2"],
    "1 MB group name": ["init", "elsewhere", "--name", MEGABYTE, "--short", "X"],
    "100,000-character minutes note": ["minutes", "note", "2026-10-01", "1", LONG_NOTE],
    "100,000-character decision": ["minutes", "decide", "2026-10-01", "1", LONG_NOTE],
    "100,000-character declaration": ["minutes", "declare", "2026-10-01", "1", "bob", LONG_NOTE],
    "100,000-character progress note": ["action", "update", "A-001", LONG_NOTE],
    "100,000-character done note": ["action", "done", "A-001", "--note", LONG_NOTE],
    "100,000-character drop reason": ["action", "drop", "A-001", "--reason", LONG_NOTE],
    "--count 100000": ["meeting", "schedule", "--rrule", "FREQ=WEEKLY", "--from", "2027-03-01", "--count", "100000"],
    "--minutes 100000": ["agenda", "add", "Long item", "-m", "2026-12-03", "--minutes", "100000"],
    "10,000 --guest values": ["attend", "2026-10-01", *[a for n in range(10_000) for a in ("--guest", f"Guest {n}")]],
    "5,000 --present ids": ["attend", "2026-10-01", "--present", ",".join(f"person-{n}" for n in range(5_000))],
}


@pytest.mark.parametrize("case", list(LARGE))
def test_very_large_input_is_refused_quickly_and_writes_nothing(run, busy_store, tmp_path, case):
    argv = LARGE[case]
    before = snapshot(tmp_path)
    with time_limit(LIMIT):
        result = run.runner.invoke(app, argv)
    assert not isinstance(result.exception, TookTooLong), f"{case}: not refused within {LIMIT}s"
    assert result.exit_code in (3, 4), (case, result.exit_code, result.stderr[:300])
    assert_one_line_error(result, argv)
    assert len(result.stderr) < 1000, (case, result.stderr[:300])  # the message does not echo the input
    assert changed(before, snapshot(tmp_path)) == [], case


@pytest.mark.parametrize("option", ["--present", "--guest"])
def test_huge_attendance_lists_are_refused_quickly(run, busy_store, tmp_path, option):
    if option == "--present":  # six arguments of 10,000 comma-separated ids each
        argv = ["attend", "2026-10-01", *[a for chunk in range(6) for a in
                                          ("--present", ",".join(f"p{chunk}-{n}" for n in range(10_000)))]]
    else:
        argv = ["attend", "2026-10-01", *[a for n in range(60_000) for a in ("--guest", f"Guest {n}")]]
    before = snapshot(tmp_path)
    with time_limit(LIMIT):
        result = run.runner.invoke(app, argv)
    assert not isinstance(result.exception, TookTooLong), f"60,000 {option} values: not refused within {LIMIT}s"
    assert result.exit_code in (3, 4)
    assert_one_line_error(result, argv)
    assert changed(before, snapshot(tmp_path)) == []


def fifty_megabytes(kind: str, base: str) -> str:
    """A people.toml of about 50 MB: padded with comments, one huge value, or many people."""
    size = 50 * 1024 * 1024
    if kind == "comments":
        line = "# " + "padding " * 8 + "\n"
        return base + line * (size // len(line) + 1)
    if kind == "one huge value":
        return base.replace('name = "Bob Police"', 'name = "Bob Police"\nrole = "' + "r" * size + '"', 1)
    parts, total, number = [base], 0, 0
    while total < size:
        part = f'\n[people.p{number}]\nname = "Person {number}"\norg = "ecc"\n'
        parts.append(part)
        total += len(part)
        number += 1
    return "".join(parts)


@pytest.mark.parametrize("kind", ["comments", "one huge value", "many people"])
def test_a_50_mb_people_file_is_refused_or_handled_quickly(busy_store, tmp_path, kind):
    path = busy_store / "people.toml"
    path.write_text(fifty_megabytes(kind, path.read_text()), encoding="utf-8")
    for argv in (["person", "list", "--json"], ["person", "show", "bob"],
                 ["person", "add", "zed", "--name", "Zed", "--org", "ecc"]):
        before = snapshot(tmp_path)
        try:
            # A separate process, so a runaway parse can be stopped (and its memory freed).
            proc = subprocess.run([sys.executable, "-m", "escg", *argv], capture_output=True, text=True,
                                  timeout=15)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{kind}: escg {' '.join(argv)} still running after 15 s")
        assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
        if proc.returncode != 0:
            assert proc.returncode == 6, (argv, proc.returncode, proc.stderr[:300])
            assert proc.stderr.startswith("error: people.toml") and proc.stderr.count("\n") == 1, proc.stderr[:300]
            assert changed(before, snapshot(tmp_path)) == [], argv
        else:
            assert argv[1] != "add", "a person was added to a 50 MB people.toml"


# --- output lands only where asked -------------------------------------------

OUT_COMMANDS = [
    ["agenda", "render", "2026-12-03"],
    ["agenda", "render", "2026-12-03", "-f", "html"],
    ["minutes", "render", "2026-10-01", "-f", "html"],
    ["actions", "--format", "md"],
    ["actions", "--format", "html"],
]


@pytest.mark.parametrize("args", OUT_COMMANDS, ids=" ".join)
def test_out_into_a_missing_folder_creates_it(run, minuted_store, tmp_path, args):
    """As `mail --eml DIR` does: every --out makes the folders it needs."""
    target = tmp_path / "no" / "such" / "folder" / "out.txt"
    run([*args, "--out", str(target)])
    assert target.is_file() and target.stat().st_size > 0


@pytest.mark.parametrize("args", OUT_COMMANDS, ids=" ".join)
def test_out_where_no_folder_can_be_made_is_a_clear_error(run, minuted_store, tmp_path, args):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "sub" / "out.txt"
    result = run([*args, "--out", str(target)], code=7)
    assert_one_line_error(result, [*args, "--out", str(target)])
    assert result.stderr == f"error: cannot write {target}: Not a directory\n"


@pytest.mark.parametrize("args", OUT_COMMANDS, ids=" ".join)
def test_out_writes_the_file_and_nothing_to_stdout(run, minuted_store, tmp_path, args):
    target = tmp_path / "out.txt"
    before = snapshot(tmp_path)
    result = run([*args, "--out", str(target)])
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == f"wrote {target}"
    assert changed(before, snapshot(tmp_path)) == ["out.txt"]
    assert target.read_text(encoding="utf-8") == run(args).stdout


def test_out_onto_a_folder_is_refused(run, minuted_store, tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    before = snapshot(tmp_path)
    result = run(["agenda", "render", "2026-12-03", "--out", str(folder)], code=3)
    assert_one_line_error(result, ["agenda", "render", "--out", str(folder)])
    assert changed(before, snapshot(tmp_path)) == []
