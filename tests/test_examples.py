"""Every command's --help shows an example, and every example works on the example store."""

from __future__ import annotations

import importlib.util
import shlex
import shutil
from pathlib import Path

import pytest

from command_tree import leaf_commands

REPO = Path(__file__).resolve().parent.parent

# Examples that cannot run by themselves in a test: what they need is the user's.
NOT_RUN = {
    "import actions": "reads the user's own spreadsheet",
    "minutes edit": "opens an editor",
    "sync": "needs a git clone of the store",
    "merge-driver": "git runs it, on files of its own",
    "action history": "needs a git clone of the store",
    "meeting history": "needs a git clone of the store",
}
# Examples told on another day than the suite's frozen 2026-11-23 (tests/conftest.py).
TODAY = {"minutes approve": "2026-12-03"}  # approved at the December meeting, held today
# What an example assumes was done first (something to remove, say).
SETUP = {
    "person remove": ["person", "add", "sam-patel", "--name", "Sam Patel", "--org", "basildon"],
    "interest remove": ["interest", "add", "helen-marsh", "Trustee of the Essex Community Foundation"],
}




def examples():
    found = []
    for words, command in leaf_commands():
        path = " ".join(words)
        for line in (command.help or "").splitlines():
            line = line.strip()
            if line.startswith("Example:"):
                found.append((path, line[len("Example:"):].strip()))
    return found


def test_every_command_has_an_example_in_its_help(run):
    missing = []
    for words, _ in leaf_commands():
        if "Example:" not in run(words + ["--help"]).stdout:
            missing.append(" ".join(words))
    assert not missing, f"no 'Example: escg ...' line in the --help of: {missing}"


def test_every_example_starts_with_escg():
    for path, example in examples():
        words = [w for w in shlex.split(example) if "=" not in w.split(" ")[0] or w.startswith("-")]
        assert "escg" in example.split() and f"escg {path}" in example, (path, example)
        assert words, (path, example)


def commands_of(example: str) -> list[tuple[list[str], str | None]]:
    """The escg command lines of an example, each with the file its output is sent to."""
    lexer = shlex.shlex(example, posix=True, punctuation_chars=";|><")
    lexer.whitespace_split = True
    found, words, out, pipe = [], [], None, False
    tokens = list(lexer) + [";"]
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token == ";":
            if words:
                assert words[0] == "escg", example
                found.append((words[1:], out))
            words, out, pipe = [], None, False
        elif token == ">":
            out = tokens[index]
            index += 1
        elif token == "|":
            pipe = True  # what reads the output (man -l -) is not escg's
        elif not pipe:
            words.append(token)
    return found


@pytest.mark.parametrize("path,example", examples(), ids=[f"{p}: {e}" for p, e in examples()])
def test_the_example_works_on_the_example_store(path, example, run, tmp_path, monkeypatch):
    if path in NOT_RUN:
        pytest.skip(NOT_RUN[path])
    if "--format pdf" in example or path == "agenda pack":
        if importlib.util.find_spec("weasyprint") is None:
            pytest.skip("needs the pdf extra")
    store = tmp_path / "store"
    shutil.copytree(REPO / "agendas", store, ignore=shutil.ignore_patterns(".escg-index*", ".escg.lock"))
    monkeypatch.setenv("ESCG_STORE", str(store))
    if path in TODAY:
        monkeypatch.setenv("ESCG_TODAY", TODAY[path])
    if path in SETUP:
        run(SETUP[path])
    for argv, out in commands_of(example):
        result = run(argv)
        if out is not None and not out.startswith("~"):
            (tmp_path / out).write_text(result.stdout)
