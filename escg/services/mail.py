"""Building and delivering mail: reminders and circulation of documents.

Messages are ``email.message.EmailMessage``, multipart/alternative (plain text
and HTML), with local papers attached. Every header value is checked for
newlines and control characters when a message is drafted (``draft``), before
anything is sent. Delivery is one of: a dry run (print what would go, from the
drafts, without importing the email package), .eml files in a folder, SMTP
(none, STARTTLS or TLS; the password only from the environment variable named
in escg.toml), or a sendmail command; the last three build every message
before the first goes. One recipient failing does not stop the others.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from escg.core.records import field, record

from escg.core import dates, formats, model
from escg.core.errors import InputError, MailError, PartialDelivery, StoreError

MAIL_KEYS = ("from", "smtp_host", "smtp_port", "security", "username", "password_env", "sendmail",
             "reply_to")
SECURITY = ("none", "starttls", "tls")
MAX_ATTACHMENT = 20 * 1024 * 1024
MAX_MESSAGES = 5000
PLACEHOLDER_SENDER = "escg@localhost.invalid"


if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from email.headerregistry import Address
    from email.message import EmailMessage


_POLICY = None


def _policy():
    """The email policy, made once a process: Python 3.11's folding drops the quotes
    around a long display name that holds a comma (From: "Group, for Essex" <x@y> becomes
    three addresses). Headers are bounded at 900 characters (check_header), so lines
    never need folding below RFC 5322's hard limit of 998. The email package is imported
    here, when mail is built, not by every command that reads the [mail] settings (escg
    check).

    Its header registry makes each header's class once: the standard one makes a new
    class (``type(...)``) for every header set, a third of building a message, and
    `escg remind` builds one for each of hundreds of owners."""
    global _POLICY
    if _POLICY is None:
        from email import headerregistry, policy

        class Registry(headerregistry.HeaderRegistry):
            def __init__(self) -> None:
                super().__init__()
                self._made: dict[str, type] = {}

            def __getitem__(self, name: str) -> type:
                key = name.lower()
                made = self._made.get(key)
                if made is None:
                    made = self._made[key] = super().__getitem__(name)
                return made

        _POLICY = policy.default.clone(max_line_length=998, header_factory=Registry())
    return _POLICY


@record
class Settings:
    sender: str | None = None
    reply_to: str | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    security: str = "starttls"
    username: str | None = None
    password_env: str | None = None
    sendmail: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.smtp_host or self.sendmail)


def settings(group: model.Group) -> Settings:
    """The [mail] table of escg.toml, checked."""
    raw = group.mail
    for key in raw:
        if key == "password":
            raise StoreError("escg.toml: never put a password in the store; name an environment variable with password_env")
        if key not in MAIL_KEYS:
            raise StoreError(f"escg.toml: unknown key '{key}' in [mail] (expected one of: {', '.join(MAIL_KEYS)})")
    for key in ("from", "smtp_host", "security", "username", "password_env", "sendmail", "reply_to"):
        if key in raw and not isinstance(raw[key], str):
            raise StoreError(f"escg.toml: [mail] {key} must be text")
    port = raw.get("smtp_port")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536):
        raise StoreError("escg.toml: [mail] smtp_port must be a port number")
    security = raw.get("security", "starttls")
    if security not in SECURITY:
        raise StoreError(f"escg.toml: [mail] security must be one of {', '.join(SECURITY)}, not {security!r}")
    found = Settings(
        sender=raw.get("from") or group.secretariat,
        reply_to=raw.get("reply_to") or group.secretariat,
        smtp_host=raw.get("smtp_host"),
        smtp_port=port,
        security=security,
        username=raw.get("username"),
        password_env=raw.get("password_env"),
        sendmail=raw.get("sendmail"),
    )
    if found.smtp_host and found.sendmail:
        raise StoreError("escg.toml: [mail] has both smtp_host and sendmail; choose one")
    if found.password_env is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", found.password_env):
        raise StoreError("escg.toml: [mail] password_env must be the name of an environment variable")
    return found


# --- headers -----------------------------------------------------------------


# An RFC 2047 encoded-word (=?charset?q?...?=), loosely: Python's header parser decodes
# one inside a display name or subject and writes what it decodes to back out raw, so
# =?utf-8?q?X=0D=0ABcc=3A_a=40evil?= became a real Bcc header on the wire. No name or
# subject needs one (escg encodes non-ASCII itself), so any is refused.
_ENCODED_WORD = re.compile(r"=\?.*?\?=", re.DOTALL)
_LINE_BREAKS = frozenset("\x85\u2028\u2029")  # next line, line and paragraph separators


def check_header(label: str, value: str) -> str:
    """Refuse a header value that could inject another header (or is absurdly long): a
    newline or control character, or an encoded-word that would decode to one."""
    if any(ord(c) < 32 or c == "\x7f" for c in value) or formats.visible(value) != value or (
            not _LINE_BREAKS.isdisjoint(value)):
        # formats.visible: the C1 and bidi controls too (report\u202efdp.exe shows as reportexe.pdf);
        # _LINE_BREAKS: what else str.splitlines() breaks at, which the email package refuses
        raise InputError(f"refusing to send: the {label} {value[:60]!r} contains a newline or control character")
    if _ENCODED_WORD.search(value):
        raise InputError(f"refusing to send: the {label} {value[:60]!r} contains an RFC 2047 encoded-word (=?...?=), "
                         "which mail readers would decode")
    if len(value) > 900:
        raise InputError(f"refusing to send: the {label} is longer than 900 characters")
    return value


def check_address(email: str, refusal: str = "not an e-mail address: {0!r}") -> str:
    """Refuse what is not one plain e-mail address, or could be read as a command's option."""
    check_header("address", email)
    if not model.EMAIL.fullmatch(email):
        raise InputError(refusal.format(email))
    if email.startswith("-"):
        # RFC 5322 allows it, but a sendmail command would read -X/tmp/x@example.org as an option.
        raise InputError(f"refusing the address {email[:60]!r}: it starts with '-', as a command's option does")
    return email


