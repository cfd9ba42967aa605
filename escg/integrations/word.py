"""Word documents: the agenda and minutes (and action log) as .docx, through python-docx.

A Word document is made from the same HTML the document's template renders
(agenda.html, minutes.html, actions.html, or the store's own), read element by
element: headings become Word headings (Heading 1 to 6), tables real Word
tables with a repeating header row, lists Word lists, links hyperlinks. So a
Word copy says what the HTML says, and a store that changes its HTML template
changes its Word documents too.

Styles come from python-docx's default document, or from the store's own
``templates/reference.docx`` when it has one (a letterhead: its styles, page
setup, header and footer are kept, its body is not). Every page is headed with
the group and the meeting's date (DRAFT too, for draft minutes and an agenda not
yet built) and footed "Page N of M".
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from escg.core.errors import InputError
from escg.integrations.pdf import is_draft, running
from escg.services.render import render
from escg.store import Store

KINDS = ("agenda", "minutes", "actions")
REFERENCE = "templates/reference.docx"
MAX_REFERENCE_BYTES = 20_000_000

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SKIP = {"head", "script", "style", "template", "title", "noscript"}
_BLOCKS = {"address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt",
           "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li",
           "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
# The colours of the HTML templates' classes (templates/base.html), as Word text colours.
_COLOURS = {"draft": "B91C1C", "rag-red": "B91C1C", "rag-amber": "B45309", "rag-green": "15803D",
            "rag-complete": "555555", "note": "555555"}
_SPACE = re.compile(r"[ \t\n\r\f]+")
# Characters XML 1.0 cannot hold; a hand-edited file could carry one.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- reading the HTML ---------------------------------------------------------------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list["Node | str"] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find(self, tag: str) -> "Node | None":
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag:
                    return child
                found = child.find(tag)
                if found is not None:
                    return found
        return None


class _Tree(HTMLParser):
    """The element tree of an HTML document, forgiving as a browser is of unclosed tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        top = self.stack[-1].tag
        if top == tag and tag in ("p", "li", "dt", "dd", "tr", "td", "th") or top == "p" and tag in _BLOCKS:
            self.stack.pop()  # <p>one<p>two, or <p>one<ul>: the paragraph ends, as in HTML
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    tree = _Tree()
    tree.feed(text)
    tree.close()
    return tree.root


# --- writing Word -------------------------------------------------------------------


@dataclass(frozen=True)
class _Look:
    bold: bool = False
    italic: bool = False
    code: bool = False
    colour: str | None = None
    small: bool = False

    def with_(self, **changes: Any) -> "_Look":
        return _Look(**{**self.__dict__, **changes})


def _library() -> Any:
    try:
        import docx
    except ImportError:  # a core dependency, so only a broken install lands here
        raise InputError("Word output needs python-docx: pip install python-docx") from None
    return docx


