"""`escg org`: the partner organisations."""

from __future__ import annotations

from typing import Annotated, Optional

from escg.cli.params import Argument, Context, Group, Option

from escg.cli.common import FormatOption, JsonFlag, Format, fmt, say, store
from escg.cli.output import emit, emit_record
from escg.core.model import SECTORS

app = Group(help="Partner organisations: add, list, show, edit, remove.", no_args_is_help=True)

SectorOption = Annotated[str, Option("--sector", help=f"One of: {', '.join(SECTORS)}.")]
COLUMNS = [("id", "Id"), ("name", "Name"), ("sector", "Sector"), ("people", "People")]


def _row(org, people) -> dict:
    from escg.domain.people import org_json

    return {**org_json(org), "people": sum(1 for p in people.values() if p.org == org.id)}


@app.command("add")
def org_add(
    ctx: Context,
    ident: Annotated[str, Argument(metavar="ID", help="Short id, such as ecc or essex-police.")],
    name: Annotated[str, Option("--name", help="Full name.")] = "",
    sector: SectorOption = "other",
) -> None:
    """Add a partner organisation.

    Example: escg org add braintree --name "Braintree District Council" --sector council
    """
    from escg.domain.people import add_org

    org = add_org(store(ctx), ident, name, sector)
    say(f"added organisation {org.id}: {org.name}")


@app.command("list")
def org_list(ctx: Context, format: FormatOption = Format.table, json: JsonFlag = False) -> None:
    """List the organisations.

    Example: escg org list --format csv
    """
    s = store(ctx)
    rows = [_row(o, s.people) for o in sorted(s.orgs.values(), key=lambda o: o.id)]
    from escg.domain.people import ORG_JSON_KEYS

    emit(rows, COLUMNS, fmt(format, json), keys=ORG_JSON_KEYS, empty="no organisations yet")


@app.command("show")
def org_show(ctx: Context, ident: Annotated[str, Argument(metavar="ID")],
             format: FormatOption = Format.table, json: JsonFlag = False) -> None:
    """Show one organisation and its people.

    Example: escg org show police --json
    """
    from escg.domain.people import get_org, org_record

    s = store(ctx)
    org = get_org(s, ident)
    record = org_record(s, org)
    emit_record(record, fmt(format, json), [("Id", org.id), ("Name", org.name), ("Sector", org.sector),
                                            ("People", record["people"])])


@app.command("edit")
def org_edit(
    ctx: Context,
    ident: Annotated[str, Argument(metavar="ID")],
    name: Annotated[Optional[str], Option("--name", help="New full name.")] = None,
    sector: Annotated[Optional[str], Option("--sector", help=f"One of: {', '.join(SECTORS)}.")] = None,
) -> None:
    """Change an organisation's name or sector.

    Example: escg org edit rcce --name "Rural Community Council of Essex (RCCE)"
    """
    from escg.domain.people import edit_org

    org = edit_org(store(ctx), ident, name=name, sector=sector)
    say(f"updated organisation {org.id}")


@app.command("remove")
def org_remove(ctx: Context, ident: Annotated[str, Argument(metavar="ID")]) -> None:
    """Remove an organisation nobody references any more.

    Example: escg org remove ecvys
    """
    from escg.domain.people import remove_org

    remove_org(store(ctx), ident)
    say(f"removed organisation {ident}")
