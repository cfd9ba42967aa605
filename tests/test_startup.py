"""Startup stays light: `escg --version` imports none of the heavy modules (SPEC §8)."""

import subprocess
import sys

import pytest

HEAVY = {"pydantic", "rich", "jinja2", "tomlkit", "dateutil", "markdown_it"}


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
    modules = imported_by("--version")
    assert "typer" in modules  # the measurement works
    assert not modules & HEAVY, sorted(modules & HEAVY)


def test_json_listing_needs_no_rich_jinja_tomlkit(meeting_store):
    modules = imported_by("meeting", "list", "--json")
    assert not modules & (HEAVY - {"dateutil"}), sorted(modules & HEAVY)


def test_typer_is_below_0_29():
    import typer

    major, minor = (int(x) for x in typer.__version__.split(".")[:2])
    assert (major, minor) < (0, 29), "Typer 0.29 imports pydantic on every call; see pyproject.toml"
