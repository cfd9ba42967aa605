"""`escg meeting`: scheduling and finding meetings."""

from __future__ import annotations

from typing import Annotated, Optional

from escg.cli.params import Argument, Context, Group, Option, echo

from escg.cli.common import Format, FormatOption, JsonFlag, MeetingArgument, fmt, say, store, warn
from escg.cli.output import emit, emit_record
from escg.domain.meetings import LIST_JSON_KEYS  # the JSON contract lives in the library

app = Group(help="Meetings: new, schedule, list, show, edit, cancel, move.", no_args_is_help=True)

StartOption = Annotated[Optional[str], Option("--start", help="Start time, such as 10:00. Default from escg.toml.")]
EndOption = Annotated[Optional[str], Option("--end", help="End time, such as 12:00. Default from escg.toml.")]
VenueOption = Annotated[Optional[str], Option("--venue", help="Where it meets. Default from escg.toml.")]
OnlineOption = Annotated[Optional[str], Option("--online", help="Link to join online. Default from escg.toml.")]
COLUMNS = [("id", "Id"), ("day", "Date"), ("time", "Time"), ("venue", "Venue"), ("state", "Status"), ("items", "Items")]


def _time(text: Optional[str]):
    from escg.core.dates import parse_time

    return parse_time(text) if text is not None else None


@app.command("new")
def meeting_new(
    ctx: Context,
    when: Annotated[Optional[str], Argument(metavar="[DATE]", help="The date, in any accepted form (see docs/dates.md). Default: the next date of the rrule under defaults in escg.toml.")] = None,
    start: StartOption = None,
    end: EndOption = None,
    venue: VenueOption = None,
    online: OnlineOption = None,
    chair: Annotated[Optional[str], Option("--chair", help="Person chairing, if not the group's chair.")] = None,
    second: Annotated[bool, Option("--second", help="A second meeting on a day that has one (its id ends b).")] = False,
) -> None:
    """Schedule one meeting.

    Example: escg meeting new 2028-02-03 --venue "Council Chamber, Colchester Town Hall"
    """
    from escg.core.dates import parse_date
    from escg.domain.meetings import new_meeting, when as describe

    s = store(ctx)
    day = parse_date(when) if when is not None else None
    meeting = new_meeting(s, day, start=_time(start), end=_time(end), venue=venue, online=online, chair=chair,
                          second=second)
    say(f"scheduled meeting {meeting.id}: {describe(meeting)}")
    echo(meeting.id)


@app.command("schedule")
def meeting_schedule(
    ctx: Context,
    rrule: Annotated[Optional[str], Option("--rrule", help="RFC 5545 rule, such as FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TH. Default: the rrule under defaults in escg.toml.")] = None,
    start_from: Annotated[str, Option("--from", help="First possible date of the series.")] = "today",
    count: Annotated[int, Option("--count", "-n", help="How many meetings.")] = 6,
    start: StartOption = None,
    end: EndOption = None,
    venue: VenueOption = None,
    online: OnlineOption = None,
) -> None:
    """Schedule a series of meetings from a recurrence rule.

    Example: escg meeting schedule --rrule "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TH" --from 2028-01-01 --count 3
    """
    from escg.core.dates import parse_date
    from escg.domain.meetings import schedule, when as describe

    created, skipped = schedule(store(ctx), rrule, parse_date(start_from), count, start=_time(start),
                                end=_time(end), venue=venue, online=online)
    for day in skipped:
        say(f"skipped {day.isoformat()}: a meeting is already scheduled that day")
    for meeting in created:
        say(f"scheduled meeting {meeting.id}: {describe(meeting)}")
    for meeting in created:
        echo(meeting.id)


@app.command("list")
def meeting_list(
    ctx: Context,
    upcoming: Annotated[bool, Option("--upcoming", help="Only meetings from today on.")] = False,
    past: Annotated[bool, Option("--past", help="Only meetings before today.")] = False,
    format: FormatOption = Format.table,
    json: JsonFlag = False,
) -> None:
    """List meetings in date order.

    Example: escg meeting list --upcoming
    """
    from escg.core.dates import today
    from escg.core.errors import InputError

    if upcoming and past:
        raise InputError("give --upcoming or --past, not both")
    from datetime import timedelta

    from escg.core.model import MeetingStatus
    from escg.domain.meetings import list_row
    from escg.store import MeetingQuery

    now = today()
    query = MeetingQuery(from_day=now if upcoming else None, to_day=now - timedelta(days=1) if past else None)
    rows = [list_row(m) for m in store(ctx).select_meetings(query)]
    style = (lambda row: "dim" if row["status"] == MeetingStatus.CANCELLED.value else None)
    emit(rows, COLUMNS, fmt(format, json), keys=LIST_JSON_KEYS, style=style, empty="no meetings")


