"""`escg agenda`: items, the draft agenda, and rendering it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

from escg.cli.params import Argument, Context, Group, Option, echo

from escg.cli.common import (DocFormat, Format, FormatOption, JsonFlag, MeetingArgument, fmt,
                             say, store, warn, write_output, binary_target)
from escg.cli.output import document, emit
from escg.domain.agenda import FORWARD_JSON_KEYS, ITEM_JSON_KEYS  # the JSON contract lives in the library

app = Group(help="Agendas: add items, build, list, show, edit, move, remove, defer, place, render, pack.", no_args_is_help=True)

COLUMNS = [("number", "#"), ("start", "Time"), ("title", "Title"), ("purpose", "Purpose"),
           ("presenter", "Lead"), ("theme", "Theme"), ("minutes", "Mins")]
ItemArgument = Annotated[int, Argument(metavar="ITEM", help="The item number, as `agenda list` shows it.")]


def _warn_all(messages) -> None:
    for message in messages:
        warn(message)


def _sent(s, meeting_id: str, what: str) -> None:
    """Warn when the agenda changed after it was sent: members have the old one."""
    from escg.domain.meetings import sent_warning

    found = s.meeting(meeting_id)
    if found is not None and (message := sent_warning(found, what)):
        warn(message)


@app.command("edit")
def agenda_edit(
    ctx: Context,
    item: ItemArgument,
    meeting: Annotated[Optional[str], Option("--meeting", "-m", help="Meeting. Default: next.")] = None,
    title: Annotated[Optional[str], Option("--title", help="The item's title.")] = None,
    purpose: Annotated[Optional[str], Option("--purpose", help="decision, discussion, information, assurance or deep dive.")] = None,
    presenter: Annotated[Optional[str], Option("--presenter", metavar="PERSON", help="Who is to present it ('none' for nobody).")] = None,
    org: Annotated[Optional[str], Option("--org", help="Sponsoring organisation ('none' for none). Default with --presenter: theirs.")] = None,
    theme: Annotated[Optional[str], Option("--theme", help="Theme id ('none' for none).")] = None,
    minutes: Annotated[Optional[int], Option("--minutes", help="Minutes allotted.")] = None,
    paper: Annotated[Optional[list[str]], Option("--paper", help="The item's papers, replacing those it has. Repeatable.")] = None,
    add_paper: Annotated[Optional[list[str]], Option("--add-paper", help="Add a paper. Repeatable.")] = None,
    remove_paper: Annotated[Optional[list[str]], Option("--remove-paper", help="Remove a paper. Repeatable.")] = None,
    presented_by: Annotated[Optional[str], Option("--presented-by", metavar="PERSON", help="After the meeting: who actually presented it ('none' to undo).")] = None,
    confidential: Annotated[Optional[str], Option("--confidential", metavar="REASON", help="Mark it confidential (Part II): the reason, or a key of [exemptions] in escg.toml ('3'); 'none' makes it public again.")] = None,
    public_title: Annotated[Optional[str], Option("--public-title", metavar="TEXT", help="A confidential item's neutral title in the public form ('none': \"Confidential item\").")] = None,
) -> None:
    """Correct an agenda item: its title, purpose, presenter, time or papers; after the
    meeting, who actually presented it (the minutes say so).

    Example: escg agenda edit 6 -m 2026-12-03 --title "JHWS annual report" --minutes 20
    """
    from escg.domain.agenda import edit_item

    found, changed, warnings = edit_item(
        store(ctx), meeting, item, title=title, purpose=purpose, presenter=presenter, org=org, theme=theme,
        minutes=minutes, papers=paper, add_papers=add_paper, remove_papers=remove_paper, presented_by=presented_by,
        confidential=confidential, public_title=public_title)
    _warn_all(warnings)
    if changed:
        say(f"item {item}: changed {', '.join(changed)}")
    else:
        say(f"item {item} already says that; nothing changed")


@app.command("add")
def agenda_add(
    ctx: Context,
    title: Annotated[str, Argument(metavar="TITLE", help="The item's title.")],
    meeting: Annotated[Optional[str], Option("--meeting", "-m", help="Meeting id, date, 'next' or 'last'. Default: next.")] = None,
    forward_plan: Annotated[bool, Option("--forward-plan", help="Put it on the forward plan instead of a meeting.")] = False,
    purpose: Annotated[str, Option("--purpose", help="decision, discussion, information, assurance or deep dive.")] = "discussion",
    presenter: Annotated[Optional[str], Option("--presenter", help="Person id of who presents it.")] = None,
    org: Annotated[Optional[str], Option("--org", help="Sponsoring organisation id. Default: the presenter's.")] = None,
    theme: Annotated[Optional[str], Option("--theme", help="Theme id from escg.toml.")] = None,
    minutes: Annotated[int, Option("--minutes", help="Minutes allotted.")] = 15,
    paper: Annotated[Optional[list[str]], Option("--paper", help="A paper: a path inside the store or a URL. Repeatable.")] = None,
    submitted_by: Annotated[Optional[str], Option("--submitted-by", help="Person id of who submitted it.")] = None,
    for_: Annotated[Optional[str], Option("--for", metavar="WHEN", help="Aim it at a month (2027-03, 'March 2027') or a meeting: it waits on the forward plan, and `agenda new` of that meeting (the first of that month) places it.")] = None,
    confidential: Annotated[Optional[str], Option("--confidential", metavar="REASON", help="Confidential (Part II): the reason it is exempt, or a key of [exemptions] in escg.toml ('3'). The public forms show only its number, time, public title and reason.")] = None,
    public_title: Annotated[Optional[str], Option("--public-title", metavar="TEXT", help="A confidential item's neutral title for the public. Default: \"Confidential item\".")] = None,
) -> None:
    """Submit an item for a meeting or the forward plan.

    Example: escg agenda add "Winter pressures: system update" --meeting 2027-02-04 --presenter nadia-farouk --theme health-wellbeing --minutes 20
    """
    from escg.domain.agenda import add_item

    where, number, warnings = add_item(
        store(ctx), title, meeting=meeting, forward_plan=forward_plan, purpose=purpose, presenter=presenter,
        org=org, theme=theme, minutes=minutes, papers=paper, submitted_by=submitted_by, aim=for_,
        confidential=confidential, public_title=public_title)
    say(f"added item {number} to {where}: {title}")
    _warn_all(warnings)
    if where.startswith("meeting "):
        _sent(store(ctx), where.removeprefix("meeting "), f"a new item {number}")


@app.command("new")
def agenda_new(ctx: Context, meeting: MeetingArgument = None) -> None:
    """Build the draft agenda: standing items around the items placed on the meeting.

    Example: escg agenda new 2027-02-04
    """
    from escg.domain.agenda import build

    agenda, added = build(store(ctx), meeting)
    _warn_all(agenda.warnings)
    placed = sum(1 for row in agenda.rows if not row.item.standing)
    say(f"agenda for {agenda.meeting.id}: {len(agenda.rows)} items ({placed} placed, "
        f"{len(agenda.rows) - placed} standing){'' if added else '; already up to date'}")
    s = store(ctx)
    from escg.domain.actions import carried_forward

    carried = carried_forward(s, s.meeting(agenda.meeting.id))
    if carried:
        from escg.core.model import Rag

        late = sum(1 for a in carried if a["rag"] == Rag.RED and not a["closed_since"])
        closed = sum(1 for a in carried if a["closed_since"])
        say(f"action log: {len(carried) - closed} open actions carried forward ({late} overdue), "
            f"{closed} closed since the last meeting")
    waiting = len(s.forward_plan)
    if waiting:
        say(f"{waiting} {'item waits' if waiting == 1 else 'items wait'} on the forward plan (`escg agenda list --forward-plan`)")
    from escg.domain.interests import declaration_prompts

    for line in declaration_prompts(s, agenda):
        say(line)
    echo(agenda.meeting.id)


@app.command("list")
def agenda_list(
    ctx: Context,
    meeting: MeetingArgument = None,
    forward_plan: Annotated[bool, Option("--forward-plan", help="List the forward plan instead.")] = False,
    format: FormatOption = Format.table,
    json: JsonFlag = False,
) -> None:
    """List a meeting's agenda items with their start times.

    Example: escg agenda list 2026-12-03 --json
    """
    from escg.domain.agenda import agenda_of, forward_json, item_json
    from escg.domain.meetings import resolve

    s = store(ctx)
    if forward_plan:
        rows = [forward_json(n, item) for n, item in enumerate(s.forward_plan, start=1)]
        columns = [("number", "#"), ("title", "Title"), ("purpose", "Purpose"), ("presenter", "Lead"),
                   ("theme", "Theme"), ("status", "Status"), ("deferred_from", "Deferred from"), ("aim", "For")]
        emit(rows, columns, fmt(format, json), keys=FORWARD_JSON_KEYS, empty="the forward plan is empty")
        return
    agenda = agenda_of(s, resolve(s, meeting))
    if agenda.meeting.status.cancelled:
        say(f"meeting {agenda.meeting.id} is cancelled")
    elif not agenda.built:
        say(f"preview: the agenda of {agenda.meeting.id} is not built yet (`escg agenda new {agenda.meeting.id}`)")
    _warn_all(agenda.warnings)
    emit([item_json(row) for row in agenda.rows], COLUMNS, fmt(format, json), keys=ITEM_JSON_KEYS,
         style=lambda row: "dim" if row["standing"] else None, empty="no items")


@app.command("show")
def agenda_show(ctx: Context, meeting: MeetingArgument = None) -> None:
    """Show the agenda as Markdown on the terminal (same as `agenda render --format md`).

    Example: escg agenda show 2026-12-03
    """
    _render(ctx, meeting, DocFormat.md, None)


@app.command("move")
def agenda_move(
    ctx: Context,
    item: ItemArgument,
    to: Annotated[int, Option("--to", help="The new position (item number).")],
    meeting: Annotated[Optional[str], Option("--meeting", "-m", help="Meeting. Default: next.")] = None,
) -> None:
    """Move an item to another position on the same agenda.

    Example: escg agenda move 8 --to 5 --meeting 2026-12-03
    """
    from escg.domain.agenda import move_item

    agenda = move_item(store(ctx), meeting, item, to)
    say(f"moved item {item} to position {to} on {agenda.meeting.id}")
    _warn_all(agenda.warnings)
    _sent(store(ctx), agenda.meeting.id, "the items in their old order")


@app.command("remove")
def agenda_remove(
    ctx: Context,
    item: ItemArgument,
    meeting: Annotated[Optional[str], Option("--meeting", "-m", help="Meeting. Default: next.")] = None,
) -> None:
    """Remove an item from an agenda.

    Example: escg agenda remove 7 --meeting 2026-12-03
    """
    from escg.domain.agenda import remove_item

    from escg.domain.meetings import resolve_summary

    s = store(ctx)
    ident = resolve_summary(s, meeting).id
    removed = remove_item(s, ident, item)
    say(f"removed item {item}: {removed.title}")
    _sent(s, ident, f"item {item}, removed since")


@app.command("defer")
def agenda_defer(
    ctx: Context,
    item: ItemArgument,
    meeting: Annotated[Optional[str], Option("--meeting", "-m", help="Meeting it is on. Default: next.")] = None,
    to: Annotated[Optional[str], Option("--to", help="Meeting to defer to. Default: the following one.")] = None,
    forward_plan: Annotated[bool, Option("--forward-plan", help="Defer to the forward plan.")] = False,
) -> None:
    """Defer an item to a later meeting or the forward plan.

    Example: escg agenda defer 8 --meeting 2026-12-03 --to 2027-02-04
    """
    from escg.domain.agenda import defer_item

    from escg.domain.meetings import resolve_summary

    s = store(ctx)
    ident = resolve_summary(s, meeting).id
    where = defer_item(s, ident, item, to=to, forward_plan=forward_plan)
    say(f"deferred item {item} to {where}")
    _sent(s, ident, f"item {item}, deferred since")


@app.command("place")
def agenda_place(
    ctx: Context,
    item: Annotated[int, Argument(metavar="ITEM", help="Forward-plan item number (`agenda list --forward-plan`).")],
    meeting: Annotated[Optional[str], Option("--meeting", "-m", help="Meeting. Default: next.")] = None,
) -> None:
    """Place a forward-plan item on a meeting's agenda.

    Example: escg agenda place 2 --meeting 2027-04-01
    """
    from escg.domain.agenda import place_item

    target = place_item(store(ctx), item, meeting)
    say(f"placed forward-plan item {item} on meeting {target}")
    _sent(store(ctx), target, "the agenda without it")


def _render(ctx: Context, meeting: Optional[str], format: DocFormat, out: Optional[Path], public: bool = False) -> None:
    from escg.domain.agenda import agenda_of
    from escg.domain.meetings import resolve
    from escg.workflows.documents import agenda_context

    binary_target(format.value, out)
    s = store(ctx)
    found = resolve(s, meeting)
    agenda = agenda_of(s, found)
    if found.status.cancelled:
        say(f"meeting {found.id} is cancelled")
    elif not agenda.built:
        say(f"preview: the agenda of {found.id} is not built yet (`escg agenda new {found.id}`)")
    _warn_all(agenda.warnings)
    context = agenda_context(s, found)
    if public:
        from escg.workflows.confidential import public_agenda

        context = public_agenda(context)
    if out is not None and str(out) != "-" and format.value in ("md", "html"):
        from escg.workflows.documents import relink_papers

        context = relink_papers(s, context, out.parent if str(out.parent) else ".")
    write_output(document(s, "agenda", format.value, context), out)


@app.command("render")
def agenda_render(
    ctx: Context,
    meeting: MeetingArgument = None,
    format: Annotated[DocFormat, Option("--format", "-f", help="md, html, pdf (needs the pdf extra) or docx (Word).")] = DocFormat.md,
    out: Annotated[Optional[Path], Option("--out", "-o", help="Write to FILE instead of stdout.")] = None,
    public: Annotated[bool, Option("--public", help="The public form: confidential items show only their number, time, public title and reason. Default: the members' form.")] = False,
) -> None:
    """Render the agenda as Markdown, HTML, PDF or Word through the templates.

    Example: escg agenda render next --format pdf --out agenda.pdf
    """
    _render(ctx, meeting, format, out, public)


@app.command("pack")
def agenda_pack(
    ctx: Context,
    meeting: MeetingArgument = None,
    out: Annotated[Optional[Path], Option("--out", "-o", metavar="FILE.pdf", help="Write the pack to FILE.pdf; without it, to a pipe (never a terminal).")] = None,
) -> None:
    """The agenda pack as one PDF: a cover, contents with the page each paper starts on,
    the agenda, then every paper in agenda order, "page N of M", with bookmarks.

    PDF papers go in as they are, Markdown and text papers are laid out, Word and Excel
    papers are converted when LibreOffice is installed; a paper left out is named on
    stderr and in the contents. Needs the pdf extra: pip install 'escg[pdf]'.

    Example: escg agenda pack next --out pack.pdf
    """
    from escg.domain.meetings import resolve
    from escg.integrations.pdf import agenda_pack as build_pack

    binary_target("pdf", out)
    s = store(ctx)
    found = resolve(s, meeting)
    data, notes = build_pack(s, found)
    _warn_all(notes)
    write_output(data, out)
