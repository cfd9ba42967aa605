"""`escg person`: members, deputies, advisers and guests."""

from __future__ import annotations

from typing import Annotated, Optional

from escg.cli.params import Argument, Context, Group, Option

from escg.cli.common import warn, Format, FormatOption, JsonFlag, fmt, say, store
from escg.cli.output import emit, emit_record
from escg.core.model import MEMBERSHIPS
from escg.domain.people import PERSON_JSON_KEYS, person_json  # the JSON contract lives in the library

app = Group(help="People: add, list, show, edit, leave, remove.", no_args_is_help=True)

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
    """Add a person.

    Example: escg person add sam-patel --name "Sam Patel" --org basildon --role "Head of Community Safety" --email sam-patel@example.org
    """
    from escg.core.errors import InputError
    from escg.domain.people import add_person

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
    all_: Annotated[bool, Option("--all", help="Also the people who have left the group (`person leave`).")] = False,
    format: FormatOption = Format.table,
    json: JsonFlag = False,
) -> None:
    """List people, sorted by id.

    Example: escg person list --org ecc --json
    """
    from escg.domain.people import list_people

    people = list_people(store(ctx), org=org, membership=membership, everyone=all_)
    emit([person_json(p) for p in people], COLUMNS, fmt(format, json), keys=PERSON_JSON_KEYS, empty="no people")


@app.command("show")
def person_show(ctx: Context, ident: Annotated[str, Argument(metavar="ID")],
                format: FormatOption = Format.table, json: JsonFlag = False) -> None:
    """Show one person.

    Example: escg person show helen-marsh
    """
    from escg.domain.people import get_person, person_record

    s = store(ctx)
    person = get_person(s, ident)
    record = person_record(person)
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
    """Change a person's details.

    Example: escg person edit hannah-price --role "Director of Partnerships"
    """
    from escg.domain.people import edit_person

    person = edit_person(store(ctx), ident, name=name, org=org, role=role, email=email,
                         membership=membership, deputy_for=deputy_for)
    say(f"updated {person.id}")


@app.command("leave")
def person_leave(
    ctx: Context,
    ident: Annotated[str, Argument(metavar="ID", help="The person's id.")],
    on: Annotated[Optional[str], Option("--on", metavar="DATE", help="The day they left. Default: today.")] = None,
    undo: Annotated[bool, Option("--undo", help="They are back: undo their leaving.")] = False,
) -> None:
    """Record that a person has left the group: kept for the record (minutes, actions,
    attendance), but out of new lists, mailings, quorum counts and new actions.

    Example: escg person leave simon-whitlock --on 2026-11-30
    """
    from escg.core.dates import parse_date
    from escg.core.errors import InputError
    from escg.domain.people import leave_person

    if undo and on is not None:
        raise InputError("give --on or --undo, not both")
    person, owned = leave_person(store(ctx), ident, parse_date(on) if on else None, undo=undo)
    if undo:
        say(f"{person.id} is with the group again")
        return
    say(f"{person.id} left the group on {person.left.isoformat()}; kept for the record")
    if owned:
        warn(f"{person.id} still owns {len(owned)} open action{'s' if len(owned) != 1 else ''} "
             f"({', '.join(owned)}): give each a new owner with `escg action update ID --owner PERSON`")


@app.command("remove")
def person_remove(ctx: Context, ident: Annotated[str, Argument(metavar="ID")]) -> None:
    """Remove a person nothing references any more.

    Example: escg person remove sam-patel
    """
    from escg.domain.people import remove_person

    remove_person(store(ctx), ident)
    say(f"removed {ident}")
