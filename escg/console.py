"""The console entry point: answers --version before importing anything else.

Everything else goes to escg.cli.main: the fast path for well-formed command
lines (no Typer import), else the Typer app.
"""

from __future__ import annotations

import sys

from escg.core.argv import root_options


def _asks_version(argv: list[str]) -> bool:
    """Whether the arguments are ``--version`` and root ``--store`` options only, which
    Typer answers by printing the version (the option is eager) whatever the store."""
    if argv == ["-V"]:
        return True
    _, seen, rest, complete = root_options(argv, ("--version",))
    return complete and bool(seen) and not rest


def main() -> None:
    if _asks_version(sys.argv[1:]):
        from escg import __version__

        sys.stdout.write(f"escg {__version__}\n")
        return
    from escg.cli import main as cli_main

    cli_main()
