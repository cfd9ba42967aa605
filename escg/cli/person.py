"""`escg person`: members, deputies, advisers and guests."""

from __future__ import annotations

from typing import Annotated, Optional

from escg.cli.params import Argument, Context, Group, Option

from escg.cli.common import Format, FormatOption, JsonFlag, fmt, say, store
from escg.cli.output import emit, emit_record
from escg.model import MEMBERSHIPS
from escg.people import person_json

app = Group(help="People: add, list, show, edit, remove.", no_args_is_help=True)

KEYS = ["id", "name", "org", "role", "email", "membership"]
COLUMNS = [("id", "Id"), ("name", "Name"), ("org", "Org"), ("role", "Role"), ("email", "E-mail"),
           ("membership", "Membership")]


@app.command("add")
def person_add(
    ctx: Context,
    ident: Annotated[str, Argument(metavar="ID", help="Short id, such as jo-bloggs.")],
    name: Annotated[str, Option("--name", help="Full name.")] = "",
    org: Annotated[str, Option("--org", help="Organisation id (see `escg org list`).")] = "",
    role: Annotated[Optional[str], Option("--role", help="Job title or role.")] = None,
    email: Annotated[Optional[str], Option("--email", help="E-mail address.")] = None,
    membership: Annotated[str, Option("--membership", help=f"One of: {', '.join(MEMBERSHIPS)}.")] = "member",
    deputy_for: Annotated[Optional[str], Option("--deputy-for", help="The member this person deputises for.")] = None,
) -> None:
    """Add a person."""
    from escg.errors import InputError
    from escg.people import add_person

    if not org:
        raise InputError("a person needs an --org (see `escg org list`)")
    person = add_person(store(ctx), ident, name=name, org=org, role=role, email=email,
                        membership=membership, deputy_for=deputy_for)
    say(f"added {person.membership} {person.id}: {person.name}")


@app.command("list")
def person_list(
    ctx: Context,
    org: Annotated[Optional[str], Option("--org", help="Only people of this organisation.")] = None,
    membership: Annotated[Optional[str], Option("--membership", help="Only this membership.")] = None,
    format: FormatOption = Format.table,
    json: JsonFlag = False,
) -> None:
    """List people, sorted by id."""
    from escg.people import get_org

    from escg.errors import InputError

    s = store(ctx)
    if org:
        get_org(s, org)
    if membership is not None and membership not in MEMBERSHIPS:
        raise InputError(f"membership must be one of {', '.join(MEMBERSHIPS)}, not {membership!r}")
    people = [p for p in sorted(s.people.values(), key=lambda p: p.id)
              if (org is None or p.org == org) and (membership is None or p.membership == membership)]
    emit([person_json(p) for p in people], COLUMNS, fmt(format, json), keys=KEYS, empty="no people")


@app.command("show")
def person_show(ctx: Context, ident: Annotated[str, Argument(metavar="ID")],
                format: FormatOption = Format.table, json: JsonFlag = False) -> None:
    """Show one person."""
    from escg.people import get_person

    s = store(ctx)
    person = get_person(s, ident)
    record = {**person_json(person), "deputy_for": person.deputy_for}
    org = s.orgs.get(person.org)
    emit_record(record, fmt(format, json), [
        ("Id", person.id), ("Name", person.name), ("Organisation", org.name if org else person.org),
        ("Role", person.role), ("E-mail", person.email), ("Membership", person.membership),
        ("Deputy for", person.deputy_for),
    ])


@app.command("edit")
def person_edit(
    ctx: Context,
    ident: Annotated[str, Argument(metavar="ID")],
    name: Annotated[Optional[str], Option("--name")] = None,
    org: Annotated[Optional[str], Option("--org")] = None,
    role: Annotated[Optional[str], Option("--role", help="New role; \"\" clears it.")] = None,
    email: Annotated[Optional[str], Option("--email", help="New e-mail; \"\" clears it.")] = None,
    membership: Annotated[Optional[str], Option("--membership", help=f"One of: {', '.join(MEMBERSHIPS)}.")] = None,
    deputy_for: Annotated[Optional[str], Option("--deputy-for", help="Member deputised for; \"\" clears it.")] = None,
) -> None:
    """Change a person's details."""
    from escg.people import edit_person

    person = edit_person(store(ctx), ident, name=name, org=org, role=role, email=email,
                         membership=membership, deputy_for=deputy_for)
    say(f"updated {person.id}")


@app.command("remove")
def person_remove(ctx: Context, ident: Annotated[str, Argument(metavar="ID")]) -> None:
    """Remove a person nothing references any more."""
    from escg.people import remove_person

    remove_person(store(ctx), ident)
    say(f"removed {ident}")
