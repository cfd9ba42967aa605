"""`escg decisions`: the decision log across meetings."""

from __future__ import annotations

from typing import Annotated, Optional

from escg.cli.params import Context, Option

from escg.cli.common import Format, FormatOption, JsonFlag, fmt, store
from escg.cli.output import emit
from escg.domain.minutes import DECISION_JSON_KEYS  # the JSON contract lives in the library

COLUMNS = [("meeting", "Meeting"), ("item", "Item"), ("title", "Item title"), ("text", "Decision"), ("theme", "Theme")]


def decisions_list(
    ctx: Context,
    meeting: Annotated[Optional[str], Option("--meeting", "-m", help="Only this meeting.")] = None,
    theme: Annotated[Optional[str], Option("--theme", help="Only items under this theme.")] = None,
    since: Annotated[Optional[str], Option("--since", help="Only meetings on or after this date.")] = None,
    format: FormatOption = Format.table,
    json: JsonFlag = False,
) -> None:
    """List the decisions recorded in minutes, by meeting and item.

    Example: escg decisions --theme health-wellbeing --since 2026-01-01
    """
    from escg.core.dates import parse_date
    from escg.domain.minutes import decisions

    rows = decisions(store(ctx), meeting=meeting, theme=theme, since=parse_date(since) if since else None)
    emit(rows, COLUMNS, fmt(format, json), keys=DECISION_JSON_KEYS, empty="no decisions recorded")
