"""`escg check`: validate the whole store."""

from __future__ import annotations

from typing import Annotated

from escg.cli.params import Context, Option, echo

from escg.cli.common import say
from escg.core.formats import visible


def store_check(
    ctx: Context,
    fix: Annotated[bool, Option("--fix", help="Mend the safe mechanical problems (duplicate action ids, misplaced files, leftovers) and say what changed.")] = False,
    full: Annotated[bool, Option("--full", help="Read and check every file, and search the public forms, again, not only what changed since the last check.")] = False,
) -> None:
    """Check every file of the store; print each problem as FILE:LINE: MESSAGE (exit 0 only when clean).

    Example: escg check --full
    """
    from escg.core.errors import StoreError
    from escg.store import Store
    from escg.workflows.check import check, fix as apply_fixes

    root = ctx.find_root()
    state = root.obj if isinstance(root.obj, dict) else {}
    found_store = Store.discover(state.get("store_path"))  # not common.store(): a broken escg.toml is a finding here
    problems = check(found_store, full=full)
    if fix and any(p.fix for p in problems):
        from contextlib import closing

        with closing(apply_fixes(found_store, problems)) as fixes:
            for done, change in fixes:
                say(f"fixed: {change}" if done else f"not fixed: {change}")
        problems = check(found_store, full=full)
    notes = [p for p in problems if p.note]
    problems = [p for p in problems if not p.note]
    for note in notes:
        mend = "freezes them" if note.spec and note.spec[0] == "freeze" else "removes it"
        say(f"note: {note}; `escg check --fix` {mend}")
    for problem in problems:
        echo(visible(problem))
    if problems:
        fixable = sum(1 for p in problems if p.fix)
        files = len({p.file for p in problems})
        hint = f"; {fixable} can be mended with `escg check --fix`" if fixable and not fix else ""
        raise StoreError(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {files} file{'s' if files != 1 else ''}{hint}")
    say("the store is clean")
