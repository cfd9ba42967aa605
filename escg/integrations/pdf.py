"""PDF documents: the agenda, minutes and action log, and the agenda pack.

Every PDF is the document's own HTML template (agenda.html, minutes.html,
actions.html; the pack's pack.html extends agenda.html) laid out by WeasyPrint
with a print stylesheet, ``templates/print.css`` (and for the pack
``templates/pack.css``), which a store replaces by putting its own file of the
same name in ``<store>/templates/``. Each PDF is tagged (PDF/UA-1), in en-GB,
with the document's title.

The pack is one WeasyPrint document: cover, contents, agenda, then each paper
in agenda order. A Markdown or text paper is laid out as part of it; a PDF
paper (or one LibreOffice converted to PDF) gets one empty page per page of
its own, sized like it, which WeasyPrint numbers and heads like every other
page; pypdf then draws the paper's page onto it, scaled into the space between
header and footer. So "page N of M", the running header and the contents'
page numbers (CSS ``target-counter``, which WeasyPrint resolves after laying
out every page) hold across the whole pack, and the pack's own pages keep
their tags. The bookmarks are written last, by pypdf, from where WeasyPrint
placed each anchor.

WeasyPrint and pypdf are the ``pdf`` extra, imported only when a PDF is made.
WeasyPrint fetches nothing: no file, no web address (``_Fetcher``), so a
store's template cannot pull a file from the machine into a PDF it mails.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from escg.core import model
from escg.core.errors import ConflictError, InputError, NotFoundError
from escg.services.render import bundled_templates, render
from escg.store import Store
from escg.workflows.documents import agenda_context

KINDS = ("agenda", "minutes", "actions")
EXTRA_NEEDED = "PDF output needs the pdf extra: pip install 'escg[pdf]'"

# What the pack reads of a paper: a file larger than this is listed, not read.
MAX_PAPER_BYTES = 50_000_000
# A text or Markdown paper is laid out page by page; beyond this it is listed, not laid out.
MAX_TEXT_PAPER_BYTES = 1_000_000
# Pages of PDF papers (and converted ones) in one pack; papers beyond it are listed.
MAX_PAPER_PAGES = 2_000
# A print stylesheet larger than this is refused.
MAX_CSS_BYTES = 1_000_000
# How long LibreOffice may take to convert the pack's Word and Excel papers, together.
CONVERT_SECONDS = 180

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
# What LibreOffice converts to PDF when it is installed.
OFFICE_SUFFIXES = {".doc", ".docx", ".odt", ".rtf", ".xls", ".xlsx", ".ods", ".csv", ".ppt", ".pptx", ".odp"}

# The room a PDF paper's page leaves for the pack's running header and page number:
# its page is scaled to fit inside these margins of a page of its own size.
SHEET_MARGIN_MM = (14.0, 10.0)  # top and bottom, left and right
_PT_PER_MM = 72 / 25.4
_PT_PER_PX = 0.75  # WeasyPrint's anchors are in CSS pixels


# --- the libraries --------------------------------------------------------------


def _libraries() -> tuple[Any, Any]:
    """weasyprint and pypdf, or the one-line error that says how to get them."""
    try:
        import pypdf
        import weasyprint
    except ImportError:
        raise InputError(EXTRA_NEEDED) from None
    except OSError as error:
        # WeasyPrint is installed but the Pango libraries it loads are not.
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"PDF output needs the Pango libraries WeasyPrint uses, which did not load: {first}") from None
    return weasyprint, pypdf


def _fetcher(weasyprint: Any) -> Any:
    """A URL fetcher that fetches nothing but data: URLs. A store's template is data: it must not
    embed /etc/passwd as an attachment or image, nor make the PDF run fetch a web address."""

    def refuse(url: str) -> None:
        raise ValueError(f"escg does not fetch {url[:100]} into a PDF")

    try:
        from weasyprint.urls import URLFetcher  # newer WeasyPrint: a class to subclass
    except ImportError:
        from weasyprint import default_url_fetcher  # older: a function to wrap

        return lambda url, *args, **kwargs: default_url_fetcher(url, *args, **kwargs) if url.startswith("data:") else refuse(url)

    class Fetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            refuse(url)

    return Fetcher()


# --- files of the store ---------------------------------------------------------


def _inside_store(store: Store, relative: str) -> tuple[str | None, str | None]:
    """(the real path of ``relative`` in the store, None), or (None, why not): a path that
    names no file, or one that leaves the store, itself or through a symbolic link."""
    if model.paper_problem(relative):
        return None, f"{relative[:100]} is not a path inside the store"
    root = os.path.realpath(store.root)
    real = os.path.realpath(os.path.join(root, relative))
    if os.path.commonpath([real, root]) != root:
        return None, f"{relative} leads outside the store (through a symbolic link)"
    if not os.path.lexists(os.path.join(root, relative)):
        return None, f"{relative} is not in the store"
    if not os.path.isfile(real):
        return None, f"{relative} is not a file"
    return real, None


def _read_file(real: str, limit: int) -> bytes:
    """The bytes of a checked file, opened without following a link put there since the check."""
    fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError("not a regular file")
        if info.st_size > limit:
            raise ValueError(f"{info.st_size:,} bytes, more than the {limit:,} escg reads of such a file")
        return handle.read(limit + 1)


def stylesheet(store: Store | None, name: str = "print.css") -> str:
    """The text of the print stylesheet ``name``: the store's templates/NAME if it has one, else the bundled one."""
    if store is not None and os.path.lexists(store.root / "templates" / name):
        real, why = _inside_store(store, f"templates/{name}")
        if real is None:
            raise InputError(f"stylesheet templates/{name}: {why}; refusing to read it")
        where = f"templates/{name}"
    else:
        real, where = str(bundled_templates() / name), name
    try:
        data = _read_file(real, MAX_CSS_BYTES)
    except FileNotFoundError:
        raise NotFoundError(f"no stylesheet {name!r} in the store's templates/ or the bundled ones") from None
    except (OSError, ValueError) as error:
        raise InputError(f"stylesheet {where}: {error}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"stylesheet {where} is not UTF-8 text (byte {error.start})") from None


# --- laying out -------------------------------------------------------------------


def _html(weasyprint: Any, text: str, *, kind: str, running: str, draft: bool, confidential: bool = False) -> Any:
    """WeasyPrint's parse of ``text``, its root marked with what print.css keys on:
    data-escg-kind, data-escg-running (the running header), data-escg-draft and
    data-escg-confidential (the members' form of a document with confidential items)."""
    html = weasyprint.HTML(string=text, url_fetcher=_fetcher(weasyprint))
    root = html.etree_element
    root.set("data-escg-kind", kind)
    root.set("data-escg-running", running)
    if draft:
        root.set("data-escg-draft", "DRAFT")
    if confidential:
        root.set("data-escg-confidential", "CONFIDENTIAL")
    if not root.get("lang"):  # a store's template without one: the documents are in British English
        root.set("lang", "en-GB")
    return html


def _layout(weasyprint: Any, html: Any, css: list[str]) -> Any:
    """Lay out ``html`` with the stylesheets ``css``, in order, after the document's own styles.

    They go into the document's head as <style> elements (as elements, so no text of theirs is
    parsed as HTML), not through WeasyPrint's ``stylesheets``: those are user stylesheets, which
    lose to every rule of the template's own <style>; these are the author's, and come last."""
    from xml.etree import ElementTree

    root = html.etree_element
    head = next((child for child in root if child.tag == "head"), None)
    if head is None:
        head = ElementTree.Element("head")
        root.insert(0, head)
    for text in css:
        ElementTree.SubElement(head, "style").text = text
    return html.render()


def _write(document: Any, title: str) -> bytes:
    if not document.metadata.title:  # PDF/UA wants a title; a store's template may have none
        document.metadata.title = title
    return document.write_pdf(pdf_variant="pdf/ua-1")


def running(context: dict[str, Any], kind: str) -> str:
    """The running header of every page of a document: the group, and the meeting's date
    (the action log: the date it is as at). The Word documents use it too (escg.integrations.word)."""
    group = context["group"]["name"]
    if kind == "actions":
        return f"{group} · action log as at {context['as_at']}"
    return f"{group} · {context['meeting']['long_date']}"


def html_pdf(store: Store | None, text: str, *, kind: str, running: str, draft: bool = False,
             confidential: bool = False) -> bytes:
    """The HTML document ``text`` as a tagged PDF, laid out with the print stylesheet (the
    store's or the bundled one): ``running`` heads each page, DRAFT too if ``draft``,
    CONFIDENTIAL if ``confidential``."""
    weasyprint, _ = _libraries()
    html = _html(weasyprint, text, kind=kind, running=running, draft=draft, confidential=confidential)
    return _write(_layout(weasyprint, html, [stylesheet(store)]), running)


def document_pdf(store: Store, kind: str, context: dict[str, Any]) -> bytes:
    """The agenda, minutes or action log (``kind``) as a tagged PDF, from the context its
    HTML template gets: that template laid out with the print stylesheet."""
    if kind not in KINDS:
        raise InputError(f"a PDF document is one of {', '.join(KINDS)}, not {kind!r}")
    _libraries()  # before the render: without the extra, say so first
    text = render(store, f"{kind}.html", context)
    return html_pdf(store, text, kind=kind, running=running(context, kind), draft=is_draft(context, kind),
                    confidential=bool(context.get("has_confidential")))


def is_draft(context: dict[str, Any], kind: str) -> bool:
    """Whether a document says DRAFT on every page: minutes not yet approved, and an agenda
    not yet built (but a cancelled meeting's); an action log never."""
    if kind == "minutes":
        return bool(context["draft"])
    return kind == "agenda" and bool(context["draft"])


# --- papers --------------------------------------------------------------------------


@dataclass
class Paper:
    """One paper of one item, as the pack shows it."""

    item: int
    item_title: str
    position: int  # 1, 2... within its item
    name: str
    href: str
    kind: str = "left-out"  # markdown, text, pdf, or left-out
    note: str = ""  # why it is left out
    blocks: list[dict[str, Any]] = field(default_factory=list)
    pdf: Any = None  # a pypdf PdfWriter holding the paper's pages
    sizes: list[tuple[float, float]] = field(default_factory=list)  # of each page, in points

    @property
    def id(self) -> str:
        return f"paper-{self.item}-{self.position}"

    @property
    def label(self) -> str:
        return f"Item {self.item}: {self.name}"


def _left_out(paper: Paper, note: str, warnings: list[str]) -> None:
    paper.kind, paper.note = "left-out", note
    warnings.append(f"item {paper.item}: paper {paper.href} left out of the pack: {note}")


def _load_pdf(pypdf: Any, data: bytes) -> tuple[Any, list[tuple[float, float]]]:
    """A paper's pages in a PdfWriter of their own (upright, whatever their /Rotate), and their sizes."""
    import logging
    import warnings

    # pypdf logs what it repairs in a damaged file ("EOF marker not found"); the pack says in
    # one warning what it could not use, and nothing about what it could.
    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _read_pdf(pypdf, data)
    finally:
        log.setLevel(level)


def _read_pdf(pypdf: Any, data: bytes) -> tuple[Any, list[tuple[float, float]]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("it is encrypted with a password")
    pages = pypdf.PdfWriter(clone_from=reader)
    sizes = []
    for page in pages.pages:
        if page.rotation % 360:
            page.transfer_rotation_to_content()
        box = page.cropbox
        sizes.append((float(box.width), float(box.height)))
    if not sizes:
        raise ValueError("it has no pages")
    return pages, sizes


def _gather(store: Store, items: list[dict[str, Any]], pypdf: Any, warnings: list[str]) -> list[Paper]:
    """Every paper of every item, in agenda order, each read (or left out, with why)."""
    papers: list[Paper] = []
    office: list[tuple[Paper, bytes, str]] = []
    pages = 0
    for item in items:
        for position, linked in enumerate(item["papers"], start=1):
            paper = Paper(item["number"], item["title"], position, linked["name"], linked["href"])
            papers.append(paper)
            href = paper.href
            if model.WEB_LINK.fullmatch(href):
                _left_out(paper, "a web address, which escg does not fetch", warnings)
                continue
            real, why = _inside_store(store, href)
            if real is None:
                _left_out(paper, why, warnings)
                continue
            suffix = os.path.splitext(href)[1].lower()
            if suffix not in MARKDOWN_SUFFIXES | TEXT_SUFFIXES | OFFICE_SUFFIXES | {".pdf"}:
                _left_out(paper, f"a {suffix or 'file without a suffix'} file, which the pack cannot include", warnings)
                continue
            limit = MAX_TEXT_PAPER_BYTES if suffix in MARKDOWN_SUFFIXES | TEXT_SUFFIXES else MAX_PAPER_BYTES
            try:
                data = _read_file(real, limit)
            except (OSError, ValueError) as error:
                _left_out(paper, f"cannot be read: {getattr(error, 'strerror', None) or error}", warnings)
                continue
            if suffix in OFFICE_SUFFIXES:
                office.append((paper, data, suffix))
                continue
            if suffix == ".pdf":
                try:
                    paper.pdf, paper.sizes = _load_pdf(pypdf, data)
                except Exception as error:  # pypdf raises many kinds for a damaged file
                    _left_out(paper, f"not a PDF that can be read ({type(error).__name__}: {str(error)[:120]})", warnings)
                    continue
                paper.kind = "pdf"
                continue
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                _left_out(paper, f"not UTF-8 text (byte {error.start})", warnings)
                continue
            paper.kind = "markdown" if suffix in MARKDOWN_SUFFIXES else "text"
            paper.blocks = markdown_blocks(text) if paper.kind == "markdown" else text_blocks(text)
    if office:
        _convert(office, pypdf, warnings)
    for paper in papers:  # a bound on the pages laid out, in agenda order
        if paper.kind == "pdf":
            if pages + len(paper.sizes) > MAX_PAPER_PAGES:
                paper.pdf, paper.sizes = None, []
                _left_out(paper, f"the pack's papers would pass {MAX_PAPER_PAGES:,} pages", warnings)
            else:
                pages += len(paper.sizes)
    return papers


def soffice() -> str | None:
    """LibreOffice's command, if it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert(office: list[tuple[Paper, bytes, str]], pypdf: Any, warnings: list[str]) -> None:
    """Word, Excel and similar papers converted to PDF by LibreOffice, in one run of it."""
    command = soffice()
    if command is None:
        for paper, _, _ in office:
            _left_out(paper, "converting it needs LibreOffice (soffice), which is not installed", warnings)
        return
    import signal

    with tempfile.TemporaryDirectory(prefix="escg-pack-") as folder:
        # LibreOffice reads copies under names of ours, never the store's files, and keeps its
        # profile in this run's folder, so two packs made at once do not share (and lock) one.
        sources = []
        for number, (paper, data, suffix) in enumerate(office, start=1):
            source = os.path.join(folder, f"paper-{number}{suffix}")
            with open(source, "wb") as handle:
                handle.write(data)
            sources.append(source)
        out = os.path.join(folder, "out")
        profile = Path(folder, "profile").as_uri()
        argv = [command, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                "--convert-to", "pdf", "--outdir", out, *sources]
        failure = None
        try:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, start_new_session=True,
                                       env={**os.environ, "HOME": folder})
        except OSError as error:
            failure = f"LibreOffice did not start: {error.strerror or error}"
        else:
            try:
                process.communicate(timeout=CONVERT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: soffice and the soffice.bin it starts
                process.communicate()
                failure = f"LibreOffice took more than {CONVERT_SECONDS} seconds to convert it"
        for number, (paper, _, _) in enumerate(office, start=1):
            if failure:
                _left_out(paper, failure, warnings)
                continue
            converted = os.path.join(out, f"paper-{number}.pdf")
            try:
                with open(converted, "rb") as handle:
                    paper.pdf, paper.sizes = _load_pdf(pypdf, handle.read())
            except FileNotFoundError:
                _left_out(paper, "LibreOffice could not convert it to PDF", warnings)
                continue
            except Exception as error:
                _left_out(paper, f"LibreOffice's PDF of it cannot be read ({type(error).__name__})", warnings)
                continue
            paper.kind = "pdf"


# --- Markdown and text papers ----------------------------------------------------------
# escg has no Markdown library at run time, so a paper's Markdown is read as the blocks most
# papers use: headings, paragraphs, lists, block quotes, code blocks and tables. Inline marks
# (emphasis, code, links) are taken off and a link's address kept in brackets. The template
# escapes every block's text: a paper's HTML is shown as text, never run.

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_BULLET = re.compile(r"^[ \t]{0,3}[-*+][ \t]+(.*)$")
_NUMBERED = re.compile(r"^[ \t]{0,3}(\d{1,9})[.)][ \t]+(.*)$")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_RULE = re.compile(r"^[ \t]{0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*<?([^)>\s]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)([^_]+?)(?<=\S)_(?!\w)")
_CODE = re.compile(r"`+([^`]+)`+")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")


def inline(text: str) -> str:
    """A line of Markdown as plain text: marks taken off, a link as ``text (address)``."""
    text = _CODE.sub(lambda m: m[1], text)
    text = _LINK.sub(lambda m: m[1] if not m[2] or m[2] == m[1] else f"{m[1]} ({m[2]})", text)
    text = _AUTOLINK.sub(lambda m: m[1], text)
    for _ in range(3):  # nested emphasis
        text = _EMPHASIS.sub(lambda m: m[2] or m[3] or m[4], text)
    return _ESCAPED.sub(lambda m: m[1], text)


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [inline(cell.strip().replace("\\|", "|")) for cell in re.split(r"(?<!\\)\|", line)]


def markdown_blocks(text: str) -> list[dict[str, Any]]:
    """The blocks of a Markdown paper: heading (level 1-6), paragraph, list (ordered or not,
    with its start), quote, code and table (head and rows), each with plain text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[dict[str, Any]] = []
    paragraph: list[str] = []

    def close() -> None:
        if paragraph:
            blocks.append({"kind": "paragraph", "text": inline(" ".join(s.strip() for s in paragraph))})
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if fence := _FENCE.match(line):
            close()
            code = []
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith(fence[1]):
                code.append(lines[i])
                i += 1
            blocks.append({"kind": "code", "text": "\n".join(code)})
            i += 1
            continue
        if not line.strip():
            close()
        elif heading := _HEADING.match(line):
            close()
            blocks.append({"kind": "heading", "level": len(heading[1]), "text": inline(heading[2])})
        elif _RULE.match(line):
            close()
        elif "|" in line and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1]) and "-" in lines[i + 1]:
            close()
            head = _cells(line)
            rows = []
            i += 2
            while i < len(lines) and lines[i].strip() and "|" in lines[i]:
                row = _cells(lines[i])
                rows.append((row + [""] * len(head))[:len(head)])
                i += 1
            blocks.append({"kind": "table", "head": head, "rows": rows})
            continue
        elif (bullet := _BULLET.match(line)) or _NUMBERED.match(line):
            close()
            ordered = bullet is None
            start = int(_NUMBERED.match(line)[1]) if ordered else 1
            entries: list[str] = []
            while i < len(lines) and lines[i].strip():
                current = lines[i]
                found = _NUMBERED.match(current) if ordered else _BULLET.match(current)
                if found:
                    entries.append(found[2] if ordered else found[1])
                elif (_BULLET.match(current) or _NUMBERED.match(current)) and not current.startswith((" ", "\t")):
                    break  # a list of the other kind begins
                else:
                    entries[-1] += " " + current.strip()  # a continuation line, or a nested item, run in
                i += 1
            blocks.append({"kind": "list", "ordered": ordered, "start": start,
                           "items": [inline(entry.strip()) for entry in entries]})
            continue
        elif line.lstrip().startswith(">"):
            close()
            quoted = []
            while i < len(lines) and lines[i].lstrip().startswith(">"):
                quoted.append(lines[i].lstrip()[1:].strip())
                i += 1
            blocks.append({"kind": "quote", "text": inline(" ".join(q for q in quoted if q))})
            continue
        elif line.startswith(("    ", "\t")) and not paragraph:
            code = []
            while i < len(lines) and (lines[i].startswith(("    ", "\t")) or not lines[i].strip()):
                code.append(lines[i][4:] if lines[i].startswith("    ") else lines[i][1:])
                i += 1
            blocks.append({"kind": "code", "text": "\n".join(code).rstrip("\n")})
            continue
        else:
            paragraph.append(line)
        i += 1
    close()
    return blocks


