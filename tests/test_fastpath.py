"""escg.cli.fast runs well-formed command lines without Typer: same bytes, same errors,
same files written; everything else goes to Typer."""

import os
import shlex
import shutil
import subprocess
import sys

import pytest

import stores
from typer.testing import CliRunner

from escg.cli import fast, full_app

TYPER = "import sys; from escg.cli.typer_app import main; sys.argv = ['escg'] + sys.argv[1:]; main()"
CONSOLE = "import sys; from escg.console import main; sys.argv = ['escg'] + sys.argv[1:]; main()"


@pytest.fixture(scope="module")
def review_template(tmp_path_factory):
    return stores.meeting_store_with(tmp_path_factory, "review", [
        "agenda add 'Violence update' --meeting 2026-10-01 --presenter bob --theme partnership",
        "agenda new 2026-10-01",
        "attend 2026-10-01 --present ann-chair,bob --apologies cat",
        "minutes decide 2026-10-01 5 'Agreed the plan.'",
        "action add 'Overdue' --owner bob --due 2026-11-20 --meeting 2026-10-01 --item 5",
        "action add 'Soon' --owner cat --due 2026-12-01 --theme health",
        "action add 'Later' --owner ann-chair --due 2027-03-01",
        "action add 'Undated, with \"quotes\", commas; and é' --owner dan",
        "action add 'Closed' --owner bob --due 2026-11-01",
        "action done A-005 --note 'Done, with a comma'",
    ])


@pytest.fixture
def review_store(review_template, store_dir):
    return stores.copy_store(review_template, store_dir)


def same_but_uid(mine, theirs) -> bool:
    """The same text, but for a new meeting's random calendar UID."""
    def text(path):
        return "".join(line for line in open(path) if not line.startswith('uid = "meeting-'))
    return text(mine) == text(theirs)


