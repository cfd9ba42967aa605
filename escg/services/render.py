"""The one Jinja environment that renders every document.

Templates are looked up in ``<store>/templates/`` first, then in the bundled
ones. The environment is a sandbox (a store's templates are data, not code),
undefined names fail loudly, and ``.html`` templates are autoescaped.
Markdown templates escape store text with the ``md`` and ``cell`` filters.

There is one environment per store per process, and compiled templates are kept
on disk in the user's cache folder (``cache_dir()``), so a template is compiled
once, not on every call nor on every run. Deleting that folder loses nothing.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import time
import weakref
from pathlib import Path
from typing import Any

from escg.core import dates
from escg.core.digests import sha1, sha256
from escg.core.errors import InputError, NotFoundError
from escg.store import Store


def bundled_templates() -> Path:
    """The templates shipped in the wheel, or the repo's templates/ in a checkout."""
    package = Path(__file__).resolve().parent.parent  # escg/, where the wheel puts templates/
    inside = package / "templates"
    if inside.is_dir():
        return inside
    return package.parent / "templates"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# "&" only begins an entity reference as &amp; or &#38;, and "<" a tag, comment or autolink
# only before a letter, "/", "!" or "?": elsewhere both are plain text, and left as they are.
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MD_TAG = re.compile(r"<(?=[A-Za-z/!?])")
# A web address in store text is left as it is typed (winter_plan, not winter\_plan), so it
# works in every renderer and in the plain text of a mail; only what would end it or a table
# cell is percent-encoded, which every browser reads back as the same address.
_MD_URL = re.compile(r"(?:https?|mailto):[^\s<>]+", re.IGNORECASE)
_MD_URL_SPECIAL = re.compile(r"[|`\\*\[\]]")


def _md_words(value: str) -> str:
    value = _MD_SPECIAL.sub(lambda m: "\\" + m[1], value)
    value = _MD_ENTITY.sub(r"\\&", value)
    return _MD_TAG.sub(r"\\<", value)


def md(text: Any, lines: bool = True) -> str:
    """Escape text for inline Markdown: no emphasis, links, HTML or headings from store text,
    with as few marks as will do (a & b, 3 < 4 and web addresses stay as typed)."""
    if text is None:
        return ""
    value = str(text)
    parts, last = [], 0
    for match in _MD_URL.finditer(value):
        parts.append(_md_words(value[last:match.start()]))
        parts.append(_MD_URL_SPECIAL.sub(lambda m: f"%{ord(m[0]):02X}", match[0]))
        last = match.end()
    parts.append(_md_words(value[last:]))
    value = "".join(parts)
    if not lines:
        return value
    # Only at the start of a line do these begin a heading, list or quote.
    value = re.sub(r"^(\s*)(\d+)([.)])", r"\1\2\\\3", value, flags=re.MULTILINE)
    value = re.sub(r"^(\s*)([-+#=>])", r"\1\\\2", value, flags=re.MULTILINE)
    return value


def cell(text: Any) -> str:
    """Escape text for a Markdown table cell: as ``md``, and on one line. A cell holds no
    blocks, so "66.7%" or "- none" at its start is text, and needs no mark."""
    return " ".join(md(text, lines=False).split())


_HREF_SPECIAL = re.compile(r"[|<>\\\s\x00-\x1f\x7f]")


def md_href(href: Any) -> str:
    """A link's destination for ``[name](<href>)``, safe in a table cell too: a ``|`` would end
    the cell and ``<``, ``>``, ``\\`` or a line break the destination, so each is percent-encoded,
    which every renderer and browser reads back as the same address."""
    if href is None:
        return ""
    return _HREF_SPECIAL.sub(lambda m: "".join(f"%{byte:02X}" for byte in m[0].encode("utf-8")), str(href))


# The environment's settings: what the templates are compiled with, so also part of
# the key of every compiled template on disk (a change to any of them compiles afresh).
_OPTIONS = {
    "keep_trailing_newline": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
}
_AUTOESCAPE = ("html", "htm")


def cache_dir() -> Path:
    """Where compiled templates are kept: ``$ESCG_CACHE_DIR/jinja``, else ``$XDG_CACHE_HOME/escg/jinja``,
    else ``~/.cache/escg/jinja``. Never in the store: read-only commands do not write there."""
    explicit = os.environ.get("ESCG_CACHE_DIR")
    if explicit:
        return Path(os.path.abspath(os.path.expanduser(explicit))) / "jinja"
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec: a relative value is to be ignored
        return Path(xdg) / "escg" / "jinja"
    return Path.home() / ".cache" / "escg" / "jinja"


