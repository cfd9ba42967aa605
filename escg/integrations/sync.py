"""git as the store's distributed engine: `escg sync`, the merge driver's set-up, history.

``sync`` commits the store's pending changes, merges the upstream's (``git pull
--no-rebase``, with escg's merge driver when it is set up), makes escg's own
repairs (``escg.workflows.check.fix``: an action id both clones gave out is renumbered),
commits them, checks the store and pushes. It never resets, never forces: a
conflict it cannot resolve stops it with the files named, and nothing is lost.
Git runs as a subprocess with the user's own identity and configuration.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from escg.core.errors import ConflictError, GitError, StoreError
from escg.store import CONFIG, Store

# Local to each clone, never committed (the store's .gitignore says so too).
LOCAL = (".escg.lock", ".escg-index*", ".escg-last-action", ".escg-journal/")
MARKERS = ("<<<<<<< ", "=======", ">>>>>>> ")
KINDS = [("meetings/", "meetings"), ("actions/", "actions"), ("people.toml", "people"),
         ("escg.toml", "settings"), ("forward-plan.toml", "forward plan")]


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    if shutil.which("git") is None:
        raise GitError("git is not installed or not on PATH; `escg sync` needs it")
    env = {**os.environ, "GIT_MERGE_AUTOEDIT": "no", "GIT_TERMINAL_PROMPT": "0"}
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=env)
    if check and done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(done.returncode)}")
    return done


def require_work_tree(root: Path) -> None:
    done = git(root, "rev-parse", "--is-inside-work-tree", check=False)
    if done.returncode != 0 or done.stdout.strip() != "true":
        raise StoreError(f"the store {root} is not in a git work tree; make it one with `git init` "
                         "(or `git clone` a shared one), then `escg sync --setup`")


# --- the merge driver's set-up -----------------------------------------------------


def executable() -> str:
    """The absolute path of the escg command git should run."""
    found = shutil.which("escg")
    if found:
        return str(Path(found).absolute())
    return f"{Path(sys.executable).absolute()} -m escg"  # not resolved: a venv's python is a link


def setup(store: Store) -> list[str]:
    """Install the merge driver in this clone and mark the store's TOML files for it (idempotent)."""
    root = store.root
    require_work_tree(root)
    done = []
    driver = f"{executable()} merge-driver %O %A %B %P"
    if git(root, "config", "--get", "merge.escg.driver", check=False).stdout.strip() != driver:
        git(root, "config", "merge.escg.name", "escg: merge store TOML files key by key")
        git(root, "config", "merge.escg.driver", driver)
        done.append(f"set merge.escg.driver to {driver!r} in this clone's git config")
    if (root / ".gitattributes").is_symlink():
        done.append("warning: .gitattributes is a symbolic link, which git does not read: make it a regular "
                    "file with the line '*.toml merge=escg', or git merges store files line by line")
    elif _add_lines(root, ".gitattributes", ["*.toml merge=escg"]):
        done.append("added '*.toml merge=escg' to .gitattributes")
    applied = git(root, "check-attr", "merge", "--", CONFIG, check=False).stdout.strip()
    if not applied.endswith(": merge: escg") and not (root / ".gitattributes").is_symlink():
        done.append(f"warning: git does not apply the merge driver to {CONFIG} here ({applied or 'no answer'}): "
                    "a later line of a .gitattributes, or .git/info/attributes, overrides '*.toml merge=escg'")
    return done


def _lines_of(root: Path, name: str) -> bytes:
    """The bytes of the store's ``name`` (.gitignore, .gitattributes), b"" if it has none.

    Kept as bytes: git reads these files as bytes, and a pattern may name a file in
    another encoding, which is no reason to refuse a sync."""
    path = root / name
    if not path.exists() and not path.is_symlink():
        return b""
    if not path.is_file():
        raise StoreError(f"{name}: not a regular file; make it one, or remove it, and run `escg sync` again")
    try:
        return path.read_bytes()
    except OSError as error:
        raise StoreError(f"cannot read {name}: {error.strerror}") from None


