"""`escg publish`: the group's public website, as a folder of static files.

The site holds an index, a page per meeting, each published document as its own page
(the public agenda of every meeting whose agenda is built or that has been held, the
approved minutes, and draft minutes only when asked), the decision log, the forward
plan, the public action log, the papers of published items (copied from the store,
never from outside it), an iCalendar feed and an Atom feed of documents.

Every document is the public one: its context goes through ``escg.workflows.confidential.public``
before it is rendered, so nothing marked confidential reaches the site.

A publish is deterministic and incremental: the same store (and the same today)
gives the same bytes, links are relative (the folder can be served from any path),
a file is written only when its bytes change, and a file escg wrote before that is no
longer published is removed; escg knows its own files from the manifest it keeps in
the folder (MANIFEST), and never removes any other. Search is Pagefind's, run over the
folder after the pages are written, when the ``pagefind`` package is installed.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

from escg.core import dates, model
from escg.core.errors import InputError
from escg.store import Store

try:
    from escg.workflows.confidential import public as _public
except ImportError:  # until confidential items land: every context is public as it is
    def _public(kind: str, context: dict[str, Any]) -> dict[str, Any]:
        return context

MANIFEST = ".escg-publish.json"
STYLESHEET = "site.css"
CALENDAR = "calendar.ics"
FEED = "feed.atom"
FILES = "files"  # where the papers of published items are copied, at their path in the store
LATEST = 10  # documents listed on the index page
MAX_PAPER_BYTES = 50 * 1024 * 1024


@dataclass
class Published:
    """What a publish did: the files written, left as they were and removed (paths in the
    folder), the warnings, and whether Pagefind indexed the site."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    searchable: bool = False


def public(kind: str, context: dict[str, Any]) -> dict[str, Any]:
    """The public form of a document's context (kind "agenda", "minutes" or "actions")."""
    return _public(kind, context)


def publishes_drafts(store: Store) -> bool:
    """Whether escg.toml asks for draft minutes to be published (``publish_drafts = true``)."""
    return bool(getattr(store.group, "publish_drafts", False))


def link(page: str, target: str) -> str:
    """The relative link from the page at ``page`` to ``target`` (both paths in the site)."""
    return quote(posixpath.relpath(target, posixpath.dirname(page) or "."), safe="/#.-_~")


def meeting_page(meeting_id: str) -> str:
    return f"meetings/{meeting_id}/index.html"


def document_page(meeting_id: str, kind: str) -> str:
    return f"meetings/{meeting_id}/{kind}.html"


# --- what is published ---------------------------------------------------------------


def _agenda_published(meeting: model.Meeting) -> bool:
    return not meeting.status.cancelled and (meeting.agenda_built or meeting.status.took_place)


def _minutes_published(meeting: model.Meeting, drafts: bool) -> bool:
    return meeting.status.approved or (drafts and meeting.status.has_minutes)


def _stamp(value: date | datetime) -> str:
    """RFC 3339 in UTC: a date as its midnight."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _agenda_updated(meeting: model.Meeting) -> str:
    """When the agenda last changed, from the store: its latest circulation, else the latest
    date an item was submitted, else the meeting's day."""
    sent = [c.at for c in meeting.circulated if c.what == "agenda"]
    if sent:
        return max(_stamp(at) for at in sent)
    submitted = [item.submitted for item in meeting.items if item.submitted]
    return _stamp(max(submitted) if submitted else meeting.date)


def _minutes_updated(meeting: model.Meeting) -> str:
    minutes = meeting.minutes
    days = [c.date for c in minutes.corrections] + [d for d in (minutes.approved, minutes.drafted) if d]
    return _stamp(max(days) if days else meeting.date)


def _tag(store: Store, meeting: model.Meeting, kind: str) -> str:
    """An Atom id that never changes for a document: a tag URI (RFC 4151) from the meeting's
    calendar domain and id."""
    from escg.domain.meetings import meeting_uid

    uid = meeting_uid(store, meeting)
    domain = uid.rsplit("@", 1)[-1] if "@" in uid else "escg.invalid"
    domain = re.sub(r"[^A-Za-z0-9.-]", "-", domain)
    return f"tag:{domain},{meeting.date.year}:{meeting.id}/{kind}"


