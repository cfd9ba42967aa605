"""Record classes: what ``dataclasses`` gives the domain, at a fraction of the cost.

Every command defines some thirty record classes as it starts. Through
``dataclasses`` that cost about 20 ms a command on these machines (its import
pulls in ``inspect``, ``ast`` and ``dis``, and each class is built from three
generated functions): more than Python's own start. ``record`` builds one
``__init__`` a class and shares the rest, with the same behaviour for what escg
uses: fields from the class's annotations in order, defaults and
``field(default=..., default_factory=..., compare=..., repr=...)``,
``__post_init__``, ``__eq__`` (``__hash__`` None, as dataclasses do), ``__repr__``,
and ``order=True`` / ``frozen=True``. Instances keep a ``__dict__``, so
``Cls(**{**obj.__dict__, "key": value})`` makes a changed copy.
"""

from __future__ import annotations

from typing import Any, Callable

_NO_DEFAULT = object()


class Field:
    __slots__ = ("default", "factory", "compare", "repr")

    def __init__(self, default: Any, factory: Callable[[], Any] | None, compare: bool, repr: bool) -> None:
        self.default, self.factory, self.compare, self.repr = default, factory, compare, repr


def field(*, default: Any = _NO_DEFAULT, default_factory: Callable[[], Any] | None = None,
          compare: bool = True, repr: bool = True) -> Any:
    return Field(default, default_factory, compare, repr)


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record."""


def record(cls: type | None = None, *, order: bool = False, frozen: bool = False) -> Any:
    """Make ``cls`` a record class (use as ``@record`` or ``@record(order=True)``)."""
    def wrap(cls: type) -> type:
        return _build(cls, order=order, frozen=frozen)
    return wrap if cls is None else wrap(cls)


def _build(cls: type, *, order: bool, frozen: bool) -> type:
    fields: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        fields.update(getattr(base, "__record_fields__", {}))
    for name in cls.__dict__.get("__annotations__", {}):
        value = cls.__dict__.get(name, _NO_DEFAULT)
        spec = value if isinstance(value, Field) else Field(value, None, True, True)
        fields[name] = spec
        if isinstance(value, Field):
            if value.default is _NO_DEFAULT:
                delattr(cls, name)
            else:
                setattr(cls, name, value.default)
    names = list(fields)
    namespace: dict[str, Any] = {"_NO_DEFAULT": _NO_DEFAULT, "_set": object.__setattr__}
    params, body = [], []
    for name in names:
        spec = fields[name]
        if spec.factory is not None:
            namespace[f"_factory_{name}"] = spec.factory
            params.append(f"{name}=_NO_DEFAULT")
            value = f"_factory_{name}() if {name} is _NO_DEFAULT else {name}"
        elif spec.default is not _NO_DEFAULT:
            namespace[f"_default_{name}"] = spec.default
            params.append(f"{name}=_default_{name}")
            value = name
        else:
            if params and params[-1].count("="):
                raise TypeError(f"{cls.__name__}: field {name!r} without a default follows one with a default")
            params.append(name)
            value = name
        body.append(f"    _set(self, {name!r}, {value})" if frozen else f"    self.{name} = {value}")
    if "__post_init__" in cls.__dict__ or any("__post_init__" in vars(base) for base in cls.__mro__[1:-1]):
        body.append("    self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, namespace)  # noqa: S102 - our own generated text, from field names only
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init
    cls.__record_fields__ = fields
    compared = tuple(name for name in names if fields[name].compare)
    shown = tuple(name for name in names if fields[name].repr)
    cls.__record_compared__ = compared
    cls.__record_shown__ = shown
    if "__repr__" not in cls.__dict__:
        cls.__repr__ = _repr
    if "__eq__" not in cls.__dict__:
        cls.__eq__ = _eq
    if frozen:
        cls.__setattr__ = _frozen_set
        cls.__delattr__ = _frozen_del
        cls.__hash__ = _hash
    elif "__hash__" not in cls.__dict__:
        cls.__hash__ = None
    if order:
        cls.__lt__, cls.__le__, cls.__gt__, cls.__ge__ = _lt, _le, _gt, _ge
    return cls


def _key(self: Any) -> tuple:
    return tuple(getattr(self, name) for name in self.__record_compared__)


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_shown__)
    return f"{type(self).__qualname__}({shown})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _key(self) == _key(other)


def _hash(self: Any) -> int:
    return hash(_key(self))


def _frozen_set(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_del(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _compare(operator: Callable[[tuple, tuple], bool]) -> Callable[[Any, Any], Any]:
    def method(self: Any, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return operator(_key(self), _key(other))
    return method


_lt = _compare(lambda a, b: a < b)
_le = _compare(lambda a, b: a <= b)
_gt = _compare(lambda a, b: a > b)
_ge = _compare(lambda a, b: a >= b)
