"""Every test runs against a store in a temporary folder, with a frozen today."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escg.cli import full_app

app = full_app()

TODAY = "2026-11-23"  # a Monday
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No test touches a real store: ESCG_STORE points into tmp_path, today is frozen."""
    monkeypatch.setenv("ESCG_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("ESCG_TODAY", TODAY)
    # Every read the suite makes is answered both by the index and by the files, and
    # must agree (escg.store.Store._crosscheck): the one query, proven both ways.
    monkeypatch.setenv("ESCG_CROSSCHECK", "1")
    monkeypatch.delenv("ESCG_LOCK_TIMEOUT", raising=False)
    monkeypatch.chdir(tmp_path)
    yield


class Run:
    """Invoke the CLI in-process; ``run("agenda list --json")`` or ``run(["agenda", "add", title])``."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, args, *, code: int = 0, input: str | None = None):
        argv = shlex.split(args) if isinstance(args, str) else list(args)
        result = self.runner.invoke(app, argv, input=input)
        if result.exit_code != code:
            raise AssertionError(
                f"escg {' '.join(argv)} exited {result.exit_code}, expected {code}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}\n{result.exception!r}"
            )
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result


@pytest.fixture
def run() -> Run:
    return Run()


@pytest.fixture
def store_dir(tmp_path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def empty_store(run, store_dir) -> Path:
    run(["init", str(store_dir), "--name", "Test Coordination Group", "--short", "TCG"])
    return store_dir


# Three organisations, a chair, members, a deputy and a guest (shared with test_hostile.py).
PEOPLE_COMMANDS = (
    "org add ecc --name 'Essex County Council' --sector council",
    "org add police --name 'Essex Police' --sector police",
    "org add nhs --name 'NHS Trust' --sector health",
    "person add ann-chair --name 'Ann Chair' --org ecc --role 'Chief Executive' --email ann@example.org",
    "person add bob --name 'Bob Police' --org police --role 'Chief Constable' --email bob@example.org",
    "person add cat --name 'Cat Health' --org nhs --email cat@example.org",
    "person add dan --name 'Dan Deputy' --org police --membership deputy --deputy-for bob --email dan@example.org",
    "person add eve --name 'Eve Guest' --org nhs --membership guest",
)


@pytest.fixture
def people_store(run, empty_store) -> Path:
    """A store with three organisations, a chair, members, a deputy and a guest."""
    themes = '[themes]\npartnership = "Improving partnership working"\nhealth = "Health and wellbeing"\n'
    config = empty_store / "escg.toml"
    text = config.read_text().replace('[themes]\npartnership = "Improving partnership working"\n', themes)
    text = text.replace('# chair = "person-id"', 'chair = "ann-chair"')
    config.write_text(text)
    for args in PEOPLE_COMMANDS:
        run(args)
    return empty_store


@pytest.fixture
def meeting_store(run, people_store) -> Path:
    """People plus three meetings: one past (2026-10-01), the next (2026-12-03), one later."""
    run("meeting new 2026-10-01")
    run("meeting new 2026-12-03 --venue 'County Hall'")
    run("meeting new 2027-02-04")
    return people_store


def escg_subprocess(*args: str, env: dict | None = None, cwd: Path | None = None):
    """Run the real console entry point in a fresh interpreter."""
    import subprocess

    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "escg", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=120)