def text_blocks(text: str) -> list[dict[str, Any]]:
    """The paragraphs of a plain-text paper (blank-line separated), each keeping its line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [{"kind": "lines", "text": part.strip("\n")} for part in re.split(r"\n[ \t]*\n", text) if part.strip()]


# --- the pack ---------------------------------------------------------------------------


def _sheet_page(size: tuple[float, float]) -> str:
    """The CSS page name of a paper page of ``size`` points."""
    return f"sheet-{round(size[0] * 100)}x{round(size[1] * 100)}"


def _sheet_css(papers: list[Paper]) -> str:
    """An @page rule for each size of paper page in the pack: that size, with the sheet margins."""
    top, side = SHEET_MARGIN_MM
    rules = {}
    for paper in papers:
        for size in paper.sizes:
            rules[_sheet_page(size)] = (f"@page {_sheet_page(size)} {{ size: {size[0]:.2f}pt {size[1]:.2f}pt; "
                                        f"margin: {top}mm {side}mm; }}")
    return "\n".join(rules.values()) + "\n"


def _pack_context(context: dict[str, Any], papers: list[Paper]) -> dict[str, Any]:
    """The agenda's context, and what pack.html adds to it under ``pack`` (docs/documents.md)."""
    by_item: dict[int, list[Paper]] = {}
    for paper in papers:
        by_item.setdefault(paper.item, []).append(paper)

    def entry(paper: Paper) -> dict[str, Any]:
        return {"id": paper.id, "name": paper.name, "href": paper.href, "label": paper.label,
                "kind": paper.kind, "included": paper.kind != "left-out", "note": paper.note,
                "item": paper.item, "item_title": paper.item_title, "blocks": paper.blocks,
                "sheets": [{"id": f"{paper.id}-page-{n}", "page": _sheet_page(size)}
                           for n, size in enumerate(paper.sizes, start=1)]}

    included = [entry(p) for p in papers if p.kind != "left-out"]
    # In the pack, the agenda's link to a paper it includes goes to that paper's first page.
    inside = {(p.item, p.position): f"#{p.id}" for p in papers if p.kind != "left-out"}
    items = [{**item, "papers": [{**linked, "href": inside.get((item["number"], k), linked["href"])}
                                 for k, linked in enumerate(item["papers"], start=1)]}
             for item in context["items"]]
    return {
        **context,
        "items": items,
        "pack": {
            "title": f"{context['group']['short'] or context['group']['name']} agenda pack, {context['meeting']['long_date']}",
            "items": [{"number": item["number"], "title": item["title"], "purpose": item["purpose"],
                       "presenter": item["presenter"], "start": item["start"],
                       "papers": [entry(p) for p in by_item.get(item["number"], [])]}
                      for item in context["items"]],
            "papers": included,
            "included": len(included),
            "left_out": len(papers) - len(included),
        },
    }