# What Python's email package quotes in a display name and in the part of an address
# before the @ (email._header_value_parser's SPECIALS and DOT_ATOM_ENDS), so that
# Mailbox writes an address as str(email.headerregistry.Address) does.
_SPECIALS = frozenset('()<>@,:;."[]\\')
_DOT_ATOM_ENDS = (_SPECIALS | frozenset(" \t")) - {"."}


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@record(frozen=True)
class Mailbox:
    """A checked address with an optional display name (``mailbox``), written as the
    email package writes it (``str``), without importing that package: a dry run shows
    what would be sent without building any message. ``address()`` is its
    ``email.headerregistry.Address``, made when a message is built."""

    email: str
    name: str = ""

    @property
    def domain(self) -> str:
        return self.email.rsplit("@", 1)[1]

    @property
    def addr_spec(self) -> str:
        username, domain = self.email.rsplit("@", 1)
        return (_quoted(username) if not _DOT_ATOM_ENDS.isdisjoint(username) else username) + "@" + domain

    def __str__(self) -> str:
        name = _quoted(self.name) if not _SPECIALS.isdisjoint(self.name) else self.name
        return f"{name} <{self.addr_spec}>" if name else self.addr_spec

    def address(self) -> Address:
        from email.headerregistry import Address

        username, domain = self.email.rsplit("@", 1)
        return Address(display_name=self.name, username=username, domain=domain)


def mailbox(email: str, name: str | None = None) -> Mailbox:
    """A checked address, with an optional display name."""
    check_address(email)
    if name is not None:
        check_header("name", name)
    return Mailbox(email, name or "")


# --- messages ----------------------------------------------------------------