class _Site:
    """The pages of one publish, built in memory: path in the site -> bytes."""

    def __init__(self, store: Store, drafts: bool) -> None:
        self.store = store
        self.drafts = drafts
        self.today = dates.today()
        self.files: dict[str, bytes] = {}
        self.papers: dict[str, str] = {}  # path in the site -> real path in the store
        self.warnings: list[str] = []
        self.documents: list[dict[str, Any]] = []  # for the feed and the index
        self.decisions: list[dict[str, Any]] = []

    # rendering

    def site_context(self, page: str, title: str = "") -> dict[str, Any]:
        nav = [("index.html", "Home"), ("meetings.html", "Meetings"), ("decisions.html", "Decisions"),
               ("forward-plan.html", "Forward plan"), ("actions.html", "Actions"), ("search.html", "Search")]
        return {"page": page, "title": title, "css": link(page, STYLESHEET),
                "nav": [{"href": link(page, target), "label": label, "current": target == page}
                        for target, label in nav],
                "home": link(page, "index.html"), "calendar": link(page, CALENDAR), "feed": link(page, FEED)}

    def render(self, page: str, template: str, context: dict[str, Any], title: str = "") -> None:
        from escg.services.render import render

        text = render(self.store, template, {**context, "site": self.site_context(page, title)})
        self.files[page] = _scrollable_tables(text).encode("utf-8")

    # papers

    def paper_href(self, page: str, href: str, where: str) -> str:
        """The link to a paper from ``page``: a web address as it is, a file in the store copied
        into the site (and linked there), or "" for one that cannot be published."""
        if model.WEB_LINK.fullmatch(href):
            return href
        from escg.integrations.pdf import _inside_store

        real, why = _inside_store(self.store, href)
        if real is None:
            self.warnings.append(f"{where}: paper {href[:100]} is not published: {why}")
            return ""
        target = f"{FILES}/{href}"
        self.papers[target] = real
        return link(page, target)

    def with_papers(self, page: str, context: dict[str, Any], where: str) -> dict[str, Any]:
        items = [{**item, "papers": [{**paper, "href": self.paper_href(page, paper["href"], where)}
                                     for paper in item["papers"]]}
                 for item in context["items"]]
        return {**context, "items": items}

    # the pages

    def build(self) -> None:
        from escg.workflows.documents import agenda_context, minutes_context

        store = self.store
        meetings = sorted(store.meetings.values(), key=lambda m: m.id)
        rows = []
        for meeting in meetings:
            docs = []
            agenda = minutes = None
            if _agenda_published(meeting):
                page = document_page(meeting.id, "agenda")
                agenda = self.with_papers(page, public("agenda", agenda_context(store, meeting)), f"meeting {meeting.id}")
                self.render(page, "site/agenda.html", agenda)
                docs.append({"kind": "agenda", "label": "Agenda", "page": page, "meeting": meeting,
                             "updated": _agenda_updated(meeting), "draft": False})
            if _minutes_published(meeting, self.drafts):
                page = document_page(meeting.id, "minutes")
                minutes = public("minutes", minutes_context(store, meeting))
                self.render(page, "site/minutes.html", minutes)
                draft = not meeting.status.approved
                docs.append({"kind": "minutes", "label": "Draft minutes" if draft else "Minutes", "page": page,
                             "meeting": meeting, "updated": _minutes_updated(meeting), "draft": draft})
                for item in minutes["items"]:
                    for number, text in enumerate(item["decisions"], 1):
                        self.decisions.append({"meeting": meeting.id, "when": dates.long_date(meeting.date),
                                               "ref": f"{item['number']}.{number}", "item": item["number"],
                                               "title": item["title"], "theme": item["theme"], "text": text,
                                               "draft": draft, "minutes": document_page(meeting.id, "minutes")})
            self.documents += docs
            row = self.meeting_row(meeting, docs, agenda)
            rows.append(row)
            page = meeting_page(meeting.id)
            self.render(page, "site/meeting.html", {**self.group(), "meeting": self.relinked(page, row)},
                        title=f"Meeting of {row['long_date']}")
        self.documents.sort(key=lambda d: (d["updated"], d["meeting"].id, d["kind"]), reverse=True)
        self.index(rows)
        self.render("meetings.html", "site/meetings.html",
                    {**self.group(), "meetings": [self.relinked("meetings.html", r) for r in reversed(rows)]},
                    title="Meetings")
        self.decision_log()
        self.forward_plan()
        self.action_log()
        self.render("search.html", "site/search.html", {**self.group(), "pagefind": {
            "css": link("search.html", "pagefind/pagefind-ui.css"), "js": link("search.html", "pagefind/pagefind-ui.js")}},
            title="Search")
        from escg.integrations.pdf import stylesheet  # read as print.css is: the store's own, else the bundled

        self.files[STYLESHEET] = stylesheet(self.store, "site/site.css").encode()
        self.files[CALENDAR] = self.calendar(meetings)
        self.files[FEED] = self.feed()
        for target, real in sorted(self.papers.items()):
            from escg.integrations.pdf import _read_file

            try:
                self.files[target] = _read_file(real, MAX_PAPER_BYTES)
            except (OSError, ValueError) as error:
                self.warnings.append(f"paper {target[len(FILES) + 1:]} is not published: "
                                     f"{getattr(error, 'strerror', None) or error}")
                self.drop_links(target)

    def drop_links(self, target: str) -> None:
        """A paper that could not be read after all: pages keep its name, unlinked."""
        for page, data in list(self.files.items()):
            if page.endswith(".html"):
                href = html.escape(link(page, target), quote=True)
                self.files[page] = re.sub(rb'<a href="' + re.escape(href.encode()) + rb'">(.*?)</a>', rb"\1", data)

    def group(self) -> dict[str, Any]:
        g = self.store.group
        return {"group": {"name": g.name, "short": g.short, "secretariat": g.secretariat or ""}, "today": self.today}

    def meeting_row(self, meeting: model.Meeting, docs: list[dict], agenda: dict | None) -> dict[str, Any]:
        from escg.domain.meetings import state, when

        papers = []
        if agenda is not None:
            page = document_page(meeting.id, "agenda")
            for item in agenda["items"]:
                for paper in item["papers"]:
                    if paper["href"]:
                        # the agenda's links are from its own page, which is in the meeting's folder too
                        papers.append({"name": paper["name"], "item": item["number"], "title": item["title"],
                                       "href": paper["href"], "from": page})
        return {"id": meeting.id, "date": meeting.date.isoformat(), "when": when(meeting),
                "long_date": dates.long_date(meeting.date), "venue": meeting.venue or "",
                "online": meeting.online or "", "status": state(meeting), "cancelled": meeting.status.cancelled,
                "note": (meeting.note or "") if meeting.status.cancelled else "", "upcoming": meeting.date >= self.today,
                "page": meeting_page(meeting.id),
                "documents": [{"label": d["label"], "page": d["page"], "draft": d["draft"]} for d in docs],
                "papers": papers}

    def relinked(self, page: str, row: dict[str, Any]) -> dict[str, Any]:
        """A meeting's row with every link made from ``page``."""
        def paper(p: dict) -> dict:
            href = p["href"]
            if not model.WEB_LINK.fullmatch(href):
                href = link(page, posixpath.normpath(posixpath.join(posixpath.dirname(p["from"]), href)))
            return {**p, "href": href}

        return {**row, "href": link(page, row["page"]),
                "documents": [{**d, "href": link(page, d["page"])} for d in row["documents"]],
                "papers": [paper(p) for p in row["papers"]]}

    def index(self, rows: list[dict]) -> None:
        upcoming = [self.relinked("index.html", r) for r in rows if r["upcoming"] and not r["cancelled"]]
        latest = [{"label": d["label"], "when": dates.long_date(d["meeting"].date), "href": link("index.html", d["page"]),
                   "updated": d["updated"][:10]} for d in self.documents[:LATEST]]
        self.render("index.html", "site/index.html", {**self.group(), "upcoming": upcoming, "latest": latest})

    def decision_log(self) -> None:
        page = "decisions.html"
        meetings: dict[str, dict[str, Any]] = {}
        for d in self.decisions:
            entry = meetings.setdefault(d["meeting"], {"id": d["meeting"], "when": d["when"], "draft": d["draft"],
                                                       "href": link(page, d["minutes"]), "decisions": []})
            entry["decisions"].append({**d, "href": link(page, d["minutes"]) + f"#item-{d['item']}"})
        self.render(page, "site/decisions.html",
                    {**self.group(), "meetings": [meetings[k] for k in sorted(meetings, reverse=True)]},
                    title="Decision log")

    def forward_plan(self) -> None:
        from escg.domain.agenda import describe_aim

        store = self.store
        items = []
        for item in store.forward_plan:
            if getattr(item, "confidential", False):
                continue
            items.append({"title": item.title, "purpose": item.purpose,
                          "org": store.orgs[item.org].name if item.org in store.orgs else (item.org or ""),
                          "theme": store.group.themes.get(item.theme, item.theme or ""),
                          "aim": describe_aim(item.aim) if item.aim else "next available meeting",
                          "status": item.status})
        self.render("forward-plan.html", "site/forward-plan.html", {**self.group(), "items": items},
                    title="Forward plan")

    def action_log(self) -> None:
        from escg.domain.actions import Selection, Showing, select
        from escg.workflows.documents import action_log_context

        selection = Selection(status=Showing.OPEN)
        found = select(self.store, selection, self.today)
        context = public("actions", action_log_context(self.store, found, selection, None, self.today))
        self.render("actions.html", "site/actions.html", context)

    def calendar(self, meetings: list[model.Meeting]) -> bytes:
        """The meetings as iCalendar, each stamped with when its file last changed (not now),
        its description the public agenda."""
        from escg.workflows.calendar import REFRESH, meeting_event, modified, new_calendar
        from escg.workflows.documents import agenda_context

        store = self.store
        calendar = new_calendar(store)
        calendar.add("x-wr-calname", f"{store.group.short}: {store.group.name}")
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
        for meeting in meetings:
            event = meeting_event(store, meeting, modified([store.meeting_path(meeting.id)]))
            if not meeting.status.cancelled:
                lines = [store.group.name, ""]
                for item in public("agenda", agenda_context(store, meeting))["items"]:
                    lines.append(f"{item['number']}. {item['start']} {item['title']}")
                if meeting.online:
                    lines += ["", f"Join online: {meeting.online}"]
                del event["description"]
                event.add("description", "\n".join(lines))
            calendar.add_component(event)
        return calendar.to_ical()

    def feed(self) -> bytes:
        """An Atom feed (RFC 4287) of the published documents, newest first; every id and time
        comes from the store."""
        from xml.sax.saxutils import escape, quoteattr

        group = self.store.group
        entries = self.documents
        updated = max((d["updated"] for d in entries), default=_stamp(date(2000, 1, 1)))
        domain = re.sub(r"[^a-z0-9]+", "-", group.short.lower()).strip("-") or "group"
        lines = ['<?xml version="1.0" encoding="utf-8"?>',
                 '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">',
                 f"  <title>{escape(group.name)}: documents</title>",
                 f"  <id>tag:{domain}.escg,2000:documents</id>",
                 f"  <updated>{updated}</updated>",
                 f"  <author><name>{escape(group.name)}</name>"
                 + (f"<email>{escape(group.secretariat)}</email>" if group.secretariat else "") + "</author>",
                 f'  <link rel="self" href={quoteattr(FEED)}/>',
                 f'  <link rel="alternate" type="text/html" href={quoteattr("index.html")}/>',
                 '  <generator uri="https://github.com/escg">escg</generator>']
        for d in entries:
            meeting = d["meeting"]
            title = f"{d['label']}: {group.short} meeting of {dates.long_date(meeting.date)}"
            lines += ["  <entry>",
                      f"    <title>{escape(title)}</title>",
                      f"    <id>{escape(_tag(self.store, meeting, d['kind']))}</id>",
                      f"    <updated>{d['updated']}</updated>",
                      f'    <link rel="alternate" type="text/html" href={quoteattr(d["page"])}/>',
                      f"    <summary>{escape(title)}.</summary>",
                      "  </entry>"]
        lines.append("</feed>")
        return ("\n".join(lines) + "\n").encode("utf-8")


