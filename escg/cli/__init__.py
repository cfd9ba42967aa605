"""The `escg` command line: one Typer sub-app per noun, joined here.

Every command parses its options, calls the library, formats and prints. The
single exit point for user errors is ``EscgGroup.invoke``: an ``EscgError``
from anywhere becomes ``error: <message>`` on stderr and its exit code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from escg import __version__
from escg.errors import EscgError


class EscgGroup(TyperGroup):
    """The root group; turns every EscgError into one line on stderr and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EscgError as error:
            typer.echo(f"error: {error}", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            typer.echo("interrupted; nothing half-written was kept", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(141)


app = typer.Typer(
    cls=EscgGroup,
    name="escg",
    help="Agendas, minutes and action logs for a strategic coordination group, from a plain-file store.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"escg {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    store: Annotated[
        Optional[Path],
        typer.Option("--store", "-S", metavar="PATH",
                     help="The store folder. Default: $ESCG_STORE, else the nearest folder upwards holding escg.toml."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Agendas, minutes and action logs for a strategic coordination group.

    Exit codes: 0 ok, 1 other error, 2 bad usage, 3 bad input, 4 not found,
    5 conflict, 6 store missing or malformed, 7 write failed or store busy,
    8 mail not delivered, 9 mail partly delivered.
    """
    ctx.obj = {"store_path": store}


# Each top-level name -> (module in escg.cli, attribute, whether it is a sub-app).
# main() imports and builds only the one a command line names: Typer turns every
# registered command into a click command on each call, which costs about 1 ms
# a command, and most modules need not be imported at all.
COMMANDS: dict[str, tuple[str, str, bool]] = {
    "init": ("init", "store_init", False),
    "org": ("org", "app", True),
    "person": ("person", "app", True),
    "meeting": ("meeting", "app", True),
    "agenda": ("agenda", "app", True),
    "actions": ("actions", "actions_list", False),
    "action": ("actions", "app", True),
    "attend": ("attend", "meeting_attend", False),
    "minutes": ("minutes", "app", True),
    "decisions": ("decisions", "decisions_list", False),
    "remind": ("mail", "mail_remind", False),
    "mail": ("mail", "mail_send", False),
    "ics": ("ics", "calendar_export", False),
    "check": ("check", "store_check", False),
}


def _register(names) -> None:
    import importlib

    for name in names:
        module_name, attribute, is_app = COMMANDS[name]
        target = getattr(importlib.import_module(f"escg.cli.{module_name}"), attribute)
        if is_app:
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)


_registered = False


def full_app() -> typer.Typer:
    """The app with every command (for --help, the tests and the docs)."""
    global _registered
    if not _registered:
        _register(COMMANDS)
        _registered = True
    return app


def _named(argv: list[str]) -> str | None:
    """The top-level command an argument list names, skipping the root's own options."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--store", "-S"):
            skip = True
        elif arg.startswith("--store="):
            continue
        elif arg.startswith("-"):
            return None  # --help, --version or a mistake: let the full app answer
        else:
            return arg if arg in COMMANDS else None
    return None


def main() -> None:
    """Console-script entry point."""
    import sys

    name = _named(sys.argv[1:])
    if name is None:
        full_app()
    else:
        _register([name])
    app(prog_name="escg")
