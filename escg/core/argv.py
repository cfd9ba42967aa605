"""The root's options in a command line, read before anything else is imported.

escg.console (whether to answer --version at once) and escg.cli.typer_app (whether
to build the whole app, or only one command's) both need them; this module imports
nothing, so the quickest answer stays quick.
"""

from __future__ import annotations


def without_store(argv: list[str]) -> tuple[list[str], bool]:
    """The arguments other than the root's ``--store``/``-S`` options (and their values),
    and whether the last of those options has its value."""
    rest: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--store", "-S"):
            skip = True
        elif not arg.startswith("--store="):
            rest.append(arg)
    return rest, not skip


def utf8(text: str) -> bool:
    """Whether a text the system handed Python (an argument, a file name) is UTF-8: the
    bytes of one that is not arrive as surrogates, which no file, index, message or JSON
    can hold (escg.cli refuses such an argument; escg.store.loader leaves out such a file)."""
    return text.isascii() or not any("\udc80" <= char <= "\udcff" for char in text)
