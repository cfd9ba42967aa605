"""Startup stays light: `escg --version` imports none of the heavy modules (SPEC §8)."""

import subprocess
import sys


HEAVY = {"pydantic", "rich", "jinja2", "tomlkit", "dateutil", "markdown_it", "docx", "openpyxl", "weasyprint", "pypdf", "lxml"}


def imported_by(*args: str, env: dict | None = None) -> set[str]:
    import os

    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "escg", *args],
                            capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=60)
    modules = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            modules.add(name.split(".")[0])
    return modules


def test_version_imports_nothing_heavy():
    for args in (["--version"], ["--store", "elsewhere", "--version"]):
        modules = imported_by(*args)
        assert "escg" in modules  # the measurement works
        assert not modules & HEAVY, sorted(modules & HEAVY)
        assert "typer" not in modules and "click" not in modules


def imported_modules(*args: str) -> set[str]:
    """Full dotted names imported by a command."""
    import os

    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "escg", *args],
                            capture_output=True, text=True, env=os.environ.copy(), timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


# What the review path must not pay for: documents, editing, mail, other commands.
NOT_FOR_A_LISTING = HEAVY | {"secrets", "escg.services.render", "escg.domain.agenda", "escg.domain.minutes", "escg.services.mail",
                             "escg.workflows.calendar", "escg.cli.agenda", "escg.cli.mail", "escg.cli.minutes",
                             "escg.integrations.pdf", "escg.integrations.word", "escg.integrations.spreadsheet", "escg.integrations.importer"}


def test_json_listing_of_actions_imports_only_what_it_needs(run, meeting_store):
    run("action add 'Something' --owner bob --due 2026-12-01")
    modules = imported_modules("actions", "--format", "json")
    assert "escg.store.index" in modules  # the measurement works
    assert not modules & NOT_FOR_A_LISTING, sorted(modules & NOT_FOR_A_LISTING)


def test_json_listing_of_meetings_needs_no_rich_jinja_tomlkit(meeting_store):
    modules = imported_by("meeting", "list", "--json")
    assert not modules & (HEAVY - {"dateutil"}), sorted(modules & HEAVY)


def test_typer_is_below_0_29():
    import typer

    major, minor = (int(x) for x in typer.__version__.split(".")[:2])
    assert (major, minor) < (0, 29), "Typer 0.29 imports pydantic on every call; see pyproject.toml"
