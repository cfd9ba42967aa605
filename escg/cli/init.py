"""`escg init`: create a new store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

from escg.cli.params import Argument, Option

from escg.cli.common import say


def store_init(
    folder: Annotated[Optional[Path], Argument(metavar="[DIR]", help="Folder for the new store. Default: here.")] = None,
    name: Annotated[str, Option("--name", help="The group's full name.", prompt=False)] = "",
    short: Annotated[str, Option("--short", help="The group's short name, such as ESCG.")] = "",
) -> None:
    """Create a new store: escg.toml, people.toml, forward-plan.toml and meetings/.

    Example: escg init new-store --name "Essex Strategic Coordination Group" --short ESCG
    """
    from escg.core.errors import InputError
    from escg.store.create import init_store

    if not name or not short:
        raise InputError("give the group's --name and --short name, e.g. --name \"Essex Strategic Coordination Group\" --short ESCG")
    target = folder or Path.cwd()
    store = init_store(target, name, short)
    say(f"created a store for {name} in {store.root}")
    say(f"next: escg --store {folder or '.'} org add ID --name NAME --sector council")
