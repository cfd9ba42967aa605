"""`escg minutes edit` and `minutes import`: the minutes as one document, in the user's editor.

Nothing typed is lost: the document being edited lives in a draft file (in the
user's cache folder, never in the store, mode 0600) from before the editor opens
until the minutes are written, or the user cancels by saving an empty file. A
document with problems reopens with each problem in a comment above its line.
An edit broken off (the editor killed, a problem left unfixed) is resumed by the
next `minutes edit` of that meeting.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from escg.cli.common import say
from escg.core.digests import sha256
from escg.core.errors import ConflictError, EscgError, InputError, WriteError
from escg.store import Store


def problem(message: str) -> None:
    """One problem of a document, on stderr as `escg check` prints one: FILE:LINE: message."""
    from escg.cli.params import echo
    from escg.core.formats import visible

    echo(visible(message), err=True)


def drafts_dir() -> Path:
    from escg.services.render import cache_dir

    return cache_dir().parent / "drafts"


def draft_path(store: Store, meeting_id: str) -> Path:
    root = sha256(str(Path(store.root).resolve()).encode()).hexdigest()[:12]
    return drafts_dir() / f"{root}-minutes-{meeting_id}.md"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _forget(path: Path) -> None:
    for name in (path, path.with_name(path.name + ".base")):
        try:
            name.unlink()
        except FileNotFoundError:
            pass


def editor_command() -> list[str]:
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if value:
            try:
                return shlex.split(value)
            except ValueError:
                raise InputError(f"${variable} is not a command line: {value[:60]!r}") from None
    if not sys.stdin.isatty():
        raise InputError("set $VISUAL or $EDITOR to the editor to use (for example: export EDITOR=nano)")
    return ["vi"]


def run_editor(path: Path) -> None:
    command = editor_command()
    try:
        finished = subprocess.run([*command, str(path)])
    except FileNotFoundError:
        raise InputError(f"the editor {command[0]!r} was not found; set $VISUAL or $EDITOR") from None
    if finished.returncode != 0:
        raise InputError(f"the editor exited with status {finished.returncode}; your text is kept in {path}: "
                         "run the same command again to go on")


def _read_draft(path: Path, meeting_id: str) -> str:
    """A kept draft's text, read as the loader reads a store file (a regular file, UTF-8;
    a byte-order mark some editors add is dropped). One that cannot be read refuses,
    naming the file and what to do: read as it was, every later edit would resume it and
    fail again (an editor that saved Latin-1, or left a FIFO or a folder there)."""
    from escg.store.loader import load_text

    loaded = load_text(path, None, collect=True)
    if loaded.text is not None:
        return loaded.text.removeprefix("\ufeff")
    reason = loaded.problems[0].message.split(";")[0]
    draft = path.with_name(path.name.removesuffix(".base"))
    if reason == "file not found":
        raise InputError(f"the draft {path} is gone (did the editor move it?): nothing was written; run "
                         f"`escg minutes edit {meeting_id}` to start again") from None
    if reason == "not valid UTF-8 text":
        reason = "not UTF-8 text (was it saved in another encoding?)"
    said = reason if reason.startswith(("cannot", "larger", "a symbolic")) else f"is {reason}"
    raise InputError(f"{path} {said}: nothing was written; "
                     f"{'save it as UTF-8 and ' if 'UTF-8' in reason else 'fix it and '}run `escg minutes edit "
                     f"{meeting_id}` to go on, or delete {draft} and {draft}.base to start again from the minutes "
                     f"as they are") from None


def edit_minutes(store: Store, meeting_text: str | None) -> None:
    from escg.domain.minutes import open_for_minutes
    from escg.workflows.minutes_doc import (DocumentError, apply, changes, check_actions, mark_errors,
                                            parse_document, render_document, state_of, strip_markers)

    meeting = open_for_minutes(store, meeting_text)
    current = render_document(store, meeting)
    draft = draft_path(store, meeting.id)
    base = draft.with_name(draft.name + ".base")
    if draft.exists() and base.exists():
        text, original = _read_draft(draft, meeting.id), _read_draft(base, meeting.id)
        say(f"resuming your unsaved edit of the minutes of {meeting.id} (kept in {draft})")
    else:
        text = original = current
        try:
            _write_private(base, original)
        except OSError as error:
            raise WriteError(f"cannot keep a draft in {draft.parent}: {error.strerror}") from None
    while True:
        try:
            _write_private(draft, text)
        except OSError as error:
            raise WriteError(f"cannot keep a draft in {draft.parent}: {error.strerror}") from None
        run_editor(draft)
        edited = _read_draft(draft, meeting.id)
        if not edited.strip():
            _forget(draft)
            say("cancelled (the document was saved empty); nothing was written")
            return
        if strip_markers(edited) == original and original == current:
            _forget(draft)
            say(f"no change to the minutes of {meeting.id}; nothing was written")
            return
        try:
            after = parse_document(store, meeting, strip_markers(edited))
            before = state_of(store, meeting)
            problems = check_actions(before, after, partial=False)
            if problems:
                raise DocumentError(problems)
        except DocumentError as error:
            marked = mark_errors(edited, error.problems)
            for line, message in error.problems:
                problem(f"line {line}: {message}")
            if edited == text:  # saved as it was shown: the problems are not being fixed
                _write_private(draft, marked)
                raise InputError(f"the minutes document still has {len(error.problems)} problem"
                                 f"{'s' if len(error.problems) != 1 else ''}; nothing was written, and your text "
                                 f"is kept in {draft}: run `escg minutes edit {meeting.id}` to go on") from None
            text = marked
            continue
        if after == before:  # a resumed text that says what the minutes say now: nothing to write
            _forget(draft)
            say(f"no change to the minutes of {meeting.id}; nothing was written")
            return
        said = changes(store, meeting, before, after)
        try:
            _, created = apply(store, meeting.id, original, after)
        except ConflictError as error:
            # Set the text aside, so the next edit starts from the minutes as they are now.
            import time

            aside = draft.with_name(f"{draft.stem}-{time.strftime('%Y%m%d-%H%M%S')}.md")
            os.replace(draft, aside)
            _forget(draft)
            raise ConflictError(f"{error}; nothing was written, and your text is kept in {aside}: run "
                                f"`escg minutes edit {meeting.id}` again and carry your changes over") from None
        except EscgError as error:
            error.message = f"{error}; nothing was written, and your text is kept in {draft}"
            raise error from None
        _forget(draft)
        for line in said:
            say(line)
        for action in created:
            say(f"raised {action.id}")
        say(f"wrote the minutes of {meeting.id}")
        return


def import_minutes(store: Store, meeting_text: str | None, path: Path, *, dry_run: bool) -> None:
    from escg.domain.minutes import open_for_minutes
    from escg.workflows.minutes_doc import (DocumentError, apply, changes, check_actions, merge, parse_document,
                                            render_document, state_of)

    meeting = open_for_minutes(store, meeting_text)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        from escg.core.errors import NotFoundError

        raise NotFoundError(f"no file {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path} as UTF-8 text: {error}") from None
    original = render_document(store, meeting)
    before = state_of(store, meeting)
    try:
        after = parse_document(store, meeting, text, partial=True)
        problems = check_actions(before, after, partial=True)
        if problems:
            raise DocumentError(problems)
    except DocumentError as error:
        for line, message in error.problems:
            problem(f"{path.name}:{line}: {message}")
        raise InputError(f"{len(error.problems)} problem{'s' if len(error.problems) != 1 else ''} in {path.name}; "
                         "nothing was written") from None
    merged = merge(before, after)
    said = changes(store, meeting, before, merged)
    if not said:
        say(f"{path.name} says nothing the minutes of {meeting.id} do not; nothing was written")
        return
    for line in said:
        say(line)
    if dry_run:
        say("dry run: nothing was written")
        return
    _, created = apply(store, meeting.id, original, merged)
    for action in created:
        say(f"raised {action.id}")
    say(f"wrote the minutes of {meeting.id}")
