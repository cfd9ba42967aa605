"""The Typer app, built from the command definitions (escg.cli.params).

Each definition's ``Option``/``Argument`` annotations become Typer's own, and
its ``Context`` Typer's; the function itself is called unchanged. Only the
command a command line names is built (Typer turns every registered command
into a click command on each call, about 1 ms each). The root's own --help
needs only each command's name and help: it is drawn from summaries made from the
same definitions (``_summary``), and a test holds it equal to the full app's.
"""

from __future__ import annotations

import inspect
import os
import sys
import typing
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

# Rich-drawn help is for a terminal; piped (a pager, a man page, a script) plain text
# reads better and costs half the time. TYPER_USE_RICH=1 asks for rich anyway.
if not sys.stdout.isatty():
    os.environ.setdefault("TYPER_USE_RICH", "0")

import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from escg import __version__
from escg.cli.commands import COMMANDS, ROOT_HELP, definition, guarded
from escg.cli.params import Context, Group, Option
from escg.core.argv import root_options


class EscgGroup(TyperGroup):
    """The root group: every command runs inside ``guarded``."""

    def invoke(self, ctx: Any) -> Any:
        result: list[Any] = []
        code = guarded(lambda: result.append(super(EscgGroup, self).invoke(ctx)))
        if code:
            ctx.exit(code)
        return result[0] if result else None

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # `escg` alone is a question, not a mistake: the help, and exit 0.
        if not args and not ctx.resilient_parsing:
            typer.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: Any) -> list[str]:
        # The full app's order: Typer lists plain commands before groups.
        return [name for name, (_, _, group) in COMMANDS.items() if not group] + \
            [name for name, (_, _, group) in COMMANDS.items() if group]

    def get_command(self, ctx: Any, name: str) -> Any:
        command = self.commands.get(name)
        if command is None and name in COMMANDS:
            command = _summary(name)  # only the root's help gets here: main() built what a line names
        return command

    def _main_shell_completion(self, ctx_args: Any, prog_name: str, complete_var: str | None = None) -> None:
        from escg.cli.completion import COMPLETE_VAR, normalise_instruction

        instruction = os.environ.get(COMPLETE_VAR)
        if not instruction:
            return
        from typer._completion_classes import completion_init

        completion_init()  # Typer's bash, zsh and fish classes (add_completion=False leaves them out)
        os.environ[COMPLETE_VAR] = normalise_instruction(instruction)
        super()._main_shell_completion(ctx_args, prog_name, COMPLETE_VAR)


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
    ctx.obj = {"store_path": store}


root.__doc__ = ROOT_HELP  # the root's help, shared with the fast path's fallback


def _typer_annotation(hint: Any, function: Callable[..., Any] | None = None) -> Any:
    if hint is Context:
        return typer.Context
    if typing.get_origin(hint) is Annotated:
        base, *extras = typing.get_args(hint)
        extras = [_to_typer(extra, function) if isinstance(extra, Option) else extra for extra in extras]
        return Annotated[(base, *extras)]
    return hint


def _to_typer(spec: Option, function: Callable[..., Any] | None) -> Any:
    """Typer's Option or Argument, completing the store's ids where it takes one (escg.cli.completion)."""
    from escg.cli.completion import completer, kind_of

    kind = kind_of(function, spec) if function is not None else None
    if kind is None or "autocompletion" in spec.settings:
        return spec.to_typer()
    return getattr(typer, spec.kind)(*spec.decls, **spec.settings, autocompletion=completer(kind))


def as_typer(function: Callable[..., Any]) -> Callable[..., Any]:
    """The same function, with Typer's annotations in its signature."""
    hints = typing.get_type_hints(function, include_extras=True)
    signature = inspect.signature(function)
    parameters = [p.replace(annotation=_typer_annotation(hints.get(p.name, p.annotation), function))
                  for p in signature.parameters.values()]

    def command(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    command.__name__, command.__qualname__ = function.__name__, function.__qualname__
    command.__doc__, command.__module__ = function.__doc__, function.__module__
    command.__signature__ = signature.replace(parameters=parameters, return_annotation=None)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    return command


def _register(names) -> None:
    for name in names:
        target = definition(name)
        if isinstance(target, Group):
            group = typer.Typer(help=target.help, **{"no_args_is_help": True, **target.settings})
            for command_name, function in target.commands.items():
                group.command(command_name)(as_typer(function))
            app.add_typer(group, name=name)
        else:
            app.command(name)(as_typer(target))


_registered: set[str] = set()


def _summary(name: str) -> Any:
    """A command the root's help lists but nobody runs: its name, help and flags,
    solved as Typer solves them when it builds the command, without its parameters."""
    from typer.core import TyperCommand
    from typer.main import solve_typer_info_defaults

    target, scratch = definition(name), typer.Typer()
    if isinstance(target, Group):
        scratch.add_typer(typer.Typer(help=target.help, **target.settings), name=name)
        info: Any = solve_typer_info_defaults(scratch.registered_groups[0])
        cls, help, extra = TyperGroup, info.help, {"commands": {}}
    else:
        scratch.command(name)(target)
        info = scratch.registered_commands[0]
        cls, extra = TyperCommand, {}
        help = inspect.getdoc(target) if info.help is None else inspect.cleandoc(info.help)
    return cls(name=name, help=help, short_help=info.short_help, hidden=info.hidden, deprecated=info.deprecated,
               rich_help_panel=info.rich_help_panel, rich_markup_mode=app.rich_markup_mode, **extra)


def _root_help(argv: list[str]) -> bool:
    """Whether an argument list asks only for the root's help (`escg`, `escg -S x --help`)."""
    _, seen, rest, _ = root_options(argv, ("-h", "--help"))
    return not rest and (not argv or bool(seen))


def full_app() -> typer.Typer:
    """The app with every command (for --help, the tests and the docs)."""
    _register([name for name in COMMANDS if name not in _registered])
    _registered.update(COMMANDS)
    return app


def _named(argv: list[str]) -> str | None:
    """The top-level command an argument list names, skipping the root's own options."""
    _, _, rest, _ = root_options(argv)
    if not rest or rest[0].startswith("-"):
        return None  # --help, --version or a mistake: let the full app answer
    return rest[0] if rest[0] in COMMANDS else None


def main() -> None:

    name = _named(sys.argv[1:])
    from escg.cli.completion import COMPLETE_VAR

    if name is None and _root_help(sys.argv[1:]) and not os.environ.get(COMPLETE_VAR):
        pass  # the root's help: summaries of the commands are enough (EscgGroup.get_command)
    elif name is None:
        full_app()
    elif name not in _registered:
        _register([name])
        _registered.add(name)
    app(prog_name="escg")