def _usable_cache_dir(path: Path) -> str | None:
    """``path`` created if need be (each new folder 0700), or None if it cannot be, or is not
    the user's own: compiled templates are loaded as code, so nobody else may write there."""
    try:
        missing = []
        folder = path
        while not folder.exists():
            missing.append(folder)
            if folder.parent == folder:
                break
            folder = folder.parent
        for folder in reversed(missing):
            try:
                folder.mkdir(mode=0o700)
            except FileExistsError:
                pass
        info = path.stat()
        if not stat.S_ISDIR(info.st_mode) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return None
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        if not os.access(path, os.W_OK | os.X_OK):
            return None
    except (OSError, RuntimeError):  # read-only home, no home at all (Path.home raises RuntimeError)
        return None
    return str(path)


def _inside(path: str, boundary: str) -> None:
    """Refuse a template that is (or is reached through) a symbolic link out of ``boundary``:
    a store's templates/agenda.md -> /proc/self/environ put the SMTP password in a mailed body."""
    real, root = os.path.realpath(path), os.path.realpath(boundary)
    if os.path.commonpath([real, root]) != root:
        shown = os.path.relpath(path, boundary)
        raise InputError(f"template {shown} is a link to {real}, outside the store; refusing to read it")


def _loader_class():
    from jinja2 import BaseLoader, TemplateNotFound
    from jinja2.loaders import split_template_path

    class Folders(BaseLoader):
        """Templates from the first folder that has them: the store's, then the bundled ones.

        A template is up to date only while the same file is still the first found and its
        bytes are unchanged, so an override added, removed or edited in the same process
        (within the same clock tick too) is never served stale.
        """

        def __init__(self, folders: list[tuple[str, str]]) -> None:
            self.folders = folders  # (folder, the folder its templates must resolve inside)

        def _find(self, template: str) -> str:
            pieces = split_template_path(template)  # refuses "..": no reading outside the folders
            for folder, boundary in self.folders:
                path = os.path.normpath(os.path.join(folder, *pieces))
                if os.path.isfile(path):
                    _inside(path, boundary)
                    return path
            raise TemplateNotFound(template)

        def get_source(self, environment, template):
            path = self._find(template)
            with open(path, "rb") as handle:
                data = handle.read()

            def uptodate() -> bool:
                try:
                    if self._find(template) != path:
                        return False
                    with open(path, "rb") as handle:
                        return handle.read() == data
                except (OSError, TemplateNotFound):
                    return False

            return data.decode("utf-8"), path, uptodate

    return Folders


def _bytecode_cache(directory: str, fingerprint: str):
    from jinja2 import FileSystemBytecodeCache

    class DiskCache(FileSystemBytecodeCache):
        """Jinja's cache on disk, keyed also by escg's and Jinja's versions and the settings.

        Jinja checks each entry against the checksum of the template's source, so an edited
        template is compiled afresh. A cache that cannot be read or written is no cache: the
        template is compiled as if there were none.
        """

        def get_cache_key(self, name: str, filename: str | None = None) -> str:
            return sha1(f"{fingerprint}|{name}|{filename}".encode()).hexdigest()

        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # a truncated or foreign file: compile afresh, and overwrite it
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return DiskCache(directory)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")


