"""`escg interest`: the register of interests (interests.toml)."""

from __future__ import annotations

from typing import Annotated, Optional

from escg.cli.params import Argument, Context, Group, Option

from escg.cli.common import Format, FormatOption, JsonFlag, fmt, say, store
from escg.cli.output import emit
from escg.domain.interests import INTEREST_JSON_KEYS  # the JSON contract lives in the library

app = Group(help="The register of interests: add, list, remove.", no_args_is_help=True)

COLUMNS = [("number", "#"), ("person", "Person"), ("name", "Name"), ("text", "Interest"), ("orgs", "Orgs"),
           ("themes", "Themes"), ("from", "From"), ("until", "Until")]


@app.command("add")
def interest_add(
    ctx: Context,
    person: Annotated[str, Argument(metavar="PERSON", help="The person's id (see `escg person list`).")],
    text: Annotated[str, Argument(metavar="TEXT", help="The interest, such as \"Trustee of Essex Youth Trust\".")],
    org: Annotated[Optional[list[str]], Option("--org", help="An organisation the interest touches; repeatable.")] = None,
    theme: Annotated[Optional[list[str]], Option("--theme", help="A theme the interest touches; repeatable.")] = None,
    since: Annotated[Optional[str], Option("--from", help="The date the interest began.")] = None,
    until: Annotated[Optional[str], Option("--until", help="The date the interest ended (or ends).")] = None,
) -> None:
    """Register a declared interest of a person.

    Example: escg interest add helen-marsh "Trustee of the Essex Community Foundation" --org community360
    """
    from escg.domain.interests import add_interest

    interest = add_interest(store(ctx), person, text, orgs=org, themes=theme, since=since, until=until)
    say(f"registered interest {interest.number} of {interest.person}: {interest.text}")


@app.command("list")
def interest_list(
    ctx: Context,
    person: Annotated[Optional[str], Option("--person", help="Only this person's interests.")] = None,
    format: FormatOption = Format.table,
    json: JsonFlag = False,
) -> None:
    """List the register of interests, by person.

    Example: escg interest list --person helen-marsh
    """
    from escg.domain.interests import interest_json, list_interests

    s = store(ctx)
    rows = [interest_json(s, interest) for interest in list_interests(s, person)]
    emit(rows, COLUMNS, fmt(format, json), keys=INTEREST_JSON_KEYS, empty="no interests registered")


@app.command("remove")
def interest_remove(
    ctx: Context,
    number: Annotated[int, Argument(metavar="NUMBER", help="The interest's number in `escg interest list`.")],
    person: Annotated[Optional[str], Option("--person", help="Refuse unless the interest is this person's.")] = None,
) -> None:
    """Take an interest off the register.

    Example: escg interest remove 1 --person helen-marsh
    """
    from escg.domain.interests import remove_interest

    interest = remove_interest(store(ctx), number, person)
    say(f"removed interest {number} of {interest.person}: {interest.text}")
