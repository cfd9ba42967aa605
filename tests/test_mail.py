"""Reminders and circulation delivered through a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import email
import shutil
import socket
import sys
from email import policy
from pathlib import Path

import pytest

import stores

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402


class Recorder:
    """An SMTP handler that keeps what it receives and refuses addresses starting 'refuse'."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, **kwargs):
        self.handler = Recorder()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def messages(self):
        return self.handler.messages


def configure(store: Path, port: int, **extra) -> None:
    config = store / "escg.toml"
    text = config.read_text().replace('# secretariat = "secretariat@example.org"', 'secretariat = "secretariat@example.org"')
    lines = [f"\n[mail]\nfrom = \"escg@example.org\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {port}\n"]
    extra.setdefault("security", "none")
    lines += [f"{key} = \"{value}\"\n" for key, value in extra.items()]
    config.write_text(text + "".join(lines))


@pytest.fixture
def mail_store(meeting_store):
    """As at 2026-11-23: bob has one overdue and one due-soon action, cat one later, eve (no e-mail) one overdue.

    Written as files: what stores.MAIL_STORE_COMMANDS write (test_stores.py checks it)."""
    return stores.add_mail_store(meeting_store)


def parts(message):
    return {part.get_content_type(): part for part in message.walk()}


def test_remind_delivers_one_message_per_owner(run, mail_store):
    with Server() as server:
        configure(mail_store, server.port)
        result = run("remind", code=9)  # eve has no e-mail: reported, the others still go
    assert "remind: 1 message sent; 1 skipped (Eve Guest: no e-mail address)" in result.stderr
    assert len(server.messages) == 1
    recipients, message = server.messages[0]
    assert recipients == ["bob@example.org"]
    assert message["To"] == "Bob Police <bob@example.org>"
    assert message["From"] == "Test Coordination Group <escg@example.org>"
    assert message["Reply-To"] == "secretariat@example.org"
    assert message["Subject"] == "TCG actions for Bob Police: 1 overdue, 1 due soon"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text = parts(message)["text/plain"].get_content()
    html = parts(message)["text/html"].get_content()
    assert text.index("A-001") < text.index("A-002")  # overdue first
    assert "OVERDUE, due 20 Nov 2026" in text and "Review the data" not in text
    assert '<td class="rag rag-red">Overdue</td>' in html


def test_remind_all_and_owner(run, mail_store):
    with Server() as server:
        configure(mail_store, server.port)
        run("remind --all --owner cat")
    assert [r for r, _ in server.messages] == [["cat@example.org"]]
    assert "Review the data" in parts(server.messages[0][1])["text/plain"].get_content()


def test_owners_with_nothing_due_get_nothing(run, meeting_store):
    run("action add 'Later' --owner cat --due 2027-06-01")
    with Server() as server:
        configure(meeting_store, server.port)
        result = run("remind --send")
    assert server.messages == [] and "remind: 0 messages sent" in result.stderr


def test_circulate_agenda_to_members_with_papers(run, mail_store):
    (mail_store / "papers").mkdir()
    (mail_store / "papers/assessment.pdf").write_bytes(b"%PDF-1.4 test")
    run("agenda add 'Needs assessment' --presenter bob --paper papers/assessment.pdf --paper https://example.org/x.pdf")
    run("agenda new")
    with Server() as server:
        configure(mail_store, server.port)
        result = run("mail agenda next --to members")
    # members and deputies with an address: ann-chair, bob, cat, dan
    assert sorted(r[0] for r, _ in server.messages) == ["ann@example.org", "bob@example.org", "cat@example.org", "dan@example.org"]
    assert "mail agenda: 4 messages sent" in result.stderr
    message = server.messages[0][1]
    assert message["Subject"] == "TCG agenda: Thursday 3 December 2026"
    assert message.get_content_type() == "multipart/mixed"
    found = parts(message)
    assert "multipart/alternative" in found and "text/plain" in found and "text/html" in found
    attachments = [(p.get_filename(), p.get_content()) for p in message.iter_attachments()]
    assert attachments == [("assessment.pdf", b"%PDF-1.4 test")]
    assert "Needs assessment" in found["text/plain"].get_content()
    assert found["text/html"].get_content().startswith("<!DOCTYPE html>")


