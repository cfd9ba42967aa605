"""Store templates and papers stay inside the store, and templates are bounded in time and
memory (issue 11, items 8, 14 and 15)."""

from __future__ import annotations

import os

import pytest

import stores


@pytest.fixture
def mail_store(meeting_store):
    return stores.add_mail_store(meeting_store)


# --- item 8: symbolic links out of the store --------------------------------


@pytest.mark.parametrize("target", ["/proc/self/environ", "/etc/hostname"])
def test_a_store_template_linking_out_of_the_store_is_refused(run, mail_store, monkeypatch, target):
    if not os.path.exists(target):
        pytest.skip(f"no {target} here")
    monkeypatch.setenv("ESCG_SMTP_PASSWORD", "hunter2-secret")
    (mail_store / "templates").mkdir()
    (mail_store / "templates/remind.txt").symlink_to(target)
    (mail_store / "templates/actions.md").symlink_to(target)
    (mail_store / "templates/actions.txt").symlink_to(target)  # the plain-text part of `mail actions`
    for command in ("remind --dry-run", "actions -f md", "mail actions --to a@example.org --dry-run"):
        result = run(command, code=3)
        name = {"remind": "remind.txt", "actions": "actions.md", "mail": "actions.txt"}[command.split()[0]]
        assert result.stderr == (f"error: template templates/{name} is a link to {os.path.realpath(target)}, "
                                 "outside the store; refusing to read it\n")
        assert "hunter2" not in result.stdout + result.stderr


def test_a_templates_folder_linking_out_of_the_store_is_refused(run, mail_store, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "actions.md").write_text("outside {{ group.name }}\n")
    (mail_store / "templates").symlink_to(outside)
    result = run("actions -f md", code=3)
    assert "is a link to" in result.stderr and "outside the store" in result.stderr


def test_a_template_may_link_within_the_store(run, mail_store):
    (mail_store / "shared").mkdir()
    (mail_store / "shared/actions.md").write_text("inside {{ group.short }}\n")
    (mail_store / "templates").mkdir()
    (mail_store / "templates/actions.md").symlink_to("../shared/actions.md")
    assert run("actions -f md").stdout == "inside TCG\n"


def test_a_template_turned_into_a_link_in_the_same_process_is_refused(run, mail_store):
    (mail_store / "templates").mkdir()
    template = mail_store / "templates/actions.md"
    template.write_text("first\n")
    assert run("actions -f md").stdout == "first\n"  # the environment is cached per process
    template.unlink()
    template.symlink_to("/etc/hostname")
    assert "outside the store" in run("actions -f md", code=3).stderr


@pytest.mark.parametrize("target", ["/proc/self/environ", "/etc/hostname"])
def test_a_paper_linking_out_of_the_store_is_never_attached(run, meeting_store, target):
    (meeting_store / "papers").mkdir()
    (meeting_store / "papers/notes.txt").symlink_to(target)
    run("agenda add Notes --paper papers/notes.txt -m 2026-12-03")
    run("agenda new")
    result = run("mail agenda --to a@example.org --dry-run", code=3)
    assert result.stderr == "error: paper papers/notes.txt resolves outside the store; refusing to attach it\n"


# --- item 14: bounded in memory and time ---------------------------------------

