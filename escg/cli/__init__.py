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


def _register() -> None:
    from escg.cli import actions, agenda, attend, check, decisions, ics, init, mail, meeting, minutes, org, person

    app.command("init")(init.store_init)
    app.command("actions")(actions.actions_list)
    app.add_typer(actions.app, name="action")
    app.command("attend")(attend.meeting_attend)
    app.add_typer(minutes.app, name="minutes")
    app.command("decisions")(decisions.decisions_list)
    app.command("remind")(mail.mail_remind)
    app.command("mail")(mail.mail_send)
    app.command("ics")(ics.calendar_export)
    app.command("check")(check.store_check)
    app.add_typer(org.app, name="org")
    app.add_typer(person.app, name="person")
    app.add_typer(meeting.app, name="meeting")
    app.add_typer(agenda.app, name="agenda")


_register()


def main() -> None:
    """Console-script entry point."""
    app(prog_name="escg")