def test_circulate_minutes_and_actions_to_addresses(run, mail_store, monkeypatch):
    monkeypatch.setenv("ESCG_TODAY", "2026-12-03")
    run("agenda new")
    run("attend --present ann-chair,bob")
    run("minutes note 2026-12-03 1 'Welcome.'")
    with Server() as server:
        configure(mail_store, server.port)
        run("mail minutes --to a@example.org,b@example.org")
        run("mail actions --to all", code=9)  # eve has no address: reported
    subjects = [m["Subject"] for _, m in server.messages]
    assert subjects[:2] == ["TCG minutes (draft): Thursday 3 December 2026"] * 2
    assert subjects[2] == "TCG action log as at Thursday 3 December 2026: 3 overdue, 0 due soon"
    # --to all reaches everyone with an address; eve has none and is reported
    assert len(server.messages) == 2 + 4


def test_refused_recipient_is_reported_and_others_go(run, mail_store):
    with Server() as server:
        configure(mail_store, server.port)
        result = run("mail actions --to refuse@example.org,ok@example.org", code=9)
    assert [r for r, _ in server.messages] == [["ok@example.org"]]
    assert "failed: refuse@example.org: 550" in result.stderr
    assert "1 message sent; 1 failed (refuse@example.org)" in result.stderr


def test_unreachable_server_is_one_line(run, mail_store):
    configure(mail_store, free_port())
    result = run("remind --send", code=8)
    assert result.stderr.startswith("error: cannot reach the mail server 127.0.0.1:")
    assert result.stderr.count("\n") == 1


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    ca_file = folder / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    import ssl

    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(server_context)
    return ca_file, server_context


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"clerk" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


def test_starttls_with_login(run, mail_store, tls, monkeypatch):
    ca_file, context = tls
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.setenv("ESCG_SMTP_PASSWORD", "s3cret")
    with Server(tls_context=context, require_starttls=True, authenticator=authenticator, auth_required=True) as server:
        configure(mail_store, server.port, security="starttls", username="clerk", password_env="ESCG_SMTP_PASSWORD")
        run("remind --owner bob")
    assert len(server.messages) == 1


def test_failed_login_is_one_line(run, mail_store, tls, monkeypatch):
    ca_file, context = tls
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.setenv("ESCG_SMTP_PASSWORD", "wrong")
    with Server(tls_context=context, require_starttls=True, authenticator=authenticator, auth_required=True) as server:
        configure(mail_store, server.port, security="starttls", username="clerk", password_env="ESCG_SMTP_PASSWORD")
        result = run("remind --owner bob", code=8)
    assert "refused the login for clerk" in result.stderr and server.messages == []
    monkeypatch.delenv("ESCG_SMTP_PASSWORD")
    assert "ESCG_SMTP_PASSWORD" in run("remind --owner bob", code=8).stderr


def test_implicit_tls(run, mail_store, tls, monkeypatch):
    ca_file, context = tls
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    with Server(ssl_context=context) as server:
        configure(mail_store, server.port, security="tls")
        run("remind --owner bob")
    assert len(server.messages) == 1


def test_header_injection_is_refused_before_sending(run, mail_store):
    people = mail_store / "people.toml"
    people.write_text(people.read_text().replace('name = "Bob Police"', 'name = "Bob\\nBcc: victim@example.org"'))
    with Server() as server:
        configure(mail_store, server.port)
        result = run("remind", code=3)
        assert "newline" in result.stderr
        result = run(["mail", "actions", "--to", "a@example.org\nBcc: victim@example.org"], code=3)
        assert "newline" in result.stderr
    assert server.messages == []


def test_subject_template_cannot_inject(run, mail_store):
    (mail_store / "templates").mkdir()
    (mail_store / "templates/actions.subject").write_text("Hello\r\nBcc: victim@example.org")
    with Server() as server:
        configure(mail_store, server.port)
        run("mail actions --to a@example.org")
    # the template's line break is folded into spaces: no header can be added
    assert server.messages[0][1]["Subject"] == "Hello Bcc: victim@example.org"
    assert server.messages[0][1]["Bcc"] is None


def test_dry_run_is_the_default_without_mail_settings(run, mail_store):
    result = run("remind")  # a dry run reports the skipped (eve has no address) but does not fail
    assert "To: Bob Police <bob@example.org>" in result.stdout
    assert "Subject: TCG actions for Bob Police: 1 overdue, 1 due soon" in result.stdout
    assert "would be sent (dry run); 1 skipped (Eve Guest: no e-mail address)" in result.stderr


