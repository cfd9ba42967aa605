"""`escg attendance`: attendance over time, per member or per organisation."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

from escg.cli.params import Context, Option

from escg.cli.common import Format, FormatOption, JsonFlag, fmt, say, store
from escg.cli.output import emit


class By(str, Enum):
    person = "person"
    org = "org"


PERSON_COLUMNS = [("person", "Id"), ("name", "Name"), ("org", "Org"), ("expected", "Expected"),
                  ("present", "Present"), ("substitute", "Substitute"), ("substitutes_shown", "Substituted by"),
                  ("apologies", "Apologies"), ("absent", "Absent"), ("attendance_shown", "Attendance"),
                  ("stood_in_shown", "Stood in for")]
ORG_COLUMNS = [("org", "Id"), ("name", "Organisation"), ("members", "Members"), ("represented", "Meetings represented"),
               ("expected", "Expected"), ("present", "Present"), ("substitute", "Substitute"),
               ("apologies", "Apologies"), ("absent", "Absent"), ("attendance_shown", "Attendance")]


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:g}%"


def attendance_report(
    ctx: Context,
    since: Annotated[Optional[str], Option("--since", help="Only meetings on or after this date.")] = None,
    until: Annotated[Optional[str], Option("--until", help="Only meetings on or before this date.")] = None,
    by: Annotated[By, Option("--by", help="One row per person (members, and those who stood in for one) or per org.")] = By.person,
    format: FormatOption = Format.table,
    json: JsonFlag = False,
) -> None:
    """Show attendance over the held meetings: expected, present, substitute, apologies, absent, %.

    Example: escg attendance --since 2026-01-01 --by org
    """
    from escg.core.dates import parse_date
    from escg.workflows.attendance_report import ORG_JSON_KEYS, PERSON_JSON_KEYS, attendance_report as report

    s = store(ctx)
    found = report(s, since=parse_date(since) if since else None, until=parse_date(until) if until else None,
                   by=by.value)
    count = len(found.counted)
    span = f", {found.counted[0]} to {found.counted[-1]}" if count else ""
    say(f"attendance over {count} held {'meeting' if count == 1 else 'meetings'} with attendance recorded{span}")
    if found.unrecorded:
        n = len(found.unrecorded)
        say(f"note: {n} held {'meeting has' if n == 1 else 'meetings have'} no attendance recorded and "
            f"{'is' if n == 1 else 'are'} not counted: {', '.join(found.unrecorded)}")
    names = {p.id: p.name for p in s.people.values()}
    rows = [{**row, "attendance_shown": _percent(row["attendance"]),
             "substitutes_shown": ", ".join(names.get(p, p) for p in row.get("substitutes", [])),
             "stood_in_shown": ", ".join(names.get(p, p) for p in row.get("stood_in_for", []))}
            for row in found.rows]
    if by is By.org:
        emit(rows, ORG_COLUMNS, fmt(format, json), keys=ORG_JSON_KEYS, empty="no organisation has members")
    else:
        emit(rows, PERSON_COLUMNS, fmt(format, json), keys=PERSON_JSON_KEYS, empty="no members")
