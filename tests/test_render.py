"""Rendering agendas: Markdown that renders as tables, complete en-GB HTML, escaping, overrides."""

from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

HOSTILE = '<script>alert("x")</script> & **bold** | pipe [link](https://evil.example)'


@pytest.fixture
def agenda_store(run, meeting_store):
    run(["agenda", "add", "Violence & vulnerability: <update>", "--presenter", "bob", "--theme", "partnership",
         "--minutes", "20", "--purpose", "decision"])
    run(["agenda", "add", HOSTILE, "--presenter", "cat", "--minutes", "10"])
    run("agenda new")
    return meeting_store


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