def plain(text: Any) -> str:
    """Store text for a plain-text part: as typed, but no control character (an escape
    sequence from a hand edit would drive the reader's terminal), tabs as spaces."""
    if text is None:
        return ""
    return _CONTROL.sub("", str(text).replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n"))


def hang(text: Any, prefix: str = "", width: int = 78) -> str:
    """``text`` wrapped to ``width`` columns after ``prefix``, later lines indented under its
    end; each line of ``text`` wrapped on its own. For the plain-text part of a mail."""
    import textwrap

    width = max(20, min(int(width), 200))
    prefix = str(prefix)
    lead = " " * len(prefix)
    out = []
    for number, line in enumerate(plain(text).split("\n")):
        first = prefix if number == 0 else lead
        if not line.strip():
            out.append(first.rstrip())
            continue
        # A date ("20 Nov 2026") or a time span is never broken across lines.
        line = _KEEP_TOGETHER.sub(lambda m: m[0].replace(" ", "\x1f"), line)
        out.append(textwrap.fill(line, width, initial_indent=first, subsequent_indent=lead,
                                 break_long_words=False, break_on_hyphens=False).replace("\x1f", " "))
    return "\n".join(out)


_KEEP_TOGETHER = re.compile(r"\b\d{1,2} [A-Z][a-z]{2,8} \d{4}\b|\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day \d{1,2}\b")


_FILTERS = {"md": md, "cell": cell, "md_href": md_href, "long_date": dates.long_date, "short_date": dates.short_date,
            "plain": plain, "hang": hang}

# A store's template is bounded in memory and time: no value it computes (a string, a list,
# a number's digits) may exceed MAX_SIZE, no number it passes to a call or filter MAX_ARGUMENT
# ('x'.center(10**10)), and a render stops after RENDER_SECONDS. Each gives one line, exit 3.
MAX_SIZE = 10_000_000
MAX_OUTPUT = 100_000_000  # characters of one document, or of a macro's or a block's output
MAX_ARGUMENT = 1_000_000
MAX_RANGE = 100_000
RENDER_SECONDS = 10.0
# A printf or str.format width or precision of seven digits or more, or one taken from the arguments.
_HUGE_FIELD = re.compile(r"%[^a-zA-Z%]*?(?:\*|\d{7,})|\{[^{}]*?\d{7,}[^{}]*\}")
# A replacement field inside a format spec ('{:{}}', '{0:>{w}}'): its width or precision comes
# from the arguments. (An escaped brace, '{{', opens no field.)
_NESTED_FIELD = re.compile(r"(?<!\{)\{[^{}:]*:[^{}]*\{")


class TemplateTooBig(Exception):
    """A template asked for more memory or time than a document needs."""


def _too_big(what: str) -> TemplateTooBig:
    return TemplateTooBig(f"{what} (the limit is {MAX_SIZE:,} characters or items, and numbers up to {MAX_ARGUMENT:,} "
                          "in calls)")


def _size(value: Any) -> int:
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        return len(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() // 3  # about its decimal digits
    return 0


@functools.cache
def _clock() -> Any:
    """Per thread, when its render must stop (monotonic seconds); made with the
    first render, so a read answered from the render cache never imports threading."""
    import threading

    return threading.local()


def _check_time() -> None:
    deadline = getattr(_clock(), "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise TemplateTooBig(f"it ran for more than {RENDER_SECONDS:g} seconds")


def bounded(value: Any) -> Any:
    """``value``, if it is within MAX_SIZE (and the render within its time)."""
    _check_time()
    if _size(value) > MAX_SIZE:
        raise _too_big(f"a value of {_size(value):,} characters or items")
    return value


def _check_arguments(args: tuple, kwargs: dict) -> None:
    _check_time()
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
            raise _too_big(f"the number {value if abs(value) < 10**30 else 'of ' + str(value.bit_length()) + ' bits'} "
                           "given to a call")
        if isinstance(value, str) and _HUGE_FIELD.search(value):
            raise _too_big("a format with a huge width or precision")


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse, before computing it, a result larger than MAX_SIZE."""
    _check_time()
    sized = (str, bytes, list, tuple)
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, sized) and isinstance(count, int) and len(seq) * max(count, 0) > MAX_SIZE:
                raise _too_big(f"repeating {len(seq):,} characters or items {count:,} times")
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, (int, float)) and abs(left) > 1 and \
                max(abs(left).bit_length() - 1, 1) * right > MAX_SIZE:
            raise _too_big("a power that large")
    elif operator == "+":
        if isinstance(left, sized) and isinstance(right, sized) and len(left) + len(right) > MAX_SIZE:
            raise _too_big(f"joining {len(left) + len(right):,} characters or items")
    elif operator == "%":
        if isinstance(left, str) and _HUGE_FIELD.search(left):
            raise _too_big("a format with a huge width or precision")
        if isinstance(left, str):
            _check_format(left, () if isinstance(right, dict) else right if isinstance(right, tuple) else (right,),
                          right if isinstance(right, dict) else {}, printf=True)


def _param(params: tuple, kwargs: dict, at: int, name: str, default: Any = None) -> Any:
    """A call's parameter given by position ``at`` or by ``name``."""
    return params[at] if len(params) > at else kwargs.get(name, default)


def _counted(items: Any) -> Any:
    """``items`` as a list if it is an iterator (map, select, a generator), so that what a
    join would copy can be counted before it joins them; anything else as it is."""
    return list(items) if hasattr(items, "__iter__") and not hasattr(items, "__len__") else items


def _strings_size(value: Any) -> int:
    """The characters of the text items of a list or tuple (what joining them copies)."""
    return sum(len(item) for item in value if isinstance(item, str)) if isinstance(value, (list, tuple)) else 0


_GROWING = ("join", "indent", "replace", "wordwrap", "expandtabs")  # what _check_growth sizes


def _check_growth(name: str, text: Any, params: tuple, kwargs: dict) -> None:
    """Refuse, before it is made, a result larger than MAX_SIZE of the str method or filter
    ``name`` on ``text`` that repeats one of its texts: ``str.join`` (``text`` is the
    separator, ``params[0]`` what it joins), indent's prefix, replace's new text,
    wordwrap's line break, expandtabs' tab. bounded() checks each result, but only once it
    exists: "x" * 9,000,000 joined over range(1000) asked for 9 GB first."""
    size = 0
    if not isinstance(text, str):
        return
    if name == "join":
        items = params[0] if params else ()
        if hasattr(items, "__len__"):
            size = len(text) * max(len(items) - 1, 0) + _strings_size(items)
    elif name == "indent":
        prefix = _param(params, kwargs, 0, "width", 4)
        width = len(prefix) if isinstance(prefix, str) else prefix if isinstance(prefix, int) else 0
        size = len(text) + max(width, 0) * (text.count("\n") + 1)
    elif name == "replace":
        old, new = _param(params, kwargs, 0, "old"), _param(params, kwargs, 1, "new")
        if isinstance(old, str) and isinstance(new, str):
            size = len(text) + len(new) * (text.count(old) if old else len(text) + 1)
    elif name == "wordwrap":
        width, wrap = _param(params, kwargs, 0, "width", 79), _param(params, kwargs, 3, "wrapstring")
        if isinstance(wrap, str) and isinstance(width, int) and width > 0:
            size = len(text) + len(wrap) * (len(text) // width + text.count("\n") + 1)
    elif name == "expandtabs":
        tab = _param(params, kwargs, 0, "tabsize", 8)
        if isinstance(tab, int):
            size = len(text) + max(tab, 0) * text.count("\t")
    if size > MAX_SIZE:
        raise _too_big(f"a result of {size:,} characters from {name}")


def _text_size(value: Any) -> int:
    """How many characters formatting ``value`` as text writes, at most about."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, int):
        return value.bit_length() // 3 + 2
    if isinstance(value, float):
        return 32  # as repr writes it (1e+300 writes 6)
    try:
        return len(str(value))
    except Exception:  # noqa: BLE001 - an undefined value, say: formatting it reports it, if it is used
        return 0


_PRINTF = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(\d*)(?:\.(\d*))?[hlL]?([a-zA-Z])")
_DIGITS = re.compile(r"\d+")


def _check_format(fmt: str, args: Any, kwargs: Any, printf: bool) -> None:
    """Refuse, before it is made, a format result larger than MAX_SIZE: the format's text,
    and for each field its widths and precisions and the value it names ('{0}' * 1000
    names one value a thousand times; a value no field names does not count; a width
    given by the values, '{:{}}', counts as the largest number given). _HUGE_FIELD
    refuses one huge width; this, many ordinary ones ('{:999999}' * 3000 asked for 3 GB)."""
    mapping = kwargs if isinstance(kwargs, dict) else {}
    size = len(fmt)
    if printf:
        position = 0
        for key, width, precision, _ in _PRINTF.findall(fmt.replace("%%", "")):
            size += int(width or 0) + int(precision or 0)
            if key:
                size += _text_size(mapping.get(key, ""))
            elif position < len(args):
                size += _text_size(args[position])
                position += 1
    else:
        import _string

        given = [*args, *mapping.values()]
        nested = max((abs(v) for v in given if isinstance(v, int) and not isinstance(v, bool)), default=0)
        automatic = 0
        try:
            for _, name, spec, _ in _string.formatter_parser(fmt):
                if name is None:
                    continue
                first = _string.formatter_field_name_split(name)[0] if name else ""
                if first == "":
                    first, automatic = automatic, automatic + 1
                value = args[first] if isinstance(first, int) and first < len(args) else mapping.get(first, "")
                size += _text_size(value) + sum(int(d) for d in _DIGITS.findall(spec or ""))
                if spec and "{" in spec:
                    size += nested
        except ValueError:
            return  # not a valid format: formatting it raises, and the template reports it
    if size > MAX_SIZE:
        raise _too_big(f"a result of {size:,} characters from a format")


def _bounded_filter(name: str, function):
    # A filter's parameters are sizes ('x'|center(10**10)); the value it filters, and what the
    # format filter formats, are data ('%d'|format(12345678) is a number, not a width).
    skip = 1 + (getattr(function, "jinja_pass_arg", None) is not None)

    @functools.wraps(function)  # keeps Jinja's pass_context and similar marks
    def call(*args: Any, **kwargs: Any) -> Any:
        if name == "format":
            _check_arguments(args[skip - 1:skip], {})  # the format string's widths only
            if len(args) >= skip and isinstance(args[skip - 1], str):
                _check_format(args[skip - 1], args[skip:], kwargs, printf=True)
        else:
            _check_arguments(args[skip:], kwargs)
            if name == "join" and len(args) >= skip:  # value|join(d): d joins the value's items
                args = (*args[:skip - 1], _counted(args[skip - 1]), *args[skip:])
                _check_growth(name, _param(args[skip:], kwargs, 0, "d", ""), args[skip - 1:skip], {})
            elif name in _GROWING and len(args) >= skip:
                _check_growth(name, args[skip - 1], args[skip:], kwargs)
        return bounded(function(*args, **kwargs))

    return call


# What the compiled code of a template calls of the sandbox, in the bytecode cache's key: a
# template compiled before its buffers were bounded (escg.services.render's own change) is compiled again.
_CODE = ("bounded joins", "bounded buffers")


_TOO_LONG = f"a document of more than {MAX_OUTPUT:,} characters (the limit of one document)"


class _Output(list):
    """A template's output as it is gathered: refuses to grow past MAX_OUTPUT characters."""

    size = 0  # characters held: set on the instance by its first piece (a macro call makes a
    # buffer, 65,000 for an agenda at 100,000 actions: no __init__ of its own to run)

    # (The defaults keep list's own methods and the limit at hand: an agenda at 100,000
    # actions appends a few hundred thousand pieces.)
    def append(self, piece: str, _add: Any = list.append, _limit: int = MAX_OUTPUT) -> None:
        self.size += len(piece)
        if self.size > _limit:
            raise TemplateTooBig(_TOO_LONG)
        _add(self, piece)

    def extend(self, pieces: Any, _add: Any = list.extend, _limit: int = MAX_OUTPUT) -> None:
        if type(pieces) is not tuple:  # what the compiled code writes is a tuple; else one by one
            for piece in pieces:
                self.append(piece)
            return
        self.size += sum(map(len, pieces))
        if self.size > _limit:
            raise TemplateTooBig(_TOO_LONG)
        _add(self, pieces)


def _sandbox_class():
    from jinja2.compiler import CodeGenerator
    from jinja2.runtime import Macro
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class BoundedCode(CodeGenerator):
        """Jinja's code, with every ``~`` join checked: it is the one operator the sandbox cannot intercept."""

        def visit_Concat(self, node, frame) -> None:
            self.write("environment.bounded(")
            super().visit_Concat(node, frame)
            self.write(")")

        def buffer(self, frame) -> None:
            # What a macro, a {% set %} or {% filter %} block or a call block writes is
            # gathered in a list before it is joined: one that counts what it holds.
            frame.buffer = self.temporary_identifier()
            self.writeline(f"{frame.buffer} = environment.output()")

    class BoundedSandbox(ImmutableSandboxedEnvironment):
        """Jinja's immutable sandbox, bounded in memory: operators, calls, filters and joins."""

        code_generator_class = BoundedCode
        intercepted_binops = frozenset({"*", "**", "+", "%", "//", "/", "-"})
        bounded = staticmethod(bounded)
        output = _Output

        @staticmethod
        def concat(pieces: Any) -> str:
            """The document (or a buffer) joined, refused once it passes MAX_OUTPUT: each
            piece is bounded, but a loop writes as many as it likes, and "".join holds them
            all first (150 pieces of 9 million characters asked for 2.7 GB)."""
            if type(pieces) is _Output:
                return "".join(pieces)
            gathered: list[str] = []
            add = gathered.append
            size = 0
            for piece in pieces:
                size += len(piece)
                if size > MAX_OUTPUT:
                    raise TemplateTooBig(_TOO_LONG)
                add(piece)
            return "".join(gathered)

        def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
            _check_binop(operator, left, right)
            return bounded(super().call_binop(context, operator, left, right))

        def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's own signature
            if type(__obj) is Macro:
                # A template's own macro (an action row of the agenda calls five, 65,000 calls
                # at 100,000 actions): what it does runs bounded as above, so its arguments
                # need no check, and the sandbox's own test of the callable passes a Macro.
                _check_time()
                return bounded(__context.call(__obj, *args, **kwargs))
            # the sandbox hands str.format over wrapped (update_wrapper): look through the wrapper
            method = getattr(__obj, "__wrapped__", __obj)
            owner = getattr(method, "__self__", None)
            name = getattr(method, "__name__", "")
            if isinstance(owner, str) and name in ("format", "format_map"):
                # what is formatted is data; only the format's widths are sizes, and a width
                # given as a field of its own ('{:{}}'.format(x, 999999999)) is an argument
                if _HUGE_FIELD.search(owner):
                    raise _too_big("a format with a huge width or precision")
                mapping = args[0] if name == "format_map" and args and isinstance(args[0], dict) else None
                if _NESTED_FIELD.search(owner):
                    _check_arguments(tuple(mapping.values()) if mapping is not None else args, kwargs)
                else:
                    _check_arguments((), {})
                _check_format(owner, () if mapping is not None else args, mapping if mapping is not None else kwargs,
                              printf=False)
            else:
                _check_arguments(args, kwargs)
                if isinstance(owner, str) and name in _GROWING:
                    if name == "join" and args:
                        args = (_counted(args[0]), *args[1:])
                    _check_growth(name, owner, args, kwargs)
            return bounded(ImmutableSandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs))

    return BoundedSandbox


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise _too_big(f"a range of {len(numbers):,} numbers (at most {MAX_RANGE:,})")
    return numbers


class _Deadline:
    """Stop a render after RENDER_SECONDS: an interval timer in the main thread when SIGALRM is
    free (it stops any loop), and everywhere a deadline that every operator, call and filter checks."""

    def __init__(self) -> None:
        self.armed = False

    def __enter__(self) -> _Deadline:
        import signal
        import threading

        clock = _clock()
        self.outer = getattr(clock, "deadline", None)
        clock.deadline = time.monotonic() + RENDER_SECONDS

        if (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
                and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)):
            def expire(signum, frame):
                raise TemplateTooBig(f"it ran for more than {RENDER_SECONDS:g} seconds")

            self.previous = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, RENDER_SECONDS)
            self.armed = True
        return self

    def __exit__(self, *exc: Any) -> None:
        _clock().deadline = self.outer
        if self.armed:
            import signal

            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


@functools.lru_cache(maxsize=8)
def _environment(store_templates: str | None, cache: Path):
    import jinja2
    from jinja2 import StrictUndefined, select_autoescape
    from escg import __version__

    bundled = str(bundled_templates())
    # A store's templates may link within the store, never out of it; the bundled ones stay in their folder.
    folders = ([(store_templates, os.path.dirname(store_templates))] if store_templates else []) + [(bundled, bundled)]
    directory = _usable_cache_dir(cache)
    sandbox = _sandbox_class()
    fingerprint = repr((__version__, jinja2.__version__, sandbox.__name__, sorted(sandbox.intercepted_binops),
                        sorted(_OPTIONS.items()), _AUTOESCAPE, sorted(_FILTERS), _CODE))
    env = sandbox(
        loader=_loader_class()(folders),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=_AUTOESCAPE, default_for_string=False),
        bytecode_cache=_bytecode_cache(directory, fingerprint) if directory else None,
        auto_reload=True,
        **_OPTIONS,
    )
    env.filters.update(_FILTERS)
    env.filters = {name: _bounded_filter(name, function) for name, function in env.filters.items()}
    env.globals["range"] = _bounded_range
    return env


