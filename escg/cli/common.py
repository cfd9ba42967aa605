"""What every command shares: the store, the --format option, warnings, writing files."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

from escg.cli.output import DOCUMENTS, FORMATTERS
from escg.cli.params import Argument, Context, Option, echo, write_all

from escg.core.errors import InputError, WriteError
from escg.store import Store


# The choices of --format, named from the registries that print them (escg.cli.output):
# a listing's formats (FORMATTERS), and a document's (DOCUMENTS).
Format = Enum("Format", {name: name for name in FORMATTERS}, type=str)
DocFormat = Enum("DocFormat", {name: name for name in DOCUMENTS}, type=str)


FormatOption = Annotated[
    Format,
    Option("--format", "-f", help="Output format: table (aligned text when piped), md, json or csv."),
]
JsonFlag = Annotated[bool, Option("--json", help="Short for --format json.")]
MeetingArgument = Annotated[
    Optional[str],
    Argument(metavar="[MEETING]", help="Meeting id (2026-12-03), a date, 'next' or 'last'. Default: next."),
]


def fmt(format: Format, json: bool) -> str:
    return "json" if json else format.value


def store(ctx: Context) -> Store:
    """The store for this command, found once (--store, ESCG_STORE, or upwards from here)."""
    root = ctx.find_root()
    state = root.obj if isinstance(root.obj, dict) else {}
    if "store" not in state:
        found = Store.open(state.get("store_path"))
        if sys.stderr.isatty():
            found.on_progress = progress_bar("indexing the store")
        state["store"] = found
        root.obj = state
    return state["store"]


def progress_bar(label: str):
    """A one-line bar on stderr (a terminal only), redrawn in place."""

    def draw(done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}{end}")
        sys.stderr.flush()

    return draw


def warn(message: str) -> None:
    from escg.core.formats import visible

    echo(f"warning: {visible(message)}", err=True)


def say(message: str) -> None:
    """A confirmation for a person; on stderr, so stdout stays clean for pipes. Store text
    in it is shown, never obeyed, by the terminal (formats.visible)."""
    from escg.core.formats import visible

    echo(visible(message), err=True)


BINARY = {"pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx"}


def binary_target(format: str, out: Path | None) -> None:
    """Before a PDF, Word or Excel file is made: refuse a terminal (the bytes would show as
    garbage), and warn when --out's name ends otherwise than the format's (a PDF in m.docx)."""
    suffix = BINARY.get(format)
    if suffix is None:
        return
    if out is None or str(out) == "-":
        if sys.stdout.isatty():
            raise InputError(f"that output is a binary file ({format}): give --out FILE{suffix}, or pipe it")
        return
    if out.suffix.lower() != suffix and not out.name.startswith("/dev/"):
        warn(f"--out {out.name} does not end {suffix}, but the file is {format}; programs go by the name")


def write_output(text: str | bytes, out: Path | None) -> None:
    """Print ``text``, or write it to ``out``: a regular file atomically (docs/commands.md,
    "Where output goes"), a terminal, pipe or other character device such as /dev/null by
    writing to it; never through or over a symbolic link. Bytes (a PDF, a Word or Excel
    file) go to a pipe or a file, never to a terminal, where they would show as garbage."""
    if out is None or str(out) == "-":
        if isinstance(text, bytes):
            if sys.stdout.isatty():
                raise InputError("that output is a binary file: give --out FILE, or pipe it")
            if not write_all(sys.stdout, text):
                sys.stdout.flush()
                sys.stdout.buffer.write(text)
                sys.stdout.buffer.flush()
            return
        echo(text, nl=False)
        return
    import stat

    from escg.store.files import atomic_write

    try:
        mode = os.lstat(out).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise WriteError(f"cannot write {out}: {error.strerror}") from None
    if mode is not None and stat.S_ISLNK(mode):
        # A link may be planted (a shared /tmp) to aim the write at another file; replacing
        # it would silently not write where it points. Neither is done.
        raise InputError(f"--out {out} is a symbolic link; escg writes neither through nor over one: "
                         "give the path of the file itself")
    if mode is not None and stat.S_ISDIR(mode):
        raise InputError(f"--out {out} is a folder; give a file name")
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        # An atomic replace would swap the device for a regular file (as root, /dev/null itself).
        try:
            fd = os.open(out, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "wb") as handle:
                handle.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        except OSError as error:
            raise WriteError(f"cannot write {out}: {error.strerror or error}") from None
        say(f"wrote {out}")
        return
    if mode is not None and not stat.S_ISREG(mode):
        raise InputError(f"--out {out} is neither a file, a character device nor a pipe")
    if not out.parent.exists():
        # As `mail --eml DIR` does: a cron line's reports/2026-12/agenda.html needs no mkdir first.
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise WriteError(f"cannot write {out}: cannot create the folder {out.parent}: "
                             f"{error.strerror or error}") from None
    atomic_write(out, text)
    say(f"wrote {out}")
