"""The console entry point: answers --version before importing anything heavy.

Importing Typer alone costs about 50 ms here, several times Python's own start;
`escg --version` (used by scripts and by people checking an install) needs none
of it. Everything else goes to the Typer app in escg.cli.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from escg import __version__

        sys.stdout.write(f"escg {__version__}\n")
        return
    from escg.quick import run

    code = run(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from escg.cli import main as cli_main

    cli_main()
