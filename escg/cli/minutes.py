"""`escg minutes`: write, approve and render the minutes of a meeting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

from escg.cli.params import Argument, Context, Group, Option, echo

from escg.cli.common import DocFormat, binary_target, say, store, write_output
from escg.cli.output import document

app = Group(help="Minutes: new, edit, import, note, decide, declare, action, approve, correct, render.", no_args_is_help=True)

MeetingArg = Annotated[str, Argument(metavar="MEETING", help="Meeting id, a date, 'next' or 'last'.")]
ItemArg = Annotated[int, Argument(metavar="ITEM", help="Agenda item number, as `escg agenda list` shows it.")]
TextArg = Annotated[str, Argument(metavar="TEXT")]


@app.command("new")
def minutes_new(ctx: Context, meeting: Annotated[Optional[str], Argument(metavar="[MEETING]", help="Default: last (the latest held, today included).")] = None) -> None:
    """Start the draft minutes of a held meeting from its agenda.

    Example: escg minutes new 2026-10-01
    """
    from escg.domain.minutes import new_minutes

    found, changed = new_minutes(store(ctx), meeting)
    say(f"draft minutes for {found.id}" + ("" if changed else " (already started)"))
    echo(found.id)


@app.command("note")
def minutes_note(ctx: Context, meeting: MeetingArg, item: ItemArg, text: TextArg) -> None:
    """Add a paragraph of discussion to an item's minutes.

    Example: escg minutes note 2026-10-01 5 "Partners agreed to pool discharge data weekly."
    """
    from escg.domain.minutes import add_note

    minuted = add_note(store(ctx), meeting, item, text)
    say(f"noted under item {item}: {minuted.title}")


@app.command("decide")
def minutes_decide(ctx: Context, meeting: MeetingArg, item: ItemArg, text: TextArg) -> None:
    """Record a decision under an item (it also goes into the decision log).

    Example: escg minutes decide 2026-10-01 6 "The refreshed strategy comes to the December meeting for sign-off."
    """
    from escg.domain.minutes import add_decision

    minuted = add_decision(store(ctx), meeting, item, text)
    say(f"decision recorded under item {item}: {minuted.title}")


@app.command("declare")
def minutes_declare(
    ctx: Context, meeting: MeetingArg, item: ItemArg,
    person: Annotated[str, Argument(metavar="PERSON", help="Person id declaring the interest.")],
    text: TextArg,
) -> None:
    """Record a declaration of interest by a person on an item.

    Example: escg minutes declare 2026-10-01 8 hannah-price "Employed by Community360, which keeps the warm spaces directory."
    """
    from escg.domain.minutes import add_declaration

    minuted = add_declaration(store(ctx), meeting, item, person, text)
    say(f"declaration by {person} recorded under item {item}: {minuted.title}")


@app.command("action")
def minutes_action(
    ctx: Context, meeting: MeetingArg, item: ItemArg, text: TextArg,
    owner: Annotated[str, Option("--owner", help="Person id of the owner.")] = "",
    due: Annotated[Optional[str], Option("--due", help="Due date: any date form, or 'next meeting'.")] = None,
) -> None:
    """Raise an action in the minutes; it joins the action log, linked to the meeting and item.

    Example: escg minutes action 2026-10-01 7 "Circulate the growth plan submission" --owner priya-raman --due 2026-12-31
    """
    from escg.core.errors import InputError
    from escg.domain.minutes import add_minutes_action

    if not owner:
        raise InputError("an action needs an --owner (a person id)")
    action = add_minutes_action(store(ctx), meeting, item, text, owner=owner, due=due)
    say(f"added {action.id} for {action.owner} under item {item}")
    echo(action.id)


@app.command("approve")
def minutes_approve(
    ctx: Context, meeting: MeetingArg,
    at: Annotated[Optional[str], Option("--at", help="The meeting that approved them. Default: the first held since.")] = None,
) -> None:
    """Approve draft minutes, recording the date and the approving meeting.
    MEETING 'last' means the latest minutes waiting for approval.

    Example: escg minutes approve 2026-10-01 --at 2026-12-03
    """
    from escg.domain.minutes import approve

    found = approve(store(ctx), meeting, at)
    say(f"minutes of {found.id} approved at the meeting of {found.minutes.approved_at}")


@app.command("edit")
def minutes_edit(
    ctx: Context,
    meeting: Annotated[Optional[str], Argument(metavar="[MEETING]", help="Default: last (the latest held, today included).")] = None,
    print_: Annotated[bool, Option("--print", help="Print the document instead of opening it (to type in elsewhere, then `minutes import`).")] = False,
) -> None:
    """Edit the whole minutes in $VISUAL or $EDITOR, as one Markdown document.

    Attendance, then each item's heading with its notes (paragraphs) and marked
    lines: DECISION: ..., DECLARE @person: ..., ACTION @owner due 31 Jan 2027: ...
    When you save and close, the document is checked; one with problems reopens
    with each problem marked at its line. Then what changed is shown and written
    in one transaction. Saved unchanged, nothing is written; saved empty, the edit
    is cancelled. Your text is kept until it is written.

    Example: EDITOR=nano escg minutes edit 2026-10-01
    """
    if print_:
        from escg.domain.minutes import open_for_minutes
        from escg.workflows.minutes_doc import render_document

        s = store(ctx)
        echo(render_document(s, open_for_minutes(s, meeting)), nl=False)
        return
    from escg.cli.editing import edit_minutes

    edit_minutes(store(ctx), meeting)


@app.command("import")
def minutes_import(
    ctx: Context,
    file: Annotated[Path, Argument(metavar="FILE", help="A minutes document, as `minutes edit --print` writes.")],
    meeting: Annotated[Optional[str], Option("--meeting", "-m", help="The meeting. Default: last.")] = None,
    dry_run: Annotated[bool, Option("--dry-run", "-n", help="Show what would change, and write nothing.")] = False,
) -> None:
    """Read minutes typed elsewhere (the `minutes edit` document) into the meeting.

    The sections the file has replace those of the minutes (attendance, an item's
    notes, decisions and declarations); sections it leaves out are kept. ACTION
    lines without an id raise new actions. Everything is checked first, then
    written in one transaction.

    Example: escg minutes edit 2026-10-01 --print > notes.md; escg minutes import notes.md -m 2026-10-01
    """
    from escg.cli.editing import import_minutes

    import_minutes(store(ctx), meeting, file, dry_run=dry_run)


@app.command("correct")
def minutes_correct(
    ctx: Context, meeting: MeetingArg,
    reason: Annotated[str, Option("--reason", help="Why, as the correction record will say (required).")] = "",
    refresh: Annotated[bool, Option("--refresh", help="Also take names, roles, organisations and the actions "
                                                      "raised from the store as it is now.")] = False,
) -> None:
    """Record a correction to approved minutes: the meeting's file as it now stands
    (edited by hand) becomes the approved record, with today's date and the reason.

    Example: escg minutes correct 2026-07-16 --reason "Apologies from Kieran Walsh were left out"
    """
    from escg.core.errors import InputError
    from escg.domain.minutes import correct

    if not reason.strip():
        raise InputError("a correction needs a --reason, which the record keeps")
    found, changed = correct(store(ctx), meeting, reason, refresh=refresh)
    if changed:
        say(f"recorded correction {len(found.minutes.corrections)} to the minutes of {found.id}")
    elif refresh:
        say(f"the minutes of {found.id} are as approved, and the store names its people and actions as the "
            "record does; nothing to correct")
    else:
        say(f"the minutes of {found.id} are as approved; nothing to correct (give --refresh to take names "
            "and actions from the store as it is now)")


@app.command("render")
def minutes_render(
    ctx: Context,
    meeting: Annotated[Optional[str], Argument(metavar="[MEETING]", help="Default: last (the latest held, today included).")] = None,
    format: Annotated[DocFormat, Option("--format", "-f", help="md, html, pdf (needs the pdf extra) or docx (Word).")] = DocFormat.md,
    out: Annotated[Optional[Path], Option("--out", "-o", help="Write to FILE instead of stdout.")] = None,
    public: Annotated[bool, Option("--public", help="The public form: confidential items lose their minutes, declarations and actions. Default: the members' form.")] = False,
) -> None:
    """Render the minutes as Markdown, HTML, PDF or Word (draft minutes are marked DRAFT).

    Example: escg minutes render last --format docx --out minutes.docx
    """
    from escg.core.errors import ConflictError
    from escg.workflows.documents import minutes_context

    binary_target(format.value, out)
    s = store(ctx)
    from escg.domain.minutes import with_minutes

    found, note = with_minutes(s, meeting)
    if note:
        say(note)
    if not found.status.has_minutes:
        raise ConflictError(f"meeting {found.id} has no minutes yet ({found.status}); start them with `escg minutes new {found.id}`")
    context = minutes_context(s, found)
    if public:
        from escg.workflows.confidential import public_minutes

        context = public_minutes(context)
    write_output(document(s, "minutes", format.value, context), out)
