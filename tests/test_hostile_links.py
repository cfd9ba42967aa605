"""One allow-list of links: http, https, or a relative path inside the store (issue 11, item 9)."""

from __future__ import annotations

import pytest

from escg.core import model

REFUSED = [" javascript:alert(1)", "javascript:alert(1) ", "\tjavascript:alert(1)", "\u00a0javascript:alert(1)",
           " https://example.org/x.pdf", "JaVaScRiPt:alert(1)", "data:text/html,x", "file:///etc/passwd",
           "\\\\server\\share\\x.pdf", "\\\\?\\C:\\x.pdf", "papers\\..\\..\\x.pdf", "/\\evil.example/x", "\\/evil.example",
           "//evil.example/x.pdf", "C:x.pdf", "\x85javascript:alert(1)", "../x.pdf", "~/x.pdf", " ", "mailto:a@example.org"]
ALLOWED = ["https://example.org/x.pdf", "HTTP://example.org/x",
           "papers/report.pdf", "papers/my report (final).pdf", "papers/2026-12-03/a.md"]


@pytest.mark.parametrize("paper", REFUSED)
def test_hostile_papers_are_refused_by_the_model(paper):
    assert model.paper_problem(paper) is not None


@pytest.mark.parametrize("paper", ALLOWED)
def test_ordinary_papers_are_allowed(paper):
    assert model.paper_problem(paper) is None


@pytest.mark.parametrize("link", [" https://meet.example.org/x", "javascript:alert(1)", "https://x\\@evil.example"])
def test_hostile_online_links_are_refused(link):
    assert model.link_problem(link) is not None


@pytest.mark.parametrize("paper", [" javascript:alert(1)", "\\\\evil.example\\share\\x.pdf"])
def test_a_hand_edited_hostile_paper_is_found_by_check_and_never_rendered(run, meeting_store, paper):
    run("agenda add Report --paper papers/placeholder.pdf -m 2026-12-03")
    [path] = list(meeting_store.glob("meetings/**/2026-12-03.toml"))
    escaped = paper.replace("\\", "\\\\")
    path.write_text(path.read_text().replace('"papers/placeholder.pdf"', f'"{escaped}"'))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "papers = " in text)
    result = run("check", code=6)
    assert f"meetings/2026/2026-12-03.toml:{line}: paper {paper!r} must be an http(s) address" in result.stdout
    result = run("agenda render 2026-12-03 -f html", code=6)
    assert "href" not in result.stdout and result.stderr.startswith("error: ")


def test_the_cli_refuses_them_too(run, meeting_store):
    for paper in ("\\\\evil.example\\share\\x.pdf", "papers\\x.pdf"):
        result = run(["agenda", "add", "Report", "-m", "2026-12-03", "--paper", paper], code=3)
        assert "no backslashes" in result.stderr


def test_a_meeting_file_that_is_a_looping_link_is_reported_not_a_traceback(run, example_store):
    """Path.resolve raises RuntimeError on a loop in Python 3.11: `escg check` ended in a
    traceback on a meeting file linked to itself (an adversary's pass)."""
    (example_store / "meetings" / "2026" / "2026-12-10.toml").symlink_to("2026-12-10.toml")
    for command in ("check", "check --full"):
        result = run(command, code=6)
        assert "meetings/2026/2026-12-10.toml: a symbolic link that loops; escg cannot read it" in result.stdout