HUGE = [
    ("{{ 'x' * 10**10 }}", "repeating 1 characters or items 10,000,000,000 times"),
    ("{{ [0] * 10**9 }}", "repeating 1 characters or items 1,000,000,000 times"),
    ("{{ 9 ** 99999999 }}", "a power that large"),
    ("{{ lipsum(10**9) }}", "the number 1000000000 given to a call"),
    ("{{ 'x'|indent(10**10, true) }}", "the number 10000000000 given to a call"),
    ("{{ 'x'|center(10**10) }}", "the number 10000000000 given to a call"),
    ("{{ 'x'.ljust(10000000000) }}", "the number 10000000000 given to a call"),
    ("{{ '%0999999999d' % 1 }}", "a format with a huge width or precision"),
    ("{{ '%*d' % (999999999, 1) }}", "a format with a huge width or precision"),
    ("{{ '%0999999999d'|format(1) }}", "a format with a huge width or precision"),
    ("{{ '{:>9999999999}'.format(1) }}", "a format with a huge width or precision"),
    ("{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
     "a value of 16,777,216 characters or items"),
    ("{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}",
     "joining 16,777,216 characters or items"),
    ("{{ range(10**9)|list|length }}", "the number 1000000000 given to a call"),
    # What repeats a text of its own is sized before it is made (it asked for 9 GB first):
    ("{% set s = 'x' * 9000000 %}{{ range(1000)|join(s) }}", "a result of 8,991,000,000 characters from join"),
    ("{% set s = 'x' * 9000000 %}{{ range(1000)|map('string')|join(s) }}",
     "a result of 8,991,002,890 characters from join"),
    ("{% set s = 'x' * 9000000 %}{{ s.join(['a'] * 1000) }}", "a result of 8,991,001,000 characters from join"),
    ("{% set s = 'x' * 9000000 %}{{ s.join(range(1000)|map('string')) }}",
     "a result of 8,991,002,890 characters from join"),
    ("{% set s = 'x' * 9000000 %}{{ ('a\n' * 1000)|indent(s) }}", "a result of 9,009,002,000 characters from indent"),
    ("{% set s = 'x' * 9000000 %}{{ ('a' * 1000)|replace('a', s) }}",
     "a result of 9,000,001,000 characters from replace"),
    ("{% set s = 'x' * 9000000 %}{{ ('a' * 1000).replace('a', s) }}",
     "a result of 9,000,001,000 characters from replace"),
    ("{{ ('a b ' * 100000)|wordwrap(1, wrapstring='x' * 1000) }}", "a result of 400,401,000 characters from wordwrap"),
    ("{{ ('\t' * 100000).expandtabs(999999) }}", "a result of 100,000,000,000 characters from expandtabs"),
    ("{{ '{:{}}'.format('x', 999999999) }}", "the number 999999999 given to a call"),
    ("{{ '{:{w}}'.format_map({'w': 999999999}) }}", "the number 999999999 given to a call"),
    # A macro's arguments are not checked (what its body does with them is):
    ("{% macro m(n) %}{{ 'x' * n }}{% endmacro %}{{ m(10**10) }}",
     "repeating 1 characters or items 10,000,000,000 times"),
    ("{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}{{ s }}{% endif %}{% endmacro %}{{ d('x', 60) }}",
     "a value of 16,777,216 characters or items"),
    ("{% macro f(w) %}{{ w % 1 }}{% endmacro %}{{ f('%0999999999d') }}", "a format with a huge width or precision"),
    # Many pieces, each within the limit, that make a document beyond it (2.7 GB asked for):
    ("{% set s = 'x' * 9000000 %}{% for i in range(150) %}{{ s ~ i }}{% endfor %}",
     "a document of more than 100,000,000 characters"),
    ("{% set s = 'x' * 9000000 %}{% macro m() %}{% for i in range(150) %}{{ s ~ i }}{% endfor %}{% endmacro %}"
     "{{ m() }}", "a document of more than 100,000,000 characters"),
    ("{% set s = 'x' * 9000000 %}{% set b %}{% for i in range(150) %}{{ s ~ i }}{% endfor %}{% endset %}",
     "a document of more than 100,000,000 characters"),
    ("{% set s = 'x' * 9000000 %}{% filter upper %}{% for i in range(150) %}{{ s ~ i }}{% endfor %}{% endfilter %}",
     "a document of more than 100,000,000 characters"),
    # Many ordinary widths, or one value many times, in one format (3 GB asked for):
    ("{{ ('{:999999}' * 3000).format(*range(3000)) }}", "a result of 3,000,039,660 characters from a format"),
    ("{{ ('{}{}' * 1500).format(*(['x' * 999999] * 3000)) }}", "a result of 3,000,003,000 characters from a format"),
    ("{{ ('{0}' * 1000).format('x' * 9000000) }}", "a result of 9,000,003,000 characters from a format"),
    ("{{ ('{0:{1}}' * 20).format('x', 999999) }}", "a result of 20,000,160 characters from a format"),
    ("{{ ('%999999s' * 3000)|format(*range(3000)) }}", "a result of 3,000,036,660 characters from a format"),
    ("{{ ('%999999s' * 12) % (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1) }}",
     "a result of 12,000,108 characters from a format"),
    ("{{ ('\n' * 2000)|indent(999999, true, true) }}", "a result of 2,000,999,999 characters from indent"),
    ("{{ range(200000)|list|length }}", "a range of 200,000 numbers (at most 100,000)"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "it ran for more than 1 seconds"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{{ i ~ j }}{% endfor %}{% endfor %}",
     "it ran for more than 1 seconds"),
]


