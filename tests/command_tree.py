"""The leaf commands of the full Typer app, for tests that go over every command."""

from __future__ import annotations

import typer.main

from escg.cli import full_app


def leaf_commands() -> list[tuple[list[str], object]]:
    """(path, click command) of every command that is not a group, such as (["agenda", "new"], …)."""
    found = []

    def walk(group, prefix):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, prefix + [name])
            else:
                found.append((prefix + [name], command))

    walk(typer.main.get_command(full_app()), [])
    return found
