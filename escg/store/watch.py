"""Exact freshness without a stat per file: one watcher process per large store.

Without it, every read stats every store file (escg.store.index), which is exact
but costs about 3 µs a file: a third of a second at 100,000 actions. With it,
a read asks the watcher which files changed since its last read, and stats
only those. The watcher is the technique of watchman and git's fsmonitor:

* It is started by the first read of a store of at least 1,000 indexed files
  (``escg.store.index.WATCH_FROM``), as ``python -m escg.store.watch STORE``,
  detached, its output to /dev/null. It stops by itself after
  ``ESCG_WATCH_IDLE`` seconds without a question (default 3600), or when the
  store folder goes. ``ESCG_NO_WATCH=1`` turns it off; then every read stats
  every file, as before.
* It watches the store folder, ``meetings/``, ``actions/`` and each year folder
  with Linux inotify, and numbers every change it sees.
* A read sends its token (the watcher's lifetime id and the last change number
  it saw). Before answering, the watcher creates a cookie file in the store
  and waits until inotify reports it: the kernel queues events in order, so
  every change made before the question was asked has been seen. It answers
  with the files changed since the token, or ``FULL`` when it cannot know:
  another watcher's token, a lost event (inotify's queue overflowed), or a
  folder created, removed or renamed. Then the read stats every file, as
  without a watcher, and keeps the new token.
* It talks over an abstract Unix socket named from the store's device and
  inode, and each side checks the other's user id (SO_PEERCRED): another user
  can neither ask nor answer.
* It is not used where inotify does not see every change: off Linux, and on
  network and FUSE file systems (NFS, SMB, sshfs, 9p, Ceph), where another
  machine's edits raise no event here.

* inotify reports an edit to the folder of the name it was made through: a store
  file with a hard link outside the store, edited through that name, raises no
  event here. The index notes such files whenever it stats every file and stats
  them on every read (``StoreIndex._linked``); making a link raises no event in the
  store's folders either, so one made while the watcher runs is noted at the next read
  that stats every file (docs/reliability.md: set ESCG_NO_WATCH=1 to be certain). ``meetings/`` or ``actions/`` as a
  link to a folder raises a link's event, not a folder's, when pointed
  elsewhere: the watcher starts again on what it names.

Anything unexpected (no answer within a second, a malformed reply, a watcher
that died) makes the read fall back to statting every file: the watcher can
make a read faster, never wrong.
"""

from __future__ import annotations

import _socket
import os
import struct
import sys
from pathlib import Path

# Imported only by reads of a store of WATCH_FROM files or more (escg.store.index). A read
# asks through _socket, the C module: socket.py builds its enums as it is imported (about
# 2 ms, a tenth of the open-action listing at 20,000 actions); the watcher uses socket.

IDLE = 3600  # seconds without a question after which the watcher stops
COOKIE = ".escg-watch-cookie-"
TIMEOUT = 1.0  # seconds a read waits for an answer before statting every file

# Linux inotify (linux/inotify.h)
IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF = 0x400, 0x800
IN_Q_OVERFLOW, IN_IGNORED, IN_ONLYDIR, IN_ISDIR = 0x4000, 0x8000, 0x1000000, 0x40000000
MASK = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
EVENT = struct.Struct("iIII")

# statfs f_type of file systems where inotify misses other machines' changes
REMOTE = {0x6969: "NFS", 0x517B: "SMB", 0xFF534D42: "CIFS", 0xFE534D42: "SMB2", 0x65735546: "FUSE",
          0x01021997: "9p", 0x00C36400: "Ceph", 0x5346414F: "AFS", 0x47504653: "GPFS", 0x0BD00BD0: "Lustre"}
FOLDERS = ("meetings", "actions")


def address(root: Path) -> bytes:
    """The watcher's abstract socket name: one per store folder (device and inode)."""
    info = os.stat(root)
    return f"\0escg-watch-{os.getuid()}-{info.st_dev}-{info.st_ino}".encode()


def wanted() -> bool:
    """Whether watchers are used at all here (Linux, and not ESCG_NO_WATCH)."""
    return sys.platform.startswith("linux") and not os.environ.get("ESCG_NO_WATCH")


def usable(root: Path) -> bool:
    """Whether a watcher can see every change to this store (its file system is local).

    Asked before a watcher is started, and by the watcher itself, so a watcher that
    answers is one that can: a read asks it first and never pays for this (ctypes)."""
    return wanted() and _fs_type(root) not in REMOTE


def _fs_type(root: Path) -> int | None:
    import ctypes

    buffer = ctypes.create_string_buffer(256)  # struct statfs; f_type (a long) comes first
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.statfs(os.fsencode(root), buffer) != 0:
        return None
    return struct.unpack_from("l", buffer)[0] & 0xFFFFFFFF


