"""`escg ics`: meetings and open actions for calendar clients."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

from escg.cli.params import Context, Option, echo

from escg.cli.common import say, store


def calendar_export(
    ctx: Context,
    meetings: Annotated[bool, Option("--meetings", help="Include meetings (VEVENT).")] = False,
    actions: Annotated[bool, Option("--actions", help="Include open actions (VTODO).")] = False,
    out: Annotated[Optional[Path], Option("--out", "-o", help="Write to FILE instead of stdout.")] = None,
) -> None:
    """Export meetings and open actions as iCalendar (both unless one is chosen)."""
    from escg.calendar import export

    both = not meetings and not actions
    data = export(store(ctx), with_meetings=meetings or both, with_actions=actions or both)
    if out is None or str(out) == "-":
        echo(data.decode("utf-8"), nl=False)
        return
    from escg.errors import InputError
    from escg.store.files import atomic_write

    if out.is_dir():
        raise InputError(f"--out {out} is a folder; give a file name")
    atomic_write(out, data.decode("utf-8"))
    say(f"wrote {out}")