@app.command("show")
def meeting_show(ctx: Context, meeting: MeetingArgument = None,
                 format: FormatOption = Format.table, json: JsonFlag = False) -> None:
    """Show a meeting and its agenda.

    Example: escg meeting show 2026-12-03 --format md
    """
    from escg.domain.agenda import agenda_of
    from escg.domain.meetings import resolve
    from escg.workflows.documents import meeting_record

    s = store(ctx)
    found = resolve(s, meeting)
    record, lines = meeting_record(s, found)
    lines += [(f"{row.number:>3}", f"{row.start:%H:%M}  {row.item.title}") for row in agenda_of(s, found).rows]
    emit_record(record, fmt(format, json), lines)


@app.command("cancel")
def meeting_cancel(
    ctx: Context,
    meeting: Annotated[str, Argument(metavar="MEETING", help="Meeting id, date, 'next' or 'last'.")],
    reason: Annotated[Optional[str], Option("--reason", help="Why, for the record.")] = None,
) -> None:
    """Cancel a planned meeting (its file stays, marked cancelled; its items go to the forward plan).

    Example: escg meeting cancel 2027-06-03 --reason "Clashes with the pre-election period"
    """
    from escg.workflows.reschedule import cancel

    found, moved = cancel(store(ctx), meeting, reason)
    say(f"cancelled meeting {found.id}")
    if moved:
        say(f"{moved} {'item' if moved == 1 else 'items'} moved to the forward plan "
            "(`escg agenda list --forward-plan`; `escg agenda place` puts one on another meeting)")


@app.command("edit")
def meeting_edit(
    ctx: Context,
    meeting: Annotated[str, Argument(metavar="MEETING", help="Meeting id, date, 'next' or 'last'.")],
    chair: Annotated[Optional[str], Option("--chair", metavar="PERSON", help="Who chairs (or chaired) this meeting; 'none' for the group's chair.")] = None,
    vice_chair: Annotated[Optional[str], Option("--vice-chair", metavar="PERSON", help="The vice-chair for this meeting; 'none' for none.")] = None,
    start: Annotated[Optional[str], Option("--start", help="Start time, such as 10:00.")] = None,
    end: Annotated[Optional[str], Option("--end", help="End time, such as 12:00.")] = None,
    venue: Annotated[Optional[str], Option("--venue", help="Where it meets ('' for none).")] = None,
    online: Annotated[Optional[str], Option("--online", help="Link to join online ('' for none).")] = None,
    note: Annotated[Optional[str], Option("--note", help="A note on the meeting ('' to remove it).")] = None,
) -> None:
    """Correct a meeting's chair, vice-chair, times, venue, link or note (its date: `meeting move`).

    A held meeting's details can be corrected until its minutes are approved.
    A change to a meeting whose agenda was sent says so: send it again.

    Example: escg meeting edit 2026-12-03 --chair mark-thornton --venue "Council Chamber, County Hall"
    """
    from escg.workflows.reschedule import edit

    found, changed, warnings = edit(store(ctx), meeting, chair=chair, vice_chair=vice_chair, start=_time(start),
                                    end=_time(end), venue=venue, online=online, note=note)
    for message in warnings:
        warn(message)
    if changed:
        say(f"meeting {found.id}: changed {', '.join(changed)}")
    else:
        say(f"meeting {found.id} already says that; nothing changed")


@app.command("move")
def meeting_move(
    ctx: Context,
    meeting: Annotated[str, Argument(metavar="MEETING", help="Meeting id, date, 'next' or 'last'.")],
    when: Annotated[Optional[str], Argument(metavar="[DATE]", help="The new date (a new date gives a new id).")] = None,
    start: Annotated[Optional[str], Option("--start", help="New start time.")] = None,
    end: Annotated[Optional[str], Option("--end", help="New end time.")] = None,
    venue: Annotated[Optional[str], Option("--venue", help="New venue.")] = None,
    online: Annotated[Optional[str], Option("--online", help="New online link.")] = None,
) -> None:
    """Move a planned meeting to another date, time or place.

    Example: escg meeting move 2027-04-01 2027-04-08 --start 14:00 --end 16:00
    """
    from escg.core.dates import parse_date
    from escg.core.errors import InputError
    from escg.domain.meetings import when as describe
    from escg.workflows.reschedule import move

    if when is None and start is None and end is None and venue is None and online is None:
        raise InputError("give a new DATE, or --start, --end, --venue or --online")
    moved = move(store(ctx), meeting, parse_date(when) if when else None, start=_time(start),
                 end=_time(end), venue=venue, online=online)
    say(f"meeting {moved.id}: {describe(moved)}")
    echo(moved.id)


@app.command("history")
def meeting_history(ctx: Context, meeting: MeetingArgument = None,
                    format: FormatOption = Format.table, json: JsonFlag = False) -> None:
    """List the git commits that changed one meeting's file: date, author, subject.

    Example: escg meeting history 2026-12-03
    """
    from escg.domain.meetings import resolve
    from escg.integrations.sync import HISTORY_JSON_KEYS, history

    s = store(ctx)
    found = resolve(s, meeting)
    rows = history(s.root, s.meeting_path(found.id))
    emit(rows, [("date", "Date"), ("author", "Author"), ("subject", "Subject")], fmt(format, json),
         keys=HISTORY_JSON_KEYS, empty=f"no commits of meeting {found.id} yet")
