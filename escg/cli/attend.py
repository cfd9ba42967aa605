"""`escg attend`: who came to a meeting."""

from __future__ import annotations

from typing import Annotated, Optional

from escg.cli.params import Argument, Context, Option

from escg.cli.common import say, store

People = Optional[list[str]]


def meeting_attend(
    ctx: Context,
    meeting: Annotated[Optional[str], Argument(metavar="[MEETING]", help="Meeting id, a date, 'next' or 'last'. Default: last (the latest held, today included).")] = None,
    present: Annotated[People, Option("--present", help="Person ids present, comma-separated; repeatable.")] = None,
    apologies: Annotated[People, Option("--apologies", help="Person ids who sent apologies.")] = None,
    sub: Annotated[People, Option("--sub", metavar="MEMBER=SUBSTITUTE", help="A substitute attending for a member who sent apologies.")] = None,
    absent: Annotated[People, Option("--absent", help="Person ids absent without apologies.")] = None,
    guest: Annotated[People, Option("--guest", help="A guest, as \"Name (Organisation)\"; repeatable.")] = None,
    remove: Annotated[People, Option("--remove", help="Take a person id (or a guest's text) off the record.")] = None,
) -> None:
    """Record attendance at a meeting (repeatable and idempotent; the last word on a person wins).

    Example: escg attend 2026-10-01 --present helen-marsh,mark-thornton --apologies priya-raman
    """
    from escg.domain.attendance import attend, quorum

    s = store(ctx)
    found = attend(s, meeting, present=present, apologies=apologies, subs=sub, absent=absent,
                   guests=guest, remove=remove)
    found = s.meeting(found.id)
    record = found.attendance
    counted = quorum(s, found)
    from escg.core.dates import today

    quorate = "no quorum set" if counted.needed is None else "apologies recorded in advance" if found.date > today() else (
        f"quorate ({counted.counted} of {counted.members} members, quorum {counted.needed})" if counted.quorate
        else f"NOT quorate ({counted.counted} of {counted.members} members, quorum {counted.needed})")
    def count(n: int, word: str, plural: str) -> str:
        return f"{n} {word if n == 1 else plural}"

    say(f"meeting {found.id}: {len(record.attending)} attending, {count(len(record.apologies), 'apology', 'apologies')}, "
        f"{len(record.absent)} absent, {count(len(record.guests), 'guest', 'guests')}; {quorate}")
