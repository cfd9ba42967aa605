"""The store: discovery, init, reading with precise errors, safe writes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from escg.core.errors import WriteError
from escg.store import Store
from escg.store.files import atomic_write
from escg.store.loader import find_line

from conftest import escg_subprocess


def test_init_creates_a_valid_store(run, store_dir):
    result = run(["init", str(store_dir), "--name", "Test Group", "--short", "TG"])
    assert "created a store for Test Group" in result.stderr
    for name in ("escg.toml", "people.toml", "forward-plan.toml", ".gitignore"):
        assert (store_dir / name).is_file()
    assert (store_dir / "meetings").is_dir()
    store = Store(store_dir)
    assert store.group.name == "Test Group"
    assert [s.id for s in store.group.standing] == ["welcome", "declarations", "minutes", "actions", "aob", "next-meeting"]


def test_init_refuses_an_existing_store(run, empty_store):
    before = (empty_store / "escg.toml").read_text()
    result = run(["init", str(empty_store), "--name", "Other", "--short", "O"], code=5)
    assert "already exists" in result.stderr
    assert (empty_store / "escg.toml").read_text() == before


def test_init_needs_names(run, tmp_path):
    result = run(["init", str(tmp_path / "x")], code=3)
    assert "--name" in result.stderr
    assert not (tmp_path / "x").exists()


def test_discovery_order(run, empty_store, tmp_path, monkeypatch):
    other = tmp_path / "other"
    run(["init", str(other), "--name", "Other Group", "--short", "OG"])
    # --store wins over ESCG_STORE
    assert Store.discover(str(other)).root == other.resolve()
    assert Store.discover().root == empty_store.resolve()
    # without either, the nearest folder upwards holding escg.toml
    monkeypatch.delenv("ESCG_STORE")
    deep = other / "meetings" / "2026"
    deep.mkdir(parents=True)
    assert Store.discover(cwd=deep).root == other.resolve()


def test_missing_store_is_one_clear_line(run, tmp_path, monkeypatch):
    monkeypatch.delenv("ESCG_STORE")
    result = run("meeting list", code=6)
    assert result.stderr.startswith("error: no store found")
    assert result.stderr.count("\n") == 1
    result = run(["--store", str(tmp_path / "nowhere"), "meeting", "list"], code=6)
    assert "does not exist" in result.stderr


@pytest.mark.parametrize("file, text, where", [
    ("escg.toml", 'name = "x\n', "escg.toml:1: invalid TOML"),
    ("escg.toml", 'name = "G"\nshort = "G"\nrag_window = "soon"\n', "escg.toml:3: 'rag_window' must be a whole number"),
    ("escg.toml", 'name = "G"\nshort = "G"\ncolour = "blue"\n', "escg.toml:3: unknown key 'colour'"),
    ("people.toml", '[orgs.ecc]\nname = "ECC"\nsector = "council"\n\n[people.jo]\nname = "Jo"\norg = "nope"\n', "people.toml:7: unknown organisation 'nope'"),
    ("people.toml", '[people.jo]\nname = "Jo"\norg = "x"\nemail = "not-mail"\n', "people.toml:4: not an e-mail address"),
    ("people.toml", '[orgs.ecc]\nname = "A"\n[orgs.ecc]\nname = "B"\n', "people.toml:3: invalid TOML"),
    ("meetings/2026/2026-12-03.toml", 'date = 2026-12-03\nstart = "10:00"\nend = "09:00"\n', "meetings/2026/2026-12-03.toml:3: the meeting ends"),
    ("meetings/2026/2026-12-03.toml", 'date = 2026-12-04\n', "meetings/2026/2026-12-03.toml:1: date 2026-12-04 does not match"),
    ("meetings/2026/2026-12-03.toml", 'date = 2026-12-03\n\n[[items]]\ntitle = "A"\n\n[[items]]\ntitle = "B"\nminutes = -5\n', "meetings/2026/2026-12-03.toml:8: 'minutes' must be between"),
    ("meetings/2026/2026-12-03.toml", 'date = 2026-12-03\n\n[[items]]\ntitle = "A"\npurpose = "gossip"\n', "2026-12-03.toml:5: 'purpose' must be one of"),
])
def test_malformed_files_name_file_and_line(run, empty_store, file, text, where):
    path = empty_store / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    snapshot = _snapshot(empty_store)
    reader, writer = ("person list", "org add x --name X") if file == "people.toml" else \
        ("meeting list", "meeting new 2027-01-07")
    result = run(reader, code=6)
    assert where in result.stderr, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    # nothing written by a failing command
    result = run(writer, code=6)
    assert where in result.stderr
    assert _snapshot(empty_store) == snapshot


def _snapshot(folder: Path) -> dict[str, bytes]:
    # The lock and the index are local caches, not store files (see .gitignore).
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".escg.lock" and not p.name.startswith(".escg-index")}


def test_read_only_commands_write_nothing(run, meeting_store):
    run("agenda add 'Item' --presenter bob")
    run("agenda new")
    before = _snapshot(meeting_store)
    mtimes = {p: p.stat().st_mtime_ns for p in meeting_store.rglob("*.toml")}
    run("action add 'An action' --owner bob")
    before = _snapshot(meeting_store)
    mtimes = {p: p.stat().st_mtime_ns for p in meeting_store.rglob("*.toml")}
    for args in ("meeting list", "meeting show next", "agenda list", "agenda render --format html",
                 "agenda show", "person list --json", "org list", "person show bob", "org show ecc",
                 "agenda list --forward-plan", "meeting list --format csv", "actions --all --json",
                 "action show A-001", "check", "decisions", "ics", "remind --dry-run"):
        run(args)
    assert _snapshot(meeting_store) == before
    assert {p: p.stat().st_mtime_ns for p in meeting_store.rglob("*.toml")} == mtimes


def test_hand_comments_survive_writes(run, people_store):
    path = people_store / "people.toml"
    text = path.read_text().replace('[orgs.police]', '# Our blue-light partner\n[orgs.police]')
    text = text.replace('name = "Bob Police"', 'name = "Bob Police"  # acting until March')
    path.write_text(text)
    run("person edit bob --role 'Chief Constable (acting)'")
    run("org add fire --name 'Essex County Fire and Rescue Service' --sector fire")
    run("person add fay --name Fay --org fire")
    after = path.read_text()
    assert "# Our blue-light partner\n[orgs.police]" in after
    assert 'name = "Bob Police"  # acting until March' in after
    assert 'role = "Chief Constable (acting)"' in after
    assert "[people.fay]" in after


def test_edit_changes_only_the_changed_line(run, meeting_store):
    path = meeting_store / "meetings/2026/2026-12-03.toml"
    original = path.read_text()
    run("meeting move 2026-12-03 --start 09:30")
    import difflib

    diff = [line for line in difflib.unified_diff(original.splitlines(), path.read_text().splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    # the new start time, and the calendar sequence a move raises (the UID was already there)
    assert diff == ['-start = "10:00"', '+start = "09:30"', "+sequence = 1"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "file.toml"
    target.write_text("old = 1\n")

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(WriteError, match="no space left.*previous file is intact"):
        atomic_write(target, "new = 2\n")
    assert target.read_text() == "old = 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["file.toml"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_permission_denied_is_a_write_error(run, people_store):
    os.chmod(people_store, 0o555)
    try:
        result = run("org add fire --name Fire --sector fire", code=7)
        assert "could not write" in result.stderr
    finally:
        os.chmod(people_store, 0o755)


def test_busy_lock_times_out_without_writing(run, people_store, monkeypatch):
    import fcntl

    monkeypatch.setenv("ESCG_LOCK_TIMEOUT", "0.2")
    with open(people_store / ".escg.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = run("org add fire --name Fire --sector fire", code=7)
    assert "the store is busy" in result.stderr
    assert "fire" not in (people_store / "people.toml").read_text()


def test_concurrent_writers_lose_nothing(people_store):
    """Ten processes each add a person and a meeting at once; all twenty land."""
    script = textwrap.dedent("""
        import sys
        from escg.domain.meetings import new_meeting
        from escg.domain.people import add_person
        from escg.store import Store
        from datetime import date
        n = int(sys.argv[1])
        store = Store.discover()
        add_person(store, f"p{n}", name=f"Person {n}", org="ecc")
        new_meeting(store, date(2027, 3, 1 + n))
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(n)]) for n in range(10)]
    assert all(p.wait(timeout=60) == 0 for p in procs)
    store = Store(people_store)
    assert {f"p{n}" for n in range(10)} <= set(store.people)
    assert len([m for m in store.meetings if m.startswith("2027-03")]) == 10