@record
class Outgoing:
    """One message to go, drafted (``draft``): to whom it is addressed (``recipient``, for
    reporting) and what it is made of, ``parts``, the keywords of ``build``, every one
    checked as ``build`` checks it. The email package builds it (``build_all``) only when
    it is written or sent, so a dry run (``describe``) never imports that package.
    ``finish`` adds to the built message (an invitation's calendar), and ``attached``
    names the files it attaches."""

    recipient: str
    parts: dict[str, Any] = field(repr=False)
    label: str = ""
    finish: Callable[[EmailMessage], EmailMessage] | None = field(default=None, repr=False)
    attached: tuple[str, ...] = ()

    @property
    def to(self) -> Mailbox:
        return self.parts["to"]

    @property
    def attachment_names(self) -> list[str]:
        """The file names the message will carry, as a mail reader shows them."""
        # As email's get_filename gives them back: stripped of the spaces around them.
        return [path.name.strip() for path in self.parts.get("attachments") or ()] + [
            name.strip() for name in self.attached]

    def build(self) -> EmailMessage:
        message = build(**self.parts)
        return self.finish(message) if self.finish is not None else message


def draft(recipient: str, *, label: str, finish: Callable[[EmailMessage], EmailMessage] | None = None,
          attached: tuple[str, ...] = (), **parts: Any) -> Outgoing:
    """A message of ``parts`` (the keywords of ``build``) to ``recipient``, checked now as
    ``build`` checks it, and built when it is written or sent."""
    _check_parts(parts["subject"], parts.get("thread"), parts.get("list_id"), parts.get("attachments"))
    return Outgoing(recipient, parts, label, finish, attached)


def _check_parts(subject: str, thread: str | None, list_id: str | None, attachments: list[Path] | None) -> None:
    check_header("subject", subject)
    if thread is not None:
        check_header("thread", thread)
    if list_id is not None:
        check_header("list id", list_id)
    for path in attachments or []:
        check_header("attachment name", path.name)


def build_all(outgoing: list[Outgoing]) -> list[EmailMessage]:
    """Every message of ``outgoing`` built, before the first is written or sent: a message
    the email package refuses (``_prove_headers``) stops them all, not the ones after it."""
    return [item.build() for item in outgoing]


def build(*, sender: Mailbox, to: Mailbox, subject: str, text: str, html: str,
          reply_to: Mailbox | None = None, attachments: list[Path] | None = None,
          auto: bool = False, message_id: str | None = None, thread: str | None = None,
          list_id: str | None = None) -> EmailMessage:
    """A multipart/alternative message (in multipart/mixed when papers are attached).

    ``message_id`` (else a new one), ``thread`` (the Message-ID the message follows: it
    goes into In-Reply-To and References, so a member's client shows one thread per
    meeting) and ``list_id`` (the group, as List-Id) are Message-ID forms, ``<a@b>``."""
    _check_parts(subject, thread, list_id, attachments)
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    message = EmailMessage(policy=_policy())
    message["From"] = sender.address()
    message["To"] = to.address()
    if reply_to is not None and reply_to.addr_spec != sender.addr_spec:
        message["Reply-To"] = reply_to.address()
    message["Subject"] = subject
    message["Date"] = format_datetime(dates.now_utc())
    message["Message-ID"] = message_id or make_msgid(domain=sender.domain)
    if thread is not None and thread != message["Message-ID"]:
        message["In-Reply-To"] = thread
        message["References"] = thread
    if list_id is not None:
        message["List-Id"] = list_id
    if auto:
        message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for path in attachments or []:
        maintype, subtype, charset = attachment_type(path)
        # The paper's own bytes, never decoded and re-encoded: a Windows-1252 CSV arrives
        # as it was written, with its charset named, not with each £ turned into U+FFFD.
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
        if charset:
            message.get_payload()[-1].set_param("charset", charset)
    _prove_headers(message)
    return message


_TEXT_SUFFIXES = {".md": ("text", "markdown"), ".markdown": ("text", "markdown"), ".csv": ("text", "csv"),
                  ".txt": ("text", "plain"), ".tsv": ("text", "tab-separated-values")}


