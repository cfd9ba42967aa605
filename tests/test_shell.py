"""Shell conventions: completion in a real bash (and zsh, fish when installed), the man
page, and `escg` alone showing the help. Every test in a temporary store."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import stores
from command_tree import leaf_commands
from escg.cli import fast

BIN = Path(sys.executable).parent
ESCG = BIN / "escg"  # the real console entry point, as a shell finds it

pytestmark = pytest.mark.skipif(not ESCG.exists() or shutil.which("bash") is None,
                                reason="needs bash and the installed escg console script")


def script(shell: str) -> str:
    result = subprocess.run([str(ESCG), "completion", shell], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def bash_script(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("completion") / "escg.bash"
    path.write_text(script("bash"))
    return path


def bash_complete(bash_script: Path, line: str, *, env: dict | None = None, cwd: Path | None = None):
    """What a real bash offers at the end of ``line``: the script sourced, the completion
    function called as readline would call it. (candidates, stderr)."""
    program = (
        f'source {bash_script}\n'
        f'read -ra COMP_WORDS <<< "$LINE"\n'
        '[[ "$LINE" == *" " ]] && COMP_WORDS+=("")\n'
        'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n'
        'COMP_LINE=$LINE; COMP_POINT=${#LINE}\n'
        '_escg_completion escg "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    full_env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "LINE": line, **(env or {})}
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                            env=full_env, cwd=cwd, timeout=60)
    assert result.returncode == 0, result.stderr
    return [word for word in result.stdout.splitlines() if word], result.stderr


@pytest.fixture
def action_store(meeting_store) -> Path:
    return stores.add_action_store(meeting_store)


# --- completion in bash ------------------------------------------------------------


def test_commands_and_sub_commands_complete(bash_script, meeting_store):
    assert bash_complete(bash_script, "escg act")[0] == ["actions", "action"]
    assert set(bash_complete(bash_script, "escg action ")[0]) == {"add", "show", "update", "done", "drop", "reopen", "history"}
    assert bash_complete(bash_script, "escg completion ")[0] == ["bash", "zsh", "fish"]


def test_people_complete_for_options_and_arguments(bash_script, meeting_store):
    people = ["ann-chair", "bob", "cat", "dan", "eve"]
    assert bash_complete(bash_script, "escg actions --owner ")[0] == people
    assert bash_complete(bash_script, "escg person show ")[0] == people
    assert bash_complete(bash_script, "escg action add Something --owner b")[0] == ["bob"]
    assert bash_complete(bash_script, "escg agenda add Item --presenter c")[0] == ["cat"]
    assert bash_complete(bash_script, "escg minutes declare 2026-10-01 5 ")[0] == people


def test_a_list_of_people_completes_its_last_piece(bash_script, meeting_store):
    assert bash_complete(bash_script, "escg attend 2026-10-01 --present ann-chair,b")[0] == ["ann-chair,bob"]
    assert bash_complete(bash_script, "escg attend --apologies d")[0] == ["dan"]


def test_a_new_id_completes_nothing_from_the_store(bash_script, meeting_store):
    assert bash_complete(bash_script, "escg person add ")[0] == []
    assert bash_complete(bash_script, "escg org add ")[0] == []


def test_meetings_complete_with_next_and_last(bash_script, meeting_store):
    offered = bash_complete(bash_script, "escg agenda list ")[0]
    assert offered == ["next", "last", "2027-02-04", "2026-12-03", "2026-10-01"]
    assert bash_complete(bash_script, "escg actions --meeting 2026-1")[0] == ["2026-12-03", "2026-10-01"]
    assert bash_complete(bash_script, "escg minutes note n")[0] == ["next"]
    assert bash_complete(bash_script, "escg agenda defer 5 --to 2027")[0] == ["2027-02-04"]
    assert bash_complete(bash_script, "escg meeting cancel 2026-12")[0] == ["2026-12-03"]


def test_action_ids_complete_for_every_action_command(bash_script, action_store):
    ids = ["A-001", "A-002", "A-003", "A-004", "A-005"]
    for verb in ("show", "update", "done", "drop", "reopen"):
        assert bash_complete(bash_script, f"escg action {verb} ")[0] == ids, verb
    assert bash_complete(bash_script, "escg action done a-00")[0] == []  # bash matches as typed
    assert bash_complete(bash_script, "escg action done A-00")[0] == ids


def test_orgs_and_themes_complete(bash_script, action_store):
    assert bash_complete(bash_script, "escg actions --org ")[0] == ["ecc", "nhs", "police"]
    assert bash_complete(bash_script, "escg org show p")[0] == ["police"]
    assert bash_complete(bash_script, "escg person list --org n")[0] == ["nhs"]
    assert bash_complete(bash_script, "escg actions --theme ")[0] == ["health", "partnership"]
    assert bash_complete(bash_script, "escg decisions --theme h")[0] == ["health"]


def test_choices_complete(bash_script, meeting_store):
    assert bash_complete(bash_script, "escg actions --format x")[0] == ["xlsx"]


def test_the_store_typed_on_the_command_line_is_the_one_completed(bash_script, meeting_store, tmp_path):
    other = stores.write_people_store(tmp_path / "other")
    with open(other / "people.toml", "a") as people:
        people.write('\n[people.zoe]\nname = "Zoe Other"\norg = "ecc"\nmembership = "member"\n')
    line = f"escg --store {other} person show "
    assert "zoe" in bash_complete(bash_script, line)[0]
    assert "zoe" not in bash_complete(bash_script, "escg person show ")[0]


def test_a_missing_store_completes_nothing_and_says_nothing(bash_script, tmp_path):
    for env in ({"ESCG_STORE": str(tmp_path / "nowhere")}, {"ESCG_STORE": ""}):
        for line in ("escg person show ", "escg actions --owner ", "escg action done ", "escg agenda list 2"):
            assert bash_complete(bash_script, line, env=env, cwd=tmp_path) == ([], ""), line


def test_a_broken_store_completes_nothing_and_says_nothing(bash_script, meeting_store):
    (meeting_store / "people.toml").write_text("[people.bob\nname = ")
    (meeting_store / "escg.toml").write_text("themes = 3\n")
    for line in ("escg person show ", "escg actions --org ", "escg actions --theme "):
        assert bash_complete(bash_script, line) == ([], ""), line


def test_completion_reads_no_more_than_it_needs(bash_script, action_store):
    # Ids come from people.toml, escg.toml and the files' names: no index is built for them.
    for line in ("escg person show ", "escg action show ", "escg agenda list ", "escg actions --theme "):
        assert bash_complete(bash_script, line)[0], line
    assert not list(action_store.glob(".escg-index*"))


# --- the protocol, without a shell -------------------------------------------------


def protocol(instruction: str, words: str, cword: int):
    env = {**os.environ, "_ESCG_COMPLETE": instruction, "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    return subprocess.run([str(ESCG)], capture_output=True, text=True, env=env, timeout=60)


def test_click_and_typer_instructions_both_answer(meeting_store):
    for instruction in ("complete_bash", "bash_complete"):
        result = protocol(instruction, "escg person show b", 3)
        assert (result.returncode, result.stdout, result.stderr) == (0, "bob\n", ""), instruction


def test_the_fast_path_steps_aside_for_completion(meeting_store, monkeypatch):
    assert fast.run(["person", "list"]) == 0
    monkeypatch.setenv("_ESCG_COMPLETE", "complete_bash")
    assert fast.run(["person", "list"]) is None
    # Even a command line the fast path would take is answered with completions.
    env = {**os.environ, "_ESCG_COMPLETE": "complete_bash", "COMP_WORDS": "escg person show ", "COMP_CWORD": "3"}
    result = subprocess.run([str(ESCG), "person", "list"], capture_output=True, text=True, env=env, timeout=60)
    assert result.stdout.split() == ["ann-chair", "bob", "cat", "dan", "eve"]


def test_the_scripts_are_valid_shell():
    text = script("bash")
    assert "_ESCG_COMPLETE=complete_bash" in text and "complete " in text
    subprocess.run(["bash", "-n"], input=text, text=True, check=True, timeout=30)


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts(shell, tmp_path):
    text = script(shell)
    assert f"_ESCG_COMPLETE=complete_{shell}" in text
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    path = tmp_path / f"escg.{shell}"
    path.write_text(text)
    check = [shell, "-n", str(path)] if shell == "zsh" else [shell, "--no-execute", str(path)]
    result = subprocess.run(check, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_zsh_and_fish_protocols_answer(meeting_store):
    env = {**os.environ, "_ESCG_COMPLETE": "complete_fish", "_TYPER_COMPLETE_FISH_ACTION": "get-args",
           "_TYPER_COMPLETE_ARGS": "escg actions --owner b"}
    result = subprocess.run([str(ESCG)], capture_output=True, text=True, env=env, timeout=60)
    assert result.stdout.splitlines() == ["bob\tBob Police"], result.stdout
    env = {**env, "_ESCG_COMPLETE": "complete_zsh"}
    result = subprocess.run([str(ESCG)], capture_output=True, text=True, env=env, timeout=60)
    assert result.stdout.startswith("_arguments") and '"bob"' in result.stdout, result.stdout


def test_an_unknown_shell_is_a_usage_error(run):
    result = run("completion tcsh", code=2)
    assert "tcsh" in result.stderr


# --- the man page ------------------------------------------------------------------




@pytest.fixture(scope="module")
def page() -> str:
    result = subprocess.run([str(ESCG), "man"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


def test_the_man_page_covers_every_command_and_option(page):
    assert page.startswith('.\\"') and "\n.TH ESCG 1 " in page
    for path, command in leaf_commands():
        heading = "\n.SS " + "escg " + " ".join(path).replace("-", "\\-") + "\n"
        assert heading in page, path
        section = page.split(heading, 1)[1].split("\n.SS ", 1)[0]
        first_line = (command.help or "").strip().split("\n")[0].split(":")[0]
        assert first_line.replace("-", "\\-") in section.replace("\n", " "), path
        for param in command.params:
            for name in param.opts:
                if name.startswith("-"):
                    assert name.replace("-", "\\-") in section, (path, name)
        assert "\nExample:\n" in section or "\nExamples:\n" in section, path


def test_the_man_page_is_the_same_from_every_entry(page):
    module = subprocess.run([sys.executable, "-m", "escg.cli.manpage"], capture_output=True, text=True, timeout=60)
    assert module.stdout == page


def test_the_man_page_has_no_stray_requests(page):
    for number, line in enumerate(page.splitlines(), 1):
        if line.startswith(("'",)):
            pytest.fail(f"line {number} starts with a quote: {line}")
        if line.startswith("."):
            assert re.match(r"\.(\\\"|TH|SH|SS|PP|TP|RS|RE|nf|fi|B)( |$)", line), (number, line)


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_groff_renders_the_man_page_without_a_warning(page):
    result = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z"], input=page, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    shown = subprocess.run(["groff", "-man", "-Tutf8", "-P", "-c"], input=page, capture_output=True,
                           text=True, timeout=60).stdout
    shown = re.sub(".\b", "", shown)
    assert "escg action done" in shown and "--owner" in shown.replace("‐", "-")


@pytest.mark.skipif(shutil.which("man") is None, reason="man is not installed")
def test_man_reads_the_page(page, tmp_path):
    path = tmp_path / "escg.1"
    path.write_text(page)
    result = subprocess.run(["man", "-l", str(path)], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "80"})
    assert result.returncode == 0, result.stderr
    assert "ESCG(1)" in result.stdout and "EXIT STATUS" in result.stdout


# --- escg alone ----------------------------------------------------------------------


def test_escg_alone_shows_the_help_and_exits_0(run):
    result = run([])
    assert "Usage: escg" in result.stdout and "completion" in result.stdout


def test_escg_alone_from_the_console(tmp_path):
    result = subprocess.run([str(ESCG)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("Usage: escg") and "completion" in result.stdout
    with_help = subprocess.run([str(ESCG), "--help"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.stdout == with_help.stdout
    with pytest.raises(fast.Unsupported):
        fast.resolve([])  # the fast path leaves it to Typer, which answers it as --help


def test_a_group_alone_still_asks_for_its_command(run):
    result = run("action", code=2)
    assert "Usage: escg action" in result.stdout + result.stderr


@pytest.mark.parametrize("args", [[b"action", b"update", b"A-001", b"caf\xe9"], [b"actions", b"--owner", b"\xff"],
                                  [b"action", b"add", b"caf\xe9", b"--owner", b"bob"]])
def test_an_argument_that_is_not_utf8_is_one_line_and_nothing_written(action_store, args):
    """Python hands the bytes of such an argument over as surrogates, which no file can
    hold: a write raised UnicodeEncodeError (a traceback). Now one line, exit 3, nothing changed."""
    before = {p: p.read_bytes() for p in action_store.rglob("*.toml")}
    env = {**os.environ, "ESCG_STORE": str(action_store)}
    result = subprocess.run([bytes(ESCG), *args], capture_output=True, env=env, timeout=60)
    assert result.returncode == 3 and result.stdout == b""
    assert result.stderr.startswith(b"error: argument ") and b"is not UTF-8 text" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert {p: p.read_bytes() for p in action_store.rglob("*.toml")} == before