def _add_lines(root: Path, name: str, lines: list[str]) -> list[str]:
    """Append to the store's ``name`` the ``lines`` it does not have yet (atomically, the
    rest of it byte for byte as it was); the lines added."""
    from escg.store.files import atomic_write

    data = _lines_of(root, name)
    present = {line.rstrip(b"\r") for line in data.splitlines()}
    missing = [line for line in lines if line.encode() not in present]
    if missing:
        path = root / name
        target = path.resolve() if path.is_symlink() else path  # write through a link, not over it
        if not target.is_relative_to(root.resolve()):
            raise StoreError(f"{name} is a link out of the store; escg does not write through it: add "
                             f"{', '.join(missing)} to it yourself")
        added = "".join(f"{line}\n" for line in missing).encode()
        atomic_write(target, data + (b"" if not data or data.endswith(b"\n") else b"\n") + added, root)
    return missing


def driver_ready(root: Path) -> bool:
    return bool(git(root, "config", "--get", "merge.escg.driver", check=False).stdout.strip())


def ensure_ignored(root: Path) -> list[str]:
    """The local files in the store's .gitignore, so that a `git add -A` by hand does not
    take them (sync's own commits leave them out whatever .gitignore says: commit)."""
    if (root / ".gitignore").is_symlink():
        return ["note: .gitignore is a symbolic link, which git does not read: escg's own commits leave its "
                "local files out, but a `git add -A` by hand would take them; make .gitignore a regular file"]
    missing = _add_lines(root, ".gitignore", list(LOCAL))
    return [f"added {', '.join(missing)} to .gitignore"] if missing else []


# --- sync ------------------------------------------------------------------------


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)


def describe(changes: list[tuple[str, str]]) -> str:
    """A commit message: a summary line by kind, then one line a file."""
    words = {"A": "added", "M": "modified", "D": "removed", "R": "renamed"}
    counts: dict[tuple[str, str], int] = {}
    for status, path in changes:
        kind = next((name for prefix, name in KINDS if path.startswith(prefix)), "other files")
        key = (kind, words.get(status[0], "changed"))
        counts[key] = counts.get(key, 0) + 1
    summary = "; ".join(f"{kind}: {n} {verb}" for (kind, verb), n in sorted(counts.items()))
    body = "\n".join(f"{words.get(status[0], 'changed')} {path}" for status, path in changes)
    return f"escg sync: {summary}\n\n{body}\n"


def _staged(root: Path) -> list[tuple[str, str]]:
    out = git(root, "diff", "--cached", "--name-status", "--no-renames", "--relative", "--", ".").stdout
    return [(line.split("\t")[0], line.split("\t")[-1]) for line in out.splitlines() if line.strip()]


def _merging(root: Path) -> bool:
    return git(root, "rev-parse", "-q", "--verify", "MERGE_HEAD", check=False).returncode == 0


def _unmerged(root: Path) -> list[str]:
    """The store's files git left in conflict, but for the local ones (LOCAL), which commit
    takes out of the repository whatever their state."""
    from fnmatch import fnmatchcase

    out = git(root, "diff", "--name-only", "--diff-filter=U", "--relative", "--", ".", check=False).stdout
    return [line for line in out.splitlines() if line.strip() and not _local(line, fnmatchcase)]


def _local(path: str, match) -> bool:
    return any(path.startswith(pattern) if pattern.endswith("/") else match(path, pattern) for pattern in LOCAL)


def _marked(root: Path, paths: list[str]) -> list[str]:
    marked = []
    for relative in paths:
        try:
            lines = (root / relative).read_text(errors="replace").splitlines()
        except OSError:
            continue
        if any(line.startswith(MARKERS) or line == "=======" for line in lines):
            marked.append(relative)
    return marked


def _stop(files: list[str]) -> ConflictError:
    return ConflictError(
        f"merge conflict in {', '.join(files)}: both sides changed the same value. Nothing is lost: "
        "see `git status`, edit each file to keep the right value (remove the <<<<<<< ======= >>>>>>> "
        "lines), then run `escg sync` again")