def _escg_limited(store, *args: str):
    """escg in a child with 2 GB of address space and a 1-second render limit: were a bound
    missing, the child (not the test run, nor the machine) would run out."""
    import resource
    import subprocess
    import sys

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    code = "import sys, escg.services.render as r; r.RENDER_SECONDS = 1; from escg.cli import main; sys.argv[0] = 'escg'; main()"
    env = {**os.environ, "ESCG_STORE": str(store)}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                          preexec_fn=limit, timeout=120)


@pytest.mark.parametrize("template, why", HUGE, ids=[t for t, _ in HUGE])
def test_a_store_template_is_bounded_in_memory_and_time(mail_store, template, why):
    (mail_store / "templates").mkdir()
    (mail_store / "templates/actions.md").write_text(template)
    result = _escg_limited(mail_store, "actions", "-f", "md")
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("error: template actions.md asked for too much: " + why), result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


def test_ordinary_arithmetic_and_formatting_still_work(run, mail_store):
    (mail_store / "templates").mkdir()
    (mail_store / "templates/actions.md").write_text(
        "{{ 'ab' * 3 }} {{ 2 ** 10 }} {{ 7 // 2 }} {{ 7 % 3 }} {{ '%05.1f' % 3.14159 }} {{ '{:,}'.format(1234567) }} "
        "{{ 'x'|center(9) }}|{{ range(3)|list }} {{ [1] + [2] }} {{ 'a' ~ 'b' }} {{ 10 - 4 }} {{ 1 / 4 }} "
        "{{ '%d'|format(12345678) }} {{ 12345678|string }} {{ '{{ {} }}'.format(12345678) }} "
        "{{ '{:>{w}}'.format('x', w=3) }} {{ range(3)|join(', ') }} {{ 'a-b'|replace('-', '+') }} "
        # a format is sized by what its fields name: a long value no field names, or one named once, is fine
        "{{ '{0}'.format('x', 'y' * 9000000) }} {{ ('{}' * 3).format('z' * 4000000, '', '')|length }} "
        "{{ '%(a)s'|format(a='w', b='v' * 9000000) }}\n")
    assert run("actions -f md").stdout == ("ababab 1024 3 1 003.1 1,234,567     x    |[0, 1, 2] [1, 2] ab 6 0.25 12345678 "
                                           "12345678 { 12345678 }   x 0, 1, 2 a+b x 4000000 w\n")


def test_the_environment_is_still_made_once_per_process(run, mail_store, monkeypatch):
    from escg.services import render

    monkeypatch.setenv("ESCG_NO_RENDER_CACHE", "1")  # every run renders, none is read back
    before = render._environment.cache_info()
    for _ in range(3):
        run("actions -f md")
    after = render._environment.cache_info()
    assert after.misses <= before.misses + 1 and after.hits >= before.hits + 2  # made once, then reused


# --- item 15: a | in a paper link keeps the Markdown table whole ------------------


def _table_rows(markdown: str) -> list[list[str]]:
    """Each table row's cells as GFM splits them: on every | not escaped with a backslash."""
    import re

    rows = []
    for line in markdown.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
    return rows


def test_a_pipe_in_a_paper_link_keeps_the_table_row_whole(run, meeting_store):
    run(["agenda", "add", "Pipe | title", "-m", "2026-12-03", "--paper", "https://example.org/a|b.pdf?x=1|2",
         "--paper", "papers/x|y z.pdf"])
    run("agenda new")
    markdown = run("agenda render 2026-12-03 -f md").stdout
    rows = _table_rows(markdown)
    assert len({len(row) for row in rows}) == 1  # every row has as many cells as the header
    [row] = [row for row in rows if "Pipe" in row[2]]
    assert row[-1] == ("[a\\|b.pdf](<https://example.org/a%7Cb.pdf?x=1%7C2>), "
                       "[x\\|y z.pdf](<papers/x%7Cy%20z.pdf>)")


def test_md_href_encodes_what_would_end_a_link_or_a_cell():
    from escg.services.render import md_href

    assert md_href("https://example.org/a|b<c>d\\e f\n") == "https://example.org/a%7Cb%3Cc%3Ed%5Ce%20f%0A"
    assert md_href("https://example.org/plain-é.pdf") == "https://example.org/plain-é.pdf"
