"""Writing single store files safely (reading is escg.store.loader).

A file lands atomically: a temporary file in the same folder, flushed and fsynced,
then ``os.replace``; all writes happen under the store lock (``StoreLock``). The
text written comes from a transaction (escg.store.Transaction.edit re-opens the one
file being changed with ``tomlkit``, so comments, blank lines and key order survive).
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

from escg.core.errors import WriteError
# Reading lives in escg.store.loader (the one loader); writers name paths as it does.
from escg.store.loader import display

LOCK_NAME = ".escg.lock"


def atomic_write(path: Path, text: str | bytes, root: Path | None = None, *, durable: bool = True) -> None:
    """Replace ``path`` with ``text`` (UTF-8, or bytes as they are) atomically; on failure
    the old file is intact.

    ``durable=False`` skips the fsyncs: only for bulk writes that can be redone
    (the benchmark generator), never for a user's store."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteError(f"could not create the folder {display(path.parent, root)}: "
                         f"{error.strerror or error}; nothing was written") from None
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with (os.fdopen(fd, "wb") if isinstance(text, bytes)
              else os.fdopen(fd, "w", encoding="utf-8", newline="")) as handle:
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

    def __init__(self, root: Path, timeout: float | None = None, on_acquire=None) -> None:
        self.path = root / LOCK_NAME
        self._timeout = timeout
        self.on_acquire = on_acquire  # run once the lock is taken (the journal's recovery)
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
            from escg.core.errors import InputError

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
        if self.on_acquire is not None:
            try:
                self.on_acquire()
            except BaseException:
                self.__exit__()
                raise
        return self

    def __exit__(self, *exc: object) -> None:
        import fcntl

        self.depth -= 1
        if self.depth == 0 and self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
