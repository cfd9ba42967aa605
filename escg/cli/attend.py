"""`escg attend`: who came to a meeting."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from escg.cli.common import say, store

People = Optional[list[str]]


def meeting_attend(
    ctx: typer.Context,
    meeting: Annotated[Optional[str], typer.Argument(metavar="[MEETING]", help="Meeting id, a date, 'next' or 'last'. Default: last (the latest held, today included).")] = None,
    present: Annotated[People, typer.Option("--present", help="Person ids present, comma-separated; repeatable.")] = None,
    apologies: Annotated[People, typer.Option("--apologies", help="Person ids who sent apologies.")] = None,
    sub: Annotated[People, typer.Option("--sub", metavar="MEMBER=SUBSTITUTE", help="A substitute attending for a member who sent apologies.")] = None,
    absent: Annotated[People, typer.Option("--absent", help="Person ids absent without apologies.")] = None,
    guest: Annotated[People, typer.Option("--guest", help="A guest, as \"Name (Organisation)\"; repeatable.")] = None,
    remove: Annotated[People, typer.Option("--remove", help="Take a person id (or a guest's text) off the record.")] = None,
) -> None:
    """Record attendance at a meeting (repeatable and idempotent; the last word on a person wins)."""
    from escg.attendance import attend, quorum

    s = store(ctx)
    found = attend(s, meeting, present=present, apologies=apologies, subs=sub, absent=absent,
                   guests=guest, remove=remove)
    found = s.meeting(found.id)
    record = found.attendance
    counted = quorum(s, found)
    from escg.dates import today

    quorate = "no quorum set" if counted.needed is None else "apologies recorded in advance" if found.date > today() else (
        f"quorate ({counted.counted} of {counted.members} members, quorum {counted.needed})" if counted.quorate
        else f"NOT quorate ({counted.counted} of {counted.members} members, quorum {counted.needed})")
    def count(n: int, word: str, plural: str) -> str:
        return f"{n} {word if n == 1 else plural}"

    say(f"meeting {found.id}: {len(record.attending)} attending, {count(len(record.apologies), 'apology', 'apologies')}, "
        f"{len(record.absent)} absent, {count(len(record.guests), 'guest', 'guests')}; {quorate}")