def agenda_pack(store: Store, meeting: model.Meeting) -> tuple[bytes, list[str]]:
    """The agenda pack of ``meeting`` as one tagged PDF: cover, contents with the page each
    paper starts on, the agenda, then every paper in agenda order. Returns the PDF and a
    warning for each paper left out (and why)."""
    weasyprint, pypdf = _libraries()
    if meeting.status.cancelled:
        raise ConflictError(f"meeting {meeting.id} is cancelled; it has no agenda pack")
    context = agenda_context(store, meeting)
    warnings: list[str] = []
    papers = _gather(store, context["items"], pypdf, warnings)
    pack = _pack_context(context, papers)
    text = render(store, "pack.html", pack)
    running_header = running(context, "agenda")
    draft = not context["built"]
    html = _html(weasyprint, text, kind="pack", running=running_header, draft=draft,
                 confidential=bool(context["has_confidential"]))  # the pack is the members' form
    document = _layout(weasyprint, html, [stylesheet(store), stylesheet(store, "pack.css"), _sheet_css(papers)])
    where = _anchors(document)
    data = _write(document, pack["pack"]["title"])

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.pdf_header = "%PDF-1.7"  # what WeasyPrint wrote for PDF/UA; pypdf would write 1.3
    for paper in papers:
        if paper.kind != "pdf":
            continue
        for number, source in enumerate(paper.pdf.pages, start=1):
            anchor = f"{paper.id}-page-{number}"
            if anchor not in where:
                raise InputError(f"template pack.html lost page {number} of paper {paper.href} (no #{anchor})")
            _draw(pypdf, writer.pages[where[anchor][0]], source)
    _outline(pypdf, writer, document, where, pack["pack"], papers)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), warnings


