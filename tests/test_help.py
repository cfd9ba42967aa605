"""Every command has help text, and every command appears in the docs."""

import os
from pathlib import Path

import pytest

import typer.main

from escg.cli import full_app

app = full_app()

REPO = Path(__file__).resolve().parent.parent


def commands():
    root = typer.main.get_command(app)
    found = []

    def walk(group, prefix):
        for name, command in group.commands.items():
            path = prefix + [name]
            found.append((" ".join(path), command))
            if hasattr(command, "commands"):
                walk(command, path)

    walk(root, [])
    return found


def test_every_command_has_help(run):
    for path, command in commands():
        assert (command.help or "").strip(), f"escg {path} has no help text"
        result = run(path.split() + ["--help"])
        assert "Usage" in result.stdout


def test_every_command_is_documented():
    docs = (REPO / "README.md").read_text() + "".join(p.read_text() for p in (REPO / "docs").glob("*.md"))
    missing = [path for path, _ in commands() if f"escg {path}" not in docs]
    assert not missing, f"not in README.md or docs/: {missing}"


def test_version(run):
    from escg import __version__

    assert run("--version").stdout == f"escg {__version__}\n"


ROOT_HELP_LINES = [[], ["--help"], ["-h"], ["--store", "x", "--help"], ["-S", "x", "-h"], ["--store=x", "--help"]]
FULL = ("import sys; from escg.cli.typer_app import app, full_app; full_app(); "
        "sys.argv = ['escg'] + sys.argv[1:]; app(prog_name='escg')")
LAZY = "import sys; from escg.cli.typer_app import main; sys.argv = ['escg'] + sys.argv[1:]; main()"


@pytest.mark.parametrize("rich", ["0", "1"])
def test_the_root_help_from_summaries_is_the_full_apps(rich, tmp_path):
    """`escg --help` lists each command from a summary, not the built command; it must read the same."""
    import subprocess
    import sys

    env = {**os.environ, "TYPER_USE_RICH": rich, "COLUMNS": "100", "NO_COLOR": "1"}
    for args in ROOT_HELP_LINES:
        lazy, full = (subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                                     env=env, cwd=tmp_path) for code in (LAZY, FULL))
        assert lazy.returncode == full.returncode == 0, (args, lazy.stderr, full.stderr)
        assert "Commands" in lazy.stdout and lazy.stdout == full.stdout, args


def test_only_the_root_help_uses_summaries():
    from escg.cli.typer_app import _root_help

    assert all(_root_help(args) for args in ROOT_HELP_LINES)
    for args in (["actions", "--help"], ["--help", "actions"], ["bogus"], ["-Sx", "--help"], ["--version"]):
        assert not _root_help(args), args
