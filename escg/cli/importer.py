"""`escg import`: bring records kept elsewhere into the store (today: an action log)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

from escg.cli.params import Argument, Context, Group, Option

from escg.cli.common import Format, FormatOption, JsonFlag, fmt, say, store, warn
from escg.cli.output import emit

app = Group(help="Bring records kept elsewhere into the store: an action log from Excel or CSV.",
            no_args_is_help=True)

COLUMNS = [("id", "Id"), ("row", "Row"), ("owner", "Owner"), ("due", "Due"), ("status", "Status"), ("title", "Action"),
           ("notes", "Notes")]


@app.command("actions")
def import_actions(
    ctx: Context,
    file: Annotated[Path, Argument(metavar="FILE", help="The action log: an .xlsx workbook or a .csv file.")],
    map_: Annotated[Optional[list[str]], Option(
        "--map", metavar="HEADER=FIELD",
        help="Read the column HEADER as FIELD (id, title, owner, due, status, update, raised, item, theme, closed, "
             "or ignore); repeat it, or separate with commas. Columns are otherwise guessed from their headers.")] = None,
    sheet: Annotated[Optional[str], Option("--sheet", metavar="NAME", help="The workbook's sheet to read (default: the first with action log headers).")] = None,
    dry_run: Annotated[bool, Option("--dry-run", "-n", help="Show what would be added, and write nothing.")] = False,
    format: FormatOption = Format.table,
    json: JsonFlag = False,
) -> None:
    """Import an existing action log, one action a row.

    The header row is the first of the top ten rows that names an action and an
    owner. Every row is read and checked before anything is written: owners must
    be the store's people (by id, name or email), dates full dates (30/11/2026;
    TBC means none), statuses known words. Rows already imported are passed over. Then every action is added in one transaction, or none is. A row's
    Ref is kept as the id when it fits (A-042, or 42) and the store has not
    given that id out before; otherwise the action is numbered after the
    highest, and its old ref kept in an update note.

    Example: escg import actions "SCG action log.xlsx" --dry-run

    Example: escg import actions log.csv --map "Action lead=owner" --map "RAG=ignore"
    """
    from escg.integrations.importer import import_actions as write_all
    from escg.integrations.importer import PREVIEW_JSON_KEYS, plan_import, preview

    s = store(ctx)
    plan = plan_import(s, file, maps=map_ or [], sheet=sheet)
    for message in plan.warnings:
        warn(message)
    mapped = ", ".join(f"{header} → {name}" for name, header in plan.columns.items())
    say(f"columns: {mapped}")
    if not dry_run:
        write_all(s, plan)
    rows = preview(s, plan)
    output = fmt(format, json)
    if output == "table":
        for row in rows:
            row["owner"] = row["owner_name"]
    emit(rows, COLUMNS, output, keys=PREVIEW_JSON_KEYS, empty="the file has no actions to import")
    count = len(rows)
    noun = "action" if count == 1 else "actions"
    if dry_run:
        say(f"dry run: would add {count} {noun}; nothing was written")
    elif count:
        numbered = sorted(rows, key=lambda r: int(r["id"][2:]))
        say(f"imported {count} {noun}: {numbered[0]['id']} to {numbered[-1]['id']}" if count > 1
            else f"imported 1 action: {rows[0]['id']}")
