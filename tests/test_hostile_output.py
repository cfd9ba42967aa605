"""What escg prints or writes out never harms where it goes (issue 11, items 5, 10, 12)."""

from __future__ import annotations

import os
import stat
import threading

import pytest

OUT_COMMANDS = [["actions", "--format", "md"], ["actions", "--format", "html"], ["ics"]]


# --- item 5: --out onto a symbolic link or a device ---------------------------


@pytest.mark.parametrize("command", OUT_COMMANDS)
@pytest.mark.parametrize("dangling", [False, True])
def test_out_refuses_a_symbolic_link_and_leaves_it_and_its_target(run, empty_store, tmp_path, command, dangling):
    target = tmp_path / "precious.txt"
    if not dangling:
        target.write_text("keep me\n")
    link = tmp_path / "out.html"
    link.symlink_to(target)
    result = run([*command, "--out", str(link)], code=3)
    assert result.stderr == (f"error: --out {link} is a symbolic link; escg writes neither through nor over one: "
                             "give the path of the file itself\n")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "keep me\n" if not dangling else not target.exists()


def _read_fifo(path, into: list[bytes]) -> threading.Thread:
    def reader():
        with open(path, "rb") as handle:
            into.append(handle.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("command", OUT_COMMANDS)
def test_out_writes_into_a_pipe_without_replacing_it(run, empty_store, tmp_path, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    thread = _read_fifo(fifo, received)
    result = run([*command, "--out", str(fifo)])
    thread.join(10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert result.stderr == f"wrote {fifo}\n"
    expected = run(command).stdout_bytes
    assert received == [expected] and expected


def test_out_writes_into_a_character_device_without_replacing_it(run, empty_store, tmp_path):
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError):
        device = None
    if device is not None:  # a private /dev/null: replacing it would harm nobody
        run(["ics", "--out", str(device)])
        assert stat.S_ISCHR(os.lstat(device).st_mode)
    # Only once a pipe is known to be written into (above, and the test before) is the real one tried.
    before = os.lstat("/dev/null")
    for command in OUT_COMMANDS:
        result = run([*command, "--out", "/dev/null"])
        assert result.stderr == "wrote /dev/null\n"
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_out_still_replaces_a_regular_file_atomically(run, empty_store, tmp_path):
    out = tmp_path / "log.md"
    out.write_text("old\n")
    run(["actions", "--format", "md", "--out", str(out)])
    assert out.read_text() == run(["actions", "--format", "md"]).stdout


# --- item 12: CSV cells a spreadsheet would run as formulas -------------------

FORMULAS = ['=HYPERLINK("https://evil.example","Click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1"]


def test_csv_neutralises_formulas_and_json_keeps_them_exact(run, empty_store):
    import csv
    import io
    import json

    run(["org", "add", "ecc", "--name", "Essex County Council", "--sector", "council"])
    for number, formula in enumerate(FORMULAS):
        run(["person", "add", f"p{number}", "--name", f"Person {number}", "--org", "ecc", "--role", formula])
    rows = list(csv.DictReader(io.StringIO(run("person list -f csv").stdout)))
    kept = [row["role"] for row in json.loads(run("person list --json").stdout)]  # JSON: exactly as stored
    assert kept == [formula.strip() for formula in FORMULAS]
    assert [row["role"] for row in rows] == ["'" + role for role in kept]
    assert [row["name"] for row in rows] == [f"Person {n}" for n in range(len(FORMULAS))]  # others untouched
    shown = list(csv.DictReader(io.StringIO(run("person show p0 -f csv").stdout)))
    assert shown[0]["role"] == "'" + FORMULAS[0]


def test_csv_leaves_numbers_and_ordinary_text_alone():
    from escg.core.formats import to_csv

    assert to_csv([{"r": "\r=1"}], ["r"]) == "r\n'\r=1\n"
    assert to_csv([{"n": -3, "x": 1.5, "ok": True, "t": "a-b", "l": ["-x", "y"], "e": None}],
                  ["n", "x", "ok", "t", "l", "e"]) == "n,x,ok,t,l,e\n-3,1.5,true,a-b,\"'-x, y\",\n"


# --- item 10: store text is never rich markup, and controls are shown, not obeyed ----

HOSTILE_TITLE = "Essex [link=https://evil.example]County[/link] [/x] :smile: [bold]B[/bold]"
CONTROLS = "\x1b[31mRED\x1b[0m \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ bell\x07 cr\r \u202eevil\u2066x\u2069 \x9b"
SHOWN = ("\\x1b[31mRED\\x1b[0m \\x1b]8;;https://evil.example\\x1b\\link\\x1b]8;;\\x1b\\ bell\\x07 cr\\x0d "
         "\\u202eevil\\u2066x\\u2069 \\x9b")
RAW = ["\x07", "\r", "\u202e", "\u2066", "\u2069", "\x9b", "\x1b]8;", "\x1b[31m"]


@pytest.fixture
def hostile_store(people_store):
    """An organisation and an action whose hand-edited names hold rich markup and terminal controls."""
    people = people_store / "people.toml"
    text = people.read_text()
    text = text.replace('name = "Essex County Council"', f'name = "{HOSTILE_TITLE}"', 1)
    text = text.replace('name = "Essex Police"', 'name = ' + _toml_string(CONTROLS), 1)
    people.write_text(text)
    return people_store


def _toml_string(value: str) -> str:
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in value) + '"'


@pytest.fixture
def terminal(monkeypatch):
    """stdout as a colour terminal: the rich path, with rich emitting escape codes."""
    import escg.cli.output

    monkeypatch.setattr(escg.cli.output, "is_terminal", lambda: True)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.delenv("NO_COLOR", raising=False)


def _assert_shown_not_obeyed(out: str) -> None:
    for raw in RAW:
        assert raw not in out, (raw, out)
    assert "evil.example\x1b" not in out


def test_rich_tables_show_markup_literally_and_controls_visibly(run, hostile_store, terminal):
    out = run("org list").stdout
    assert "\x1b[" in out  # rich really drew a colour table
    assert HOSTILE_TITLE in out  # every bracket shown: no hidden link, no crash, no emoji
    assert SHOWN in out
    _assert_shown_not_obeyed(out)
    run(["action", "add", "[/x] closes nothing [link=https://evil.example]here[/link]", "--owner", "bob"])
    out = run("actions").stdout
    assert "[/x] closes nothing [link=https://evil.example]here[/link]" in out
    _assert_shown_not_obeyed(out)


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_plain_tables_and_records_show_controls_visibly(run, hostile_store, fmt):
    for command in (f"org list -f {fmt}", f"org show police -f {fmt}"):
        out = run(command).stdout
        _assert_shown_not_obeyed(out)
        assert "x1b" in out and "RED" in out


def test_json_and_csv_keep_the_text_exactly(run, hostile_store):
    import json

    names = {row["id"]: row["name"] for row in json.loads(run("org list --json").stdout)}
    assert names["police"] == CONTROLS and names["ecc"] == HOSTILE_TITLE


def test_confirmations_warnings_and_errors_show_controls_visibly(run, hostile_store):
    result = run(["org", "edit", "police", "--sector", "police"])
    _assert_shown_not_obeyed(result.stderr)
    result = run(["agenda", "add", "Report", "--forward-plan", "--paper", "papers/report\u202efdp.exe"])
    assert "papers/report\\u202efdp.exe" in result.stderr and "\u202e" not in result.stderr
    result = run(["org", "add", "bidi", "--name", "Bidi \u202elivE", "--sector", "council"])
    assert result.stderr == "added organisation bidi: Bidi \\u202elivE\n"


def test_attachment_names_cannot_hide_what_they_are(run, meeting_store):
    (meeting_store / "papers").mkdir()
    (meeting_store / "papers/report\u202efdp.exe").write_bytes(b"MZ")
    run(["agenda", "add", "Report", "--paper", "papers/report\u202efdp.exe"])
    run("agenda new")
    result = run("mail agenda --to a@example.org --dry-run", code=3)
    assert "the attachment name 'report\\u202efdp.exe' contains a newline or control character" in result.stderr
    assert "\u202e" not in result.stderr


def test_visible_shows_every_control_and_bidi_character_as_its_escape():
    """visible() returns printable text as it is, checked in C: that is exact only if every
    character its pattern escapes is one Python does not call printable."""
    from escg.core.formats import _INVISIBLE, visible

    escaped = [chr(c) for c in range(0x3000) if _INVISIBLE.search(chr(c))]
    assert len(escaped) == 74 and not any(c.isprintable() for c in escaped)
    assert visible("a\x1bb\u202ec\td\ne\x7f") == "a\\x1bb\\u202ec\td\ne\\x7f"
    assert visible("Plain text, £ and – as they are") == "Plain text, £ and – as they are"


def test_plain_table_columns_are_each_cell_as_plain_cell_makes_it():
    """to_plain checks a column of text as one joined text: every column here, tidy or not,
    must come out as plain_cell makes each of its cells."""
    import itertools

    from escg.cli.output import _plain_column
    from escg.core.formats import plain_cell

    pieces = ["a", "b c", " a", "a ", "a  b", "", None, "x\ny", "\x1b[31m", "\u202eb", "\t", 7, True, False,
              ["p", "q"], {"date": "2026-01-02", "note": "n"}, "£ –", "  "]
    for size in (1, 2, 3):
        for column in itertools.product(pieces, repeat=size):
            assert _plain_column(list(column)) == [plain_cell(value) for value in column], column
    assert _plain_column([1, 22, -3]) == ["1", "22", "-3"]


def test_a_reader_that_goes_away_early_ends_the_command_141(people_store):
    """Python's buffered writer reports a write done when a pipe took part of it and its
    reader then closed: `escg actions --json | head -c 10` ended 0 with the rest dropped.
    escg writes its output to the file itself, so the next part fails and it ends 141,
    as other Unix tools do; a reader that takes everything still gets every byte."""
    import subprocess
    import sys

    from stores import action_toml, write_actions

    write_actions(people_store, *(action_toml(n, f"Action number {n} with a title long enough to fill a pipe",
                                              "ann-chair", "ecc", due="2027-01-15") for n in range(1, 1201)))
    command = [sys.executable, "-m", "escg", "--store", str(people_store), "actions", "--json"]
    whole = subprocess.run(command, capture_output=True, check=True).stdout
    assert len(whole) > 4 * 65536  # more than a pipe holds (64 KB on Linux)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.read(10) == whole[:10]
    process.stdout.close()  # the reader goes away, as head does
    assert process.wait(timeout=60) == 141
    assert process.stderr.read() == b""


def test_output_that_cannot_be_written_is_an_error_not_a_traceback(people_store, tmp_path):
    """stdout on a full disk, closed, in an encoding without the text's characters, or a
    pipe its reader made non-blocking each ended in a Python traceback (or, non-blocking,
    in output cut short): an adversary's pass."""
    import fcntl
    import subprocess
    import sys
    import time

    from stores import action_toml, write_actions

    write_actions(people_store, *(action_toml(n, f"Action number {n} \u2013 long enough to fill a pipe", "ann-chair",
                                              "ecc", due="2027-01-15") for n in range(1, 1201)))
    command = [sys.executable, "-m", "escg", "--store", str(people_store), "actions", "--json"]
    whole = subprocess.run(command, capture_output=True, check=True).stdout
    if os.path.exists("/dev/full"):
        with open("/dev/full", "wb") as full:
            done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True)
        assert done.returncode == 7 and done.stderr == "error: cannot write the output to stdout: No space left on device\n"
    done = subprocess.run(" ".join(command) + " >&-", shell=True, capture_output=True, text=True)
    assert done.returncode == 7 and "stdout: it is closed" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert done.returncode == 1 and "stdout's encoding (ascii) cannot write" in done.stderr
    read, write = os.pipe()
    fcntl.fcntl(write, fcntl.F_SETFL, fcntl.fcntl(write, fcntl.F_GETFL) | os.O_NONBLOCK)
    process = subprocess.Popen(command, stdout=write, stderr=subprocess.PIPE)
    os.close(write)
    time.sleep(0.5)  # the pipe fills, and the writer's next write would block
    taken = b""
    while chunk := os.read(read, 65536):
        taken += chunk
    os.close(read)
    assert process.wait(timeout=60) == 0 and taken == whole and process.stderr.read() == b""
    # many small writes (a problem a line), each taken whole though the pipe fills
    for path in (people_store / "actions").rglob("*.toml"):
        path.write_text(path.read_text().replace('owner = "ann-chair"', 'owner = "nobody-here"'))
    check = [sys.executable, "-m", "escg", "--store", str(people_store), "check"]
    reported = subprocess.run(check, capture_output=True).stdout
    assert reported.count(b"\n") > 1000
    read, write = os.pipe()
    fcntl.fcntl(write, fcntl.F_SETFL, fcntl.fcntl(write, fcntl.F_GETFL) | os.O_NONBLOCK)
    process = subprocess.Popen(check, stdout=write, stderr=subprocess.PIPE)
    os.close(write)
    time.sleep(0.5)
    taken = b""
    while chunk := os.read(read, 65536):
        taken += chunk
    os.close(read)
    assert process.wait(timeout=60) == 6 and taken == reported