def test_eml_files(run, mail_store, tmp_path):
    out = tmp_path / "outbox"
    run(["mail", "agenda", "--to", "a@example.org,b@example.org", "--eml", str(out)])
    files = sorted(out.iterdir())
    assert [f.name for f in files] == ["001-agenda-a@example.org.eml", "002-agenda-b@example.org.eml"]
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == "a@example.org" and message.get_content_type() == "multipart/alternative"


def test_sendmail_command(run, mail_store, tmp_path):
    outbox = tmp_path / "sendmail-out"
    outbox.mkdir()
    script = tmp_path / "fake-sendmail"
    script.write_text(f"#!{sys.executable}\nimport sys, pathlib\n"
                      f"pathlib.Path({str(outbox)!r}, sys.argv[-1]).write_bytes(sys.stdin.buffer.read())\n")
    script.chmod(0o755)
    config = mail_store / "escg.toml"
    config.write_text(config.read_text() + f'\n[mail]\nfrom = "escg@example.org"\nsendmail = "{script} -i"\n')
    run("mail actions --to a@example.org")
    message = email.message_from_bytes((outbox / "a@example.org").read_bytes(), policy=policy.default)
    assert message["Subject"].startswith("TCG action log")


@pytest.mark.parametrize("setting, message", [
    ('password = "hunter2"', "never put a password in the store"),
    ('security = "ssl3"', "security must be one of"),
    ('colour = "blue"', "unknown key 'colour' in [mail]"),
])
def test_bad_mail_settings(run, mail_store, setting, message):
    config = mail_store / "escg.toml"
    config.write_text(config.read_text() + f'\n[mail]\nfrom = "escg@example.org"\n{setting}\n')
    assert message in run("remind", code=6).stderr


def test_mailed_agenda_names_attached_papers_without_a_dead_link(run, mail_store, tmp_path):
    (mail_store / "papers").mkdir()
    (mail_store / "papers/report.pdf").write_bytes(b"%PDF-1.4")
    run("agenda add Report --paper papers/report.pdf --paper https://example.org/a.pdf")
    run(["mail", "agenda", "--to", "a@example.org", "--eml", str(tmp_path / "out")])
    message = email.message_from_bytes(next((tmp_path / "out").iterdir()).read_bytes(), policy=policy.default)
    html = parts(message)["text/html"].get_content()
    assert "report.pdf (attached)" in html and 'href="papers/' not in html
    assert 'href="https://example.org/a.pdf"' in html
    assert "report.pdf (attached)" in parts(message)["text/plain"].get_content()


def test_subject_lists_every_count_with_commas(run, mail_store):
    result = run("remind --all --owner bob --dry-run")
    assert "Subject: TCG actions for Bob Police: 1 overdue, 1 due soon" in result.stdout


def test_the_action_log_takes_no_meeting(run, mail_store):
    assert "takes no MEETING" in run("mail actions next --to a@example.org", code=3).stderr


def test_check_validates_the_mail_table(run, mail_store):
    config = mail_store / "escg.toml"
    config.write_text(config.read_text() + '\n[mail]\npassword = "hunter2"\n')
    assert "never put a password in the store" in run("check", code=6).stdout


def test_sending_the_agenda_is_logged_and_publishes_it(run, mail_store):
    run("agenda new")
    server = Server()
    server.__enter__()
    configure(mail_store, server.port)
    run("mail agenda next --to members --send")
    meeting = (mail_store / "meetings/2026/2026-12-03.toml").read_text()
    assert 'status = "agenda-published"' in meeting
    assert "[[circulated]]" in meeting and 'what = "agenda"' in meeting
    assert "at = 2026-11-23T07:00:00Z" in meeting and 'to = ["ann-chair", "bob", "cat", "dan"]' in meeting
    # a change after it went says members have the old one
    result = run("agenda edit 5 --minutes 30")
    assert "the agenda of 2026-12-03 was sent on 23 Nov 2026: members have the old item 5" in result.stderr
    assert "was sent on 23 Nov 2026" in run("meeting edit 2026-12-03 --venue 'Room 2'").stderr
    # sending again says it went before, and logs the second sending too
    try:
        result = run("mail agenda next --to a@example.org --send")
    finally:
        server.__exit__(None, None, None)
    assert "the agenda of 2026-12-03 was sent already, on 23 Nov 2026 07:00 UTC, to 4 people" in result.stderr
    meeting = (mail_store / "meetings/2026/2026-12-03.toml").read_text()
    assert meeting.count("[[circulated]]") == 2 and 'to = ["a@example.org"]' in meeting
    assert "the store is clean" in run("check").stderr
    # a dry run and .eml files log nothing
    run("mail agenda next --dry-run")
    assert (mail_store / "meetings/2026/2026-12-03.toml").read_text().count("[[circulated]]") == 2


