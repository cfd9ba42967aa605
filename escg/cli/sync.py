"""`escg sync` and `escg merge-driver`: the store shared through git."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from escg.cli.params import Argument, Context, Option, echo

from escg.cli.common import say, warn


def store_sync(
    ctx: Context,
    setup: Annotated[bool, Option("--setup", help="First install escg's merge driver in this clone (git config and .gitattributes); safe to repeat.")] = False,
    no_push: Annotated[bool, Option("--no-push", help="Commit and merge, but do not push.")] = False,
) -> None:
    """Commit the store's changes, merge the upstream's, repair, check and push (git).

    Exit 5 when both sides changed the same value: the files are named; edit them and sync again.

    Example: escg sync --setup --no-push
    """
    from escg.core.errors import StoreError
    from escg.integrations.sync import sync
    from escg.store import Store

    root = ctx.find_root()
    state = root.obj if isinstance(root.obj, dict) else {}
    found = Store.open(state.get("store_path"))
    report = sync(found, push=not no_push, install=setup)
    for line in report.lines:
        say(line)
    if report.problems:
        for problem in report.problems:
            echo(problem)
        raise StoreError(f"synced, but `escg check` finds {len(report.problems)} problem"
                         f"{'s' if len(report.problems) != 1 else ''}; mend them and `escg sync` again")
    say("in sync; the store is clean")


def merge_driver(
    base: Annotated[Path, Argument(metavar="BASE", help="The common ancestor's version (git's %O).")],
    ours: Annotated[Path, Argument(metavar="OURS", help="Our version, where the result is written (git's %A).")],
    theirs: Annotated[Path, Argument(metavar="THEIRS", help="Their version (git's %B).")],
    path: Annotated[str, Argument(metavar="PATH", help="The file's path in the repository (git's %P), for messages.")] = "",
) -> None:
    """Merge one store TOML file key by key; git runs it (exit 0 clean, 1 conflict).

    Set up by `escg sync --setup` as: driver = escg merge-driver %O %A %B %P

    Example: escg merge-driver base.toml ours.toml theirs.toml meetings/2026/2026-12-03.toml
    """
    import subprocess

    from escg.core.errors import EscgError, InputError
    from escg.store.files import atomic_write
    from escg.workflows.merge import merge, read_side

    try:
        text, conflicts = merge(*(read_side(side, name) for side, name in (
            (base, "the common ancestor"), (ours, "ours"), (theirs, "theirs"))))
    except InputError as error:
        warn(f"{path or ours}: {error}; merging its lines instead")
        done = subprocess.run(["git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs",
                               str(ours), str(base), str(theirs)], capture_output=True, text=True)
        if done.returncode != 0:
            raise EscgError(f"{path or ours}: conflicting lines, marked in the file") from None
        return
    atomic_write(ours, text)
    if conflicts:
        raise EscgError(f"{path or ours}: {len(conflicts)} value{'s' if len(conflicts) != 1 else ''} changed on "
                        f"both sides ({', '.join(c.path for c in conflicts)}), marked in the file")