def by_fast(argv, capsys):
    code = fast.run(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def by_typer(argv):
    result = CliRunner().invoke(full_app(), argv)
    return result.exit_code, result.stdout, result.stderr


READS = [
    "actions", "actions --json", "actions --format json --all", "actions -f csv --closed", "actions --format csv",
    "actions --format md", "actions --format html", "actions --json --overdue", "actions --overdue --due-within 14d",
    "actions --json --owner bob --all", "actions --org police", "actions -m 2026-10-01", "actions --meeting=last",
    "actions --theme health", "actions --group-by owner", "actions --all --group-by org --format md",
    "action show A-001", "action show 4 --json", "meeting list", "meeting list --upcoming --json", "meeting show next",
    "meeting show 2026-10-01 --format md", "agenda list next", "agenda list 2026-10-01 --json",
    "agenda list --forward-plan", "agenda render next", "agenda render 2026-10-01 --format html", "agenda show last",
    "minutes render 2026-10-01", "minutes render 2026-10-01 -f html", "decisions", "decisions --since 2026-01-01 --json",
    "person list", "person list --org police --json", "person show bob", "org list --format csv", "org show ecc",
    "remind --dry-run",
    # mistakes: the same one line and exit code
    "actions --json --owner nobody", "actions --theme weather", "action show A-999", "meeting show 1999-01-01",
    "agenda render 2026-10-01 --format rtf", "minutes render next", "person show zed",
]


@pytest.mark.parametrize("command", READS)
def test_same_result_as_the_typer_app(review_store, command, capsys):
    argv = shlex.split(command)
    quick = by_fast(argv, capsys)
    if quick[0] is None:
        pytest.fail(f"the fast path did not take {command!r}") if "rtf" not in command else None
        return
    assert quick == by_typer(argv)


@pytest.mark.parametrize("command", [
    "action add 'Something new' --owner bob --due 'next meeting'",
    "action update A-001 'Progress made' --due 2026-12-10",
    "action done A-002 --note 'Finished'",
    "agenda add 'A new item' --meeting next --presenter cat --minutes 20 --paper papers/x.md",
    "attend 2026-10-01 --present cat --guest 'Dr A Smith (Public Health)'",
    "minutes note 2026-10-01 5 'Noted, with a comma.'",
    "meeting new 2027-06-03 --venue 'Town Hall'",
    "person add zoe --name 'Zoe New' --org nhs --email zoe@example.org",
])
def test_writes_the_same_files_as_the_typer_app(review_store, command, capsys, tmp_path, monkeypatch):
    argv = shlex.split(command)
    other = tmp_path / "other"
    shutil.copytree(review_store, other)
    quick = by_fast(argv, capsys)
    assert quick[0] is not None, f"the fast path did not take {command!r}"
    monkeypatch.setenv("ESCG_STORE", str(other))
    assert by_typer(argv) == quick
    for folder, _, files in os.walk(review_store):
        for name in files:
            if name.endswith(".toml"):
                mine = os.path.join(folder, name)
                theirs = os.path.join(other, os.path.relpath(mine, review_store))
                if name.startswith("A-") and not os.path.exists(theirs):  # a new action's file has a random tag
                    theirs = next(p for p in (other / os.path.relpath(folder, review_store)).glob(name[:6] + "*"))
                assert same_but_uid(mine, theirs), mine


@pytest.mark.parametrize("argv", [
    ["actions", "--help"], ["actions", "-h"], ["action"], ["action", "nosuch"], ["nosuch"], [],
    ["actions", "--format", "yaml"],          # a bad choice: Typer explains
    ["actions", "--open", "--nosuch"],        # an unknown option
    ["actions", "--owner"],                   # a missing value
    ["action", "show"],                       # a missing argument
    ["action", "show", "A-001", "extra"],     # too many
    ["agenda", "move", "x", "--to", "2"],     # not a number
    ["agenda", "edit", "5", "--minutes=+-5"], ["agenda", "edit", "5", "--minutes", "--5"],  # nor these, which
    ["minutes", "note", "last", "²", "x"],    # look like one to str.isdigit (int() refused them: a traceback)
    ["--store"], ["--version"], ["-S", "x", "--help"],
    ["actions", "--", "x"],
])
def test_everything_else_goes_to_typer(argv):
    with pytest.raises(fast.Unsupported):
        fast.resolve(argv)


def test_the_console_takes_the_fast_path_without_typer(review_store):
    for args in (["actions"], ["agenda", "render", "next"], ["meeting", "list"], ["action", "add", "x", "--owner", "bob"]):
        result = subprocess.run([sys.executable, "-X", "importtime", "-c", CONSOLE, *args],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr[-1000:]
        imported = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if "|" in line}
        assert "escg.cli.fast" in imported and not imported & {"typer", "click"}, args


# In-process, CliRunner turns the CRLF of an iCalendar into LF: compare the real entry points.
@pytest.mark.parametrize("args", [["actions", "--json"], ["actions", "--help"], ["--store", "nowhere", "actions"],
                                  ["agenda", "render", "next", "--format", "nope"], ["ics"],
                                  ["agenda", "edit", "5", "--minutes=+-5"], ["minutes", "note", "last", "²", "x"],
                                  ["agenda", "edit", "5", "--minutes", " +7 "]])
def test_the_real_entry_points_agree(review_store, args):
    env = {**os.environ}
    quick, typer_app = (subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                                       env=env, timeout=120) for code in (CONSOLE, TYPER))
    assert (quick.returncode, quick.stdout, quick.stderr) == (typer_app.returncode, typer_app.stdout, typer_app.stderr)


@pytest.mark.parametrize("args", [["--version"], ["--store", "nowhere", "--version"], ["-S", "x", "--version"],
                                  ["--store=x", "--version"], ["--version", "--store", "x"], ["--store", "--version"],
                                  ["--version", "--store"], ["--version", "actions"]])
def test_the_version_is_answered_as_typer_answers_it(args):
    """--version after root options is answered before anything is imported, as Typer would."""
    quick, typer_app = (subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                                       timeout=120) for code in (CONSOLE, TYPER))
    assert (quick.returncode, quick.stdout, quick.stderr) == (typer_app.returncode, typer_app.stdout, typer_app.stderr)
