"""Snapshots: every document of the example store, byte for byte.

Each test renders one document of a copy of the repository's ``agendas/``
store through the CLI, with today frozen at 2026-11-23, and compares the
output with a file in ``tests/snapshots/`` (exact bytes). A template change
that alters any output, by one space or one newline, fails here.

When a change to the output is intended, rewrite the snapshots and review the
diff before committing it::

    ESCG_UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py
    git diff tests/snapshots/

The ``.eml`` files written by ``remind --eml`` and ``mail agenda --eml`` are
normalised first: the ``Date`` and ``Message-ID`` headers and the MIME
boundaries change on every run and become fixed placeholders. The agenda goes
to 23 members in messages that differ only in ``To``: the first is kept in
full, ``mail-agenda/recipients.txt`` lists every file and recipient, and
``text-part.md`` and ``html-part.html`` are its two base64 parts decoded.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escg.cli import full_app

REPO = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
TODAY = "2026-11-23"
UPDATE = os.environ.get("ESCG_UPDATE_SNAPSHOTS") == "1"

app = full_app()


@pytest.fixture
def example(tmp_path, monkeypatch) -> Path:
    """A copy of the example store (without its index), today frozen, the template cache in tmp_path."""
    store = tmp_path / "store"
    shutil.copytree(REPO / "agendas", store, ignore=shutil.ignore_patterns(".escg-index*", ".escg.lock"))
    monkeypatch.setenv("ESCG_STORE", str(store))
    monkeypatch.setenv("ESCG_TODAY", TODAY)
    monkeypatch.setenv("ESCG_CACHE_DIR", str(tmp_path / "cache"))
    return store


def escg(*argv: str) -> bytes:
    result = CliRunner().invoke(app, list(argv))
    if result.exit_code != 0 or (result.exception and not isinstance(result.exception, SystemExit)):
        raise AssertionError(f"escg {' '.join(argv)} exited {result.exit_code}\nstdout:\n{result.stdout}\n"
                             f"stderr:\n{result.stderr}\n{result.exception!r}")
    return result.stdout_bytes


def check(name: str, actual: bytes) -> None:
    """Compare ``actual`` with ``tests/snapshots/<name>``, or rewrite it with ESCG_UPDATE_SNAPSHOTS=1."""
    path = SNAPSHOTS / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != actual:
            path.write_bytes(actual)
        return
    if not path.exists():
        pytest.fail(f"no snapshot {path.relative_to(REPO)}: run ESCG_UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py")
    expected = path.read_bytes()
    if actual != expected:
        diff = difflib.unified_diff(expected.decode(errors="replace").splitlines(keepends=True),
                                    actual.decode(errors="replace").splitlines(keepends=True),
                                    f"snapshots/{name}", "rendered", n=2)
        text = "".join(diff)
        if not text:  # same lines, different bytes: line endings or a final newline
            text = f"same lines, different bytes: {expected[-40:]!r} vs {actual[-40:]!r}"
        pytest.fail(f"{name} differs from its snapshot (ESCG_UPDATE_SNAPSHOTS=1 rewrites it):\n{text[:6000]}")


DOCUMENTS = {
    "agenda-2026-12-03.md": ["agenda", "render", "2026-12-03"],
    "agenda-2026-12-03.html": ["agenda", "render", "2026-12-03", "--format", "html"],
    "agenda-2027-02-04-preview.md": ["agenda", "render", "2027-02-04"],
    "agenda-2027-02-04-preview.html": ["agenda", "render", "2027-02-04", "--format", "html"],
    "agenda-2026-08-06-cancelled.md": ["agenda", "render", "2026-08-06"],
    "agenda-2026-08-06-cancelled.html": ["agenda", "render", "2026-08-06", "--format", "html"],
    "minutes-2026-10-01-draft.md": ["minutes", "render", "2026-10-01"],
    "minutes-2026-10-01-draft.html": ["minutes", "render", "2026-10-01", "--format", "html"],
    "minutes-2026-07-16-approved.md": ["minutes", "render", "2026-07-16"],
    "minutes-2026-07-16-approved.html": ["minutes", "render", "2026-07-16", "--format", "html"],
    "actions.md": ["actions", "--format", "md"],
    "actions.html": ["actions", "--format", "html"],
    "actions-all-by-owner.md": ["actions", "--all", "--group-by", "owner", "--format", "md"],
    "actions-all-by-owner.html": ["actions", "--all", "--group-by", "owner", "--format", "html"],
    "remind-dry-run.txt": ["remind", "--dry-run"],
    "mail-actions-dry-run.txt": ["mail", "actions", "--dry-run"],
}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_document(example, name):
    check(name, escg(*DOCUMENTS[name]))


_BOUNDARY = re.compile(rb"={15}\d+==")
_HEADER = {b"Date": b"Date: <DATE>", b"Message-ID": b"Message-ID: <MESSAGE-ID>"}


def normalise_eml(raw: bytes) -> bytes:
    """The .eml with the parts that change on every run (Date, Message-ID, boundaries) made fixed."""
    head, sep, body = raw.partition(b"\n\n")
    lines = []
    for line in head.split(b"\n"):
        name = line.split(b":", 1)[0]
        lines.append(_HEADER.get(name, line))
    raw = b"\n".join(lines) + sep + body
    seen: dict[bytes, bytes] = {}
    return _BOUNDARY.sub(lambda m: seen.setdefault(m[0], b"BOUNDARY-%d" % (len(seen) + 1)), raw)


def text_parts(raw: bytes) -> dict[str, str]:
    message = message_from_bytes(raw, policy=policy.default)
    return {part.get_content_type(): part.get_content() for part in message.walk()
            if part.get_content_type() in ("text/plain", "text/html") and not part.get_filename()}


def test_remind_eml(example, tmp_path):
    out = tmp_path / "eml"
    escg("remind", "--eml", str(out))
    files = sorted(out.iterdir())
    assert len(files) == 7
    for path in files:
        raw = path.read_bytes()
        check(f"remind-eml/{path.name}", normalise_eml(raw))
        # the subject is the rendered remind.subject, on one line
        subject = message_from_bytes(raw, policy=policy.default)["Subject"]
        assert "\n" not in subject and subject.startswith("ESCG actions for ")
    names = sorted(p.name for p in (SNAPSHOTS / "remind-eml").iterdir())
    assert names == [p.name for p in files], "a snapshot in remind-eml/ no longer has a message"


def test_mail_agenda_eml(example, tmp_path):
    out = tmp_path / "eml"
    escg("mail", "agenda", "2026-12-03", "--eml", str(out))
    files = sorted(out.iterdir())
    assert len(files) == 23
    first = normalise_eml(files[0].read_bytes())
    check(f"mail-agenda/{files[0].name}", first)
    recipients = []
    to_line = re.compile(rb"^To: .*$", re.MULTILINE)
    for path in files:
        raw = normalise_eml(path.read_bytes())
        recipients.append(f"{path.name}\t{to_line.search(raw)[0].decode()}\n")
        # every member gets the same message but for the To line
        assert to_line.sub(b"To: <TO>", raw) == to_line.sub(b"To: <TO>", first), path.name
    check("mail-agenda/recipients.txt", "".join(recipients).encode())
    # the parts are base64 in the .eml: their text too, to read (papers in the store are
    # attached, so they show as "(attached)" where `agenda render` links them)
    parts = text_parts(files[0].read_bytes())
    check("mail-agenda/text-part.md", parts["text/plain"].encode())
    check("mail-agenda/html-part.html", parts["text/html"].encode())


SUBJECTS = {
    "agenda.subject": ["mail", "agenda", "2026-12-03"],
    "minutes-draft.subject": ["mail", "minutes", "2026-10-01"],
    "minutes-approved.subject": ["mail", "minutes", "2026-07-16"],
    "actions.subject": ["mail", "actions"],
}


@pytest.mark.parametrize("name", SUBJECTS)
def test_subject(example, tmp_path, name):
    """Each .subject template, as the Subject of the first message (every message has the same one)."""
    out = tmp_path / "eml"
    escg(*SUBJECTS[name], "--eml", str(out))
    subjects = {message_from_bytes(p.read_bytes(), policy=policy.default)["Subject"] for p in out.iterdir()}
    assert len(subjects) == 1
    check(f"subjects/{name}", (subjects.pop() + "\n").encode())


def test_remind_subjects(example, tmp_path):
    out = tmp_path / "eml"
    escg("remind", "--all", "--eml", str(out))
    lines = []
    for path in sorted(out.iterdir()):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        lines.append(f"{message['To']}\t{message['Subject']}\n")
    check("subjects/remind-all.subject", "".join(lines).encode())
