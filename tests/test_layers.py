"""The package is layered, and no module imports a module of a higher layer.

The layers, lowest first, are LAYERS below; escg/__init__.py's docstring describes
them for a reader, and a test holds it to naming exactly these modules, in these
layers (the domain's seven in their order).

Imports inside functions count: a lazy import is still a dependency, and a loop
of lazy imports is still a loop.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "escg"

LAYERS = [
    ["argv", "errors", "patterns", "records", "digests", "model", "dates", "ids", "formats", "ical"],
    ["store.files", "store.loader", "store.query", "store.watch", "store.workers", "store.index", "store.journal", "store", "store.edit", "store.create",
     "render", "mail"],
    ["people"], ["meetings"], ["agenda"], ["actions"], ["attendance"], ["interests"], ["minutes"],
    ["documents", "confidential", "reschedule", "calendar", "circulation", "invitations", "check", "minutes_doc",
     "attendance_report", "merge"],
    ["pdf", "word", "spreadsheet", "importer", "publish", "sync"],
    ["cli", "console", "__main__"],
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports() -> dict[str, set[str]]:
    """Each escg module -> the escg modules it imports (anywhere in its body)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        if not name:
            continue
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("escg"):
                base = node.module.removeprefix("escg").lstrip(".")
                for alias in node.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    targets.add(full if (PACKAGE / (full.replace(".", "/") + ".py")).exists() else base)
            elif isinstance(node, ast.Import):
                targets |= {a.name.removeprefix("escg.") for a in node.names if a.name.startswith("escg.")}
        found[name] = {t for t in targets if t and t != name and t != "__init__"}
    return found


def layer_of(name: str) -> int:
    for number, names in enumerate(LAYERS):
        if name in names or name.split(".")[0] in names and name.split(".")[0] in ("cli",):
            return number
    raise AssertionError(f"escg.{name} is in no layer of tests/test_layers.py: place it")


def test_every_module_has_a_layer():
    for name in imports():
        layer_of(name)


def test_no_module_imports_a_higher_layer():
    wrong = []
    for name, targets in imports().items():
        for target in targets:
            if layer_of(target) > layer_of(name):
                wrong.append(f"escg.{name} (layer {layer_of(name)}) imports escg.{target} (layer {layer_of(target)})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_loops():
    graph = imports()
    # store/__init__ re-exports from its submodules, which may import escg.store names only lazily.
    loops = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                loops.append(" -> ".join(path[path.index(target):] + [target]) if target in path else f"{node} -> {target}")
            elif target not in state:
                visit(target, path + [target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not loops, "\n".join(loops)


def test_the_builtin_digests_agree_with_hashlib():
    import hashlib

    from escg import digests

    for data in (b"", b"escg", "M\u00fcnster \u2014 agenda".encode(), bytes(range(256)) * 40):
        assert digests.sha1(data).hexdigest() == hashlib.sha1(data).hexdigest()
        assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()


def test_the_package_docstring_names_the_layers_the_test_enforces():
    import re

    import escg

    paragraphs = re.split(r"\n(?=\d\. )", escg.__doc__)[1:]
    said = [re.findall(r"``([a-z_]+)``", paragraph) for paragraph in paragraphs]
    top = lambda layers: {name.split(".")[0] for layer in layers for name in layer if name != "__main__"}  # noqa: E731
    domain = [name for layer in LAYERS[2:9] for name in layer]
    assert [set(names) for names in said] == [top(LAYERS[:1]), top(LAYERS[1:2]), set(domain), top(LAYERS[9:10]),
                                              top(LAYERS[10:11]), top(LAYERS[11:])]
    assert said[2] == domain  # people < meetings < agenda < actions < attendance < interests < minutes