def test_an_agenda_never_built_is_warned_about_before_it_is_sent(run, mail_store):
    result = run("mail agenda next --dry-run")
    assert "warning: the agenda of 2026-12-03 has not been built: members would get a preview" in result.stderr


def test_sending_approved_minutes_is_logged_without_touching_the_record(run, example_store_copy):
    with Server() as server:
        configure(example_store_copy, server.port)
        run("mail minutes 2026-07-16 --to a@example.org --send")
    text = (example_store_copy / "meetings/2026/2026-07-16.toml").read_text()
    assert 'what = "minutes"' in text and 'status = "minutes-approved"' in text
    assert "the store is clean" in run("check --full").stderr  # the approved record's digest still holds


@pytest.fixture
def example_store_copy(example_store):
    return example_store


def test_a_paper_goes_byte_for_byte_with_its_charset(run, mail_store):
    (mail_store / "papers").mkdir()
    data = "Item,Cost\r\nRoom hire,£120\r\nCatering,£45\r\n".encode("cp1252")
    (mail_store / "papers/costs.csv").write_bytes(data)
    (mail_store / "papers/notes.md").write_text("# Notes\n\nCafé budget: £10\n", encoding="utf-8")
    run("agenda add 'Budget' --presenter bob --paper papers/costs.csv --paper papers/notes.md")
    run("agenda new")
    with Server() as server:
        configure(mail_store, server.port)
        run("mail agenda next --to a@example.org --send")
    attachments = {p.get_filename(): p for p in server.messages[0][1].iter_attachments()}
    csv_part = attachments["costs.csv"]
    assert csv_part.get_content_type() == "text/csv" and csv_part.get_param("charset") == "windows-1252"
    assert csv_part.get_payload(decode=True) == data  # never decoded: the £ is still byte 0xA3
    md_part = attachments["notes.md"]
    assert md_part.get_content_type() == "text/markdown" and md_part.get_param("charset") == "utf-8"
    assert md_part.get_payload(decode=True) == (mail_store / "papers/notes.md").read_bytes()


def test_a_meetings_mail_is_one_thread(run, mail_store, monkeypatch):
    run("agenda new")
    server = Server()
    server.__enter__()
    try:
        configure(mail_store, server.port)
        run("mail agenda next --to a@example.org --send")
        run("mail agenda next --to a@example.org --send")  # sent again: a reply in the thread
        monkeypatch.setenv("ESCG_TODAY", "2026-12-03")
        run("attend --present ann-chair,bob")
        run("minutes note 2026-12-03 1 'Welcome.'")
        run("mail minutes 2026-12-03 --to a@example.org --send")
        run("remind --owner bob --send")
    finally:
        server.__exit__(None, None, None)
    first, again, minutes, reminder = (m for _, m in server.messages)
    root = first["Message-ID"]
    assert root.endswith(".thread@example.org>") and first["In-Reply-To"] is None
    for message in (again, minutes):
        assert message["In-Reply-To"] == root and message["References"] == root
        assert message["Message-ID"] != root
    for message in (first, again, minutes, reminder):
        assert message["Auto-Submitted"] == "auto-generated"
    assert first["List-Id"] == '"Test Coordination Group" <tcg.example.org>'
    assert reminder["List-Id"] == first["List-Id"]


def test_the_reminders_text_part_drops_control_characters(run, mail_store, tmp_path):
    """remind.txt printed the store's text as it was: an escape sequence hand-edited into a
    title (or a note, a name) reached the reader's terminal in the text part. It goes
    through plain, as every other text part's store text does (a newcomer's read)."""
    import email
    from email import policy

    ident = run("action add 'Plain title' --owner bob --due 2026-11-30").stdout.strip()
    path = next((mail_store / "actions").rglob(f"{ident}-*.toml"))
    path.write_text(path.read_text().replace('title = "Plain title"', 'title = "\\u001b[31mRED\\u0007 title"'))
    run(f"remind --eml {tmp_path / 'out'}", code=9)  # eve has no e-mail address
    sent = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in (tmp_path / "out").glob("*.eml")]
    text = parts(sent[0])["text/plain"].get_content()
    assert "[31mRED title" in text and "\x1b" not in text and "\x07" not in text


