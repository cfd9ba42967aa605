"""How a command is declared: the one definition both front ends read.

Each command is a plain function whose parameters say what it takes, as
``Annotated[type, Option("--owner", help=...)]`` or ``Argument(...)``, and is
registered on a ``Group`` (or in ``escg.cli.COMMANDS``). Nothing here imports
Typer. ``escg.cli.typer_app`` turns every definition into a Typer command (help,
completion, every message about usage); ``escg.cli.fast`` reads the same
definitions to parse the common, well-formed command lines without importing
Typer at all, and hands anything else to Typer.
"""

from __future__ import annotations

import sys
from typing import Any, Callable


class Option:
    """An option of a command; takes what ``typer.Option`` takes."""

    kind = "Option"

    def __init__(self, *decls: str, **settings: Any) -> None:
        self.decls = decls
        self.settings = settings

    def to_typer(self) -> Any:
        import typer

        return getattr(typer, self.kind)(*self.decls, **self.settings)

    def __repr__(self) -> str:
        return f"{self.kind}{self.decls!r}"


class Argument(Option):
    """A positional argument; takes what ``typer.Argument`` takes."""

    kind = "Argument"


class Context:
    """What a command receives as ``ctx``: the root's ``obj`` holds ``store_path``
    (and the store once opened). Typer passes its own context, which has the same
    ``find_root().obj``."""

    def __init__(self, obj: dict[str, Any] | None = None) -> None:
        self.obj = obj if obj is not None else {}

    def find_root(self) -> Context:
        return self


class Group:
    """A noun's commands (`escg action add|show|...`), registered by name."""

    def __init__(self, help: str = "", **settings: Any) -> None:
        self.help = help
        self.settings = settings
        self.commands: dict[str, Callable[..., Any]] = {}

    def command(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(function: Callable[..., Any]) -> Callable[..., Any]:
            self.commands[name] = function
            return function

        return register


def echo(text: str = "", *, nl: bool = True, err: bool = False) -> None:
    """Write to stdout (or stderr), as click.echo does, without importing it. Output that
    cannot be written (stdout closed, a full disk, an encoding without the text's
    characters) is an error with its exit code, not a traceback; stderr's own failures
    are let go, since nothing is left to say them on (but a closed pipe on stderr, as on
    stdout, ends the command 141)."""
    stream = sys.stderr if err else sys.stdout
    text += "\n" if nl else ""
    try:
        if stream is None:
            raise OSError(0, "it is closed")
        if not err:
            encoding = getattr(stream, "encoding", None)
            if encoding and write_all(stream, text.encode(encoding, getattr(stream, "errors", None) or "strict")):
                return
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        raise  # the reader went away: exit 141 (escg.cli.commands.guarded)
    except (OSError, UnicodeEncodeError) as error:
        if err:
            return
        from escg.core.errors import EscgError, WriteError

        if isinstance(error, UnicodeEncodeError):
            raise EscgError(f"the output has {error.object[error.start:error.end]!r}, which stdout's encoding "
                            f"({stream.encoding}) cannot write: use a UTF-8 locale (LANG=C.UTF-8) or set "
                            f"PYTHONIOENCODING=utf-8") from None
        raise WriteError(f"cannot write the output to stdout: {error.strerror or error}") from None


def write_all(stream: Any, data: bytes) -> bool:
    """Write ``data`` to the file under ``stream`` until all of it is taken; False if
    the stream has no file (a test's capture), for the caller to write it.

    Python's buffered writer reports a write as done when the pipe took part of it and
    its reader then went away: `escg actions | head -c 10` ended 0 with the rest
    dropped. Written here, the next part fails with EPIPE (BrokenPipeError, exit 141)."""
    import os

    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    stream.flush()
    view = memoryview(data)
    while view:
        try:
            written = os.write(descriptor, view)
            if written == 0:
                raise OSError(0, "the output took nothing")
            view = view[written:]
        except BlockingIOError:  # a pipe its reader made non-blocking: wait until it takes more
            import select

            select.select([], [descriptor], [])
    return True