class _Writer:
    """Writes the element tree into a python-docx Document."""

    def __init__(self, docx: Any, document: Any) -> None:
        self.docx = docx
        self.document = document
        self.styles = {style.name for style in document.styles}

    def style(self, *names: str) -> str | None:
        return next((name for name in names if name in self.styles), None)

    # blocks

    def blocks(self, node: Node, container: Any, look: _Look = _Look(), depth: int = 0) -> None:
        """Write the children of ``node`` into ``container`` (the document or a table cell)."""
        loose: list[Node | str] = []

        def flush() -> None:
            if any(c.strip() if isinstance(c, str) else True for c in loose):
                self.paragraph(container, Node("p", children=list(loose)), look)
            loose.clear()

        for child in node.children:
            if isinstance(child, str) or child.tag not in _BLOCKS and child.tag not in _SKIP:
                loose.append(child)
                continue
            flush()
            self.block(child, container, look, depth)
        flush()

    def block(self, node: Node, container: Any, look: _Look, depth: int) -> None:
        tag = node.tag
        look = self.looks(node, look)
        if tag in _SKIP:
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.paragraph(container, node, look, self.style(f"Heading {tag[1]}"))
        elif tag == "p":
            style = self.style("Subtitle") if "group" in node.classes else None
            self.paragraph(container, node, look, style)
        elif tag in ("ul", "ol"):
            self.list(node, container, look, tag == "ol", depth)
        elif tag == "dl":
            self.details(node, container, look)
        elif tag == "table":
            self.table(node, container, look)
        elif tag == "hr":
            return
        elif tag == "pre":
            self.paragraph(container, node, look.with_(code=True), keep_space=True)
        elif tag == "blockquote" or "decision" in node.classes or "warning" in node.classes:
            if _has_blocks(node):
                self.blocks(node, container, look, depth)
            else:
                self.paragraph(container, node, look, self.style("Intense Quote", "Quote"))
        elif tag == "footer":
            self.blocks(node, container, look.with_(small=True), depth)
        else:  # html, body, header, main, section, div, and a table's parts out of a table
            self.blocks(node, container, look, depth)

    def paragraph(self, container: Any, node: Node, look: _Look, style: str | None = None,
                  keep_space: bool = False) -> Any:
        paragraph = container.add_paragraph(style=style)
        self.inline(node, paragraph, look, keep_space)
        _trim(paragraph)
        return paragraph

    def list(self, node: Node, container: Any, look: _Look, ordered: bool, depth: int) -> None:
        base = "List Number" if ordered else "List Bullet"
        level = f"{base} {depth + 1}" if depth else base
        style = self.style(level, base, "List Paragraph")
        for item in node.children:
            if not isinstance(item, Node) or item.tag != "li":
                continue
            inline = Node("li", item.attrs, [c for c in item.children if not _is_list(c)])
            self.paragraph(container, inline, self.looks(item, look), style)
            for nested in item.children:
                if _is_list(nested):
                    self.list(nested, container, look, nested.tag == "ol", depth + 1)

    def details(self, node: Node, container: Any, look: _Look) -> None:
        """A definition list (the meeting's details): one paragraph a term, "Term: text"."""
        paragraph = None
        for child in node.children:
            if not isinstance(child, Node):
                continue
            if child.tag == "dt":
                paragraph = container.add_paragraph()
                self.inline(child, paragraph, look.with_(bold=True))
                paragraph.add_run(": ")
            elif child.tag == "dd":
                if paragraph is None:
                    paragraph = container.add_paragraph()
                self.inline(child, paragraph, look)
                _trim(paragraph)
                paragraph = None

    def table(self, node: Node, container: Any, look: _Look) -> None:
        caption = next((c for c in node.children if isinstance(c, Node) and c.tag == "caption"), None)
        if caption is not None:
            self.paragraph(container, caption, look.with_(bold=True), self.style("Caption"))
        rows: list[tuple[Node, bool]] = []
        for part in node.children:
            if not isinstance(part, Node):
                continue
            if part.tag == "tr":
                rows.append((part, False))
            elif part.tag in ("thead", "tbody", "tfoot"):
                rows += [(r, part.tag == "thead") for r in part.children if isinstance(r, Node) and r.tag == "tr"]
        cells = [[c for c in row.children if isinstance(c, Node) and c.tag in ("td", "th")] for row, _ in rows]
        width = max((sum(_span(c) for c in row) for row in cells), default=0)
        if not width:
            return
        table = container.add_table(rows=len(rows), cols=width)
        table_style = self.style("Table Grid")
        if table_style:
            table.style = table_style
        for index, ((row, header), row_cells) in enumerate(zip(rows, cells)):
            word_row = table.rows[index]
            if header:
                _repeat_header(self.docx, word_row)
            _keep_row_whole(self.docx, word_row)
            column = 0
            for cell in row_cells:
                span = _span(cell)
                target = word_row.cells[column]
                if span > 1:
                    target = target.merge(word_row.cells[min(column + span, width) - 1])
                self.cell(cell, target, self.looks(cell, look.with_(bold=look.bold or cell.tag == "th")))
                if header:
                    _shade(self.docx, target, "E8EEF6")
                column += span
        self.widths(table, cells, width)
        container.add_paragraph()  # Word joins two tables that touch; keep them apart

    def widths(self, table: Any, cells: list[list[Node]], width: int) -> None:
        """Share the page's width among the columns as a browser's automatic table layout
        does: each column at least as wide as its longest word, the rest shared by how much
        more its text wants (Word's equal columns wrap "Item" letter by letter)."""
        section = self.document.sections[-1]
        room = section.page_width - section.left_margin - section.right_margin
        per_char, padding = 2.5 * 36000, 5 * 36000  # EMU: a character of 11 pt bold text in a wide font (DejaVu), a cell's margins
        least, wanted = [padding] * width, [padding] * width
        for row in cells:
            column = 0
            for cell in row:
                if _span(cell) == 1:
                    text = cell.text()
                    word = max((len(w) for w in text.split()), default=0)
                    line = max((len(_SPACE.sub(" ", part).strip()) for part in text.splitlines() or [""]), default=0)
                    # a short cell ("20 Nov 2026", "10:00") is never wrapped; a long word
                    # ("(Community360)") only past 14 characters
                    least[column] = max(least[column], padding + per_char * max(min(word, 14), min(line, 12)))
                    wanted[column] = max(wanted[column], padding + per_char * min(line, 70))
                column += _span(cell)
        wanted = [max(a, b) for a, b in zip(least, wanted)]
        if sum(wanted) <= room:
            shares = [room * w / sum(wanted) for w in wanted]
        elif sum(least) >= room:
            shares = [room * w / sum(least) for w in least]
        else:
            spare, extra = room - sum(least), sum(w - a for w, a in zip(wanted, least))
            shares = [a + spare * (w - a) / extra for w, a in zip(wanted, least)]
        table.autofit = False
        # The whole width of the page, as the HTML's tables (width: 100%).
        properties = table._tbl.tblPr
        for old in properties.findall(_qn("w:tblW")):
            properties.remove(old)
        properties.append(_element(self.docx, "w:tblW", w_type="pct", w_w="5000"))
        for column, share in zip(table.columns, shares):
            column.width = int(share)
            for cell in column.cells:
                cell.width = int(share)

    def cell(self, node: Node, cell: Any, look: _Look) -> None:
        first = cell.paragraphs[0]
        if not _has_blocks(node):
            self.inline(node, first, look)
            _trim(first)
            return
        self.blocks(node, cell, look)
        if not first.text and len(cell.paragraphs) > 1:
            first._element.getparent().remove(first._element)

    # inline

    def looks(self, node: Node, look: _Look) -> _Look:
        classes = node.classes
        for name, colour in _COLOURS.items():
            if name in classes:
                look = look.with_(colour=colour)
        if "draft" in classes or "rag" in classes:
            look = look.with_(bold=True)
        if "note" in classes:
            look = look.with_(small=True)
        return look

    def inline(self, node: Node, paragraph: Any, look: _Look, keep_space: bool = False, link: Any = None) -> None:
        for child in node.children:
            if isinstance(child, str):
                self.run(paragraph, child, look, keep_space, link)
                continue
            tag = child.tag
            if tag in _SKIP:
                continue
            if tag == "br":
                paragraph.add_run().add_break()
                continue
            child_look = self.looks(child, look)
            if tag in ("strong", "b", "th", "dt"):
                child_look = child_look.with_(bold=True)
            elif tag in ("em", "i", "cite"):
                child_look = child_look.with_(italic=True)
            elif tag in ("code", "kbd", "samp"):
                child_look = child_look.with_(code=True)
            elif tag == "small":
                child_look = child_look.with_(small=True)
            if tag == "a" and link is None:
                href = child.attrs.get("href", "")
                if re.match(r"(?i)(https?|mailto):", href):
                    self.inline(child, paragraph, child_look, keep_space, _hyperlink(self.docx, paragraph, href))
                    continue
            if tag in _BLOCKS and paragraph.text and not paragraph.text.endswith(("\n", " ")):
                self.run(paragraph, " ", look, keep_space, link)  # a block inside a line: keep the words apart
            self.inline(child, paragraph, child_look, keep_space, link)

    def run(self, paragraph: Any, text: str, look: _Look, keep_space: bool, link: Any) -> None:
        text = _UNWRITABLE.sub("", text)
        if not keep_space:
            text = _SPACE.sub(" ", text)
            if text.startswith(" ") and (not paragraph.text or paragraph.text.endswith((" ", "\n"))):
                text = text[1:]
        if not text:
            return
        if keep_space and "\n" in text:
            lines = text.split("\n")
            for number, line in enumerate(lines):
                if number:
                    paragraph.add_run().add_break()
                if line:
                    self.run(paragraph, line, look, True, link)
            return
        run = paragraph.add_run(text)
        font = run.font
        font.bold = look.bold or None
        font.italic = look.italic or None
        if look.code:
            font.name = "Consolas"
        if look.small:
            font.size = self.docx.shared.Pt(9)
        if look.colour:
            font.color.rgb = self.docx.shared.RGBColor.from_string(look.colour)
        if link is not None:
            font.underline = True
            font.color.rgb = self.docx.shared.RGBColor.from_string("1D4F91")
            link.append(run._element)