_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_CAPTION = re.compile(r"<caption[^>]*>(.*?)</caption>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def _scrollable_tables(text: str) -> str:
    """Every table in a scroll container of its own, named by its caption and reachable by the
    keyboard, so a wide table scrolls inside the page at 320 px instead of the page scrolling
    sideways (WCAG 1.4.10 reflow)."""
    def wrap(match: re.Match) -> str:
        caption = _CAPTION.search(match[0])
        label = " ".join(html.unescape(_TAGS.sub("", caption[1])).split()) if caption else "Table"
        return (f'<div class="table-scroll" role="region" aria-label="{html.escape(label, quote=True)}" tabindex="0">'
                f"{match[0]}</div>")

    return _TABLE.sub(wrap, text)


# --- writing ----------------------------------------------------------------------------


def _check_folder(store: Store, out: Path) -> Path:
    out = Path(os.path.abspath(out))
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} is not a folder")
    root = os.path.realpath(store.root)
    real = os.path.realpath(out)
    if real == root or os.path.commonpath([real, root]) == real:
        raise InputError(f"{out} holds the store; publish into a folder of its own")
    return out


def _manifest(out: Path) -> list[str]:
    """The files an earlier publish wrote, as paths inside ``out`` (anything else in the list ignored)."""
    try:
        data = json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    files = data.get("files", []) if isinstance(data, dict) else []
    kept = []
    for name in files:
        if (isinstance(name, str) and name and not name.startswith("/") and "\\" not in name
                and ".." not in name.split("/") and name != MANIFEST):
            kept.append(name)
    return kept


