"""The fast path: well-formed command lines parsed without importing Typer.

Importing Typer (and click) costs about 50 ms here, several times Python's own
start and more than most commands' work. This module reads the parameters of
the command a command line names from its one definition (escg.cli.params:
the function's signature and its ``Option``/``Argument`` annotations) and calls
that same function. It accepts only the plain forms (``--name value``,
``--name=value``, short options, flags, positional arguments); anything else
(--help, an unknown option, a value of the wrong type or choice, a missing
required one, ``--``) returns None, and Typer answers with its help and its
messages. tests/test_fastpath.py checks that both give the same bytes.
"""

from __future__ import annotations

import typing
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Callable

from escg.cli.commands import COMMANDS, definition, guarded
from escg.cli.params import Argument, Context, Group, Option
from escg.core.argv import root_options

MISSING = object()  # a parameter without a default


class Unsupported(Exception):
    """The command line is not one the fast path takes: Typer answers."""


class Parameter:
    def __init__(self, name: str, hint: Any, default: Any) -> None:
        self.name = name
        self.default = default
        self.spec: Option | None = None
        base = hint
        if typing.get_origin(hint) is Annotated:
            base, *extras = typing.get_args(hint)
            self.spec = next((extra for extra in extras if isinstance(extra, Option)), None)
        self.multiple = False
        base = _unoptional(base)
        if typing.get_origin(base) is list:
            self.multiple = True
            base = _unoptional(typing.get_args(base)[0])
        self.type = base
        self.positional = isinstance(self.spec, Argument) or (self.spec is None and default is MISSING)
        if self.spec is not None and self.spec.settings.get("callback") is not None:
            raise Unsupported(name)
        if self.positional:
            self.names: tuple[str, ...] = ()
        else:
            self.names = tuple(d for d in (self.spec.decls if self.spec else ()) if d.startswith("-"))
            if not self.names:
                if self.type is bool:
                    raise Unsupported(name)  # Typer would make --x/--no-x: leave it to Typer
                self.names = ("--" + name.replace("_", "-"),)
            elif any("/" in d for d in self.names):
                raise Unsupported(name)

    @property
    def flag(self) -> bool:
        return self.type is bool

    def convert(self, text: str) -> Any:
        kind = self.type
        if kind is str or kind is Any:
            return text
        if kind is int:
            try:
                return int(text)  # as click converts it; whatever int() refuses, Typer reports
            except ValueError:
                raise Unsupported(self.name) from None
        if kind is Path:
            return Path(text)
        if isinstance(kind, type) and issubclass(kind, Enum):
            for member in kind:
                if member.value == text:
                    return member
            raise Unsupported(self.name)
        raise Unsupported(self.name)


def _unoptional(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def _hints(function: Callable[..., Any]) -> list[tuple[str, Any, Any]]:
    """(name, annotation, default) of each parameter, read from the function itself:
    ``inspect.signature`` would cost its import (about 8 ms) on every command."""
    code = function.__code__
    count = code.co_argcount + code.co_kwonlyargcount
    names = code.co_varnames[:count]
    defaults = dict(zip(names[code.co_argcount - len(function.__defaults__ or ()):code.co_argcount],
                        function.__defaults__ or ()))
    defaults.update(function.__kwdefaults__ or {})
    annotations = function.__annotations__
    found = []
    for name in names:
        hint = annotations.get(name, Any)
        if isinstance(hint, str):  # from __future__ import annotations: evaluate as typing would
            hint = eval(hint, function.__globals__)  # noqa: S307 - our own commands' annotations
        found.append((name, hint, defaults.get(name, MISSING)))
    return found


def _takes_context(function: Callable[..., Any]) -> bool:
    return any(hint is Context for _, hint, _ in _hints(function))


def parameters(function: Callable[..., Any]) -> list[Parameter]:
    """The parameters of a command, from its definition (not ``ctx``)."""
    return [Parameter(name, hint, default) for name, hint, default in _hints(function) if hint is not Context]


def parse(function: Callable[..., Any], argv: list[str]) -> dict[str, Any]:
    """Keyword arguments for ``function`` from ``argv``; Unsupported if Typer should answer."""
    params = parameters(function)
    by_name = {name: p for p in params for name in p.names}
    positional = [p for p in params if p.positional]
    values: dict[str, Any] = {}
    given: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if arg in ("-h", "--help", "--"):
            raise Unsupported(arg)
        if arg.startswith("-") and arg != "-":
            name, equals, inline = arg.partition("=")
            param = by_name.get(name)
            if param is None or (equals and not name.startswith("--")):
                raise Unsupported(arg)
            if param.flag:
                if equals:
                    raise Unsupported(arg)
                values[param.name] = True
                continue
            if equals:
                text = inline
            elif index < len(argv):
                text = argv[index]
                index += 1
            else:
                raise Unsupported(arg)
            value = param.convert(text)
            if param.multiple:
                values.setdefault(param.name, []).append(value)
            else:
                values[param.name] = value
            continue
        given.append(arg)
    if len(given) > len(positional):
        raise Unsupported("extra arguments")
    for param, text in zip(positional, given):
        values[param.name] = param.convert(text)
    for param in params:
        if param.name not in values:
            if param.default is MISSING:
                raise Unsupported(f"missing {param.name}")
            values[param.name] = param.default
    return values


def _split_root(argv: list[str]) -> tuple[str | None, list[str]]:
    """The root's --store and the rest of the command line."""
    store, _, rest, complete = root_options(argv)
    if not complete:
        raise Unsupported("--store without its value")
    return store, rest


def resolve(argv: list[str]) -> tuple[Callable[..., Any], dict[str, Any], str | None]:
    """(command function, its keyword arguments, --store) for ``argv``; Unsupported otherwise."""
    store, rest = _split_root(argv)
    if not rest or rest[0] not in COMMANDS:
        raise Unsupported("no command")
    target = definition(rest[0])
    rest = rest[1:]
    if isinstance(target, Group):
        if not rest or rest[0] not in target.commands:
            raise Unsupported("no sub-command")
        target, rest = target.commands[rest[0]], rest[1:]
    return target, parse(target, rest), store


def run(argv: list[str]) -> int | None:
    """Run the command if it is one this module takes; its exit code, or None for Typer."""
    import os

    if os.environ.get("_ESCG_COMPLETE"):
        return None  # the shell asks for completions: only the Typer app answers those
    try:
        function, kwargs, store = resolve(argv)
    except Unsupported:
        return None
    context = Context({"store_path": Path(store) if store is not None else None})
    if _takes_context(function):
        return guarded(lambda: function(context, **kwargs))
    return guarded(lambda: function(**kwargs))