def environment(store: Store | None):
    """The environment for ``store``'s templates: one per templates folder per process.

    The store's ``templates/`` folder is looked in even if it does not exist yet, so one
    created while the process runs is found.
    """
    folder = os.path.abspath(store.root / "templates") if store is not None else None
    return _environment(folder, cache_dir())


def render(store: Store | None, name: str, context: dict[str, Any]) -> str:
    """Render template ``name`` (such as ``agenda.html``) with ``context``.

    A render whose inputs are those of an earlier one (the same bytes in every template
    folder, the same context, the same escg and settings) is read back from the render
    cache without loading Jinja at all; see ``_render_key``.
    """
    return render_each(store, (name,), context)[0]


def render_each(store: Store | None, names: tuple[str, ...] | list[str], context: dict[str, Any]) -> list[str]:
    """Render each of the templates ``names`` with the one ``context``, as ``render`` does:
    a message's subject, text and HTML. The context is keyed for the render cache once for
    all of them (`escg remind` renders three templates for each of hundreds of owners)."""
    folder = None if os.environ.get("ESCG_NO_RENDER_CACHE") else _usable_cache_dir(_renders_dir())
    keys = _render_keys(store, names, context) if folder is not None else [None] * len(names)
    texts = []
    for name, key in zip(names, keys):
        cached = _cached_render(folder, key) if key is not None else None
        if cached is None:
            cached = _render(store, name, context)
            if key is not None:
                _keep_render(folder, key, cached)
        texts.append(cached)
    return texts