def _inside(out: Path, name: str) -> Path | None:
    path = out / name
    real = os.path.realpath(path)
    return path if os.path.commonpath([real, os.path.realpath(out)]) == os.path.realpath(out) else None


def _run_pagefind(out: Path, warn: Callable[[str], None]) -> bool:
    import importlib.util

    if importlib.util.find_spec("pagefind") is None:
        warn("search is left out: Pagefind is not installed (pip install 'escg[publish]')")
        return False
    import shutil

    # A fresh index, written beside the old and swapped in whole: Pagefind leaves the fragments
    # of an earlier run in place, so a page taken off the site (an item made confidential, say)
    # would stay findable through them.
    fresh, stale = out / ".pagefind-new", out / ".pagefind-old"
    for leftover in (fresh, stale):
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        done = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(out), "--output-path", str(fresh),
                               "--quiet"], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        shutil.rmtree(fresh, ignore_errors=True)
        warn(f"search is left out: Pagefind did not run ({error})")
        return False
    if done.returncode != 0 or not (fresh / "pagefind.js").is_file():
        shutil.rmtree(fresh, ignore_errors=True)
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no message"]
        warn(f"search is left out: Pagefind failed ({last[0][:200]})")
        return False
    current = out / "pagefind"
    if current.exists():
        os.replace(current, stale)
    os.replace(fresh, current)
    shutil.rmtree(stale, ignore_errors=True)
    return True


