"""Word output (escg/integrations/word.py): minutes and agendas as .docx.

Each document is read back by python-docx (styles, tables, header, properties) and
opened by a real word processor: LibreOffice headless converts it to PDF, and
poppler's pdftotext reads that back page by page.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

docx = pytest.importorskip("docx")

from escg.integrations import word  # noqa: E402

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def example(example_store) -> Path:
    return example_store


def body_words(document) -> list[str]:
    """Every word of the document's body, in order: paragraphs, tables and links."""
    return re.findall(r"\w+", " ".join(t.text or "" for t in document.element.body.iter(f"{W}t")))


def html_words(html: str) -> list[str]:
    """Every word a reader sees in the HTML's body, in order."""
    body = word.parse_html(html).find("body")
    return re.findall(r"\w+", _visible(body))


def _visible(node) -> str:
    if isinstance(node, str):
        return node
    if node.tag in ("style", "script", "head", "title"):
        return ""
    return " ".join(_visible(child) for child in node.children)


def read(path: Path):
    return docx.Document(str(path))


def office_pages(path: Path, tmp_path: Path) -> list[str]:
    """The pages of ``path`` as LibreOffice lays it out (converted to PDF), as text."""
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("needs LibreOffice (soffice) and poppler's pdftotext")
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / (path.stem + ".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return [page for page in text.split("\f") if page.strip()]


# --- minutes ---------------------------------------------------------------------


def test_minutes_docx_says_what_the_html_says(run, example, tmp_path):
    run(f"minutes render 2026-10-01 --format docx --out {tmp_path / 'minutes.docx'}")
    html = run("minutes render 2026-10-01 --format html").stdout
    document = read(tmp_path / "minutes.docx")
    assert body_words(document) == html_words(html)


def test_minutes_docx_has_headings_tables_and_properties(run, example, tmp_path):
    run(f"minutes render 2026-10-01 --format docx --out {tmp_path / 'minutes.docx'}")
    document = read(tmp_path / "minutes.docx")
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == ("Heading 1", "Minutes DRAFT")
    assert ("Heading 2", "5. Winter resilience 2026/27: NHS and social care plan") in headings
    assert ("Heading 2", "Present") in headings
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "Helen Marsh, Chief Executive, Essex County Council (Chair)" in bullets
    # the actions raised: a real Word table whose header row repeats on every page
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Ref", "Action", "Owner", "Due"]
    assert table.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None
    assert table.rows[1].cells[0].text == "A-022"
    assert document.core_properties.title == "ESCG minutes, Thursday 1 October 2026 (draft)"
    assert document.core_properties.language == "en-GB"
    lang = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(f"{W}val") == "en-GB"
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    # the online link is a real hyperlink
    links = [r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert links == ["https://meet.example.org/escg", "mailto:escg.secretariat@example.org"]


def test_draft_minutes_say_draft_on_every_page_in_a_word_processor(run, example, tmp_path):
    run(f"minutes render 2026-10-01 --format docx --out {tmp_path / 'minutes.docx'}")
    pages = office_pages(tmp_path / "minutes.docx", tmp_path)
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[0].startswith("Essex Strategic Coordination Group · Thursday 1 October 2026"), lines[0]
        assert lines[0].endswith("DRAFT"), number
        assert lines[-1] == f"Page {number} of {len(pages)}"
    text = "\n".join(pages)
    assert "Decision 6.1:" in text and "A-026" in text


def test_approved_minutes_carry_no_draft_mark(run, example, tmp_path):
    run(f"minutes render 2026-07-16 --format docx --out {tmp_path / 'minutes.docx'}")
    document = read(tmp_path / "minutes.docx")
    assert "DRAFT" not in document.sections[0].header.paragraphs[0].text
    assert "DRAFT" not in " ".join(p.text for p in document.paragraphs)


# --- agenda ----------------------------------------------------------------------


def test_agenda_docx_is_the_agenda_as_a_word_table(run, example, tmp_path):
    run(f"agenda render 2026-12-03 --format docx --out {tmp_path / 'agenda.docx'}")
    html = run("agenda render 2026-12-03 --format html").stdout
    document = read(tmp_path / "agenda.docx")
    assert body_words(document) == html_words(html)
    items = document.tables[0]
    assert [c.text for c in items.rows[0].cells] == ["Item", "Time", "Title", "Purpose", "Lead", "Papers"]
    assert items.rows[1].cells[2].text == "Welcome, introductions and apologies"
    assert len(items.rows) == 1 + len(json.loads(run("agenda list 2026-12-03 --json").stdout))
    # the columns are as wide as their text wants, not Word's equal shares
    widths = [c.width for c in items.columns]
    assert widths[0] < widths[2] and sum(widths) <= document.sections[0].page_width


def test_agenda_docx_opens_in_a_word_processor(run, example, tmp_path):
    run(f"agenda render 2026-12-03 --format docx --out {tmp_path / 'agenda.docx'}")
    pages = office_pages(tmp_path / "agenda.docx", tmp_path)
    text = "\n".join(pages)
    assert "Agenda" in text and "Freeport East" in text and "Cost of living" in text
    assert pages[0].strip().splitlines()[0].strip() == "Essex Strategic Coordination Group · Thursday 3 December 2026"
    assert re.search(r"Page 1 of \d", pages[0])
    # "Item" and the times are never broken inside a word
    assert re.search(r"^\s*Item\s+Time\s+Title", text, re.M)
    assert re.search(r"^\s*1\s+10:00\s+Welcome", text, re.M)


def test_action_log_docx_is_landscape(run, example, tmp_path):
    run(f"actions --format docx --out {tmp_path / 'actions.docx'}")
    section = read(tmp_path / "actions.docx").sections[0]
    assert section.page_width > section.page_height


# --- a store's own reference document ------------------------------------------------


def letterhead(path: Path) -> None:
    reference = docx.Document()
    reference.styles["Heading 1"].font.name = "Georgia"
    reference.styles["Heading 1"].font.color.rgb = docx.shared.RGBColor(0x12, 0x34, 0x56)
    reference.sections[0].header.paragraphs[0].text = "ESSEX COUNTY COUNCIL LETTERHEAD"
    section = reference.sections[0]
    section.page_width, section.page_height = docx.shared.Mm(210), docx.shared.Mm(297)
    section.left_margin = docx.shared.Mm(30)
    reference.add_paragraph("Sample body text that must not appear")
    reference.save(str(path))


def test_a_reference_docx_gives_styles_page_and_letterhead(run, example, tmp_path):
    (example / "templates").mkdir(exist_ok=True)
    letterhead(example / "templates" / "reference.docx")
    run(f"minutes render 2026-10-01 --format docx --out {tmp_path / 'minutes.docx'}")
    document = read(tmp_path / "minutes.docx")
    heading = document.styles["Heading 1"]
    assert heading.font.name == "Georgia" and str(heading.font.color.rgb) == "123456"
    header = [p.text for p in document.sections[0].header.paragraphs]
    assert header[0] == "ESSEX COUNTY COUNCIL LETTERHEAD"
    assert any(text.endswith("DRAFT") and "Thursday 1 October 2026" in text for text in header[1:])
    assert round(document.sections[0].left_margin.mm) == 30
    text = " ".join(p.text for p in document.paragraphs)
    assert "Sample body text" not in text and "Winter resilience" in text


def test_a_reference_docx_that_is_not_one_is_refused(run, example, tmp_path):
    (example / "templates").mkdir(exist_ok=True)
    (example / "templates" / "reference.docx").write_bytes(b"not a zip file at all")
    result = run(f"minutes render 2026-10-01 --format docx --out {tmp_path / 'minutes.docx'}", code=3)
    assert "templates/reference.docx is not a Word document" in result.stderr
    assert not (tmp_path / "minutes.docx").exists()


def test_a_reference_docx_outside_the_store_is_not_read(run, example, tmp_path):
    letterhead(tmp_path / "elsewhere.docx")
    (example / "templates").mkdir(exist_ok=True)
    (example / "templates" / "reference.docx").symlink_to(tmp_path / "elsewhere.docx")
    result = run(f"minutes render 2026-10-01 --format docx --out {tmp_path / 'minutes.docx'}", code=3)
    assert "leads outside the store" in result.stderr


# --- the HTML it reads ------------------------------------------------------------------


def test_store_text_is_written_as_text(run, example, tmp_path):
    path = next((example / "meetings" / "2026").glob("2026-12-03.toml"))
    text = path.read_text()
    path.write_text(text.replace('title = "Freeport East: skills pipeline update"',
                                 'title = "Freeport <b>East</b> & {{ 7*7 }} \\u0007bell"', 1))
    run(f"agenda render 2026-12-03 --format docx --out {tmp_path / 'agenda.docx'}")
    cells = [c.text for row in read(tmp_path / "agenda.docx").tables[0].rows for c in row.cells]
    assert any(c.startswith("Freeport <b>East</b> & {{ 7*7 }} bell") for c in cells)


def test_parse_html_forgives_unclosed_elements():
    tree = word.parse_html("<body><p>one<p>two<ul><li>a<li>b</ul><br/>tail</body>")
    body = tree.find("body")
    tags = [c.tag for c in body.children if not isinstance(c, str)]
    assert tags == ["p", "p", "ul", "br"]
    assert [li.text() for li in body.children[2].children] == ["a", "b"]


def test_nested_lists_and_inline_looks(tmp_path):
    writer_doc = docx.Document()
    writer = word._Writer(docx, writer_doc)
    writer.blocks(word.parse_html(
        "<body><ul><li>top<ul><li>inner</li></ul></li></ul><p>plain <strong>bold</strong> <em>it</em>"
        " <code>x=1</code></p><pre>one\n  two</pre></body>").find("body"), writer_doc)
    styles = [(p.style.name, p.text) for p in writer_doc.paragraphs if p.text]
    assert ("List Bullet", "top") in styles and ("List Bullet 2", "inner") in styles
    runs = {r.text: r for p in writer_doc.paragraphs for r in p.runs}
    assert runs["bold"].bold and runs["it"].italic and runs["x=1"].font.name == "Consolas"
    assert any(p.text == "one\n  two" for p in writer_doc.paragraphs)


def test_an_out_name_that_says_another_format_is_warned_about(run, example, tmp_path):
    result = run(f"minutes render 2026-10-01 --format docx --out {tmp_path / 'minutes.pdf'}")
    assert "warning: --out minutes.pdf does not end .docx, but the file is docx" in result.stderr
    assert (tmp_path / "minutes.pdf").read_bytes()[:2] == b"PK"


def test_a_terminal_is_refused_before_the_pack_is_made(example, tmp_path):
    import os
    import pty
    import sys

    leader, follower = pty.openpty()
    try:
        result = subprocess.run([sys.executable, "-m", "escg", "agenda", "pack", "2026-12-03"],
                                stdin=subprocess.DEVNULL, stdout=follower, stderr=subprocess.PIPE,
                                timeout=120, cwd=tmp_path, env={**os.environ, "ESCG_STORE": str(example)})
    finally:
        os.close(follower)
        os.close(leader)
    assert result.returncode == 3
    # refused first: no warnings about papers left out of a pack that was never made
    assert result.stderr.decode().splitlines() == [
        "error: that output is a binary file (pdf): give --out FILE.pdf, or pipe it"]