def _is_list(node: Node | str) -> bool:
    return isinstance(node, Node) and node.tag in ("ul", "ol")


def _has_blocks(node: Node) -> bool:
    return any(isinstance(c, Node) and c.tag in _BLOCKS for c in node.children)


def _span(cell: Node) -> int:
    try:
        return max(1, min(int(cell.attrs.get("colspan", "1")), 50))
    except ValueError:
        return 1


def _trim(paragraph: Any) -> None:
    """Drop the space HTML leaves at a paragraph's end (in its last run, a link's too)."""
    last = paragraph._p.xpath("(.//w:r)[last()]/w:t")
    if last and last[-1].text and last[-1].text.endswith(" "):
        last[-1].text = last[-1].text.rstrip(" ")


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _element(docx: Any, tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(name.replace("_", ":", 1)), value)
    return element


def _hyperlink(docx: Any, paragraph: Any, href: str) -> Any:
    from docx.opc.constants import RELATIONSHIP_TYPE

    rel = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = _element(docx, "w:hyperlink", r_id=rel)
    paragraph._p.append(link)
    return link


def _repeat_header(docx: Any, row: Any) -> None:
    row._tr.get_or_add_trPr().append(_element(docx, "w:tblHeader", w_val="true"))


def _keep_row_whole(docx: Any, row: Any) -> None:
    row._tr.get_or_add_trPr().append(_element(docx, "w:cantSplit", w_val="true"))


