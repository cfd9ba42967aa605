"""The review without Typer: `escg [--store DIR] actions [filters] --format json|csv`.

Importing Typer costs about 55 ms here, more than the rest of this command at
1,000 actions; cron jobs and scripts call it often. For exactly this form of
the command (the filters of `escg actions`, JSON or CSV output) the arguments
are read here and the same library functions and formatters run. Anything
else, including any mistake, returns None and the Typer app handles it, with
its help and its messages. tests/test_fast.py checks that both give the same
bytes. (It lives outside escg.cli, whose package imports Typer.)
"""

from __future__ import annotations

import sys

VALUED = {"--due-within", "--owner", "--org", "--meeting", "-m", "--theme", "--format", "-f"}
FLAGS = {"--open", "--closed", "--all", "--overdue", "--json"}


def parse(argv: list[str]) -> tuple[str | None, dict[str, str], set[str]] | None:
    """(store path, options with values, flags) for a command this module serves, else None."""
    store = None
    index = 0
    while index < len(argv) and argv[index] in ("--store", "-S"):
        if index + 1 >= len(argv):
            return None
        store = argv[index + 1]
        index += 2
    if index >= len(argv) or argv[index] != "actions":
        return None
    options: dict[str, str] = {}
    flags: set[str] = set()
    rest = argv[index + 1:]
    position = 0
    while position < len(rest):
        arg = rest[position]
        if arg in FLAGS and arg not in flags:
            flags.add(arg)
            position += 1
        elif arg in VALUED and position + 1 < len(rest):
            key = {"-m": "--meeting", "-f": "--format"}.get(arg, arg)
            if key in options or rest[position + 1].startswith("-"):
                return None
            options[key] = rest[position + 1]
            position += 2
        else:
            return None  # anything unusual: Typer answers
    fmt = "json" if "--json" in flags else options.get("--format", "table")
    if fmt not in ("json", "csv") or sum(f in flags for f in ("--open", "--closed", "--all")) > 1:
        return None
    options["--format"] = fmt
    return store, options, flags


def run(argv: list[str]) -> int | None:
    """Serve the command if it is one this module knows; the exit code, or None to fall back."""
    parsed = parse(argv)
    if parsed is None:
        return None
    store_path, options, flags = parsed
    from escg import dates
    from escg.actions import JSON_KEYS, Selection, review, review_json
    from escg.formats import json_rows, to_csv
    from escg.errors import EscgError
    from escg.store import Store

    try:
        store = Store.open(store_path)
        status = "closed" if "--closed" in flags else "all" if "--all" in flags else "open"
        within = options.get("--due-within")
        selection = Selection(status=status, overdue="--overdue" in flags,
                              due_within=dates.parse_period(within) if within else None,
                              owner=options.get("--owner"), org=options.get("--org"),
                              meeting=options.get("--meeting"), theme=options.get("--theme"))
        if options["--format"] == "json":
            text = json_rows(review_json(store, selection, dates.today()))
        else:
            text = to_csv(review(store, selection, dates.today()), JSON_KEYS)
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            return 141
    except EscgError as error:
        sys.stderr.write(f"error: {error}\n")
        return error.exit_code
    return 0
