"""A change that spans files is one transaction: all of it lands, or none of it.

Each file is already replaced atomically (escg.store.files.atomic_write); a
command that changes several (deferring an item to another meeting, moving a
meeting and everything that names it) also needs the set to be atomic. It
works as a database's rollback journal does, in <store>/.escg-journal/:

1. stage: each new text is written to a temporary file beside its target, fsynced;
2. back up: each target that exists is hard-linked (or copied) into the journal;
3. intent: ``intent.json`` lists every target, its staged file and its backup,
   written atomically; from here on the change can always be undone;
4. apply: each staged file is renamed over its target (or the target removed);
5. done: the journal is removed.

A failure while applying undoes the renames already made, from the backups,
and reports that nothing was changed. A process killed between 3 and 5 leaves
the intent behind; the next command to take the store lock (every write, and
any read that finds the intent) undoes the change the same way before it does
anything else. A process killed before 3 leaves only temporary files, which
`escg check --fix` removes.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Callable

from escg.core.errors import WriteError
from escg.store.files import display, fsync_dir

JOURNAL = ".escg-journal"
INTENT = "intent.json"

# Called with the name of each step before it runs ("stage", "backup", "intent",
# "apply", "done"): the fault tests raise from it to stop a commit at every step.
step: Callable[[str], None] = lambda name: None  # noqa: E731


def _reason(error: OSError) -> str:
    return "no space left on the device" if error.errno == errno.ENOSPC else (error.strerror or str(error))


def _mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def commit(root: Path, writes: dict[Path, str | None]) -> None:
    """Write every text (None: remove the file) as one change, or change nothing."""
    import shutil  # here, not at the top: every read imports this module, few commit through it
    import tempfile

    folder = root / JOURNAL
    staged: list[tuple[Path, Path | None, Path | None]] = []  # (target, staged file, backup)
    temporary: list[Path] = []
    intent_written = False
    current = root
    try:
        folder.mkdir(exist_ok=True)
        for number, (target, text) in enumerate(writes.items()):
            current = target
            new = None
            if text is not None:
                step("stage")
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                new = Path(name)
                temporary.append(new)
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(new, _mode(target))
            backup = None
            if target.exists():
                step("backup")
                backup = folder / f"{number}.old"
                try:
                    os.link(target, backup)
                except OSError:
                    shutil.copy2(target, backup)
            staged.append((target, new, backup))
        step("intent")
        entries = [{"target": str(t.relative_to(root)), "new": n.name if n else None,
                    "backup": b.name if b else None} for t, n, b in staged]
        _write_intent(folder, entries)
        intent_written = True
        for target, new, _ in staged:
            current = target
            step("apply")
            if new is not None:
                os.replace(new, target)
            else:
                target.unlink(missing_ok=True)
        for parent in {target.parent for target, _, _ in staged}:
            fsync_dir(parent)
        step("done")
        _remove(folder)
    except Exception as error:
        if intent_written:
            try:
                undo(root)
            except OSError:
                raise WriteError("could not complete or undo a change; the next escg command will undo it") from None
        else:
            for new in temporary:
                new.unlink(missing_ok=True)
            _remove(folder)
        if isinstance(error, OSError):
            raise WriteError(f"could not write {display(current, root)}: {_reason(error)}; nothing was changed") from None
        raise


def _write_intent(folder: Path, entries: list[dict]) -> None:
    import tempfile

    fd, name = tempfile.mkstemp(prefix=".intent.", suffix=".tmp", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(entries, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(name, folder / INTENT)
    fsync_dir(folder)


def pending(root: Path) -> bool:
    """Whether a change was left half made (an intent is in the journal)."""
    return (root / JOURNAL / INTENT).exists()


def undo(root: Path) -> bool:
    """Undo the change an intent records, if any (the caller holds the store lock)."""
    folder = root / JOURNAL
    intent = folder / INTENT
    try:
        entries = json.loads(intent.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if folder.is_dir():
            _remove(folder)  # staged but never begun: nothing to undo
        return False
    except (OSError, ValueError):
        raise WriteError(f"{JOURNAL}/{INTENT} is unreadable; restore the files it names by hand") from None
    for entry in entries:
        target = root / entry["target"]
        backup = folder / entry["backup"] if entry["backup"] else None
        if backup is not None and backup.exists():
            os.replace(backup, target)
        elif backup is None:
            target.unlink(missing_ok=True)  # it did not exist before the change
        if entry["new"]:
            (target.parent / entry["new"]).unlink(missing_ok=True)
        fsync_dir(target.parent)
    _remove(folder)
    return True


def _remove(folder: Path) -> None:
    """Remove the journal: the intent first, so a crash midway leaves nothing to undo."""
    (folder / INTENT).unlink(missing_ok=True)
    if folder.is_dir():
        for leftover in folder.iterdir():
            leftover.unlink(missing_ok=True)
        folder.rmdir()
        fsync_dir(folder.parent)
