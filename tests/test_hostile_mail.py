"""Mail lets nothing in: no header through encoded-words, no option through an address
(issue 11, items 7 and 11). Sent to a real SMTP server (aiosmtpd) on loopback and a real
sendmail-like script; what they received is parsed."""

from __future__ import annotations

import email
import json
import sys
from email import policy

import pytest

import stores
from test_mail import Server, configure  # noqa: F401 - the real loopback SMTP server

REPLY_TO = "=?utf-8?q?X=0D=0AReply-To=3A_a=40evil=2Eexample?="
BCC = "=?utf-8?q?X=0D=0ABcc=3A_b=40evil=2Eexample?="
SET = ["From", "To", "Reply-To", "Subject", "Date", "Message-ID", "List-Id", "MIME-Version", "Content-Type"]


@pytest.fixture
def mail_store(meeting_store):
    return stores.add_mail_store(meeting_store)


def _replace(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _person_name(store, word):
    _replace(store / "people.toml", 'name = "Bob Police"', f'name = "Bob {word}"')


def _group_name(store, word):
    _replace(store / "escg.toml", 'name = "Test Coordination Group"', f'name = "Test {word} Group"')


def _subject(store, word):
    (store / "templates").mkdir(exist_ok=True)
    for what in ("remind", "actions"):
        (store / f"templates/{what}.subject").write_text(f"Hello {word}\n")


@pytest.mark.parametrize("word", [REPLY_TO, BCC, "=?UTF-8?B?WA0KQmNjOiBiQGV2aWwuZXhhbXBsZQ==?="])
@pytest.mark.parametrize("place", [_person_name, _group_name, _subject])
@pytest.mark.parametrize("command", ["remind --owner bob", "mail actions --to members"])
def test_encoded_words_cannot_add_headers(run, mail_store, place, word, command):
    place(mail_store, word)
    with Server() as server:
        configure(mail_store, server.port)
        result = run(command, code=3)
    assert result.stderr.startswith("error: refusing to send: the ")
    assert "contains an RFC 2047 encoded-word (=?...?=), which mail readers would decode" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    for recipients, message in server.messages:  # nothing goes; and had it, no injected header
        assert message["Bcc"] is None and "evil" not in str(message["Reply-To"])
    assert server.messages == []


def test_an_encoded_word_in_an_address_is_refused(run, mail_store):
    with Server() as server:
        configure(mail_store, server.port)
        result = run(["mail", "actions", "--to", f"{BCC}@example.org"], code=3)
    assert "encoded-word" in result.stderr and server.messages == []


def test_honest_names_arrive_with_exactly_the_headers_set(run, mail_store):
    _replace(mail_store / "people.toml", 'name = "Bob Police"', 'name = "Zoë Ferrers-Smith, OBE (Essex “Police”) =? ok"')
    with Server() as server:
        configure(mail_store, server.port)
        run("remind --owner bob")
    [(recipients, message)] = server.messages
    assert recipients == ["bob@example.org"]
    assert [key for key in message.keys() if key != "Auto-Submitted"] == SET
    assert message["To"].addresses[0].display_name == "Zoë Ferrers-Smith, OBE (Essex “Police”) =? ok"


def test_headers_are_proved_on_the_wire_even_past_check_header(monkeypatch):
    """The second line: a header that would read back as another is refused whatever let it through."""
    import re

    from escg.core.errors import InputError
    from escg.services import mail

    monkeypatch.setattr(mail, "_ENCODED_WORD", re.compile("(?!)"))  # as if check_header missed it
    with pytest.raises(InputError, match="would read back as From, Bcc, To"):
        mail.build(sender=mail.mailbox("a@example.org", f"G {BCC}"), to=mail.mailbox("b@example.org"),
                   subject="s", text="t", html="h")


# --- item 11: an address never reaches sendmail as an option ----------------


@pytest.fixture
def sendmail(mail_store, tmp_path):
    """A real sendmail-like script that records its argv, one JSON line per run."""
    log = tmp_path / "argv.jsonl"
    script = tmp_path / "fake-sendmail"
    script.write_text(f"#!{sys.executable}\nimport json, sys\nsys.stdin.buffer.read()\n"
                      f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n")
    script.chmod(0o755)
    config = mail_store / "escg.toml"
    config.write_text(config.read_text() + f'\n[mail]\nfrom = "escg@example.org"\nsendmail = "{script} -i"\n')
    return log


def _runs(log):
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_recipients_come_after_end_of_options(run, mail_store, sendmail):
    run("mail actions --to a@example.org,b@example.org")
    assert _runs(sendmail) == [["-i", "--", "a@example.org"], ["-i", "--", "b@example.org"]]


@pytest.mark.parametrize("to", ["-X/tmp/x@example.org", "a@example.org,-oQ/tmp/q@example.org", " -f@example.org"])
def test_an_address_that_looks_like_an_option_is_refused(run, mail_store, sendmail, to):
    result = run(["mail", "actions", f"--to={to}"], code=3)
    assert "it starts with '-', as a command's option does" in result.stderr
    assert _runs(sendmail) == []  # refused before anything was sent


def test_a_stored_address_that_looks_like_an_option_is_refused(run, mail_store, sendmail, tmp_path):
    _replace(mail_store / "people.toml", 'email = "bob@example.org"', f'email = "-X{tmp_path}/x@example.org"')
    result = run("remind --owner bob", code=3)
    assert "it starts with '-'" in result.stderr and _runs(sendmail) == []
    assert not (tmp_path / "x@example.org").exists()