def test_the_plain_text_part_is_for_a_78_column_reader(run, mail_store):
    run(["agenda", "add", "A very long item title " * 6, "--presenter", "bob",
         "--paper", "https://example.org/a/very/long/paper/address/that/cannot/be/wrapped.pdf"])
    run("agenda new")
    with Server() as server:
        configure(mail_store, server.port)
        run("mail agenda next --to a@example.org --send")
    text = parts(server.messages[0][1])["text/plain"].get_content()
    assert "|" not in text  # no Markdown table
    long = [line for line in text.splitlines() if len(line) > 78]
    assert long == []
    assert "Papers: wrapped.pdf [1]" in text and "[1] https://example.org/a/very/long/paper/address" in text


def test_presenters_whose_papers_are_missing_are_reminded_on_the_day_they_are_due(run, mail_store, monkeypatch):
    (mail_store / "papers").mkdir()
    (mail_store / "papers/ready.md").write_text("ready\n")
    run("agenda add 'No paper yet' --presenter bob")
    run("agenda add 'Paper named, not there' --presenter cat --paper papers/coming.md")
    run("agenda add 'Paper in' --presenter cat --paper papers/ready.md")
    run("agenda add 'On the web' --presenter ann-chair --paper https://example.org/x.pdf")
    # 2026-12-03 less 5 clear days: due on Friday 27 November
    result = run("remind --papers")
    assert "due on 2026-11-27; today is 2026-11-23, so nothing is sent" in result.stderr
    monkeypatch.setenv("ESCG_TODAY", "2026-11-27")
    with Server() as server:
        configure(mail_store, server.port)
        result = run("remind --papers --send")
    assert "remind --papers: 2 messages sent" in result.stderr
    by = {r[0]: m for r, m in server.messages}
    assert set(by) == {"bob@example.org", "cat@example.org"}
    assert by["bob@example.org"]["Subject"] == "TCG papers due by Friday 27 November 2026 for the meeting of Thursday 3 December 2026"
    text = parts(by["cat@example.org"])["text/plain"].get_content()
    assert "Paper named, not there" in text and "coming.md" in text and "Paper in" not in text
    assert "No paper named yet." in parts(by["bob@example.org"])["text/plain"].get_content()
    # --days and --any-day
    monkeypatch.setenv("ESCG_TODAY", "2026-11-23")
    assert "2 messages would be sent" in run("remind --papers --days 9 --dry-run").stderr  # due today
    assert "2 messages would be sent" in run("remind --papers --any-day --dry-run").stderr
    assert "go with --papers" in run("remind --days 3", code=3).stderr
    # A store's base.html may use today, as every other document's context has it
    from escg.services.render import bundled_templates

    (mail_store / "templates").mkdir(exist_ok=True)
    base = (bundled_templates() / "base.html").read_text()
    (mail_store / "templates" / "base.html").write_text(base.replace("</body>", "<p>Sent {{ today }}</p>\n</body>"))
    out = mail_store.parent / "papers-eml"
    run(f"remind --papers --any-day --eml {out}")
    import email
    from email import policy

    sent = [email.message_from_bytes(eml.read_bytes(), policy=policy.default) for eml in sorted(out.glob("*.eml"))]
    assert len(sent) == 2 and all("Sent 2026-11-23" in parts(m)["text/html"].get_content() for m in sent)
    # a store's own macros.html from before mailto existed still makes the papers reminder
    (mail_store / "templates" / "macros.html").write_text("{% macro heading(text) %}{{ text }}{% endmacro %}\n")
    assert "2 messages would be sent" in run("remind --papers --any-day --dry-run").stderr
    (mail_store / "templates" / "macros.html").unlink()
    # a presenter who has left is told apart from one without an address, with what to do
    run("person leave cat --on 2026-11-20")
    said = run("remind --papers --any-day --dry-run").stderr
    assert ("Cat Health: left the group on 2026-11-20: give item 6 a new presenter "
            "(`escg agenda edit 6 -m 2026-12-03 --presenter PERSON`)") in said