def _shade(docx: Any, cell: Any, colour: str) -> None:
    cell._tc.get_or_add_tcPr().append(_element(docx, "w:shd", w_val="clear", w_color="auto", w_fill=colour))


def _field(docx: Any, paragraph: Any, instruction: str) -> None:
    field = _element(docx, "w:fldSimple", w_instr=instruction)
    run = _element(docx, "w:r")
    text = _element(docx, "w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


# --- the document ----------------------------------------------------------------------


def _reference(docx: Any, store: Store) -> Any:
    """The store's reference document, emptied of its body, or python-docx's default one."""
    if not os.path.lexists(store.root / REFERENCE):
        return None
    from escg.integrations.pdf import _inside_store, _read_file

    real, why = _inside_store(store, REFERENCE)
    if real is None:
        raise InputError(f"{REFERENCE}: {why}; refusing to read it")
    try:
        data = _read_file(real, MAX_REFERENCE_BYTES)
        document = docx.Document(io.BytesIO(data))
    except (OSError, ValueError) as error:
        raise InputError(f"{REFERENCE}: {error}") from None
    except Exception as error:  # python-docx raises zipfile, KeyError and lxml errors for a bad file
        raise InputError(f"{REFERENCE} is not a Word document python-docx can read ({type(error).__name__})") from None
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    return document


def _page(docx: Any, section: Any, landscape: bool, own_setup: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    if not own_setup:  # python-docx's default page is US Letter; ours are A4
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(18))
    if landscape:
        width, height = section.page_width, section.page_height
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = max(width, height), min(width, height)


def _language(docx: Any, document: Any) -> None:
    """British English for the spelling checker and screen readers, on every style."""
    from docx.oxml.ns import qn

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = _element(docx, "w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = _element(docx, "w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = _element(docx, "w:rPr")
        run_defaults.append(properties)
    for old in properties.findall(qn("w:lang")):
        properties.remove(old)
    properties.append(_element(docx, "w:lang", w_val="en-GB"))
    document.core_properties.language = "en-GB"


def _header_footer(docx: Any, writer: _Writer, section: Any, running: str, draft: bool) -> None:
    header = section.header
    own = not header.is_linked_to_previous  # a letterhead's header is kept, and added to
    paragraph = header.add_paragraph() if own else header.paragraphs[0]
    paragraph.style = writer.style("Header")
    run = paragraph.add_run(_UNWRITABLE.sub("", running))
    run.font.size = docx.shared.Pt(9)
    if draft:
        paragraph.add_run("\t")
        mark = paragraph.add_run("DRAFT")
        mark.font.bold = True
        mark.font.color.rgb = docx.shared.RGBColor.from_string(_COLOURS["draft"])
    footer = section.footer
    if not footer.is_linked_to_previous and footer.paragraphs and footer.paragraphs[-1].text:
        line = footer.add_paragraph()
    else:
        line = footer.paragraphs[0]
    line.style = writer.style("Footer")
    line.add_run("Page ")
    _field(docx, line, "PAGE")
    line.add_run(" of ")
    _field(docx, line, "NUMPAGES")


def document_docx(store: Store, kind: str, context: dict[str, Any]) -> bytes:
    """The agenda, minutes or action log (``kind``) as a Word document, from what its HTML template renders."""
    if kind not in KINDS:
        raise InputError(f"a Word document is one of {', '.join(KINDS)}, not {kind!r}")
    docx = _library()
    html = render(store, f"{kind}.html", context)
    tree = parse_html(html)
    reference = _reference(docx, store)
    document = reference if reference is not None else docx.Document()
    if reference is None:  # python-docx's default template starts with one empty paragraph
        body = document.element.body
        for child in list(body):
            if not child.tag.endswith("}sectPr"):
                body.remove(child)
    section = document.sections[0]
    _page(docx, section, landscape=kind == "actions", own_setup=reference is not None)
    writer = _Writer(docx, document)
    body = tree.find("body") or tree
    writer.blocks(body, document)
    title = tree.find("title")
    properties = document.core_properties
    properties.title = _UNWRITABLE.sub("", _SPACE.sub(" ", title.text()).strip()) if title else running(context, kind)
    properties.author = context["group"]["name"]
    properties.comments = "Made by escg"
    _language(docx, document)
    _header_footer(docx, writer, section, running(context, kind), is_draft(context, kind))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
