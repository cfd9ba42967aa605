"""The one family of errors escg raises for anything a user can get wrong, all here.

Each class carries the exit code the command line ends with; the codes are a
documented contract (docs/exit-codes.md). The CLI has a single handler that
prints ``error: <message>`` on stderr and exits with ``exit_code``.
"""

from __future__ import annotations


class EscgError(Exception):
    """Base of every error meant for the user rather than a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(EscgError):
    """A value given on the command line is malformed: a date, an e-mail, an id."""

    exit_code = 3


class NotFoundError(EscgError):
    """A meeting, person, organisation, item or action that does not exist."""

    exit_code = 4


class ConflictError(EscgError):
    """The request clashes with the store: a duplicate id, a reference still in use,
    a state change that does not apply (closing a closed action)."""

    exit_code = 5


class StoreError(EscgError):
    """The store is missing, or one of its files is malformed (file:line given)."""

    exit_code = 6


class WriteError(EscgError):
    """The store could not be written (busy lock, disk full, permission denied);
    the previous files are intact."""

    exit_code = 7


class MailError(EscgError):
    """Nothing could be delivered: the server is unreachable, refused us, or rejected the login."""

    exit_code = 8


class PartialDelivery(EscgError):
    """Some messages went and some did not; each failure was reported."""

    exit_code = 9


class DocumentError(EscgError):
    """Problems with a minutes document, each at its line (1-based)."""

    exit_code = 3

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"line {first[0]}: {first[1]}{more}")


class GitError(EscgError):
    """git is missing, or a git command failed for a reason that is not a conflict."""

    exit_code = 1