def mutt_index(box: Path, home: Path) -> str:
    """The index a real mail client (mutt, threaded) shows for the mbox ``box``, as text."""
    import fcntl
    import os
    import pty
    import re
    import select
    import struct
    import termios
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: mutt, read-only, no user configuration
        os.environ.update(TERM="vt100", HOME=str(home))
        os.execvp("mutt", ["mutt", "-n", "-F", "/dev/null", "-R", "-f", str(box), "-e",
                           f'set folder={home}; set sort=threads; set ascii_chars=yes; set index_format="%4C %s"'])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 150, 0, 0))
    out, end = b"", time.time() + 20
    try:
        while time.time() < end and b"Mutt:" not in out:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    break
        os.write(fd, b"q")
    finally:
        time.sleep(0.2)
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except OSError:
            pass
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-B]|\x1b[=>]|[\x0e\x0f]", "\n", out.decode("latin-1"))


@pytest.mark.skipif(shutil.which("mutt") is None, reason="needs mutt, a real mail client")
def test_a_real_mail_client_shows_one_thread_per_meeting(run, mail_store, monkeypatch, tmp_path):
    import mailbox

    run("agenda new")
    server = Server()
    server.__enter__()
    try:
        configure(mail_store, server.port)
        run("mail agenda next --to a@example.org --send")
        run("mail actions --to a@example.org --send")
        monkeypatch.setenv("ESCG_TODAY", "2026-12-03")
        run("attend --present ann-chair,bob")
        run("minutes note 2026-12-03 1 'Welcome.'")
        run("mail minutes 2026-12-03 --to a@example.org --send")
    finally:
        server.__exit__(None, None, None)
    box = mailbox.mbox(str(tmp_path / "inbox"))
    for _, message in server.messages:
        box.add(message)
    box.flush()
    (tmp_path / "home").mkdir()
    screen = mutt_index(tmp_path / "inbox", tmp_path / "home")
    lines = [line.strip() for line in screen.splitlines() if "TCG" in line]
    agenda = next(i for i, line in enumerate(lines) if "TCG agenda" in line)
    minutes = next(i for i, line in enumerate(lines) if "TCG minutes" in line)
    assert "->" in lines[minutes] and "->" not in lines[agenda], lines  # the minutes hang under the agenda
    assert "->" not in next(line for line in lines if "TCG action log" in line)  # a thread of its own


def test_messages_are_what_the_stock_email_policy_makes():
    # The policy's header registry makes each header's class once (the stock one makes a
    # class for every header set): the bytes on the wire must not change for it.
    from escg.services import mail

    def build():
        return mail.build(sender=mail.mailbox("sec@example.org", "Group, for Essex"),
                          to=mail.mailbox("ann@example.org", "Dr Ann Lee"), subject="SCG actions: 2 overdue",
                          text="Dear Ann,\n\nA-001 is overdue. £5 — café\n", html="<p>Dear Ann, café</p>\n",
                          reply_to=mail.mailbox("reply@example.org"), auto=True, message_id="<m1@example.org>",
                          thread="<t@example.org>", list_id="<scg.example.org>")

    ours = build()
    original = mail._POLICY
    mail._POLICY = policy.default.clone(max_line_length=998)
    try:
        stock = build()
    finally:
        mail._POLICY = original
    for message in (ours, stock):
        del message["Date"]
    import re

    def wire(message):  # the MIME boundaries are random
        return re.sub(rb"=+[0-9]+==", b"BOUNDARY", message.as_bytes())

    assert wire(ours) == wire(stock)
    assert build()["To"].addresses[0].addr_spec == "ann@example.org"
    assert type(build()["To"]) is type(build()["To"])  # one class a header name


# --- a dry run builds no message ---------------------------------------------


TRICKY_NAMES = ["", "Ann", "Dr Ann Lee", "Lee, Ann", 'Ann "A" Lee', "Ann (Essex)", "Ann\\Lee", "Zoë Ünal",
                "Group, for Essex", "A. N. Other", "x@y", "[x]", "<x>", "a;b:c", "  spaced  ", "O'Neil"]


