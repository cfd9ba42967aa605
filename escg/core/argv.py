"""The root's options in a command line, read before anything else is imported.

escg.console (whether to answer --version at once) and escg.cli.typer_app (whether
to build the whole app, or only one command's) both need them; this module imports
nothing, so the quickest answer stays quick.
"""

from __future__ import annotations


def root_options(argv: list[str], flags: tuple[str, ...] = ()) -> tuple[str | None, list[str], list[str], bool]:
    """The root's options at the start of a command line, read in the one way every front
    end reads them: (the last ``--store``/``-S`` value, the ``flags`` met among them, the
    arguments from the first other one on, whether the last --store has its value)."""
    store: str | None = None
    seen: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg in ("--store", "-S"):
            if index + 1 >= len(argv):
                return store, seen, [], False
            store = argv[index + 1]
            index += 2
        elif arg.startswith("--store="):
            store = arg.split("=", 1)[1]
            index += 1
        elif arg in flags:
            seen.append(arg)
            index += 1
        else:
            break
    return store, seen, argv[index:], True


def utf8(text: str) -> bool:
    """Whether a text the system handed Python (an argument, a file name) is UTF-8: the
    bytes of one that is not arrive as surrogates, which no file, index, message or JSON
    can hold (escg.cli refuses such an argument; escg.store.loader leaves out such a file)."""
    return text.isascii() or not any("\udc80" <= char <= "\udcff" for char in text)
