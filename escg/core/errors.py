"""The one family of errors escg raises for anything a user can get wrong.

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