@pytest.mark.parametrize("username", ["ann", "a.b", "a+b", "o'neil", "a..b", ".ann", "a\"b", "a b", "a(b"])
def test_a_mailbox_is_written_as_the_email_package_writes_its_address(username):
    # describe() prints Mailbox without the email package; a message carries its Address.
    from email.message import EmailMessage

    from escg.services import mail

    for name in TRICKY_NAMES:
        box = mail.Mailbox(f"{username}@example.org", name)
        message = EmailMessage(policy=mail._policy())
        message["To"] = box.address()
        assert str(box) == str(box.address()) == str(message["To"]), (username, name)
        assert box.addr_spec == box.address().addr_spec and box.domain == "example.org"


def blocks_of(messages) -> str:
    """What a dry run printed before it stopped building messages: read from the messages."""
    lines = []
    for message in messages:
        attachments = [part.get_filename() for part in message.iter_attachments()]
        lines.append(f"To: {message['To']}")
        lines.append(f"Subject: {message['Subject']}")
        if attachments:
            lines.append(f"Attachments: {', '.join(attachments)}")
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        lines += [f"  {line}" for line in [line for line in text.splitlines() if line.strip()][:3]]
        lines.append("")
    return "\n".join(lines)


@pytest.mark.parametrize("command", ["remind", "remind --all", "mail agenda next --to members",
                                     "mail actions --to members", "mail invite next --to members",
                                     "remind --papers --any-day"])
def test_a_dry_run_shows_what_the_messages_written_hold(run, mail_store, tmp_path, command):
    (mail_store / "papers").mkdir()
    (mail_store / "papers/assessment.pdf").write_bytes(b"%PDF-1.4 test")
    (mail_store / "papers/ lead.pdf").write_bytes(b"%PDF-1.4 lead")  # a reader shows it without the space
    run("agenda add 'Needs assessment' --presenter bob --paper papers/assessment.pdf --paper 'papers/ lead.pdf'")
    run("agenda add 'Paper to come' --presenter cat")
    run("agenda new")
    people = mail_store / "people.toml"
    people.write_text(people.read_text().replace('"Bob Police"', '"Police, Bob \\"B\\" (Essex) Zoë"'))
    dry = run(f"{command} --dry-run").stdout
    out = tmp_path / "out"
    run(f"{command} --eml {out}", code=9 if command.startswith("remind") and "papers" not in command else 0)
    files = sorted(out.glob("*.eml"))
    assert files, "the command wrote messages"
    messages = [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]
    assert dry == blocks_of(messages)
    if "invite" not in command and "papers" not in command:
        assert 'To: "Police, Bob \\"B\\" (Essex) Zoë" <bob@example.org>' in dry


def test_a_dry_run_imports_no_email_module(mail_store):
    import os
    import subprocess

    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "escg", "remind", "--dry-run"],
                            capture_output=True, text=True, env=os.environ.copy(), timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "would be sent (dry run)" in result.stderr  # the measurement works
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    assert "escg.services.mail" in modules
    assert not {name for name in modules if name == "email" or name.startswith("email.")}


def test_a_message_refused_when_built_stops_every_message_before_the_first_goes(run, mail_store, monkeypatch):
    # The email package's proof of the headers runs when messages are built: all of them
    # are built before any is sent, so a refusal of the last one sends none.
    from escg.core.errors import InputError
    from escg.services import mail

    real = mail._prove_headers

    def prove(message):
        if "cat@" in str(message["To"]):
            raise InputError("refusing to send: proved wrong")
        real(message)

    monkeypatch.setattr(mail, "_prove_headers", prove)
    with Server() as server:
        configure(mail_store, server.port)
        result = run("remind --all", code=3)
    assert "proved wrong" in result.stderr
    assert server.messages == []


@pytest.mark.parametrize("where", ["name", "short"])
@pytest.mark.parametrize("mode", ["--dry-run", "--eml out"])
def test_a_line_separator_in_the_groups_name_is_refused_before_anything_goes(run, mail_store, where, mode):
    # U+2028 and U+2029 break a line as str.splitlines() reads it: the email package refused
    # them with a traceback; the group's name goes into From and List-Id, its short name
    # into an invitation's subject.
    config = mail_store / "escg.toml"
    text = config.read_text()
    key = f'{where} = "'
    assert key in text
    config.write_text(text.replace(key, key + "Test\\u2029", 1))
    command = "mail invite next --to members" if where == "short" else "remind"
    result = run(f"{command} {mode}", code=3)
    assert "refusing to send" in result.stderr and "newline or control character" in result.stderr
    assert not (mail_store.parent / "out").exists() and not Path("out").exists()
