"""`escg ics`: meetings and actions for calendar clients."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

from escg.cli.params import Context, Option

from escg.cli.common import store, write_output


def calendar_export(
    ctx: Context,
    meetings: Annotated[bool, Option("--meetings", help="Include meetings (VEVENT).")] = False,
    actions: Annotated[bool, Option("--actions", help="Include actions (VTODO; done and dropped ones as COMPLETED and CANCELLED).")] = False,
    open_only: Annotated[bool, Option("--open", help="Only open actions: leave out done and dropped ones.")] = False,
    out: Annotated[Optional[Path], Option("--out", "-o", help="Write to FILE instead of stdout.")] = None,
) -> None:
    """Export meetings and actions as iCalendar (both unless one is chosen).

    Example: escg ics --meetings --out escg-meetings.ics
    """
    from escg.workflows.calendar import export

    both = not meetings and not actions
    data = export(store(ctx), with_meetings=meetings or both, with_actions=actions or both,
                  open_only=open_only)
    write_output(data.decode("utf-8"), out)
