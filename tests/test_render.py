"""Rendering agendas: Markdown that renders as tables, complete en-GB HTML, escaping, overrides."""

from html.parser import HTMLParser

import pytest

import stores
from markdown_it import MarkdownIt

HOSTILE = '<script>alert("x")</script> & **bold** | pipe [link](https://evil.example)'


@pytest.fixture(scope="module")
def agenda_template(tmp_path_factory):
    return stores.meeting_store_with(tmp_path_factory, "agenda", [
        ["agenda", "add", "Violence & vulnerability: <update>", "--presenter", "bob", "--theme", "partnership",
         "--minutes", "20", "--purpose", "decision"],
        ["agenda", "add", HOSTILE, "--presenter", "cat", "--minutes", "10"],
        "agenda new",
    ])


@pytest.fixture
def agenda_store(agenda_template, store_dir):
    return stores.copy_store(agenda_template, store_dir)


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.attrs = {}
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.setdefault(tag, []).append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_markdown_renders_as_tables(run, agenda_store):
    text = run("agenda render --format md").stdout
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert html.count("<table>") == 1
    assert "Item</th>" in html and "<th>Title</th>" in html
    assert "Thursday 3 December 2026, 10:00–12:00" in text
    # store text cannot inject markup or break the table
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<strong>bold</strong>" not in html
    assert 'href="https://evil.example"' not in html
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert all(line.count(" | ") == rows[0].count(" | ") for line in rows[:10])


def test_html_is_a_complete_en_gb_document(run, agenda_store):
    text = run("agenda render --format html").stdout
    assert text.startswith("<!DOCTYPE html>\n<html lang=\"en-GB\">")
    assert text.rstrip().endswith("</html>")
    parser = Collector()
    parser.feed(text)
    assert parser.tags.count("table") >= 1 and "caption" in parser.tags and "thead" in parser.tags
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text
    assert "Violence &amp; vulnerability: &lt;update&gt;" in text
    assert "@media print" in text
    assert "Thursday 3 December 2026, 10:00–12:00" in text
    assert "Bob Police (Essex Police)" in text


def test_render_to_file(run, agenda_store, tmp_path):
    out = tmp_path / "agenda.html"
    result = run(["agenda", "render", "--format", "html", "--out", str(out)])
    assert result.stdout == ""
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert "folder" in run(["agenda", "render", "--out", str(tmp_path)], code=3).stderr


def test_preview_renders_marked_draft(run, meeting_store):
    run("agenda add Something")
    result = run("agenda render")
    assert "preview" in result.stderr
    assert "## Agenda (draft)" in result.stdout


def test_store_template_takes_precedence(run, agenda_store):
    (agenda_store / "templates").mkdir()
    (agenda_store / "templates/agenda.md").write_text(
        "{{ group.short }} {{ meeting.id }}\n{% for item in items %}{{ item.number }} {{ item.title | md }}\n{% endfor %}")
    text = run("agenda render").stdout
    assert text.startswith("TCG 2026-12-03\n1 Welcome")
    # the bundled HTML template is still used
    assert run("agenda render -f html").stdout.startswith("<!DOCTYPE html>")


def test_store_templates_are_sandboxed_and_strict(run, agenda_store):
    templates = agenda_store / "templates"
    templates.mkdir()
    (templates / "agenda.md").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    result = run("agenda render", code=3)
    assert "unsafe" in result.stderr or "template" in result.stderr
    (templates / "agenda.md").write_text("{{ meeting.no_such_thing }}")
    assert "template agenda.md" in run("agenda render", code=3).stderr
    (templates / "agenda.md").write_text("{% for %}")
    assert "agenda.md:1" in run("agenda render", code=3).stderr


def test_store_html_templates_are_autoescaped(run, agenda_store):
    (agenda_store / "templates").mkdir()
    (agenda_store / "templates/agenda.html").write_text("{% for item in items %}<p>{{ item.title }}</p>{% endfor %}")
    text = run("agenda render -f html").stdout
    assert "<script>" not in text and "&lt;script&gt;" in text


