"""escg.quick serves `escg actions ... --format json|csv` without Typer: same bytes, same errors."""

import os
import subprocess
import sys

import pytest

from escg.quick import parse

TYPER = "import sys; from escg.cli import main; sys.argv = ['escg'] + sys.argv[1:]; main()"
CONSOLE = "import sys; from escg.console import main; sys.argv = ['escg'] + sys.argv[1:]; main()"


def both(*args):
    env = {**os.environ}
    results = []
    for code in (CONSOLE, TYPER):
        results.append(subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                                      env=env, timeout=120))
    return results


@pytest.fixture
def review_store(run, meeting_store):
    run("agenda add 'Violence update' --meeting 2026-10-01 --presenter bob --theme partnership")
    run("agenda new 2026-10-01")
    run("action add 'Overdue' --owner bob --due 2026-11-20 --meeting 2026-10-01 --item 5")
    run("action add 'Soon' --owner cat --due 2026-12-01 --theme health")
    run("action add 'Later' --owner ann-chair --due 2027-03-01")
    run("action add 'Undated, with \"quotes\", commas; and é' --owner dan")
    run("action add 'Closed' --owner bob --due 2026-11-01")
    run("action done A-005 --note 'Done, with a comma'")
    return meeting_store


@pytest.mark.parametrize("args", [
    ["actions", "--json"],
    ["actions", "--format", "json", "--all"],
    ["actions", "-f", "csv", "--closed"],
    ["actions", "--format", "csv"],
    ["actions", "--json", "--overdue"],
    ["actions", "--json", "--overdue", "--due-within", "14d"],
    ["actions", "--json", "--owner", "bob", "--all"],
    ["actions", "--json", "--org", "police"],
    ["actions", "--json", "-m", "2026-10-01"],
    ["actions", "--json", "--meeting", "last"],
    ["actions", "--json", "--theme", "health"],
    # mistakes: the same one line and exit code
    ["actions", "--json", "--owner", "nobody"],
    ["actions", "--json", "--due-within", "soon"],
    ["actions", "--json", "--theme", "weather"],
])
def test_same_output_as_the_typer_app(review_store, args):
    quick, typer_app = both(*args)
    assert (quick.returncode, quick.stdout, quick.stderr) == (typer_app.returncode, typer_app.stdout, typer_app.stderr)


def test_with_store_option(review_store, monkeypatch):
    monkeypatch.delenv("ESCG_STORE")
    quick, typer_app = both("--store", str(review_store), "actions", "--json")
    assert quick.returncode == 0 and quick.stdout == typer_app.stdout


@pytest.mark.parametrize("argv", [
    ["actions"],                                   # a table: Typer's
    ["actions", "--format", "md"],
    ["actions", "--json", "--group-by", "owner"],
    ["actions", "--json", "--open", "--closed"],   # a mistake Typer explains
    ["actions", "--json", "--json"],
    ["actions", "--owner"],
    ["actions", "--json", "--help"],
    ["action", "show", "A-001"],
    ["--version"],
])
def test_everything_else_goes_to_typer(argv):
    assert parse(argv) is None


def test_the_quick_path_does_not_import_typer(review_store):
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", CONSOLE, "actions", "--json"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "typer" not in result.stderr and "escg.store.index" in result.stderr