def publish(store: Store, out: Path, *, drafts: bool | None = None, search: bool = True) -> Published:
    """Write the site of ``store`` into ``out``: only files whose bytes change, removing files
    an earlier publish wrote that are no longer published; then index it with Pagefind."""
    from escg.store.files import atomic_write

    out = _check_folder(store, out)
    site = _Site(store, publishes_drafts(store) if drafts is None else drafts)
    site.build()
    result = Published(warnings=site.warnings)
    for name in sorted(site.files):
        path = _inside(out, name)
        if path is None:
            result.warnings.append(f"{name} leads outside {out}; not written")
            continue
        data = site.files[name]
        try:
            same = path.is_file() and not path.is_symlink() and path.read_bytes() == data
        except OSError:
            same = False
        if same:
            result.unchanged.append(name)
        else:
            if path.is_symlink():
                path.unlink()
            atomic_write(path, data, out)
            result.written.append(name)
    for name in sorted(set(_manifest(out)) - set(site.files)):
        path = _inside(out, name)
        if path is not None and (path.is_file() or path.is_symlink()):
            path.unlink()
            result.removed.append(name)
            folder = path.parent
            while folder != out and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
    manifest = (json.dumps({"generator": "escg publish", "files": sorted(site.files)}, indent=1) + "\n").encode()
    if not (out / MANIFEST).is_file() or (out / MANIFEST).read_bytes() != manifest:
        atomic_write(out / MANIFEST, manifest, out)
    if search:
        indexed = (out / "pagefind" / "pagefind.js").is_file()
        if result.written or result.removed or not indexed:
            result.searchable = _run_pagefind(out, result.warnings.append)
        else:
            result.searchable = True  # nothing changed since Pagefind last indexed the site
    return result
