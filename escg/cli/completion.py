"""Shell completion: `escg completion bash|zsh|fish`, and the ids a parameter completes.

Completion runs through the Typer app (escg.cli.typer_app) and click's protocol:
the shell calls ``escg`` with ``_ESCG_COMPLETE=complete_bash`` (or ``_zsh``,
``_fish``; click's own order, ``bash_complete``, is taken too) and the words
typed so far; the app answers one candidate a line. The fast path steps aside
whenever ``_ESCG_COMPLETE`` is set.

Which parameters complete which ids is decided here, from the definitions
(an option's name, an argument's metavar and its command), so the command
modules declare nothing for it. The ids are read cheaply: people, organisations
and themes from people.toml and escg.toml alone (the index is not refreshed:
that would stat every file of the store), meeting ids from the names of the
meeting files, action ids from the names of the action files; nothing is
parsed beyond those two small files. A completer never raises and never prints:
no store, or a broken one, completes nothing.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Callable

from escg.cli.params import Argument, echo

PROG = "escg"
COMPLETE_VAR = "_ESCG_COMPLETE"
SHELLS = ("bash", "zsh", "fish")

# Options that take an id, by name: the kind of id.
OPTION_KINDS = {
    "--owner": "person", "--presenter": "person", "--submitted-by": "person", "--deputy-for": "person",
    "--chair": "person", "--person": "person",
    # Comma-separated lists of people (and MEMBER=SUBSTITUTE pairs): the last piece completes.
    "--present": "person", "--apologies": "person", "--absent": "person", "--remove": "person", "--sub": "person",
    "--meeting": "meeting", "--at": "meeting",
    "--org": "org",
    "--theme": "theme",
}
# Options whose meaning depends on the command: (function name, option) -> kind.
COMMAND_OPTION_KINDS = {("agenda_defer", "--to"): "meeting"}
# Arguments, by metavar; "ID" by the module that declares the command.
ARGUMENT_KINDS = {"MEETING": "meeting", "[MEETING]": "meeting", "PERSON": "person"}
ID_KINDS = {"escg.cli.person": "person", "escg.cli.org": "org", "escg.cli.actions": "action"}


def kind_of(function: Callable[..., Any], spec: Any) -> str | None:
    """The kind of id (person, org, meeting, action, theme) a parameter takes, or None."""
    decls = [d for d in getattr(spec, "decls", ()) if d.startswith("--")]
    if isinstance(spec, Argument):
        metavar = spec.settings.get("metavar")
        if metavar == "ID":
            # `person add ID` and `org add ID` name a new one: nothing to complete.
            return None if function.__name__.endswith("_add") else ID_KINDS.get(function.__module__)
        return ARGUMENT_KINDS.get(metavar)
    for decl in decls:
        kind = COMMAND_OPTION_KINDS.get((function.__name__, decl)) or OPTION_KINDS.get(decl)
        if kind:
            return kind
    return None


def _store(ctx: Any):
    """The store a completion is for: --store as typed, else $ESCG_STORE or upwards from here."""
    from escg.store import Store

    explicit = None
    root = ctx.find_root() if ctx is not None else None
    if root is not None:
        explicit = (root.params or {}).get("store")
    return Store.discover(explicit)


def _people(s) -> list[tuple[str, str]]:
    return [(p.id, p.name) for p in sorted(s.people.values(), key=lambda p: p.id)]


def _orgs(s) -> list[tuple[str, str]]:
    return [(o.id, o.name) for o in sorted(s.orgs.values(), key=lambda o: o.id)]


def _themes(s) -> list[tuple[str, str]]:
    return sorted(s.group.themes.items())


def _meetings(s) -> list[tuple[str, str]]:
    found = [("next", "the next meeting"), ("last", "the latest held, today included")]
    return found + [(ident, "") for ident in sorted({ident for ident, _ in s.meeting_files()}, reverse=True)]


def _actions(s) -> list[tuple[str, str]]:
    from escg.core.model import action_id_in

    # A-042-1f3a.toml -> A-042 (two files after a merge of clashing clones: one id).
    ids = {action_id_in(path.stem) for path in s.action_files()}
    return [(ident, "") for ident in sorted(ids, key=lambda i: (len(i), i))]


READERS: dict[str, Callable[[Any], list[tuple[str, str]]]] = {
    "person": _people, "org": _orgs, "theme": _themes, "meeting": _meetings, "action": _actions,
}


def candidates(kind: str, ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """(value, help) of the ids of ``kind`` that complete ``incomplete``; [] on any trouble."""
    import os
    import warnings

    # In a list (--present a,b) or a pair (--sub a=b) the last piece is the one typed.
    cut = max(incomplete.rfind(","), incomplete.rfind("=")) + 1 if kind == "person" else 0
    prefix, typed = incomplete[:cut], incomplete[cut:]
    saved = os.environ.get("ESCG_NO_INDEX")
    os.environ["ESCG_NO_INDEX"] = "1"  # two small files, not a refresh of the whole index
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = READERS[kind](_store(ctx))
    except Exception:  # noqa: BLE001 - a completion must never fail or print
        return []
    finally:
        if saved is None:
            os.environ.pop("ESCG_NO_INDEX", None)
        else:
            os.environ["ESCG_NO_INDEX"] = saved
    lowered = typed.lower()
    return [(prefix + value, text) for value, text in found if value.lower().startswith(lowered)
            and (prefix + value).startswith(incomplete)]


def completer(kind: str) -> Callable[..., list[Any]]:
    """A Typer ``autocompletion`` callback for ids of ``kind``."""

    def complete(ctx, incomplete):  # noqa: ANN001 - Typer passes these by name
        return [(value, text) if text else value for value, text in candidates(kind, ctx, incomplete or "")]

    complete.__name__ = f"complete_{kind}"
    return complete


def normalise_instruction(value: str) -> str:
    """click writes ``bash_complete``, Typer ``complete_bash``: take both, as Typer's."""
    first, _, second = value.partition("_")
    if first in SHELLS or first in ("powershell", "pwsh"):
        return f"{second}_{first}"
    return value


def script(shell: str) -> str:
    """The completion script for ``shell``, as Typer writes it for ``escg``."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell)


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion_script(
    shell: Annotated[Shell, Argument(metavar="SHELL", help="bash, zsh or fish.")],
) -> None:
    """Print the shell completion script for bash, zsh or fish, to source or install.

    Completes commands, options, and the ids of the store: people, organisations,
    meetings (and next, last), actions and themes. Install it once:
    bash: escg completion bash > ~/.local/share/bash-completion/completions/escg;
    zsh: escg completion zsh > "${fpath[1]}/_escg";
    fish: escg completion fish > ~/.config/fish/completions/escg.fish.

    Example: escg completion bash > ~/.local/share/bash-completion/completions/escg
    """
    echo(script(shell.value))