def commit(root: Path, message_for=describe) -> list[tuple[str, str]]:
    """Stage the store's own files and commit them (also concluding a merge); the changes.

    The local files (LOCAL) are taken out of what is staged whatever .gitignore says (a
    negated pattern, a link git does not read, a hand edit can undo it): one added here
    is not committed, and one tracked already stops being."""
    git(root, "add", "-A", "--", ".")
    local = [pattern + "**" if pattern.endswith("/") else pattern for pattern in LOCAL]  # relative to the store
    tracked = git(root, "ls-files", "-z", "--", *(f":(glob){pattern}" for pattern in local)).stdout.split("\0")
    if any(tracked):
        git(root, "rm", "--cached", "-q", "-r", "--", *[path for path in tracked if path])
    changes = _staged(root)
    if changes or _merging(root):
        git(root, "commit", "-q", "--no-verify", "-m", message_for(changes) if changes else "escg sync: merge")
    return changes


def upstream(root: Path) -> str | None:
    done = git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", check=False)
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def repair(store: Store) -> list[str]:
    """escg's own repairs after a merge: renumbered duplicate action ids, the counter."""
    from escg.workflows.check import check, fix

    fresh = Store(store.root)
    problems = check(fresh, full=True)
    if not any(p.fix for p in problems):
        return []
    from contextlib import closing

    done = []
    with closing(fix(fresh, [p for p in problems if p.fix])) as fixes:
        for mended, said in fixes:
            if not mended:
                raise said  # as before: a repair that cannot be made stops the sync with its error
            done.append(said)
    return done


def sync(store: Store, *, push: bool = True, install: bool = False, attempts: int = 3) -> Report:
    """Commit, pull (merge), repair, check, push. Raises ConflictError (exit 5) on a conflict."""
    from escg.workflows.check import check

    root = store.root
    report = Report()
    require_work_tree(root)
    if install:
        for line in setup(store):
            report.say(line)
    elif b"merge=escg" in _lines_of(root, ".gitattributes") and not driver_ready(root):
        report.say("note: this clone has no escg merge driver yet; `escg sync --setup` installs it")
    for line in ensure_ignored(root):
        report.say(line)
    unresolved = _marked(root, _unmerged(root))
    if unresolved:
        raise _stop(unresolved)
    with store.lock:
        changes = commit(root)
    if changes:
        report.say(f"committed {len(changes)} change{'s' if len(changes) != 1 else ''}: {describe(changes).splitlines()[0].removeprefix('escg sync: ')}")
    branch = upstream(root)
    if branch is None:
        report.say("no upstream branch: committed here only (set one with `git push -u origin HEAD`)")
    for attempt in range(attempts):
        if branch is not None:
            with store.lock:
                pulled = git(root, "pull", "-q", "--no-rebase", "--ff", "--no-edit", check=False)
            if pulled.returncode != 0:
                conflicted = _unmerged(root)
                if conflicted:
                    raise _stop(conflicted)
                message = (pulled.stderr or pulled.stdout).strip().splitlines()
                raise GitError(f"git pull failed: {message[-1] if message else pulled.returncode}")
            report.say(f"merged {branch}")
        fixed = repair(store)
        for line in fixed:
            report.say(f"repaired: {line}")
        if fixed:
            with store.lock:
                commit(root, lambda changes: "escg sync: repairs after merge\n\n" + "\n".join(fixed) + "\n")
        if branch is None or not push:
            break
        pushed = git(root, "push", "-q", check=False)
        if pushed.returncode == 0:
            report.say(f"pushed to {branch}")
            break
        if attempt == attempts - 1:
            message = (pushed.stderr or pushed.stdout).strip().splitlines()
            raise GitError(f"git push failed: {message[-1] if message else pushed.returncode}")
        # Somebody pushed in between: merge theirs too, then push again.
    report.problems = [str(p) for p in check(Store(root), full=True) if not p.note]
    return report


# --- history -------------------------------------------------------------------------


HISTORY_JSON_KEYS = ["commit", "date", "author", "subject"]  # a row of history() (docs/json.md)


def history(root: Path, path: Path) -> list[dict[str, str]]:
    """The commits that changed one file (following renames), newest first: a row each,
    with HISTORY_JSON_KEYS."""
    require_work_tree(root)
    out = git(root, "log", "--follow", "--date=short", "--format=%H%x1f%ad%x1f%an%x1f%s", "--",
              str(path.relative_to(root))).stdout
    rows = []
    for line in out.splitlines():
        commit_id, day, author, subject = (line.split("\x1f") + ["", "", "", ""])[:4]
        rows.append({"commit": commit_id, "date": day, "author": author, "subject": subject})
    return rows
