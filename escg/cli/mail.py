"""`escg remind` and `escg mail`: reminders and circulation, for people and cron."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

from escg.cli.params import Argument, Context, Option, echo

from escg.cli.common import say, store, warn
from escg.core.formats import visible

DryRun = Annotated[bool, Option("--dry-run", help="Print what would be sent (the default when no mail is configured).")]
Eml = Annotated[Optional[Path], Option("--eml", metavar="DIR", help="Write one .eml file per message into DIR instead of sending.")]
Send = Annotated[bool, Option("--send", help="Deliver (the default when the mail table of escg.toml sets smtp_host or sendmail).")]


class What(str, Enum):
    agenda = "agenda"
    minutes = "minutes"
    actions = "actions"
    invite = "invite"


def _deliver(s, config, outgoing, skipped, what: str, dry_run: bool, eml: Optional[Path], send: bool,
             delivered=None) -> None:
    """Send, write or show ``outgoing``; ``delivered(addresses)`` is told what went, when mail went."""
    from escg.core.errors import InputError
    from escg.services import mail

    if sum((dry_run, eml is not None, send)) > 1:
        raise InputError("give one of --dry-run, --eml DIR or --send")
    mode = "eml" if eml is not None else "send" if send else "dry-run" if dry_run else (
        "send" if config.configured else "dry-run")
    report = mail.Report(skipped=list(skipped))
    if mode == "dry-run":
        echo(visible(mail.describe(outgoing)), nl=False)  # names, subjects and attachment names are store text
        report.sent = [item.recipient for item in outgoing]
    elif mode == "eml":
        mail.write_eml(outgoing, eml, report)
    else:
        try:
            mail.send(outgoing, config, report)
        finally:
            if delivered is not None and report.sent:
                delivered(report.sent)
    for recipient, reason in report.failed:
        echo(visible(f"failed: {recipient}: {reason}"), err=True)
    if mode == "dry-run":
        say(report.line(what, mode))  # nothing was meant to go: the skipped are news, not failure
        return
    report.raise_if_incomplete(what, mode)
    say(report.line(what, mode))


def mail_remind(
    ctx: Context,
    owner: Annotated[Optional[str], Option("--owner", help="Only this person's reminder.")] = None,
    all_: Annotated[bool, Option("--all", help="Every open action, not only those overdue or due within the RAG window.")] = False,
    papers: Annotated[bool, Option("--papers", help="Instead: remind the presenters of the next meeting's items whose papers are missing, on the day they are due (papers_days clear days before; run it daily from cron).")] = False,
    days: Annotated[Optional[int], Option("--days", help="With --papers: clear days before the meeting the papers are due (default papers_days in escg.toml, 5).")] = None,
    any_day: Annotated[bool, Option("--any-day", help="With --papers: send today, whatever day the papers are due.")] = False,
    meeting: Annotated[Optional[str], Option("--meeting", "-m", help="With --papers: the meeting (default: the next).")] = None,
    dry_run: DryRun = False,
    eml: Eml = None,
    send: Send = False,
) -> None:
    """Mail each owner their overdue and soon-due actions (one message per owner).

    Example: escg remind --owner kieran-walsh --dry-run
    """
    from escg.services import mail
    from escg.workflows.circulation import reminders

    s = store(ctx)
    config = mail.settings(s.group)
    if papers:
        _remind_papers(s, config, meeting, days, any_day, owner or all_, dry_run, eml, send)
        return
    if days is not None or any_day or meeting is not None:
        from escg.core.errors import InputError

        raise InputError("--days, --any-day and --meeting go with --papers")
    outgoing, skipped = reminders(s, config, owner=owner, all_open=all_)
    _deliver(s, config, outgoing, skipped, "remind", dry_run, eml, send)


def _remind_papers(s, config, meeting, days, any_day, other, dry_run, eml, send) -> None:
    from escg.core import dates
    from escg.core.errors import InputError
    from escg.domain.meetings import resolve
    from escg.workflows.circulation import paper_reminders, papers_due

    if other:
        raise InputError("--papers reminds presenters; --owner and --all are for action reminders")
    if days is not None and not 0 <= days <= 60:
        raise InputError("--days must be between 0 and 60")
    found = resolve(s, meeting or "next")
    due = papers_due(s, found, days)
    today = dates.today()
    if found.status.cancelled:
        say(f"meeting {found.id} is cancelled; no papers are due")
        return
    if not any_day and today != due:
        say(f"papers for the meeting of {found.id} are due on {due.isoformat()}; today is {today.isoformat()}, "
            "so nothing is sent (run it daily from cron, or give --any-day)")
        return
    outgoing, skipped = paper_reminders(s, config, found, days=days)
    _deliver(s, config, outgoing, skipped, "remind --papers", dry_run, eml, send)


def mail_send(
    ctx: Context,
    what: Annotated[What, Argument(metavar="WHAT", help="agenda, minutes, actions or invite (a calendar invitation).")],
    meeting: Annotated[Optional[str], Argument(metavar="[MEETING]", help="Default: next for an agenda or invite, last for minutes.")] = None,
    to: Annotated[str, Option("--to", help="members (members and deputies), all, or ADDR[,ADDR...].")] = "members",
    dry_run: DryRun = False,
    eml: Eml = None,
    send: Send = False,
    public: Annotated[bool, Option("--public", help="Send the public form (confidential items left out). The default for --to ADDR outside people.toml.")] = False,
    members_form: Annotated[bool, Option("--members-form", help="Send the members' form, confidential items and all, even to addresses outside people.toml.")] = False,
) -> None:
    """Circulate the agenda, minutes or action log by mail, or invite to a meeting.

    Example: escg mail agenda 2026-12-03 --to members --dry-run
    Example: escg mail invite next --to members --dry-run
    """
    from escg.services import mail
    from escg.workflows.circulation import document

    from escg.workflows.circulation import meeting_of, record_sent

    s = store(ctx)
    config = mail.settings(s.group)
    if what is What.invite:  # an iTIP invitation (escg.workflows.invitations), not a rendered document
        from escg.workflows.invitations import invitations

        found, outgoing, skipped = invitations(s, config, meeting, to)
    else:
        found = meeting_of(s, what.value, meeting)
    if what.value == "agenda" and found is not None and not found.agenda_built and not found.status.cancelled:
        warn(f"the agenda of {found.id} has not been built: members would get a preview, without the action "
             f"log and matters arising (build it first with `escg agenda new {found.id}`)")
    if found is not None and (sent := found.last_sent(what.value)) is not None:
        say(f"the {what.value} of {found.id} was sent already, on {sent.at:%d %b %Y %H:%M} UTC, to "
            f"{len(sent.to)} {'person' if len(sent.to) == 1 else 'people'}")
    if what is not What.invite:
        from escg.core.errors import InputError
        from escg.workflows.circulation import outside

        if public and members_form:
            raise InputError("give --public or --members-form, not both")
        form = True if public else False if members_form else None
        told = form is None and outside(s, to)
        outgoing, skipped = document(s, config, what.value, found.id if found else meeting, to,
                                     public=True if told else form)
        if told:
            say("sending the public form (confidential items left out): --to names an address outside "
                "people.toml; give --members-form to send the members' form")

    def delivered(addresses: list[str]) -> None:
        if found is None:
            return
        from escg.core.errors import EscgError

        try:
            record_sent(s, what.value, found.id, addresses)
        except EscgError as error:  # the mail went: say so, and what could not be logged
            warn(f"the {what.value} went to {len(addresses)}, but the circulation log in {found.id}'s file "
                 f"was not written: {error}")

    _deliver(s, config, outgoing, skipped, f"mail {what.value}", dry_run, eml, send, delivered)
