"""The console entry point: answers --version before importing anything else.

Everything else goes to escg.cli.main: the fast path for well-formed command
lines (no Typer import), else the Typer app.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from escg import __version__

        sys.stdout.write(f"escg {__version__}\n")
        return
    from escg.cli import main as cli_main

    cli_main()
