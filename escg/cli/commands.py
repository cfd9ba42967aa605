"""The command table and the one error handler every entry point shares."""

from __future__ import annotations

from typing import Any, Callable

# Each top-level name -> (module in escg.cli, attribute, whether it is a Group of commands).
COMMANDS: dict[str, tuple[str, str, bool]] = {
    "init": ("init", "store_init", False),
    "org": ("org", "app", True),
    "person": ("person", "app", True),
    "meeting": ("meeting", "app", True),
    "agenda": ("agenda", "app", True),
    "actions": ("actions", "actions_list", False),
    "action": ("actions", "app", True),
    "attend": ("attend", "meeting_attend", False),
    "attendance": ("attendance", "attendance_report", False),
    "interest": ("interest", "app", True),
    "minutes": ("minutes", "app", True),
    "decisions": ("decisions", "decisions_list", False),
    "remind": ("mail", "mail_remind", False),
    "mail": ("mail", "mail_send", False),
    "ics": ("ics", "calendar_export", False),
    "publish": ("publish", "site_publish", False),
    "check": ("check", "store_check", False),
    "sync": ("sync", "store_sync", False),
    "merge-driver": ("sync", "merge_driver", False),
    "import": ("importer", "app", True),
    "completion": ("completion", "completion_script", False),
    "man": ("manpage", "man_page", False),
}

ROOT_HELP = """Agendas, minutes and action logs for a strategic coordination group.

Exit codes: 0 ok, 1 other error, 2 bad usage, 3 bad input, 4 not found,
5 conflict, 6 store missing or malformed, 7 write failed or store busy,
8 mail not delivered, 9 mail partly delivered.
"""


def definition(name: str) -> Any:
    """The Group or command function that top-level ``name`` names."""
    import importlib

    module_name, attribute, _ = COMMANDS[name]
    return getattr(importlib.import_module(f"escg.cli.{module_name}"), attribute)


def guarded(call: Callable[[], Any]) -> int:
    """Run ``call``; a user's error becomes one line on stderr and its exit code."""
    from escg.cli.params import echo
    from escg.core.errors import EscgError

    try:
        call()
    except EscgError as error:
        from escg.core.formats import visible

        echo(f"error: {visible(error)}", err=True)
        return error.exit_code
    except KeyboardInterrupt:
        echo("interrupted; nothing half-written was kept", err=True)
        return 130
    except BrokenPipeError:
        import os
        import sys

        # The reader went away: say nothing more, and keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return 0
