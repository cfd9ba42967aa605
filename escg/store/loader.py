"""The one loader: every reader of a store file goes through ``load``.

``load(path, parse)`` reads the bytes (refusing a file over ``MAX_FILE``),
decodes UTF-8, parses TOML (``toml()``: as the standard ``tomllib`` reads it, by
faster parsers where installed), runs the model's
``parse(data, problems)`` and turns each problem into ``file:line: message``.
It raises the first problem as a ``StoreError`` (ordinary reads) or, with
``collect=True``, returns every problem found (``escg check``, the index).

The parsed TOML data can be kept in the index as JSON (``encode``/``decode``):
the index then re-runs the same model parse on it, so a read from the index
and a read of the file can never disagree.
"""

from __future__ import annotations

from escg.core.argv import utf8
from escg.core.patterns import Pattern

import errno
import functools
import json
import os
import re
import stat
from escg.core.records import field, record
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Callable

from escg.core import model
from escg.core.errors import StoreError

# No store file is anywhere near this; a bigger one is a mistake or an attack, not data.
MAX_FILE = 16 * 1024 * 1024
_TOML_POSITION = Pattern(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")

Parse = Callable[[dict, model.Problems], Any]


@record
class Problem:
    """One thing wrong with a file: where (display path, line or 0) and what."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@record
class Loaded:
    """What could be read of one file: its text, its TOML data, the model's value, the problems."""

    path: Path
    text: str | None = None
    data: dict | None = None
    value: Any = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_first(self) -> None:
        if self.problems:
            raise StoreError(str(self.problems[0]))


def display(path: Path, root: Path | None) -> str:
    """The path as a user should see it: relative to the store where possible, with the
    bytes of a name that is not UTF-8 shown as escapes (``\\xff``)."""
    if root is not None:
        try:
            return shown_name(str(path.relative_to(root)))
        except ValueError:
            pass
    return shown_name(str(path))


# Whether a file name is UTF-8 text: one that is not is no store file (reads leave it
# out, and `escg check` says to rename it).
utf8_name = utf8


def shown_name(name: str) -> str:
    """``name`` as text that can be printed and stored, its undecodable bytes as escapes."""
    return name if utf8_name(name) else os.fsencode(name).decode("utf-8", "backslashreplace")


def load(path: Path, parse: Parse | None = None, root: Path | None = None, *,
         collect: bool = False, data: dict | None = None, text: str | None = None) -> Loaded:
    """Read and check one store file (see the module's docstring).

    ``data`` (with ``text`` when known) skips reading and TOML parsing: the index
    passes the data it kept, the transaction the text it is about to write."""
    loaded = Loaded(path, text=text)

    def fail(line: int, message: str) -> Loaded:
        loaded.problems.append(Problem(display(path, root), line, message))
        if not collect:
            loaded.raise_first()
        return loaded

    if data is None:
        if text is None:
            text = _read_text(path, root, fail)
            if text is None:
                return loaded
            loaded.text = text
        parser = toml()  # only when a file is parsed: the index answers most reads
        try:
            data = parser.loads(text)
        except parser.TOMLDecodeError as error:
            line, reason = toml_position(text, error)
            return fail(line, f"invalid TOML: {reason}")
        except RecursionError:
            return fail(0, "invalid TOML: nested too deeply")
    loaded.data = data
    if parse is None:
        return loaded
    problems = model.Problems()
    try:
        loaded.value = parse(data, problems)
    except RecursionError:
        return fail(0, "nested too deeply")
    for key_path, message in problems.items:
        line = find_line(loaded.text, key_path) if key_path and loaded.text is not None else None
        loaded.problems.append(Problem(display(path, root), line or 0, message))
    if loaded.problems and not collect:
        loaded.raise_first()
    return loaded


def load_text(path: Path, root: Path | None = None, *, collect: bool = False) -> Loaded:
    """Read one file as UTF-8 text with the checks ``load`` makes (a regular file, not
    a link out of the store, at most MAX_FILE bytes), without parsing it: for the store's
    files that are not TOML (the action counter). ``collect`` as for ``load``."""
    loaded = Loaded(path)

    def fail(line: int, message: str) -> None:
        loaded.problems.append(Problem(display(path, root), line, message))
        if not collect:
            loaded.raise_first()

    loaded.text = _read_text(path, root, fail)
    return loaded


def _read_text(path: Path, root: Path | None, fail: Callable[[int, str], Any]) -> str | None:
    """The file's text; or None, once ``fail(line, message)`` has been told why."""
    try:
        # Opened without following a link and without waiting (a FIFO would hang the
        # read), then asked what it is: one open and one fstat, which a cold build
        # makes 100,000s of times.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            descriptor = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))
        except OSError as error:
            if error.errno != errno.ELOOP and not path.is_symlink():
                raise
            try:
                target = path.resolve()
            except RuntimeError:  # Python 3.11's word for a link that loops
                fail(0, "a symbolic link that loops; escg cannot read it")
                return None
            if root is not None and not target.is_relative_to(root.resolve()):
                fail(0, "a symbolic link out of the store; escg does not follow it")
                return None
            descriptor = os.open(target, flags)
        try:
            found = os.fstat(descriptor)
            if not stat.S_ISREG(found.st_mode):
                # A FIFO would hang every read, a device would be read for ever.
                fail(0, "not a regular file; escg ignores it")
                return None
            if found.st_size > MAX_FILE:
                fail(0, f"larger than {MAX_FILE // (1024 * 1024)} MB; not a store file")
                return None
            raw = _read_all(descriptor, found.st_size)
        finally:
            os.close(descriptor)
        if len(raw) > MAX_FILE:  # it grew since the fstat
            fail(0, f"larger than {MAX_FILE // (1024 * 1024)} MB; not a store file")
            return None
    except FileNotFoundError:
        fail(0, "file not found")
        return None
    except OSError as error:
        fail(0, f"cannot read: {error.strerror}")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        fail(raw[: error.start].count(b"\n") + 1, "not valid UTF-8 text")
        return None

def _read_all(descriptor: int, size: int) -> bytes:
    """The file's bytes, up to MAX_FILE + 1 (one more tells a file that grew too large).

    Asks for the size fstat gave, plus one byte to see the end: a buffered
    ``read(MAX_FILE + 1)`` allocates (and returns to the system) 16 MB a file, which
    cost 15 us of the 20 us a small file took to read, 100,000s of times in a cold build."""
    parts = []
    total = 0
    want = min(size, MAX_FILE) + 1
    while total <= MAX_FILE:
        chunk = os.read(descriptor, want)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        want = min(1 << 16, MAX_FILE + 1 - total)
    return parts[0] if len(parts) == 1 else b"".join(parts)


_PARSER: Any = None


def toml() -> Any:
    """The TOML parser: ``.loads(text)`` and ``.TOMLDecodeError``, read as tomllib reads.

    The standard ``tomllib`` is the reference; ``tomli`` is its code compiled with mypyc
    (1.8 to 2.7 times as fast, measured here) and decides, where installed; ``toml_rs``
    (Rust, asked for TOML 1.0, as tomllib reads: about 4 times as fast as tomli on a
    meeting file, twice rtoml 0.13, which escg used before) reads first where installed,
    since a cold index build and ``check --full`` are mostly parsing. See ``Parser`` for
    how the fast reader is kept to the reference's answers; tests/test_store.py holds all
    of them to the same values, refusals and messages."""
    global _PARSER
    if _PARSER is None:
        try:
            import toml_rs
        except ImportError:  # no wheel for this platform: the exact parser alone
            toml_rs = None
        fast = functools.partial(toml_rs.loads, toml_version="1.0.0") if toml_rs is not None else None
        _PARSER = Parser(_exact, fast)
    return _PARSER


def _exact() -> Any:
    """tomli, else tomllib: imported when first needed (their patterns, compiled as they
    are imported, cost about a millisecond, and toml_rs reads nearly every store file)."""
    try:
        import tomli as exact
    except ImportError:
        import tomllib as exact
    return exact


# Openings that bound the nesting depth: toml_rs crashes the process (a stack overflow) on
# arrays nested 100,000 deep, where tomllib raises RecursionError; below 400 openings,
# tomllib (a frame a level) reads them from any call escg makes.
_NESTING = 400
# Dots that bound the parts of a dotted key: rtoml followed them by recursion and crashed
# on a key of 20,000 parts; toml_rs reads that one, and the bound keeps its work small. A
# meeting file has about 50 dots.
_DOTS = 2000
# A dotted key of three parts or more (x.y.z = 1, x."y".z = 1): toml_rs 0.4.3 lets one
# extend the last table of an array of tables ([[m.x]], then [m] and x.y.z = 1), which
# tomllib refuses, so a text with both goes to the exact parser. Starting at a ".", the
# search costs about 10 us a meeting file, and finds none in escg's own files.
_DEEP_DOTTED = Pattern(r"""\.[ \t]*(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')[ \t]*\.[^\n]*=""")


class Parser:
    """Reads TOML as ``exact`` (tomli or tomllib, from the function given) does, asking
    ``fast`` first where it is sure to give the same value.

    Where toml_rs is known to differ, the text goes to the exact parser at once: a
    byte-order mark (which toml_rs skips and tomllib refuses), a DEL character (tomllib
    refuses it even in a comment), deep nesting or a long dotted key (the stack), and an
    array of tables with a dotted key of three parts (``_DEEP_DOTTED``).
    Whatever toml_rs refuses, or panics on, the exact parser reads again, so every
    refusal, and its message and line, is tomllib's. tests/test_store.py holds them to
    the same answers on the example store, on odd and malformed files (TOML 1.1's
    additions, dotted keys and tables redefined among them), and on thousands of
    mutants. No other difference is known: a review that compared toml_rs and tomllib on
    2.9 million generated documents and 11 million mutants of store files found only the
    dotted-key one (about 590 times), and never a different value."""

    def __init__(self, exact: Callable[[], Any], fast: Callable[[str], dict] | None) -> None:
        self._exact = exact  # a function giving the module: imported when first needed
        self.fast = fast

    @functools.cached_property
    def exact(self) -> Any:
        return self._exact()

    @property
    def TOMLDecodeError(self) -> type[Exception]:  # noqa: N802 - the module's name for it
        return self.exact.TOMLDecodeError

    def loads(self, text: str) -> dict:
        fast = self.fast
        if (fast is not None and "\x7f" not in text and "\ufeff" not in text
                and text.count("[") + text.count("{") < _NESTING and text.count(".") < _DOTS
                and not ("[[" in text and _DEEP_DOTTED.search(text))):
            try:
                return fast(text)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # noqa: BLE001 - refused, or a panic (pyo3's PanicException is
                pass  # a BaseException): the exact parser decides
        return self.exact.loads(text)


def read(path: Path, parse: Parse, root: Path | None = None) -> Any:
    """The model's value of ``path``; the first problem raises StoreError with file:line."""
    return load(path, parse, root).value


def toml_position(text: str, error: Exception) -> tuple[int, str]:
    """(line, reason) of a tomllib error."""
    message = str(error)
    match = _TOML_POSITION.search(message)
    reason = _TOML_POSITION.sub("", message).strip()
    line = int(match[1]) if match and match[1] else text.count("\n") + 1
    return line, reason


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


# --- TOML data as JSON, losslessly, for the index ---------------------------
# JSON has no dates: a date, time or datetime becomes a string starting with
# \x01 and a letter; a real string starting with \x01 gets one more \x01.

_TAG = "\x01"


def _encode(value: Any) -> Any:
    if isinstance(value, str):
        return _TAG + value if value.startswith(_TAG) else value
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, datetime):
        return f"{_TAG}D{value.isoformat()}"
    if isinstance(value, date):
        return f"{_TAG}d{value.isoformat()}"
    if isinstance(value, time):
        return f"{_TAG}t{value.isoformat()}"
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        if value.startswith(_TAG):
            kind, rest = value[1:2], value[2:]
            if kind == "d":
                return date.fromisoformat(rest)
            if kind == "t":
                return time.fromisoformat(rest)
            if kind == "D":
                return datetime.fromisoformat(rest)
            return value[1:]
        return value
    if isinstance(value, dict):
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def encode(data: dict) -> str:
    # The quick way: json's C encoder, asking _tag only for the dates. It is right unless a
    # string holds \x01 (it must gain a tag then): every \x01 in the text is escaped as
    # \u0001, and each date's tag makes exactly one, so one more means such a string.
    tagged = 0

    def tag(value: Any) -> str:
        nonlocal tagged
        tagged += 1
        return _encode(value) if isinstance(value, (date, time)) else _refuse(value)

    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=tag)
    if text.count("\\u0001") == tagged:
        return text
    return json.dumps(_encode(data), ensure_ascii=False, separators=(",", ":"))


def _refuse(value: Any) -> Any:
    raise TypeError(f"not TOML data: {type(value).__name__}")


def decode(text: str) -> dict:
    return _decode(json.loads(text))