# --- the render cache ----------------------------------------------------------
#
# A template sees only its context and the filters above (no clock, no store, no
# environment: the sandbox forbids the rest), so its output is a function of the
# template files' bytes, the context and the code. The key is a digest of all three;
# an entry is a file under cache_dir()/../renders named by it. Anything the key cannot
# capture exactly (a context value of a type not listed in _canonical, a template
# folder too big to read) is simply not cached.

_RENDERS_KEPT = 4000  # entries kept (`escg remind` keeps three an owner); beyond this the oldest are removed
_RENDER_KEPT_SIZE = 16 * 1024 * 1024  # bytes: a longer render is not kept (an agenda at 100,000 actions is 2.6 MB)
_TEMPLATE_FILES = 200  # a store template folder with more files than this is not cached


class _Uncacheable(Exception):
    pass


_PLAIN = frozenset((str, int, float, bool, type(None)))  # what JSON writes as itself (not a subclass)
_TEXT = frozenset((str,))


def _canonical(value: Any) -> Any:
    """``value`` as plain JSON data that tells apart every value a template could tell apart.

    A list or table of nothing but plain values is returned as it is (its types asked in C:
    an agenda's action log is thousands of such rows, and walking each value was a third of
    reading a render back at 100,000 actions); json writes a tuple as it writes a list."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind in (list, tuple):
        if set(map(type, value)) <= _PLAIN:
            return value
        return [_canonical(v) for v in value]
    if kind is dict:
        if not set(map(type, value)) <= _TEXT:
            raise _Uncacheable
        if set(map(type, value.values())) <= _PLAIN:
            return value
        return {k: _canonical(v) for k, v in value.items()}
    import datetime
    import enum

    if kind in (datetime.date, datetime.time, datetime.datetime) and getattr(value, "tzinfo", None) is None:
        return {"__" + kind.__name__: value.isoformat()}
    if isinstance(value, enum.Enum) and type(value.value) in (str, int):
        return {"__enum": f"{kind.__module__}.{kind.__qualname__}", "value": value.value}
    raise _Uncacheable


_FOLDERS: dict[str, tuple[tuple, bytes]] = {}  # folder -> (its files' stat signatures, their digest)


def _folder_digest(folder: str, digest: Any, boundary: str | None = None) -> None:
    """Every regular file under ``folder`` (path and bytes) into ``digest``, through links.

    The files are read and hashed again only when a file's stat signature (path, size,
    mtime, inode, ctime) changed since this process last did: `escg remind` renders three
    templates for each of hundreds of owners, and reading the bundled folder each time
    cost more than the renders."""
    count = 0
    files: list[tuple[str, str, int, int, int, int]] = []
    prefix = folder.rstrip(os.sep) + os.sep
    walked: set[tuple[int, int]] = set()
    inside = os.path.realpath(boundary if boundary is not None else folder)
    # Through links to folders, as the loader reads templates, and only where it reads them
    # (inside ``boundary``, the store: _inside), each folder once (a link back to one
    # already walked would never end).
    for top, dirs, names in os.walk(folder, followlinks=True):
        try:
            here = os.stat(top)
        except OSError:
            raise _Uncacheable from None
        if (here.st_dev, here.st_ino) in walked or os.path.commonpath([os.path.realpath(top), inside]) != inside:
            dirs[:] = []
            continue
        walked.add((here.st_dev, here.st_ino))
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(top, name)
            try:
                info = os.stat(path)
            except OSError:
                raise _Uncacheable from None
            if not stat.S_ISREG(info.st_mode):
                continue
            count += 1
            if count > _TEMPLATE_FILES or info.st_size > MAX_SIZE:
                raise _Uncacheable
            files.append((path, path[len(prefix):], info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns))
    signature = tuple(files)
    known = _FOLDERS.get(folder)
    if known is None or known[0] != signature:
        inner = sha256()
        for path, relative, *_ in files:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                raise _Uncacheable from None
            inner.update(f"{relative}\0{len(data)}\0".encode())
            inner.update(data)
        known = _FOLDERS[folder] = (signature, inner.digest())
    digest.update(known[1])


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """escg's version and the modules whose code shapes a render (this one, and the dates
    its filters format), so an edited checkout does not serve renders of its old code."""
    from escg import __version__

    parts = [__version__, repr(sorted(_OPTIONS.items())), repr(_AUTOESCAPE)]
    for path in (__file__, dates.__file__):
        try:
            info = os.stat(path)
            parts.append(f"{path}:{info.st_size}:{info.st_mtime_ns}")
        except OSError:
            parts.append(path)
    return "|".join(parts)


def _renders_dir() -> Path:
    return cache_dir().parent / "renders"


# The digest of the template folders each Store (each command) renders with, taken once:
# `escg remind` renders three templates for each of hundreds of owners, and walking and
# statting the folders for each was a tenth of it at 20,000 actions.
_TEMPLATES_SEEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _templates_into(store: Store | None, digest: Any) -> None:
    known = _TEMPLATES_SEEN.get(store) if store is not None else None
    if known is None:
        inner = sha256()
        if store is not None and os.path.isdir(store.root / "templates"):
            inner.update(b"\0store\0")
            _folder_digest(os.path.abspath(store.root / "templates"), inner, os.path.abspath(store.root))
        inner.update(b"\0bundled\0")
        _folder_digest(str(bundled_templates()), inner)
        known = inner.digest()
        if store is not None:
            _TEMPLATES_SEEN[store] = known
    digest.update(known)


def templates_digest(store: Store | None) -> str | None:
    """A digest of everything a render of ``store`` reads besides its context: the
    rendering code and the bytes of the store's and the bundled templates (None when
    they cannot be keyed). `escg check` keeps its leak search under it."""
    try:
        digest = sha256(_code_fingerprint().encode())
        _templates_into(store, digest)
    except _Uncacheable:
        return None
    return digest.hexdigest()


def _render_key(store: Store | None, name: str, context: dict[str, Any]) -> str | None:
    return _render_keys(store, (name,), context)[0]


def _render_keys(store: Store | None, names: tuple[str, ...] | list[str], context: dict[str, Any]) -> list[str | None]:
    """The render cache's key of each template of ``names`` rendered with ``context``:
    a digest of the code, the name, the context and the template folders (None for
    each when the context cannot be keyed exactly)."""
    import json

    try:
        data = json.dumps(_canonical(context), sort_keys=True, ensure_ascii=False).encode()
        shared = sha256(data).digest()
        templates = sha256()
        _templates_into(store, templates)
        shared += templates.digest()
    except (_Uncacheable, RecursionError, ValueError):
        return [None] * len(names)
    keys: list[str | None] = []
    for name in names:
        digest = sha256(_code_fingerprint().encode())
        digest.update(b"\0" + name.encode() + b"\0")
        digest.update(shared)
        keys.append(digest.hexdigest())
    return keys


def _cached_render(folder: str, key: str) -> str | None:
    try:
        with open(os.path.join(folder, key), "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    # An entry is the text and its own digest: a truncated or altered file is no entry.
    text, _, check = data.rpartition(b"\0")
    if sha256(text).hexdigest().encode() != check:
        return None
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        return None


# The entries in each render folder as this process last counted them, plus those it
# kept since: the folder is listed again only when the count passes _RENDERS_KEPT, not
# after every entry kept (listing 400 names cost more than a small render).
_ENTRIES: dict[str, int] = {}


def _keep_render(folder: str, key: str, text: str) -> None:
    data = text.encode("utf-8")
    if len(data) > _RENDER_KEPT_SIZE:
        return  # a document this long is not kept: the cache stays small whatever a template writes
    try:
        import tempfile

        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data + b"\0" + sha256(data).hexdigest().encode())
            os.replace(tmp, os.path.join(folder, key))
        except BaseException:
            os.unlink(tmp)
            raise
        count = _ENTRIES.get(folder)
        count = len(os.listdir(folder)) if count is None else count + 1
        if count > _RENDERS_KEPT:
            entries = os.listdir(folder)
            count = len(entries)
            if count > _RENDERS_KEPT:
                aged = sorted(entries, key=lambda e: os.stat(os.path.join(folder, e)).st_mtime_ns)
                for entry in aged[: count - _RENDERS_KEPT // 2]:
                    os.unlink(os.path.join(folder, entry))
                count = _RENDERS_KEPT // 2
        _ENTRIES[folder] = count
    except OSError:
        pass  # a cache that cannot be written is no cache


def _render(store: Store | None, name: str, context: dict[str, Any]) -> str:
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.sandbox import SecurityError

    env = environment(store)
    try:
        template = env.get_template(name)
        with _Deadline():
            return template.render(**context)
    except TemplateNotFound as error:
        raise NotFoundError(f"no template {error.name!r} in the store's templates/ or the bundled ones") from None
    except TemplateSyntaxError as error:
        where = error.filename or error.name or name
        raise InputError(f"template {where}:{error.lineno}: {error.message}") from None
    except UndefinedError as error:
        raise InputError(f"template {name}: {error.message}") from None
    except TemplateTooBig as error:
        raise InputError(f"template {name} asked for too much: {error}") from None
    except SecurityError as error:
        raise InputError(f"template {name} tried something unsafe: {error}") from None
    except TemplateError as error:
        raise InputError(f"template {name}: {error.message or error}") from None
    except (ArithmeticError, ValueError, TypeError, LookupError, AttributeError, RecursionError, MemoryError) as error:
        # A store's template is data: its mistakes are the user's, reported in one line.
        raise InputError(f"template {name} failed: {type(error).__name__}: {error}") from None