def _anchors(document: Any) -> dict[str, tuple[int, float]]:
    """Each anchor (element id) of the laid-out document: (page index, its top in points from the page's top)."""
    where = {}
    for index, page in enumerate(document.pages):
        for name, position in page.anchors.items():
            y = position[1]  # (x, y), or in newer WeasyPrint (x1, y1, x2, y2)
            where.setdefault(name, (index, y * _PT_PER_PX))
    return where


def _draw(pypdf: Any, target: Any, source: Any) -> None:
    """Draw a paper's page onto its sheet, scaled to fit inside the sheet margins, centred."""
    box = source.cropbox
    width, height = float(box.width), float(box.height)
    sheet_w, sheet_h = float(target.mediabox.width), float(target.mediabox.height)
    top, side = (m * _PT_PER_MM for m in SHEET_MARGIN_MM)
    scale = min((sheet_w - 2 * side) / width, (sheet_h - 2 * top) / height)
    x = float(target.mediabox.left) + (sheet_w - width * scale) / 2
    y = float(target.mediabox.bottom) + (sheet_h - height * scale) / 2
    moved = (pypdf.Transformation().translate(-float(box.left), -float(box.bottom))
             .scale(scale, scale).translate(x, y))
    target.merge_transformed_page(source, moved)


def _outline(pypdf: Any, writer: Any, document: Any, where: dict[str, tuple[int, float]],
             pack: dict[str, Any], papers: list[Paper]) -> None:
    """The bookmarks: cover, contents, agenda, then each item (at its place in the agenda) with
    each of its papers under it. WeasyPrint's own, made from the headings, are replaced."""
    from pypdf.generic import Fit

    if "/Outlines" in writer.root_object:
        del writer.root_object["/Outlines"]

    def add(title: str, anchor: str, parent: Any = None) -> Any:
        index, top = where[anchor]
        height = float(writer.pages[index].mediabox.height)
        return writer.add_outline_item(title=title, page_number=index, parent=parent,
                                       fit=Fit.xyz(left=0, top=max(height - top, 0)))

    for title, anchor in (("Cover", "pack-cover"), ("Contents", "pack-contents"), ("Agenda", "pack-agenda")):
        if anchor in where:
            add(title, anchor)
    for item in pack["items"]:
        included = [p for p in item["papers"] if p["included"] and p["id"] in where]
        # The item's own section of the agenda (the action log, the minutes), else its row.
        candidates = (f"item-{item['number']}", f"agenda-item-{item['number']}", "pack-agenda")
        anchor = next((a for a in candidates if a in where), None)
        if anchor is None:
            continue
        parent = add(f"{item['number']}. {item['title']}", anchor)
        for paper in included:
            add(paper["name"], paper["id"], parent)
    writer.page_mode = "/UseOutlines"
