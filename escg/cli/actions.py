"""`escg actions` (the review) and `escg action` (one action's lifecycle)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

from escg.cli.params import Argument, Context, Group, Option, echo

from escg.cli.common import Format, FormatOption, JsonFlag, binary_target, fmt, say, store, write_output
from escg.cli.output import DOCUMENTS, FORMATTERS, emit, emit_record
from escg.core.formats import visible
from escg.core.model import Rag
from escg.domain.actions import ACTION_JSON_KEYS

app = Group(help="One action: add, show, update, done, drop, reopen.", no_args_is_help=True)

COLUMNS = [("id", "Id"), ("due", "Due"), ("rag", "RAG"), ("owner", "Owner"), ("org", "Org"),
           ("title", "Action"), ("raised", "Raised")]
NO_OUT = "--out is for the action log as md, html, pdf, docx or xlsx"  # the listings print to stdout
RAG_STYLE = {Rag.RED: "bold red", Rag.AMBER: "yellow", Rag.GREEN: "green", Rag.COMPLETE: "dim"}
IdArgument = Annotated[str, Argument(metavar="ID", help="Action id, such as A-042 (or 42).")]


# A listing's formats, a document's, and the spreadsheet (escg.integrations.spreadsheet).
ActionsFormat = Enum("ActionsFormat", {name: name for name in (*FORMATTERS, *DOCUMENTS, "xlsx")}, type=str)


class GroupBy(str, Enum):
    owner = "owner"
    org = "org"
    theme = "theme"


def actions_list(
    ctx: Context,
    open_: Annotated[bool, Option("--open", help="Open actions (the default).")] = False,
    closed: Annotated[bool, Option("--closed", help="Done and dropped actions.")] = False,
    all_: Annotated[bool, Option("--all", help="Every action.")] = False,
    overdue: Annotated[bool, Option("--overdue", help="Only open actions past their due date.")] = False,
    due_within: Annotated[Optional[str], Option("--due-within", metavar="PERIOD", help="Only open actions due within PERIOD (14d, 2w); with --overdue, either.")] = None,
    owner: Annotated[Optional[str], Option("--owner", help="Only this person's actions.")] = None,
    org: Annotated[Optional[str], Option("--org", help="Only actions owned by this organisation.")] = None,
    meeting: Annotated[Optional[str], Option("--meeting", "-m", help="Only actions raised at this meeting.")] = None,
    theme: Annotated[Optional[str], Option("--theme", help="Only actions under this theme.")] = None,
    group_by: Annotated[Optional[GroupBy], Option("--group-by", help="Group by owner, org or theme.")] = None,
    format: Annotated[ActionsFormat, Option("--format", "-f", help="table, md, json, csv; or a printable action log: html, md, pdf (landscape; needs the pdf extra), docx (Word); or xlsx (Excel).")] = ActionsFormat.table,
    json: JsonFlag = False,
    out: Annotated[Optional[Path], Option("--out", "-o", help="Write to FILE instead of stdout.")] = None,
    public: Annotated[bool, Option("--public", help="The public action log (md, html, pdf, docx): without the actions raised at confidential items. The table, JSON, CSV and Excel listings are for members.")] = False,
) -> None:
    """Review the action log: open actions by default, sorted by due date then id.

    Example: escg actions --overdue --format xlsx --out overdue.xlsx
    """
    from escg.core import dates
    from escg.core.errors import InputError
    from escg.domain.actions import Selection, Showing, select, view

    if sum((open_, closed, all_)) > 1:
        raise InputError("give one of --open, --closed or --all")
    s = store(ctx)
    today = dates.today()
    window = s.group.rag_window
    selection = Selection(status=Showing.CLOSED if closed else Showing.ALL if all_ else Showing.OPEN, overdue=overdue,
                          due_within=dates.parse_period(due_within) if due_within else None,
                          owner=owner, org=org, meeting=meeting, theme=theme)
    fmt = "json" if json else format.value
    if public and fmt not in ("md", "html", "pdf", "docx"):
        raise InputError("--public is for the printable action log: give --format md, html, pdf or docx "
                         "(the table, JSON, CSV and Excel listings are for members)")
    # JSON and CSV are never grouped (docs/json.md): each row has its owner, org and theme.
    if group_by and fmt == "xlsx":
        raise InputError("--group-by is for the table and the printable action log; the spreadsheet has a "
                         "column for each, to sort and filter by")
    if out is not None and fmt in ("table", "json", "csv"):
        raise InputError(NO_OUT)
    if fmt == "json":
        from escg.core.formats import json_rows
        from escg.domain.actions import review_json

        echo(json_rows(review_json(s, selection, today)), nl=False)
        return
    binary_target(fmt, out)
    if fmt == "table" and not group_by:
        from escg.domain.actions import review_table

        emit(review_table(s, selection, today), COLUMNS, fmt, keys=ACTION_JSON_KEYS,
             style=lambda row: RAG_STYLE.get(row["rag"]),
             empty="no actions match")
        return
    found = select(s, selection, today)
    if fmt in ("md", "html", "pdf", "docx"):
        from escg.cli.output import document
        from escg.workflows.documents import action_log_context

        context = action_log_context(s, found, selection, group_by.value if group_by else None, today)
        if public:
            from escg.workflows.confidential import public_actions

            context = public_actions(context)
        write_output(document(s, "actions", fmt, context), out)
        return
    if fmt == "xlsx":
        from escg.integrations.spreadsheet import actions_xlsx

        write_output(actions_xlsx(s, found, today), out)
        return
    from escg.domain.actions import action_json

    if fmt == "csv":
        emit([action_json(a, today, window) for a in found], COLUMNS, fmt, keys=ACTION_JSON_KEYS)
        return
    # The table, grouped: a table for each owner, organisation or theme.
    from escg.domain.actions import raised_at

    rows = [{**action_json(a, today, window), "raised": raised_at(s, a)} for a in found]
    if not rows:
        echo("(no actions match)", err=True)
    names = {a.id: view(s, a, today, window)[group_by.value] or "(none)" for a in found}
    for name in sorted(set(names.values())):
        echo(visible(f"{group_by.value}: {name}"))
        emit([row for row in rows if names[row["id"]] == name], COLUMNS, fmt, keys=ACTION_JSON_KEYS,
             style=lambda row: RAG_STYLE.get(row["rag"]))
        echo("")


@app.command("add")
def action_add(
    ctx: Context,
    text: Annotated[str, Argument(metavar="TEXT", help="What is to be done.")],
    owner: Annotated[str, Option("--owner", help="Person id of the owner.")] = "",
    due: Annotated[Optional[str], Option("--due", help="Due date: any date form, or 'next meeting'.")] = None,
    meeting: Annotated[Optional[str], Option("--meeting", "-m", help="Meeting it was raised at.")] = None,
    item: Annotated[Optional[int], Option("--item", help="Agenda item number it was raised under.")] = None,
    theme: Annotated[Optional[str], Option("--theme", help="Theme id (default: the item's).")] = None,
) -> None:
    """Add an action to the log; prints its new id.

    Example: escg action add "Circulate the flood exercise report" --owner claire-dunmore --due "next meeting" --theme partnership
    """
    from escg.core.errors import InputError
    from escg.domain.actions import add_action

    if not owner:
        raise InputError("an action needs an --owner (a person id; see `escg person list`)")
    action = add_action(store(ctx), text, owner=owner, due=due, meeting=meeting, item=item, theme=theme)
    due_text = f", due {action.due.isoformat()}" if action.due else ""
    say(f"added {action.id} for {action.owner}{due_text}")
    echo(action.id)


@app.command("show")
def action_show(ctx: Context, ident: IdArgument, format: FormatOption = Format.table,
                json: JsonFlag = False) -> None:
    """Show one action with its history.

    Example: escg action show A-012
    """
    from escg.core import dates
    from escg.domain.actions import action_json, get_action, view

    s = store(ctx)
    action = get_action(s, ident)
    today = dates.today()
    record = action_json(action, today, s.group.rag_window)
    shown = view(s, action, today, s.group.rag_window)
    lines = [("Action", action.id), ("Text", action.title), ("Owner", f"{shown['owner']} ({shown['org']})"),
             ("Due", action.due.isoformat() if action.due else "none"), ("Status", action.status),
             ("RAG", shown["rag"]), ("Raised", shown["raised"]), ("Theme", shown["theme"]),
             ("Created", action.created.isoformat() if action.created else None),
             ("Closed", action.closed.isoformat() if action.closed else None)]
    lines += [(u.date.isoformat(), u.note) for u in action.updates]
    emit_record(record, fmt(format, json), lines)


@app.command("update")
def action_update(
    ctx: Context,
    ident: IdArgument,
    note: Annotated[Optional[str], Argument(metavar="[NOTE]", help="Progress note, kept with today's date.")] = None,
    due: Annotated[Optional[str], Option("--due", help="New due date (any date form, 'next meeting', or 'none').")] = None,
    owner: Annotated[Optional[str], Option("--owner", help="New owner (person id).")] = None,
) -> None:
    """Record progress on an action, and optionally move its due date or owner.

    Example: escg action update A-012 "Options paper drafted; consultation closes in January" --due 2027-01-31
    """
    from escg.domain.actions import update_action

    action = update_action(store(ctx), ident, note, due=due, owner=owner)
    say(f"updated {action.id}: {action.updates[-1].note}")


@app.command("done")
def action_done(
    ctx: Context,
    ident: IdArgument,
    note: Annotated[Optional[str], Option("--note", help="How it was completed.")] = None,
) -> None:
    """Mark an action done.

    Example: escg action done A-016 --note "Plan agreed by all partners"
    """
    from escg.domain.actions import close_action

    action = close_action(store(ctx), ident, "done", note)
    say(f"{action.id} done")


@app.command("drop")
def action_drop(
    ctx: Context,
    ident: IdArgument,
    reason: Annotated[str, Option("--reason", help="Why it is no longer needed (required).")] = "",
) -> None:
    """Drop an action that is no longer needed.

    Example: escg action drop A-028 --reason "Superseded by the governance review"
    """
    from escg.domain.actions import close_action

    action = close_action(store(ctx), ident, "dropped", reason)
    say(f"{action.id} dropped")


@app.command("reopen")
def action_reopen(
    ctx: Context,
    ident: IdArgument,
    note: Annotated[Optional[str], Option("--note", help="Why it is reopened.")] = None,
) -> None:
    """Reopen a done or dropped action.

    Example: escg action reopen A-022 --note "The surge plan needs a second review"
    """
    from escg.domain.actions import reopen_action

    action = reopen_action(store(ctx), ident, note)
    say(f"{action.id} reopened")


@app.command("history")
def action_history(ctx: Context, ident: IdArgument, format: FormatOption = Format.table,
                   json: JsonFlag = False) -> None:
    """List the git commits that changed one action's file: date, author, subject.

    Example: escg action history A-024
    """
    from escg.domain.actions import get_action
    from escg.integrations.sync import HISTORY_JSON_KEYS, history

    s = store(ctx)
    action = get_action(s, ident)
    rows = history(s.root, s.action_paths_of(action.id)[0])
    emit(rows, [("date", "Date"), ("author", "Author"), ("subject", "Subject")], fmt(format, json),
         keys=HISTORY_JSON_KEYS, empty=f"no commits of {action.id} yet")