@pytest.mark.parametrize("body, message", [
    ("{{ 1/0 }}", "ZeroDivisionError"),
    ("{{ range(10**8) | list | length }}", "template agenda.md"),
    ("{% if x | nosuch %}{% endif %}", "nosuch"),
    ('{% include "footer.md" %}', "no template 'footer.md'"),
])
def test_store_template_mistakes_are_one_line(run, agenda_store, body, message):
    (agenda_store / "templates").mkdir()
    (agenda_store / "templates/agenda.md").write_text(body)
    result = run("agenda render", code=4 if "include" in body else 3)
    assert message in result.stderr and "Traceback" not in result.stderr


# --- The cached environment and the compiled templates on disk (escg/services/render.py) ---

import os
import stat
import subprocess
import sys

from escg.services import render as render_module


@pytest.fixture(autouse=True)
def template_cache(tmp_path, monkeypatch):
    """Compiled templates go to tmp_path/cache/jinja, never into the real home; each test starts
    with no environment cached in the process."""
    monkeypatch.setenv("ESCG_CACHE_DIR", str(tmp_path / "cache"))
    render_module._environment.cache_clear()
    yield tmp_path / "cache" / "jinja"
    render_module._environment.cache_clear()


def escg_process(*args):
    """escg in a fresh interpreter: nothing cached in memory, only what is on disk."""
    result = subprocess.run([sys.executable, "-m", "escg", *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def cache_files(folder):
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()} if folder.exists() else {}


def count_compiles(monkeypatch):
    from jinja2 import Environment

    compiled = []
    original = Environment.compile

    def compile(self, source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return original(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", compile)
    return compiled


def test_one_environment_per_templates_folder(run, agenda_store, tmp_path):
    from escg.store import Store

    store = Store(agenda_store)
    assert render_module.environment(store) is render_module.environment(Store(agenda_store))
    assert render_module.environment(store) is not render_module.environment(None)
    other = tmp_path / "other"
    other.mkdir()
    assert render_module.environment(Store(other)) is not render_module.environment(store)


def test_the_template_folders_are_looked_at_once_a_store(agenda_store, monkeypatch):
    """Every render keys its cache on the template folders' bytes: taken once for each
    Store (each command: remind renders three templates an owner), and anew for the next."""
    from escg.store import Store

    walked = []
    folder_digest = render_module._folder_digest
    monkeypatch.setattr(render_module, "_folder_digest", lambda folder, digest, *inside: walked.append(folder) or folder_digest(folder, digest, *inside))
    context = {"group": {"short": "G"}, "meeting": {"long_date": "x", "status": "planned", "cancelled": False}}
    store = Store(agenda_store)
    first = render_module._render_key(store, "agenda.subject", context)
    assert render_module._render_key(store, "agenda.subject", context) == first
    assert render_module._render_key(store, "agenda.txt", context) != first
    assert len(walked) == 1  # the bundled folder (the store has none), once
    (agenda_store / "templates").mkdir()
    (agenda_store / "templates" / "agenda.subject").write_text("{{ group.short }}: a store's own\n")
    assert render_module._render_key(Store(agenda_store), "agenda.subject", context) != first
    assert len(walked) == 3


def test_each_template_is_compiled_once_per_process(run, agenda_store, monkeypatch):
    compiled = count_compiles(monkeypatch)
    run("action add 'Chase the returns' --owner bob --due 2026-11-30")
    run("action add 'Book the room' --owner cat --due 2026-11-20")
    run("remind --dry-run")  # two owners: remind.subject, .txt and .html rendered twice each
    run("remind --dry-run")
    run("agenda render")
    run("agenda render")
    assert sorted(compiled) == sorted(set(compiled)), compiled
    assert {"remind.subject", "remind.txt", "remind.html", "base.html", "agenda.md"} <= set(compiled)


def test_compiled_templates_are_kept_on_disk_and_reused_across_runs(agenda_store, template_cache):
    first = escg_process("agenda", "render", "-f", "html")
    files = cache_files(template_cache)
    assert files, "nothing was cached"
    assert stat.S_IMODE(template_cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(template_cache.parent.stat().st_mode) == 0o700
    assert escg_process("agenda", "render", "-f", "html") == first
    assert cache_files(template_cache) == files, "a template was compiled again"
    # nothing is written into the store by the cache
    assert not (agenda_store / "templates").exists()
    assert not any(p.name.endswith(".cache") for p in agenda_store.rglob("*"))


def test_an_edited_store_template_is_never_served_stale_in_one_process(run, agenda_store):
    templates = agenda_store / "templates"
    assert run("agenda render").stdout.startswith("# Test Coordination Group")  # the bundled one
    templates.mkdir()
    (templates / "agenda.md").write_text("first {{ meeting.id }}\n")
    assert run("agenda render").stdout == "first 2026-12-03\n"
    # same size, and written within the same clock tick: the bytes decide, not the mtime
    (templates / "agenda.md").write_text("again {{ meeting.id }}\n")
    assert run("agenda render").stdout == "again 2026-12-03\n"
    (templates / "agenda.md").unlink()
    assert run("agenda render").stdout.startswith("# Test Coordination Group")


def test_an_edited_store_template_is_never_served_stale_across_processes(agenda_store, template_cache):
    templates = agenda_store / "templates"
    templates.mkdir()
    (templates / "agenda.md").write_text("first {{ meeting.id }}\n")
    assert escg_process("agenda", "render") == "first 2026-12-03\n"
    before = cache_files(template_cache)
    (templates / "agenda.md").write_text("again {{ meeting.id }}\n")
    assert escg_process("agenda", "render") == "again 2026-12-03\n"
    after = cache_files(template_cache)
    assert set(after) == set(before) and after != before, "the entry was not compiled afresh"
    assert escg_process("agenda", "render") == "again 2026-12-03\n"
    assert cache_files(template_cache) == after


def test_an_edited_bundled_template_is_never_served_stale(run, agenda_store, tmp_path, monkeypatch):
    import shutil

    bundled = tmp_path / "bundled"
    shutil.copytree(render_module.bundled_templates(), bundled)
    monkeypatch.setattr(render_module, "bundled_templates", lambda: bundled)
    original = run("agenda render").stdout
    (bundled / "agenda.md").write_text((bundled / "agenda.md").read_text().replace("## Agenda", "## Order of business"))
    assert run("agenda render").stdout == original.replace("## Agenda", "## Order of business")
    # a new process: nothing in memory, the compiled template on disk is for the old source
    render_module._environment.cache_clear()
    (bundled / "agenda.md").write_text((bundled / "agenda.md").read_text().replace("Order of business", "Business"))
    assert run("agenda render").stdout == original.replace("## Agenda", "## Business")


def test_a_broken_cache_is_ignored_and_rebuilt(run, agenda_store, template_cache, monkeypatch):
    original = run("agenda render").stdout
    for path in template_cache.iterdir():
        path.write_bytes(b"j2\x00not a cache at all")
    render_module._environment.cache_clear()
    assert run("agenda render").stdout == original
    render_module._environment.cache_clear()
    compiled = count_compiles(monkeypatch)
    assert run("agenda render").stdout == original
    assert compiled == [], "the rebuilt cache was not used"


@pytest.mark.parametrize("case", ["a file in the way", "writable by others", "cannot write a file"])
def test_an_unusable_cache_folder_is_silently_not_used(run, agenda_store, tmp_path, monkeypatch, case):
    expected = run("agenda render").stdout
    render_module._environment.cache_clear()
    cache = tmp_path / "elsewhere"
    monkeypatch.setenv("ESCG_CACHE_DIR", str(cache))
    if case == "a file in the way":
        cache.write_text("not a folder")
    elif case == "writable by others":
        (cache / "jinja").mkdir(parents=True)
        os.chmod(cache / "jinja", 0o777)
    else:
        import jinja2.bccache

        def refuse(*args, **kwargs):
            raise PermissionError("read-only file system")

        monkeypatch.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", refuse)
    result = run("agenda render")
    assert result.stdout == expected and result.stderr == ""
    if case != "a file in the way":
        assert list((cache / "jinja").iterdir()) == []


def test_where_the_cache_is(tmp_path, monkeypatch):
    monkeypatch.delenv("ESCG_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert render_module.cache_dir() == tmp_path / "home" / ".cache" / "escg" / "jinja"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert render_module.cache_dir() == tmp_path / "home" / ".cache" / "escg" / "jinja"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert render_module.cache_dir() == tmp_path / "xdg" / "escg" / "jinja"
    monkeypatch.setenv("ESCG_CACHE_DIR", str(tmp_path / "mine"))
    assert render_module.cache_dir() == tmp_path / "mine" / "jinja"


# --- The shared macros (templates/macros.html, templates/macros.md) ---

def bundled(name):
    return (render_module.bundled_templates() / name).read_text()


def test_a_store_macros_file_changes_every_document(run, agenda_store):
    run("minutes new 2026-10-01")
    run("action add 'Chase the returns' --owner bob --due 2026-11-30")
    templates = agenda_store / "templates"
    templates.mkdir()
    (agenda_store / "escg.toml").write_text(
        (agenda_store / "escg.toml").read_text().replace("# secretariat =", "secretariat = \"sec@example.org\"\n# x ="))
    (templates / "macros.html").write_text(bundled("macros.html").replace(
        '<a href="mailto:{{ address }}">', '<a class="house" href="mailto:{{ address }}">'))
    (templates / "macros.md").write_text(bundled("macros.md").replace("Latest update", "Progress"))
    for command in ("agenda render -f html", "minutes render 2026-10-01 -f html", "actions -f html"):
        assert '<a class="house" href="mailto:sec@example.org">' in run(command).stdout, command
    assert "| Progress |" in run("actions -f md").stdout
    # a store overriding one template keeps the bundled macros for the others
    (templates / "macros.html").unlink()
    (templates / "agenda.md").write_text("{{ meeting.id }}\n")
    assert run("agenda render").stdout == "2026-12-03\n"
    assert 'class="house"' not in run("agenda render -f html").stdout


def test_a_store_template_can_use_the_macros(run, agenda_store):
    run("action add 'Chase the returns' --owner bob --due 2026-11-30")
    templates = agenda_store / "templates"
    templates.mkdir()
    (templates / "actions.md").write_text(
        '{% import "macros.md" as m %}\n'
        '{% for grp in groups %}\n{{ m.action_table(grp.actions, ["ref", "owner", "rag"]) }}\n{% endfor %}')
    assert run("actions -f md").stdout == "| Ref | Owner | RAG |\n|---|---|---|\n| A-001 | Bob Police | Due soon |\n"
    (templates / "actions.md").write_text(
        '{% import "macros.md" as m %}{% for grp in groups %}{{ m.action_table(grp.actions, ["ref", "colour"]) }}{% endfor %}')
    result = run("actions -f md", code=3)
    assert "no_such_action_column" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_store_template_can_print_one_cell_or_one_row(run, agenda_store):
    """action_cell and action_cells, which action_table prints its rows with, are each
    a macro a store's template can call (docs/templates.md)."""
    run("action add 'Chase | the returns' --owner bob --due 2026-11-30")
    templates = agenda_store / "templates"
    templates.mkdir()
    (templates / "actions.md").write_text(
        '{% import "macros.md" as m %}{% for grp in groups %}{% for a in grp.actions %}'
        '[{{ m.action_cell(a, "action") }}][{{ m.action_cell(a, "owner_org") }}]\n'
        '|{{ m.action_cells(a, ["ref", "due"]) }}\n{% endfor %}{% endfor %}')
    assert run("actions -f md").stdout == (
        "[Chase \\| the returns][Bob Police (Essex Police)]\n| A-001 | 30 Nov 2026 |\n")
    (templates / "actions.html").write_text(
        '{% import "macros.html" as m %}{% for grp in groups %}{% for a in grp.actions %}'
        '{{ m.action_cell(a, "ref") }}/{{ m.action_cells(a, ["due", "rag"]) }}{% endfor %}{% endfor %}')
    assert run("actions -f html").stdout == (
        '<td>A-001</td>/<td class="time">30 Nov 2026</td><td class="rag rag-amber">Due soon</td>')


def test_a_store_macros_file_missing_a_macro_is_one_line(run, agenda_store):
    (agenda_store / "templates").mkdir()
    (agenda_store / "templates/macros.html").write_text("{% macro mailto(address) %}{{ address }}{% endmacro %}")
    result = run("agenda render -f html", code=3)
    assert "meeting_details" in result.stderr and len(result.stderr.strip().splitlines()) == 1


# --- the render cache: a render whose inputs are unchanged is read back, never stale -----


def renders_folder(template_cache):
    return template_cache.parent / "renders"


def test_an_unchanged_render_is_read_back_without_jinja(agenda_store, template_cache):
    first = escg_process("agenda", "render", "-f", "html")
    entries = list(renders_folder(template_cache).iterdir())
    assert len(entries) == 1 and stat.S_IMODE(renders_folder(template_cache).stat().st_mode) == 0o700
    probe = ("import sys, runpy; sys.argv = ['escg', 'agenda', 'render', '-f', 'html'];\n"
             "try:\n    runpy.run_module('escg', run_name='__main__')\n"
             "except SystemExit: pass\n"
             "sys.stderr.write('jinja2' if 'jinja2' in sys.modules else 'no jinja')")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.stdout == first and result.stderr.endswith("no jinja")


def test_a_changed_store_changes_the_render(run, agenda_store, template_cache):
    before = run("agenda render").stdout
    run("agenda add 'Winter pressures' --presenter bob --minutes 10")
    run("agenda new")
    after = run("agenda render").stdout
    assert "Winter pressures" in after and after != before
    fresh = subprocess.run([sys.executable, "-m", "escg", "agenda", "render"], capture_output=True, text=True,
                           timeout=120, env={**os.environ, "ESCG_NO_RENDER_CACHE": "1"}).stdout
    assert after == fresh


def test_a_store_template_added_or_edited_changes_the_render(agenda_store, template_cache):
    bundled = escg_process("agenda", "render")
    templates = agenda_store / "templates"
    templates.mkdir()
    (templates / "agenda.md").write_text("first {{ meeting.id }}\n")
    assert escg_process("agenda", "render") == "first 2026-12-03\n"
    (templates / "agenda.md").write_text("again {{ meeting.id }}\n")  # same size, maybe same tick
    assert escg_process("agenda", "render") == "again 2026-12-03\n"
    (templates / "macros.md").write_text("{% macro x() %}{% endmacro %}\n")  # an include may change too
    assert escg_process("agenda", "render") == "again 2026-12-03\n"
    (templates / "agenda.md").unlink()
    (templates / "macros.md").unlink()
    assert escg_process("agenda", "render") == bundled


def test_a_template_in_a_linked_folder_edited_changes_the_render(agenda_store, template_cache):
    # The loader reads templates through a link to a folder inside the store: the render
    # cache's digest of the folders must read through it too, and never walk a loop for ever.
    shared = agenda_store / "shared"
    shared.mkdir()
    (shared / "part.md").write_text("first\n")
    templates = agenda_store / "templates"
    templates.mkdir()
    (templates / "lib").symlink_to("../shared", target_is_directory=True)
    (shared / "loop").symlink_to(".", target_is_directory=True)  # shared/loop/loop/... is shared
    (templates / "agenda.md").write_text('{{ meeting.id }} {% include "lib/part.md" %}')
    assert escg_process("agenda", "render") == "2026-12-03 first\n"
    (shared / "part.md").write_text("again\n")  # the same size, maybe the same tick
    assert escg_process("agenda", "render") == "2026-12-03 again\n"


def test_a_damaged_entry_is_no_entry(agenda_store, template_cache):
    first = escg_process("agenda", "render")
    (entry,) = renders_folder(template_cache).iterdir()
    entry.write_bytes(entry.read_bytes().replace(b"Agenda", b"Hacked", 1))
    assert escg_process("agenda", "render") == first
    assert b"Hacked" not in entry.read_bytes()  # rendered afresh and kept again


def test_the_cache_is_pruned(run, agenda_store, template_cache, monkeypatch):
    monkeypatch.setattr(render_module, "_RENDERS_KEPT", 4)
    for n in range(12):
        render_module.render(None, "agenda.subject", {"group": {"short": f"G{n}"}, "meeting": {"long_date": "x", "status": "planned", "cancelled": False}})
    assert 0 < len(list(renders_folder(template_cache).iterdir())) <= 4


def test_a_long_render_is_not_kept(agenda_store, template_cache, monkeypatch):
    """What a template writes is bounded (100 million characters), what the cache keeps far
    less: a longer render is rendered again each time, never kept on disk."""
    monkeypatch.setattr(render_module, "_RENDER_KEPT_SIZE", 1000)

    def subject(short):
        return render_module.render(None, "agenda.subject", {"group": {"short": short},
                                                             "meeting": {"long_date": "x", "status": "planned", "cancelled": False}})

    assert "G" * 10 in subject("G" * 10)
    assert len(list(renders_folder(template_cache).iterdir())) == 1
    assert "G" * 2000 in subject("G" * 2000)
    assert len(list(renders_folder(template_cache).iterdir())) == 1


def test_values_it_cannot_key_exactly_are_rendered_every_time(monkeypatch, template_cache):
    from datetime import datetime, timezone

    class Opaque:
        def __init__(self, text):
            self.text = text

    for value in (Opaque("a"), datetime(2026, 1, 1, tzinfo=timezone.utc), {1: "x"}):
        assert render_module._render_key(None, "agenda.md", {"v": value}) is None
    assert render_module._render_key(None, "agenda.md", {"v": [1, "a", None]}) is not None


def test_the_render_key_tells_apart_what_a_template_could():
    """Plain rows are keyed as they are (without a walk), and still apart from an enum
    member equal to a string, a date from its ISO text, and a key that is not text."""
    from datetime import date

    from escg.core.model import ActionStatus

    key = lambda value: render_module._render_key(None, "agenda.md", {"v": value})  # noqa: E731
    assert key([{"a": "open"}]) != key([{"a": ActionStatus.OPEN}])
    assert key([{"a": "2026-01-01"}]) != key([{"a": date(2026, 1, 1)}])
    assert key(("open", 1)) == key(["open", 1])
    assert key([{"a": "x", "b": None}]) == key([{"b": None, "a": "x"}])
    ones = [key([{"a": 1}]), key([{"a": True}]), key([{"a": 1.0}])]
    assert len(set(ones)) == 3
    assert key({"a": {1: "x"}}) is None


# --- store text in Markdown: as few marks as will do ------------------------------------------


@pytest.mark.parametrize("text, shown", [
    ("Budget & staffing", "Budget & staffing"),
    ("3 < 4 and 5 > 2", "3 < 4 and 5 > 2"),
    ("See https://example.org/winter_plan_2026.pdf today", "See https://example.org/winter_plan_2026.pdf today"),
])
def test_plain_text_stays_as_typed_in_markdown(text, shown):
    assert render_module.md(text) == shown


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "<!-- hidden -->", "&amp; &#38;", "*bold* _it_ `code` [link](http://x)",
    "| cell | break |", "> a quote", "# a heading", "1. a list", "https://x.org/a|b`c*d*[e]",
])
def test_markdown_marks_in_store_text_render_as_the_text(text):
    html = MarkdownIt("commonmark").enable("table").render(render_module.md(text))
    parsed = Collector()
    parsed.feed(html)
    expected = text
    if text.startswith("https://"):  # in an address, only what would end it is percent-encoded
        expected = "https://x.org/a%7Cb%60c%2Ad%2A%5Be%5D"
    assert "".join(parsed.text).strip() == expected
    assert parsed.tags == ["p"], parsed.tags


def test_the_cache_folder_is_listed_only_when_it_may_be_full(run, agenda_store, template_cache, monkeypatch):
    # Listing the folder after every entry cost more than a small render: `escg remind`
    # keeps three entries for each of hundreds of owners.
    listed = []
    original = os.listdir
    monkeypatch.setattr(os, "listdir", lambda path: listed.append(path) or original(path))
    monkeypatch.setattr(render_module, "_ENTRIES", {})
    monkeypatch.setattr(render_module, "_RENDERS_KEPT", 10)
    for n in range(25):
        render_module.render(None, "agenda.subject", {"group": {"short": f"G{n}"}, "meeting": {"long_date": "x", "status": "planned", "cancelled": False}})
    assert 0 < len(list(renders_folder(template_cache).iterdir())) <= 10
    assert len(listed) <= 6, listed  # once to count, then once each time the count passes 10


def test_render_each_is_render_of_each(run, agenda_store, template_cache):
    context = {"group": {"short": "G", "name": "Group"}, "meeting": {"long_date": "1 May", "status": "planned", "cancelled": False}, "draft": True}
    names = ("agenda.subject", "minutes.subject")
    texts = render_module.render_each(None, names, context)
    assert len(set(render_module._render_keys(None, names, context))) == 2
    assert len(list(renders_folder(template_cache).iterdir())) == 2
    assert texts == [render_module.render(None, name, context) for name in names]
    os.environ["ESCG_NO_RENDER_CACHE"] = "1"
    try:
        assert texts == [render_module.render(None, name, context) for name in names]  # rendered afresh
    finally:
        del os.environ["ESCG_NO_RENDER_CACHE"]