def _peer_uid(connection: _socket.socket) -> int:
    pid, uid, gid = struct.unpack("3i", connection.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED,
                                                              struct.calcsize("3i")))
    return uid


# --- a read asking --------------------------------------------------------------


def ask(root: Path, token: str | None) -> tuple[str, list[str] | None] | None:
    """(new token, the files changed since ``token``, or None for all of them), or None
    when no watcher answers (then start one with ``start``)."""
    try:
        connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM | _socket.SOCK_CLOEXEC)
    except OSError:
        return None
    try:
        connection.settimeout(TIMEOUT)
        connection.connect(address(root))
        if _peer_uid(connection) != os.getuid():
            return None
        connection.sendall(f"SYNC {token or '-'}\n".encode())
        chunks = []
        while True:
            chunk = connection.recv(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        connection.close()
    lines = b"".join(chunks).decode("utf-8", "surrogateescape").split("\n")
    if len(lines) < 2 or lines[-1] != "" or lines[-2] != ".":
        return None  # cut short: trust nothing
    head = lines[0].split(" ")
    if len(head) != 2 or head[0] not in ("FULL", "CHANGES"):
        return None
    return head[1], (None if head[0] == "FULL" else lines[1:-2])


def start(root: Path) -> None:
    """Start the store's watcher, detached; it exits at once if one is running."""
    import subprocess

    try:
        subprocess.Popen([sys.executable, "-m", "escg.store.watch", str(root)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                         close_fds=True, cwd="/")
    except OSError:
        pass


# --- the watcher ------------------------------------------------------------------


class Watcher:
    def __init__(self, root: Path) -> None:
        import ctypes

        self.root = root
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.lifetime = os.urandom(8).hex()
        self.number = 0  # the number of the latest change
        self.full_from = 0  # a token older than this gets FULL
        self.changed: dict[str, int] = {}  # relative path -> number of its latest change
        self.folders: dict[int, str] = {}  # watch descriptor -> folder relative to the store ("" for it)
        self.cookies = 0
        self.waiting: dict[str, list[tuple[_socket.socket, str]]] = {}  # cookie -> questions waiting for it
        self.gone = False
        self.unsure = True
        self.starved = False  # the last try to watch every folder failed
        self.identity = _identity(root)
        self._try_watch_all()

    def _add(self, relative: str) -> None:
        """Watch one folder; OSError if it cannot be (it went, or the user's watches or
        memory ran out), so that _watch_all stops short and every answer stays FULL: a
        folder left unwatched would have its changes answered as none."""
        import ctypes

        path = os.fsencode(self.root / relative) if relative else os.fsencode(self.root)
        wd = self.libc.inotify_add_watch(self.fd, path, MASK)
        if wd < 0:
            number = ctypes.get_errno()
            raise OSError(number, f"inotify_add_watch {relative or '.'}: {os.strerror(number)}")
        self.folders[wd] = relative

    def _watch_all(self) -> None:
        """Watch every store folder afresh. Until this has succeeded, every answer is FULL."""
        self.number += 1
        self.full_from = self.number
        self.unsure = True
        for wd in list(self.folders):
            self.libc.inotify_rm_watch(self.fd, wd)
        self.folders.clear()
        self._add("")
        for folder in FOLDERS:
            if not (self.root / folder).is_dir():
                continue
            self._add(folder)
            for entry in os.scandir(self.root / folder):
                if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                    self._add(f"{folder}/{entry.name}")
        # What happened before now is unknown to a token from before now.
        self.number += 1
        self.full_from = self.number
        self.unsure = False

    def events(self) -> None:
        """Read every queued inotify event. When some were lost (the queue overflowed), a
        question's cookie may have been among them: every question waiting is answered
        FULL then, rather than never (its cookie file left in the store, and the watcher
        kept from stopping when idle)."""
        overflowed = False
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            offset = 0
            while offset < len(data):
                wd, mask, _, size = EVENT.unpack_from(data, offset)
                name = data[offset + EVENT.size:offset + EVENT.size + size].rstrip(b"\0").decode("utf-8", "surrogateescape")
                offset += EVENT.size + size
                if mask & IN_Q_OVERFLOW:
                    self.unsure = overflowed = True  # events were lost: nobody can be told what changed
                    continue
                folder = self.folders.get(wd)
                if folder is None:
                    continue
                if mask & IN_IGNORED:
                    self.folders.pop(wd, None)
                    self.unsure = True
                    continue
                if mask & (IN_DELETE_SELF | IN_MOVE_SELF):
                    if folder == "":
                        self.gone = True
                    self.unsure = True
                    continue
                if folder == "" and name.startswith(COOKIE):
                    if mask & IN_CREATE:
                        self._answer(name)
                    continue
                if mask & IN_ISDIR or (folder == "" and name in FOLDERS):
                    # A folder came, went or moved, or meetings/ or actions/ as a link to one
                    # (no IN_ISDIR for a link) changed: start again, watching what it names now.
                    self.unsure = True
                    continue
                if name.startswith("."):
                    continue  # the index, the lock, temporary files: not store files
                self.number += 1
                self.changed[f"{folder}/{name}" if folder else name] = self.number
        if overflowed:
            for cookie in list(self.waiting):
                self._answer(cookie, full=True)
        if _identity(self.root) != self.identity:
            self.gone = True  # removed, or replaced by another folder of the same name
        elif self.unsure and not self.starved:
            # After a watch that failed (no watches left), the next question tries again:
            # trying here would remove the watches, whose IN_IGNORED events wake this again.
            self._try_watch_all()

    def _try_watch_all(self) -> None:
        try:
            self._watch_all()
            self.starved = False
        except OSError:  # a folder went, or no more watches: FULL answers until it succeeds
            self.starved = True
            self.gone = _identity(self.root) != self.identity

    def ask(self, connection: _socket.socket, token: str) -> None:
        """Answer once every change made before now has been read: after our cookie."""
        if self.unsure:
            self._try_watch_all()
        if self.unsure:  # not every folder is watched: the answer is FULL, so no cookie to wait for
            _reply(connection, [f"FULL {self.lifetime}:{self.number}"])
            return
        self.cookies += 1
        cookie = f"{COOKIE}{os.getpid()}-{self.cookies}"
        self.waiting.setdefault(cookie, []).append((connection, token))
        try:
            with open(self.root / cookie, "x"):
                pass
        except OSError:
            self._answer(cookie, full=True)

    def _answer(self, cookie: str, full: bool = False) -> None:
        if self.unsure:
            self._try_watch_all()
        for connection, token in self.waiting.pop(cookie, []):
            lifetime, _, seen = token.partition(":")
            reply = [f"FULL {self.lifetime}:{self.number}"]
            if not full and not self.unsure and lifetime == self.lifetime and seen.isdigit() and int(seen) >= self.full_from:
                since = int(seen)
                reply = [f"CHANGES {self.lifetime}:{self.number}"]
                reply += [path for path, number in self.changed.items() if number > since]
            _reply(connection, reply)
        try:
            os.unlink(self.root / cookie)
        except OSError:
            pass


def _reply(connection: _socket.socket, lines: list[str]) -> None:
    """Send an answer (its lines, then "."), and hang up."""
    try:
        connection.sendall(("\n".join(lines) + "\n.\n").encode("utf-8", "surrogateescape"))
    except OSError:
        pass
    connection.close()


def _identity(root: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(root)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def serve(root: Path) -> None:
    """Run the watcher of ``root`` until it has been idle too long or the store goes."""
    import selectors
    import socket
    import time

    if not usable(root):
        return  # started by hand on a network or FUSE file system: it could not see every change
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    try:
        listener.bind(address(root))
    except OSError:
        return  # a watcher is running already
    listener.listen(64)
    watcher = Watcher(root)
    idle = float(os.environ.get("ESCG_WATCH_IDLE") or IDLE)
    selector = selectors.DefaultSelector()
    selector.register(watcher.fd, selectors.EVENT_READ, "events")
    selector.register(listener, selectors.EVENT_READ, "listener")
    pending: dict[socket.socket, bytes] = {}
    last = time.monotonic()
    while not watcher.gone and _identity(root) == watcher.identity:
        for key, _ in selector.select(timeout=max(0.1, min(1.0, idle))):
            if key.data == "events":
                watcher.events()
            elif key.data == "listener":
                connection, _ = listener.accept()
                if _peer_uid(connection) != os.getuid():
                    connection.close()
                    continue
                connection.setblocking(False)
                pending[connection] = b""
                selector.register(connection, selectors.EVENT_READ, "question")
            else:
                connection = key.fileobj
                try:
                    chunk = connection.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                text = pending[connection] + chunk
                if chunk and b"\n" not in text and len(text) < 4096:
                    pending[connection] = text
                    continue
                selector.unregister(connection)
                del pending[connection]
                line = text.split(b"\n", 1)[0].decode("ascii", "replace").split(" ")
                if not chunk and b"\n" not in text or len(line) != 2 or line[0] != "SYNC":
                    connection.close()
                    continue
                connection.setblocking(True)
                connection.settimeout(TIMEOUT)
                last = time.monotonic()
                watcher.ask(connection, line[1])
        if time.monotonic() - last > idle and not watcher.waiting:
            break
    listener.close()


if __name__ == "__main__":  # python -m escg.store.watch STORE
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        print("usage: python -m escg.store.watch STORE  (escg starts it itself; see docs/reliability.md)",
              file=sys.stderr)
        sys.exit(2)
    serve(Path(sys.argv[1]).resolve())
