"""Checking ids that come from the command line before they name anything.

An id is used to build file paths (meetings/2026/2026-12-03.toml) and TOML
keys, so it is checked against a strict pattern first: no '/', no '..', no
control characters, no absurd lengths. Nothing from the command line reaches
the file system any other way.
"""

from __future__ import annotations

from collections.abc import Iterable

from escg.core.errors import InputError, NotFoundError
from escg.core.model import MEETING_ID, SLUG


def _shown(value: str) -> str:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return repr(shown)


def slug(kind: str, value: str) -> str:
    """Return ``value`` if it is a valid slug id, else raise InputError."""
    if not SLUG.fullmatch(value):
        hint = "-".join("".join(c if c.isalnum() else " " for c in value.lower()).split())[:64]
        example = f", such as {hint!r}" if hint and SLUG.fullmatch(hint) and hint != value else ""
        raise InputError(
            f"{kind} id {_shown(value)} is not valid: use lower-case letters, digits and "
            f"hyphens, at most 64 characters{example}"
        )
    return value


def meeting_id(value: str) -> str:
    if not MEETING_ID.fullmatch(value):
        raise InputError(f"meeting id {_shown(value)} is not valid: meeting ids are dates such as 2026-12-03")
    return value


def theme(themes: dict[str, str], value: str | None) -> str | None:
    """``value`` if it is one of the group's themes (or None), else NotFoundError."""
    if value is None:
        return None
    if value not in themes:
        raise unknown("theme", value, themes, f"themes are: {', '.join(themes) or 'none set in escg.toml'}")
    return value


def unknown(kind: str, value: str, known: Iterable[str], hint: str = "") -> NotFoundError:
    """A NotFoundError for ``value``, suggesting the nearest known ids."""
    import difflib

    close = difflib.get_close_matches(value, list(known), n=3, cutoff=0.6)
    message = f"unknown {kind} {_shown(value)}"
    if close:
        message += f"; did you mean {' or '.join(repr(c) for c in close)}?"
    elif hint:
        message += f"; {hint}"
    return NotFoundError(message)
