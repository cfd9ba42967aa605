"""Every test runs against a store in a temporary folder, with a frozen today.

The store fixtures write their files directly (tests/stores.py holds the texts,
byte for byte what the CLI writes; tests/test_stores.py keeps them honest).
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import stores
from escg.cli import full_app
from stores import PEOPLE_COMMANDS  # noqa: F401 - imported from here by test_hostile.py

app = full_app()

TODAY = stores.TODAY  # 2026-11-23, a Monday
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def session_template_cache(tmp_path_factory) -> Path:
    """Compiled templates, shared by the session's tests and kept out of each test's folder."""
    return tmp_path_factory.mktemp("template-cache")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch, session_template_cache):
    """No test touches a real store: ESCG_STORE points into tmp_path, today is frozen."""
    monkeypatch.setenv("ESCG_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("ESCG_TODAY", TODAY)
    # Every read the suite makes is answered both by the index and by the files, and
    # must agree (escg.store.Store._crosscheck): the one query, proven both ways.
    monkeypatch.setenv("ESCG_CROSSCHECK", "1")
    # Compiled templates go to the session's cache, not the user's.
    monkeypatch.setenv("ESCG_CACHE_DIR", str(session_template_cache))
    monkeypatch.delenv("ESCG_LOCK_TIMEOUT", raising=False)
    # No test starts a store watcher (escg.store.watch) but tests/test_watch.py.
    monkeypatch.setenv("ESCG_NO_WATCH", "1")
    # Tests write a store and read it within milliseconds, which the index takes for files
    # that may change again unseen within their timestamps' tick (escg.store.index.RACY_NS,
    # parsed again by the next read): on this machine's fine-grained timestamps no file can,
    # and the tests that count what is read or reported mean an unchanged store as it is
    # once settled. test_freshness.py tests the racy files with escg's own window.
    monkeypatch.setattr("escg.store.index.RACY_NS", 0)
    monkeypatch.setattr("escg.store.index.COARSE_RACY_NS", 0)
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
def example_store(store_dir, monkeypatch) -> Path:
    """A copy of the example store (agendas/), as ESCG_STORE; today is 2026-11-23 as ever."""
    stores.copy_example(store_dir)
    monkeypatch.setenv("ESCG_STORE", str(store_dir))
    return store_dir


@pytest.fixture
def store_dir(tmp_path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def empty_store(store_dir) -> Path:
    """What `escg init STORE --name 'Test Coordination Group' --short TCG` writes."""
    return stores.write_empty_store(store_dir)


@pytest.fixture
def people_store(empty_store) -> Path:
    """A store with three organisations, a chair, members, a deputy and a guest."""
    return stores.add_people(empty_store)


@pytest.fixture
def meeting_store(people_store) -> Path:
    """People plus three meetings: one past (2026-10-01), the next (2026-12-03), one later."""
    return stores.add_meetings(people_store)


def escg_subprocess(*args: str, env: dict | None = None, cwd: Path | None = None):
    """Run the real console entry point in a fresh interpreter."""
    import subprocess

    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "escg", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=120)