def test_find_line():
    text = '# c\nname = "x"\n\n[orgs.ecc]\nname = "E"\n\n[[items]]\ntitle = "a"\n\n[[items]]\ntitle = "b"\nminutes = 3\n'
    assert find_line(text, ("name",)) == 2
    assert find_line(text, ("orgs", "ecc", "name")) == 5
    assert find_line(text, ("items", 1, "minutes")) == 12
    assert find_line(text, ("items", 1, "nothing")) == 10
    assert find_line(text, ("orgs", "ecc")) == 4


def test_python_dash_m_runs(empty_store):
    result = escg_subprocess("meeting", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"


def test_bad_lock_timeout_is_one_line(run, people_store, monkeypatch):
    monkeypatch.setenv("ESCG_LOCK_TIMEOUT", "abc")
    assert "ESCG_LOCK_TIMEOUT must be a number" in run("org add fire --name Fire", code=3).stderr


MALFORMED_TOML = [
    "a = ", "a = 1\na = 2", "[x]\n[x]", 'a = "unterminated', "a = 1979-05-27T07:32", "a = {x = 1,\n}",
    'a = "\\e"',  # an escape TOML 1.1 adds: refused, as tomllib and tomlkit refuse it
    "t = {\n a = 1 }",  # a newline in an inline table: TOML 1.1 only
    "x = [1,\n2,]\n b= 0x", "a = 1\n\n\nb = tru", "a.b = 1\na = 2", "s = '''\n''' x", "d = 2026-13-01",
    "k = 1\n[k]\n", "\x00 = 1",
    # tomllib refuses these three (a byte-order mark, a DEL), so the loader's parser must too.
    "\ufeffa = 1", "# a DEL \x7f in a comment\na = 1", "a = 1\n# \x7f",
    "a = [" * 399 + "]" * 398,  # deep, and unclosed
    # A dotted key of three parts extending an array of tables: toml_rs 0.4.3 reads these.
    "[[minutes.x]]\n[minutes]\nx.y.z = 1\n", '[[a.x]]\n[a]\n"x".y.z = 1\n', "[[m.x]]\n[m]\n  x . 'y' . z.w = 1\n",
    # Tables defined twice, through dotted keys and headers (TOML 1.0's rules).
    "[a.b.c]\nz=9\n[a]\nb.c.t=9", "[fruit]\napple.color=1\n[fruit.apple]", "a={b=1}\na.c=2", "a=[]\n[[a]]",
    "a.b.c=1\n[a.b]\nd=2", "[x]\na.b=1\n[x.a]\nc=2", "[a]\n[a.b]\n[a]", "a=1\na.b=2", "a = {b = {}, b.c = 1}",
    "a = [{b=1}]\n[[a]]", "[a.b]\n[[a]]",
]
ODD_TOML = ["big = 99999999999999999999", "'é' = 1979-05-27T07:32:00.999999-07:00", "t = 07:32:00\nf = -inf\nn = nan",
            's = """\\\n  folded"""', "a = [[1], {b = 0x_1}]".replace("_", ""), "[[x.y]]\n[x.z]\nq=1e3",
            "utc = 1979-05-27T07:32:00Z\nlocal = 1979-05-27T07:32:00", "a = " + "[" * 399 + "]" * 399,
            "a = -9223372036854775808\nb = 9223372036854775808", "x = 'a\ufeffb'",
            # Key order where tables are defined out of order, and dotted keys that are fine.
            "[a.b]\nz=1\n[a]\ny=2", "[a.b]\n[c]\n[a.d]\nq=1", "[[a]]\nb=1\n[a.c]\nd=1", "[a]\nb.c=1\nb.d=2",
            '"a".b = 1\n"a"."c" = 2\na . d = 3', "a = {b.c = 1, b.d = 2}", "[a.b]\n[a]"]


def test_the_loaders_parser_reads_as_tomllib_reads():
    """The loader parses with toml_rs and tomli (compiled, faster) where installed; every file
    must read exactly as the standard tomllib reads it (values, types, key order), and every
    malformed one fail at the same place with the same words."""
    import tomllib

    from escg.store.loader import toml

    parser = toml()
    assert parser.fast is not None, "toml_rs is a dependency: the fast path must be what is tested"
    repo = Path(__file__).resolve().parent.parent
    texts = [path.read_text(encoding="utf-8") for path in sorted((repo / "agendas").rglob("*.toml"))]
    assert len(texts) > 30
    for text in texts + ODD_TOML:
        assert repr(parser.loads(text)) == repr(tomllib.loads(text)), text  # repr: nan == nan
    for text in texts:  # the example store is read by the fast parser itself, not sent on
        assert repr(parser.fast(text)) == repr(tomllib.loads(text))
    for text in MALFORMED_TOML:
        with pytest.raises(tomllib.TOMLDecodeError) as theirs:
            tomllib.loads(text)
        with pytest.raises(parser.TOMLDecodeError) as ours:
            parser.loads(text)
        assert str(ours.value) == str(theirs.value), text


def test_the_exact_parser_is_imported_only_when_the_fast_one_cannot_answer():
    """tomli compiles its patterns as it is imported (about a millisecond of a command that
    parses a file); toml_rs reads a store's files, so tomli waits for a text it must decide."""
    import subprocess
    import sys

    pytest.importorskip("toml_rs")
    code = ("import sys\nfrom escg.store.loader import toml\nparser = toml()\n"
            "parser.loads('a = 1\\n[b]\\nc = \"d\"\\n')\nprint('tomli' in sys.modules)\n"
            "try:\n    parser.loads('a = = 1')\nexcept parser.TOMLDecodeError as error:\n    print(error)\n"
            "print('tomli' in sys.modules or 'tomllib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "False"
    assert out[1].startswith("Invalid value") and out[2] == "True"


def test_the_loaders_parser_survives_what_crashes_a_rust_parser():
    """toml_rs overflows its stack (the process dies) on arrays nested 100,000 deep, as rtoml
    did (and rtoml on a dotted key of 20,000 parts): the loader must send such texts to the
    exact parser."""
    code = (
        "from escg.store.loader import toml\n"
        "parser = toml()\n"
        "for text in ('a = ' + '[' * 100_000 + ']' * 100_000, 'a' + '.a' * 20_000 + ' = 1',\n"
        "             '[a' + '.a' * 20_000 + ']', 'x = {' + 'a.' * 20_000 + 'a = 1}'):\n"
        "    try:\n"
        "        parser.loads(text)\n"
        "        print('read')\n"
        "    except (parser.TOMLDecodeError, RecursionError) as error:\n"
        "        print('refused', type(error).__name__)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (result.returncode, result.stderr[-500:])
    assert len(result.stdout.splitlines()) == 4


def test_the_loaders_parser_agrees_with_tomllib_on_mutants():
    """Thousands of store files with one to three characters inserted, deleted or replaced
    (seeded): the loader's parser accepts exactly the ones tomllib accepts, with the same
    values, and refuses the rest with tomllib's message."""
    import random
    import tomllib

    from escg.store.loader import toml

    parser = toml()
    repo = Path(__file__).resolve().parent.parent
    texts = [path.read_text(encoding="utf-8") for path in sorted((repo / "agendas").rglob("*.toml"))]
    alphabet = list("\"'[]{}=,.#\n\r\t \\:-+_019eExXtTzZ") + [
        "\x7f", "\x00", "\x1f", "\ufeff", "\u00e9", '"""', "'''", "inf", "nan", "true", "T10:00:00+01:00"]
    rng = random.Random(20261204)
    accepted = 0
    for _ in range(4000):
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        chars = list(text[max(0, start - 400):start + 400])
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(chars) + 1)
            roll = rng.random()
            if roll < 0.4 or not chars:
                chars.insert(at, rng.choice(alphabet))
            elif roll < 0.8:
                chars.pop(min(at, len(chars) - 1))
            else:
                chars[min(at, len(chars) - 1)] = rng.choice(alphabet)
        mutant = "".join(chars)
        try:
            theirs = repr(tomllib.loads(mutant))
        except tomllib.TOMLDecodeError as error:
            with pytest.raises(parser.TOMLDecodeError) as ours:
                parser.loads(mutant)
            assert str(ours.value) == str(error), mutant
            continue
        assert repr(parser.loads(mutant)) == theirs, mutant
        accepted += 1
    assert 400 < accepted < 3600  # both kinds were tried