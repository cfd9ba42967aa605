"""The package is layered, a folder a layer, and no module imports a module of a higher layer.

The layers, lowest first, are LAYERS below; escg/__init__.py's docstring describes
them for a reader, each folder's __init__ names its modules, and tests hold both to
what is here (the domain's seven in their order).

Imports inside functions count: a lazy import is still a dependency, and a loop
of lazy imports is still a loop.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "escg"

# A folder (or a module, for the domain's order and the entry points) per layer.
LAYERS = [
    ["core"],
    ["store", "services"],
    ["domain.people"], ["domain.meetings"], ["domain.agenda"], ["domain.actions"], ["domain.attendance"],
    ["domain.interests"], ["domain.minutes"],
    ["workflows"],
    ["integrations"],
    ["cli", "console", "__main__"],
]
FOLDERS = ["core", "store", "services", "domain", "workflows", "integrations", "cli"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    """Whether escg.<name> is a module or a package of escg."""
    path = PACKAGE / name.replace(".", "/")
    return bool(name) and (path.with_suffix(".py").exists() or (path / "__init__.py").exists())


def imports() -> dict[str, set[str]]:
    """Each escg module -> the escg modules it imports (anywhere in its body).

    ``from escg import store`` names the package escg.store; ``from escg.store import
    files`` the module escg.store.files; a relative import is resolved from the module's
    own package; and ``importlib.import_module("escg.x")`` with a literal counts too."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        if not name:
            continue
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".") if package else []
                    parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                    base = ".".join(parts + ([node.module] if node.module else []))
                elif node.module == "escg" or (node.module or "").startswith("escg."):
                    base = node.module.removeprefix("escg").lstrip(".")
                else:
                    continue
                for alias in node.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    targets.add(full if is_module(full) else base)
            elif isinstance(node, ast.Import):
                targets |= {a.name.removeprefix("escg.") for a in node.names if a.name.startswith("escg.")}
            elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
                  in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)
                  and str(node.args[0].value).startswith("escg.")):
                targets.add(str(node.args[0].value).removeprefix("escg."))
        found[name] = {t for t in targets if t and t != name and t != "__init__"}
    return found


def test_the_import_reader_sees_every_form_of_import(tmp_path, monkeypatch):
    """A check that can be fooled is no check: each form below names a module of a higher layer."""
    package = tmp_path / "escg"
    (package / "store").mkdir(parents=True)
    (package / "cli").mkdir()
    for name in ("__init__.py", "store/__init__.py", "store/files.py", "cli/__init__.py", "cli/commands.py",
                 "check.py"):
        (package / name).write_text("")
    (package / "dates.py").write_text("from escg import store\nfrom escg import cli\n")
    (package / "store" / "files.py").write_text("from . import index\nfrom .. import check\n")
    (package / "store" / "index.py").write_text("def f():\n    import importlib\n    importlib.import_module('escg.cli.commands')\n")
    (package / "ids.py").write_text("from .cli import commands\n")
    monkeypatch.setitem(globals(), "PACKAGE", package)
    found = imports()
    assert found["dates"] == {"store", "cli"}
    assert found["store.files"] == {"store.index", "check"}
    assert found["store.index"] == {"cli.commands"}
    assert found["ids"] == {"cli.commands"}


def layer_of(name: str) -> int:
    """The layer of escg.<name>: the longest entry of LAYERS that is it or holds it."""
    if name == "domain":  # the folder's __init__, below every module in it
        return 2
    best = None
    for number, names in enumerate(LAYERS):
        for entry in names:
            if (name == entry or name.startswith(entry + ".")) and (best is None or len(entry) > best[1]):
                best = (number, len(entry))
    if best is None:
        raise AssertionError(f"escg.{name} is in no layer of tests/test_layers.py: place it")
    return best[0]


def test_the_top_of_the_package_is_the_layers_folders():
    """A newcomer sees the layering in the folder: nothing at the top but the layers'
    folders, the entry points and the version."""
    top = {path.name for path in PACKAGE.iterdir() if path.name != "__pycache__" and not path.name.startswith(".")}
    assert top == {*FOLDERS, "__init__.py", "__main__.py", "console.py"}, sorted(top)


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

    from escg.core import digests

    for data in (b"", b"escg", "M\u00fcnster \u2014 agenda".encode(), bytes(range(256)) * 40):
        assert digests.sha1(data).hexdigest() == hashlib.sha1(data).hexdigest()
        assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()


def test_the_package_docstring_names_the_layers_the_test_enforces():
    import re

    import escg

    paragraphs = re.split(r"\n(?=\d\. )", escg.__doc__)[1:]
    said = [re.findall(r"``([a-z_]+)/``", paragraph) for paragraph in paragraphs]
    assert said == [["core"], ["store", "services"], ["domain"], ["workflows"], ["integrations"], ["cli"]]
    domain = [name.split(".")[1] for layer in LAYERS for name in layer if name.startswith("domain.")]
    assert re.findall(r"``([a-z_]+)``", paragraphs[2]) == domain  # people < meetings < ... < minutes


def test_each_folder_names_its_modules():
    import importlib
    import re

    for folder in FOLDERS:
        if folder in ("store", "cli"):
            continue  # their docstrings describe them; their modules are named for what they do
        named = re.findall(r"``([a-z_]+)``", importlib.import_module(f"escg.{folder}").__doc__)
        modules = sorted(p.stem for p in (PACKAGE / folder).glob("*.py") if p.stem != "__init__")
        assert sorted(set(named)) == modules, folder
        if folder == "domain":
            assert named == [name.split(".")[1] for layer in LAYERS for name in layer if name.startswith("domain.")]