def attachment_type(path: Path) -> tuple[str, str, str | None]:
    """(maintype, subtype, charset) of a paper: its type from its name, and for text its
    charset from its bytes (us-ascii, utf-8, else windows-1252, what Office writes)."""
    import mimetypes

    known = _TEXT_SUFFIXES.get(path.suffix.lower())
    if known is None:
        kind, _ = mimetypes.guess_type(path.name)
        known = tuple((kind or "application/octet-stream").split("/", 1))
    maintype, subtype = known
    if maintype != "text":
        return maintype, subtype, None
    data = path.read_bytes()
    for charset in ("us-ascii", "utf-8"):
        try:
            data.decode(charset)
            return maintype, subtype, charset
        except UnicodeDecodeError:
            continue
    try:
        data.decode("windows-1252")
        return maintype, subtype, "windows-1252"
    except UnicodeDecodeError:
        return "application", "octet-stream", None  # text of no charset we can name: sent as bytes


def _prove_headers(message: EmailMessage) -> None:
    """Refuse a message whose headers, as written on the wire, read back as other headers.

    Every value was checked (check_header); this proves the result whatever the email
    package's folding and encoding do: the top-level header block is serialised as it
    will be sent and parsed again, and must hold exactly the headers that were set."""
    from email.parser import HeaderParser

    policy = message.policy
    wire = "".join(policy.fold(name, value) for name, value in message.items())
    parsed = HeaderParser(policy=policy).parsestr(wire + "\n", headersonly=True)
    if [name.lower() for name in parsed.keys()] != [name.lower() for name in message.keys()]:
        raise InputError(f"refusing to send: the headers of the message to {message['To']} would read back as "
                         f"{', '.join(parsed.keys())}")


# --- delivery ----------------------------------------------------------------


