"""Reading and writing single store files safely.

Reads use the standard library's ``tomllib`` (fast); writes re-open the one file
being changed with ``tomlkit`` so comments, blank lines and key order survive,
and land atomically: a temporary file in the same folder, flushed and fsynced,
then ``os.replace``. All writes happen under the store lock (``StoreLock``).
"""

from __future__ import annotations

import errno
import os
import re
import time
import tomllib
from pathlib import Path
from typing import Any

from escg.errors import StoreError, WriteError

LOCK_NAME = ".escg.lock"
# No store file is anywhere near this; a bigger one is a mistake or an attack, not data.
MAX_FILE = 16 * 1024 * 1024
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")


def read_toml(path: Path, root: Path | None = None) -> tuple[dict[str, Any], str]:
    """Parse ``path`` with tomllib; a syntax error becomes ``StoreError`` with file:line."""
    try:
        if path.stat().st_size > MAX_FILE:
            raise StoreError(f"{display(path, root)}: larger than {MAX_FILE // (1024 * 1024)} MB; not a store file")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StoreError(f"{display(path, root)}: file not found") from None
    except OSError as error:
        raise StoreError(f"{display(path, root)}: cannot read: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise StoreError(f"{display(path, root)}:{line}: not valid UTF-8 text") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        raise StoreError(toml_error(path, text, error, root)) from None


def toml_error(path: Path, text: str, error: Exception, root: Path | None = None) -> str:
    """One line naming the file, the line and what is wrong with the TOML."""
    message = str(error)
    match = _TOML_POSITION.search(message)
    reason = _TOML_POSITION.sub("", message).strip()
    if match and match[1]:
        line = match[1]
    else:
        line = str(text.count("\n") + 1)
    return f"{display(path, root)}:{line}: invalid TOML: {reason}"


def display(path: Path, root: Path | None) -> str:
    """The path as a user should see it: relative to the store where possible."""
    if root is not None:
        try:
            return str(path.relative_to(root))
        except ValueError:
            pass
    return str(path)


def find_line(text: str, key_path: tuple) -> int | None:
    """Best-effort line number of a key path such as ('people', 'jo', 'email')
    or ('items', 2, 'minutes') in TOML ``text``; None when it cannot be found."""
    header: tuple = ()
    counters: dict[tuple, int] = {}
    best: int | None = None
    best_length = -1
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("[[") and "]]" in line:
            name = tuple(_split_key(line[2 : line.index("]]")]))
            counters[name] = counters.get(name, -1) + 1
            header = name + (counters[name],)
            current = header
        elif line.startswith("[") and "]" in line:
            header = tuple(_split_key(line[1 : line.index("]")]))
            current = header
        elif "=" in line and not line.startswith("#"):
            current = header + tuple(_split_key(line.split("=", 1)[0]))
        else:
            continue
        length = _common_prefix(current, key_path)
        if length > best_length and length == len(current):
            best, best_length = number, length
            if length == len(key_path):
                return number
    return best


def _split_key(key: str) -> list[str]:
    parts = []
    for part in re.findall(r'"[^"]*"|\'[^\']*\'|[^.\s]+', key):
        parts.append(part[1:-1] if part[:1] in "\"'" else part)
    return parts


def _common_prefix(a: tuple, b: tuple) -> int:
    length = 0
    for left, right in zip(a, b):
        if left != right:
            break
        length += 1
    return length


def atomic_write(path: Path, text: str, root: Path | None = None, *, durable: bool = True) -> None:
    """Replace ``path`` with ``text`` atomically; on failure the old file is intact.

    ``durable=False`` skips the fsyncs: only for bulk writes that can be redone
    (the benchmark generator), never for a user's store."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        tmp = None
        if durable:
            fsync_dir(path.parent)
    except OSError as error:
        reason = error.strerror or str(error)
        if error.errno == errno.ENOSPC:
            reason = "no space left on the device"
        raise WriteError(
            f"could not write {display(path, root)}: {reason}; the previous file is intact"
        ) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def atomic_delete(path: Path, root: Path | None = None) -> None:
    try:
        path.unlink()
        fsync_dir(path.parent)
    except FileNotFoundError:
        pass
    except OSError as error:
        raise WriteError(f"could not remove {display(path, root)}: {error.strerror}") from None


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class StoreLock:
    """An exclusive advisory lock on ``<store>/.escg.lock`` (flock), so a cron job
    and a person never interleave their read-modify-write cycles."""

    def __init__(self, root: Path, timeout: float | None = None) -> None:
        self.path = root / LOCK_NAME
        self._timeout = timeout
        self.fd: int | None = None
        self.depth = 0

    @property
    def timeout(self) -> float:
        if self._timeout is not None:
            return self._timeout
        text = os.environ.get("ESCG_LOCK_TIMEOUT", "30")
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not 0 <= value <= 86400:
            from escg.errors import InputError

            raise InputError(f"ESCG_LOCK_TIMEOUT must be a number of seconds, not {text!r}")
        return value

    def __enter__(self) -> StoreLock:
        import fcntl

        timeout = self.timeout
        self.depth += 1
        if self.fd is not None:
            return self
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            self.depth -= 1
            raise WriteError(f"cannot lock the store ({self.path}): {error.strerror}") from None
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    self.depth -= 1
                    raise WriteError(
                        f"the store is busy: another escg has held {LOCK_NAME} for over "
                        f"{timeout:g}s; nothing was written"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        import fcntl

        self.depth -= 1
        if self.depth == 0 and self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
