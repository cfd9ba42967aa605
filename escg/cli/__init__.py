"""The `escg` command line: one module per noun, each declaring its commands
with escg.cli.params (no Typer import), joined here.

``main`` tries the fast path first (escg.cli.fast: the common command lines,
parsed from the same definitions without importing Typer), then the Typer app
(escg.cli.typer_app), which answers everything else: help, completion and every
message about usage. Both go through ``guarded``, the one place where an
``EscgError`` becomes ``error: <message>`` on stderr and its exit code.
"""

from __future__ import annotations

from typing import Any

from escg.cli.commands import COMMANDS, ROOT_HELP, definition, guarded  # noqa: F401 - the package's names
from escg.core.argv import utf8


def full_app():
    """The Typer app with every command (for --help, the tests and the docs)."""
    from escg.cli.typer_app import full_app as build

    return build()


def main() -> None:
    """Console-script entry point: the fast path, else Typer."""
    import sys

    from escg.cli.fast import run

    if not all(map(utf8, sys.argv[1:])):
        sys.exit(guarded(_refuse_bytes))
    code = run(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from escg.cli.typer_app import main as typer_main

    typer_main()


def _refuse_bytes() -> None:
    """An argument that is not UTF-8 (Python hands its bytes over as surrogates, which no
    file, message or mail can hold): one line, before anything is read or written."""
    import os
    import sys

    from escg.core.errors import InputError

    number, arg = next((n, a) for n, a in enumerate(sys.argv[1:], start=1) if not utf8(a))
    raise InputError(f"argument {number} is not UTF-8 text ({os.fsencode(arg)!r}); escg takes UTF-8 arguments "
                     "(check the terminal's or the script's character set)")


def __getattr__(name: str) -> Any:
    if name == "app":
        from escg.cli.typer_app import app

        return app
    raise AttributeError(name)