@record
class Report:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (recipient, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (who, reason)

    def line(self, what: str, mode: str) -> str:
        verb = {"send": "sent", "eml": "written", "dry-run": "would be sent (dry run)"}[mode]
        parts = [f"{what}: {len(self.sent)} message{'s' if len(self.sent) != 1 else ''} {verb}"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed ({', '.join(r for r, _ in self.failed)})")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped ({', '.join(f'{w}: {why}' for w, why in self.skipped)})")
        return "; ".join(parts)

    def raise_if_incomplete(self, what: str, mode: str) -> None:
        if self.failed or self.skipped:
            raise PartialDelivery(self.line(what, mode))


def write_eml(outgoing: list[Outgoing], folder: Path, report: Report) -> None:
    from escg.store.files import atomic_write

    if folder.exists() and not folder.is_dir():
        raise InputError(f"--eml {folder} is not a folder")
    messages = build_all(outgoing)
    folder.mkdir(parents=True, exist_ok=True)
    for number, (item, message) in enumerate(zip(outgoing, messages), start=1):
        safe = re.sub(r"[^A-Za-z0-9.@_-]", "_", item.recipient)[:80]
        path = folder / f"{number:03d}-{item.label + '-' if item.label else ''}{safe}.eml"
        atomic_write(path, message.as_string())
        report.sent.append(item.recipient)


def send(outgoing: list[Outgoing], config: Settings, report: Report) -> None:
    """Deliver every message; a refused recipient is reported and the rest still go."""
    if not config.sender:
        raise MailError("no sender address: set `from` under [mail], or `secretariat`, in escg.toml")
    messages = list(zip(outgoing, build_all(outgoing)))
    if config.sendmail:
        _send_with_command(messages, config.sendmail, report)
    elif config.smtp_host:
        _send_with_smtp(messages, config, report)
    else:
        raise MailError("no mail is configured: set smtp_host or sendmail under [mail] in escg.toml, or use --dry-run or --eml DIR")


def _send_with_command(outgoing: list[tuple[Outgoing, EmailMessage]], command: str, report: Report) -> None:
    import shlex
    import subprocess

    argv = shlex.split(command)
    if not argv:
        raise StoreError("escg.toml: [mail] sendmail is empty")
    for item, message in outgoing:
        try:
            # "--" ends the options: a recipient is never read as one (and mailbox refuses a leading "-").
            result = subprocess.run([*argv, "--", item.recipient], input=message.as_bytes(),
                                    capture_output=True, timeout=120)
        except FileNotFoundError:
            raise MailError(f"the sendmail command {argv[0]!r} was not found") from None
        except subprocess.TimeoutExpired:
            report.failed.append((item.recipient, "sendmail timed out"))
            continue
        if result.returncode == 0:
            report.sent.append(item.recipient)
        else:
            reason = result.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit {result.returncode}"]
            report.failed.append((item.recipient, reason[0][:200]))


def _send_with_smtp(outgoing: list[tuple[Outgoing, EmailMessage]], config: Settings, report: Report) -> None:
    import smtplib
    import socket
    import ssl

    host = config.smtp_host or "localhost"
    port = config.smtp_port or {"tls": 465, "starttls": 587, "none": 25}[config.security]
    password = None
    if config.username:
        if not config.password_env:
            raise StoreError("escg.toml: [mail] has a username but no password_env naming where the password is")
        password = os.environ.get(config.password_env)
        if password is None:
            raise MailError(f"the environment variable {config.password_env} (password_env in escg.toml) is not set")
    context = ssl.create_default_context()
    try:
        if config.security == "tls":
            client = smtplib.SMTP_SSL(host, port, timeout=30, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=30)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"cannot reach the mail server {host}:{port}: {_reason(error)}") from None
    try:
        try:
            client.ehlo()
            if config.security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if config.username:
                client.login(config.username, password or "")
        except smtplib.SMTPAuthenticationError as error:
            raise MailError(f"the mail server {host}:{port} refused the login for {config.username}: {_reason(error)}") from None
        except smtplib.SMTPNotSupportedError as error:
            raise MailError(f"the mail server {host}:{port} cannot do what escg.toml asks ({_reason(error)}); "
                            "check security and username under [mail]") from None
        except (OSError, smtplib.SMTPException, ssl.SSLError) as error:
            raise MailError(f"the mail server {host}:{port} failed: {_reason(error)}") from None
        for item, message in outgoing:
            try:
                refused = client.send_message(message, to_addrs=[item.recipient])
            except smtplib.SMTPRecipientsRefused as error:
                code, text = next(iter(error.recipients.values()))
                report.failed.append((item.recipient, f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"))
                continue
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                report.failed.append((item.recipient, _reason(error)))
                continue
            except (smtplib.SMTPServerDisconnected, socket.timeout, OSError) as error:
                report.failed.append((item.recipient, _reason(error)))
                raise MailError(f"the mail server {host}:{port} went away after {len(report.sent)} messages: {_reason(error)}") from None
            if refused:
                report.failed.append((item.recipient, str(refused)))
            else:
                report.sent.append(item.recipient)
    finally:
        try:
            client.quit()
        except Exception:  # the connection may already be gone; nothing to report
            pass


def _reason(error: Exception) -> str:
    code = getattr(error, "smtp_code", None)
    text = getattr(error, "smtp_error", None)
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    if code and text:
        return f"{code} {text}"
    return str(error) or type(error).__name__


def describe(outgoing: list[Outgoing]) -> str:
    """What a dry run prints: one block per message (its recipient, subject, attachments
    and the first three lines of its text), from what the message is made of."""
    lines = []
    for item in outgoing:
        names = item.attachment_names
        lines.append(f"To: {item.to}")
        lines.append(f"Subject: {item.parts['subject']}")
        if names:
            lines.append(f"Attachments: {', '.join(names)}")
        preview = [line for line in item.parts["text"].splitlines() if line.strip()][:3]
        lines += [f"  {line}" for line in preview]
        lines.append("")
    return "\n".join(lines)
