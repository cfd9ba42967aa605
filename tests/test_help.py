"""Every command has help text, and every command appears in the docs."""

from pathlib import Path

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
