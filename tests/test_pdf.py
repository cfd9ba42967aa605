"""PDF output (escg/integrations/pdf.py): the agenda pack, and minutes, agendas and action logs as PDF.

Every PDF is read back by real programs: pypdf (pages, bookmarks, metadata, tags,
attachments) and poppler's pdftotext (the text of each page, as laid out). The
expensive outputs (a pack, long draft minutes, a long action log) are made once per
module, from stores written here, and shared by the tests that read them.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import stores
from escg.core.errors import ConflictError, InputError
from escg.integrations import pdf

weasyprint = pytest.importorskip("weasyprint")
pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")

NEXT = "2026-12-03"
WHEN = "Thursday 3 December 2026"
GROUP = "Test Coordination Group"
ONLINE = "https://meet.example.org/tcg-room"


# --- reading a PDF back ------------------------------------------------------------


def page_texts(data: bytes, tmp: Path) -> list[str]:
    """The text of each page, as pdftotext -layout lays it out."""
    path = tmp / "read.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # pdftotext ends each page, the last too, with a form feed
    return pages


def reader(data: bytes):
    return pypdf.PdfReader(io.BytesIO(data))


def outline(data: bytes) -> list[tuple[int, str, int]]:
    """The bookmarks as (depth, title, page number from 1), in order."""
    found = reader(data)
    flat = []

    def walk(entries, depth):
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, depth + 1)
            else:
                flat.append((depth, entry.title, found.get_destination_page_number(entry) + 1))

    walk(found.outline, 0)
    return flat


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def assert_numbered(pages: list[str]) -> None:
    """'page N of M' on every page, N counting from 1, M the page count."""
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in text, (number, text[-400:])


# --- the stores --------------------------------------------------------------------


def item_with_papers(title: str, presenter: str, org: str, papers: list[str]) -> str:
    """An agenda item as stores.agenda_item writes it, with papers (a TOML array reads as JSON)."""
    return stores.agenda_item(title, presenter, org).replace("minutes = 15\n", f"minutes = 15\npapers = {json.dumps(papers)}\n")


REPORT_MD = """\
# Exclusions deep dive

The first paragraph, with <script>alert(1)</script> & **bold** text and a
[link to the data](https://example.org/data).

## Findings

- Suspensions rose by 28%.
- Alternative provision is full.

| Area | RAG |
|---|---|
| North | Red |
| South | Green |

## Proposals

1. Endorse the offer.
2. Share the flags.
"""


def budget_pdf() -> bytes:
    """A three-page PDF paper, made by WeasyPrint; its second page is landscape."""
    pages = "".join(f'<section class="p{n}"><h1>BUDGET PAGE {n}</h1><p>The budget text of page {n} stays intact.</p></section>'
                    for n in (1, 2, 3))
    css = ("@page wide { size: A4 landscape; } .p2 { page: wide; } section + section { break-before: page; }")
    return weasyprint.HTML(string=f"<html><head><style>{css}</style></head><body>{pages}</body></html>").write_pdf()


def write_pack_store(root: Path, outside: Path) -> Path:
    """The meeting store, its next meeting built with two items of papers: Markdown, PDF, text,
    Word, a web address, a missing file, and two links out of the store (to ``outside``)."""
    stores.write_meeting_store(root)
    agenda = stores.built_agenda(
        NEXT,
        item_with_papers("Deep dive: school exclusions", "bob", "police",
                         ["papers/report.md", "papers/budget.pdf", "https://example.org/data-pack.xlsx"]),
        item_with_papers("Winter plan", "cat", "nhs",
                         ["papers/notes.txt", "papers/missing.pdf", "papers/escape.md", "papers/linked/secret.md",
                          "papers/word.docx"]),
        venue="County Hall",
    ).replace('venue = "County Hall"\n', f'venue = "County Hall"\nonline = "{ONLINE}"\n', 1)
    stores.write_meeting(root, NEXT, agenda)
    stores.write(root, "papers/report.md", REPORT_MD)
    stores.write(root, "papers/notes.txt", "Winter notes, line one\nline two\n\nA second paragraph.\n")
    (root / "papers/budget.pdf").write_bytes(budget_pdf())
    import docx

    document = docx.Document()
    document.add_heading("WORD PAPER HEADING", 1)
    document.add_paragraph("The body of the Word paper.")
    document.save(root / "papers/word.docx")
    outside.mkdir()
    (outside / "secret.md").write_text("SECRET-TEXT-OF-ANOTHER-FOLDER\n")
    (root / "papers/escape.md").symlink_to(outside / "secret.md")
    (root / "papers/linked").symlink_to(outside, target_is_directory=True)
    return root


def long_note(n: int) -> str:
    return (f"Note {n}: the group discussed the winter plan at length, with partners from the councils, "
            "the police and the health service setting out what each would do over the coming months, "
            "and the chair summed up the points agreed before moving on to the next part of the item.")


def write_minutes_store(root: Path) -> Path:
    """The meeting store with draft minutes of 2026-10-01 long enough to run over several pages,
    the meeting's online link, and two actions raised there (one with a long title)."""
    stores.write_meeting_store(root)
    items = "".join(
        stores.agenda_item(f"Item of business {k}", "bob", "police").replace(
            'status = "accepted"\n', 'status = "accepted"\nnotes = [\n'
            + "".join(f"    {json.dumps(long_note(k * 10 + n))},\n" for n in range(5)) + "]\n")
        for k in range(1, 7))
    text = stores.built_agenda("2026-10-01", items).replace('status = "planned"', 'status = "minutes-draft"')
    text = text.replace('end = "12:00"\n', f'end = "12:00"\nonline = "{ONLINE}"\n', 1)
    stores.write_meeting(root, "2026-10-01", text)
    stores.write_actions(
        root,
        stores.action_toml(1, "Circulate the winter plan", "bob", "police", due="2026-11-20", meeting="2026-10-01", item=5),
        stores.action_toml(2, "Report back on discharge capacity across all three care boards", "cat", "nhs",
                           due="2026-12-01", meeting="2026-10-01", item=6),
    )
    return root


def write_actions_store(root: Path) -> Path:
    """The meeting store with 40 open actions, long enough to run over several landscape pages."""
    stores.write_meeting_store(root)
    owners = [("bob", "police"), ("cat", "nhs"), ("ann-chair", "ecc")]
    stores.write_actions(root, *(
        stores.action_toml(n, f"Action number {n} to review the partnership arrangements and report back to the group "
                              "with options", *owners[n % 3], due=f"2027-01-{n % 28 + 1:02d}")
        for n in range(1, 41)))
    return root


def opened(root: Path):
    from escg.store import Store

    return Store.open(root)


def made_once(tmp_path_factory, name: str, build, make):
    """``make(store)`` on a store built by ``build(root, tmp)``, once per module, with today frozen
    and every cache in the module's folder; returns (what make returned, the folder)."""
    tmp = tmp_path_factory.mktemp(name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ESCG_TODAY", stores.TODAY)
        patch.setenv("ESCG_CACHE_DIR", str(tmp / "cache"))
        patch.setenv("ESCG_NO_WATCH", "1")
        root = build(tmp / "store", tmp)
        return make(opened(root)), tmp


# --- the pack ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    from escg.domain.meetings import resolve

    (data, warnings), tmp = made_once(tmp_path_factory, "pack",
                                      lambda root, tmp: write_pack_store(root, tmp / "outside"),
                                      lambda s: pdf.agenda_pack(s, resolve(s, NEXT)))
    return {"data": data, "warnings": warnings, "pages": page_texts(data, tmp)}


def contents_entries(pages: list[str]) -> dict[str, int]:
    """The contents page: each included paper's name and the page it says the paper starts on."""
    contents = next(text for text in pages if "Contents" in text and "Agenda ...." in text)
    return {m[1]: int(m[2]) for m in re.finditer(r"^\s*(\S.*?)\s*\.{3,}\s*page (\d+)\s*$", contents, re.MULTILINE)}


def test_pack_every_page_is_numbered_across_the_whole_pack(pack):
    pages = pack["pages"]
    assert len(pages) == len(reader(pack["data"]).pages) >= 8
    assert_numbered(pages)


def test_pack_running_header_on_every_page_but_the_cover(pack):
    cover, *rest = pack["pages"]
    assert "Agenda pack" in cover and WHEN in cover and GROUP.upper() in cover
    for number, text in enumerate(rest, start=2):
        assert f"{GROUP} · {WHEN}" in lines(text)[0], (number, text[:300])


def test_pack_contents_give_the_page_each_paper_really_starts_on(pack):
    pages = pack["pages"]
    entries = contents_entries(pages)
    expected = {"Agenda", "report.md", "budget.pdf", "notes.txt"} | ({"word.docx"} if pdf.soffice() else set())
    assert set(entries) == expected
    assert "Item 5. Deep dive: school exclusions" in pages[entries["report.md"] - 1]
    assert "Paper: report.md" in pages[entries["report.md"] - 1]
    assert "Paper: notes.txt" in pages[entries["notes.txt"] - 1]
    assert "BUDGET PAGE 1" in pages[entries["budget.pdf"] - 1]
    assert lines(pages[entries["Agenda"] - 1])[1:3] == [GROUP.upper(), "Agenda"]
    # Each paper starts on a page of its own: the page before it belongs to something else.
    for name, page in entries.items():
        if name != "Agenda":
            assert f"Item" in pages[page - 1] and name in pages[page - 1]
            assert name not in pages[page - 2] or page - 2 == 1  # the contents page names them all


def test_pack_merged_pdf_paper_keeps_its_text_pages_and_sizes(pack):
    pages = pack["pages"]
    start = contents_entries(pages)["budget.pdf"]
    for offset in range(3):
        text = pages[start - 1 + offset]
        assert f"BUDGET PAGE {offset + 1}" in text
        assert f"The budget text of page {offset + 1} stays intact." in " ".join(text.split())
        assert "Item 5: budget.pdf" in text  # the pack's own label and page number, stamped on its pages
        assert f"page {start + offset} of {len(pages)}" in text
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader(pack["data"]).pages]
    assert sizes[start - 1][0] < sizes[start - 1][1]  # portrait
    assert sizes[start][0] > sizes[start][1]  # its landscape page stays landscape
    assert "BUDGET PAGE 4" not in "".join(pages)


def test_pack_markdown_paper_is_laid_out_with_its_text_escaped(pack):
    pages = pack["pages"]
    text = pages[contents_entries(pages)["report.md"] - 1]
    flat = " ".join(text.split())
    assert "Exclusions deep dive" in flat and "Findings" in flat and "Proposals" in flat
    # HTML in a paper is text, never markup; emphasis marks are taken off; a link keeps its address.
    assert "with <script>alert(1)</script> & bold text and a link to the data (https://example.org/data)." in flat
    assert "• Suspensions rose by 28%." in flat
    assert re.search(r"North\s+Red", text) and re.search(r"Area\s+RAG", text)
    assert "1. Endorse the offer." in flat


def test_pack_bookmarks_per_item_and_per_paper(pack):
    marks = outline(pack["data"])
    pages = pack["pages"]
    entries = contents_entries(pages)
    titles = [(depth, title) for depth, title, _ in marks]
    assert titles[:3] == [(0, "Cover"), (0, "Contents"), (0, "Agenda")]
    items = [title for depth, title in titles if depth == 0][3:]
    assert items == ["1. Welcome, introductions and apologies", "2. Declarations of interest",
                     "3. Minutes of the last meeting and matters arising", "4. Action log review",
                     "5. Deep dive: school exclusions", "6. Winter plan", "7. Any other business",
                     "8. Date of next meeting"]
    under = {title: page for depth, title, page in marks if depth == 1}
    assert under == {name: page for name, page in entries.items() if name != "Agenda"}
    # An item's bookmark goes to its own section of the agenda (the action log, the minutes),
    # else to the agenda page whose table lists it.
    for depth, title, page in marks:
        if depth == 0 and title[0].isdigit():
            number, name = title.split(". ", 1)
            row = rf"^\s*{number}\s+\d\d:\d\d\s+{re.escape(name.split()[0])}"
            assert re.search(row, pages[page - 1], re.MULTILINE) or title in lines(pages[page - 1]), title
    assert [page for _, title, page in marks if title == "4. Action log review"] == \
        [next(n for n, text in enumerate(pages, start=1) if "4. Action log review" in lines(text))]


def test_pack_is_tagged_in_british_english_with_a_title(pack):
    found = reader(pack["data"])
    root = found.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    assert "/StructTreeRoot" in root
    assert found.metadata.title == f"TCG agenda pack, {WHEN}"
    assert found.pdf_header == "%PDF-1.7"
    assert root["/PageMode"] == "/UseOutlines"


def test_pack_structure_tree_survives_the_merge(pack, tmp_path):
    """pdfinfo reads the tags back: headings, the agenda's table with header cells, lists."""
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack["data"])
    tree = subprocess.run(["pdfinfo", "-struct", str(path)], capture_output=True, text=True, check=True, timeout=60).stdout
    kinds = {line.split()[0].rstrip(":") for line in tree.splitlines() if line.strip()}
    assert {"Document", "H1", "H2", "H3", "Table", "TH", "TD", "L", "LI", "Link"} <= kinds


def test_pack_lists_what_it_leaves_out_and_never_reads_outside_the_store(pack):
    warnings = pack["warnings"]
    assert "item 5: paper https://example.org/data-pack.xlsx left out of the pack: a web address, which escg does not fetch" in warnings
    assert "item 6: paper papers/missing.pdf left out of the pack: papers/missing.pdf is not in the store" in warnings
    assert ("item 6: paper papers/escape.md left out of the pack: papers/escape.md leads outside the store "
            "(through a symbolic link)") in warnings
    assert ("item 6: paper papers/linked/secret.md left out of the pack: papers/linked/secret.md leads outside the store "
            "(through a symbolic link)") in warnings
    everything = "".join(pack["pages"])
    assert "SECRET-TEXT" not in everything
    assert b"SECRET-TEXT" not in pack["data"]
    flat = " ".join(everything.split())
    assert "data-pack.xlsx Not included: a web address, which escg does not fetch. Online at https://example.org/data-pack.xlsx" in flat
    assert "missing.pdf Not included: papers/missing.pdf is not in the store" in flat
    assert "this pack holds the agenda and" in flat.lower()


@pytest.mark.skipif(pdf.soffice() is None, reason="needs LibreOffice (soffice)")
def test_pack_word_paper_converted_by_libreoffice(pack):
    pages = pack["pages"]
    start = contents_entries(pages)["word.docx"]
    assert "WORD PAPER HEADING" in pages[start - 1] and "Item 6: word.docx" in pages[start - 1]
    assert not [w for w in pack["warnings"] if "word.docx" in w]


def test_pack_without_libreoffice_lists_the_word_paper(tmp_path, monkeypatch):
    from escg.domain.meetings import resolve

    root = stores.write_meeting_store(tmp_path / "store")
    stores.write_meeting(root, NEXT, stores.built_agenda(
        NEXT, item_with_papers("Winter plan", "cat", "nhs", ["papers/plan.docx"]), venue="County Hall"))
    stores.write(root, "papers/plan.docx", "not really Word")
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)  # no soffice on PATH
    s = opened(root)
    data, warnings = pdf.agenda_pack(s, resolve(s, NEXT))
    assert warnings == ["item 5: paper papers/plan.docx left out of the pack: converting it needs LibreOffice "
                        "(soffice), which is not installed"]
    flat = " ".join("".join(page_texts(data, tmp_path)).split())
    assert "plan.docx Not included: converting it needs LibreOffice (soffice), which is not installed" in flat


def test_pack_damaged_pdf_paper_is_a_warning_not_a_crash(tmp_path, capfd):
    from escg.domain.meetings import resolve

    root = stores.write_meeting_store(tmp_path / "store")
    stores.write_meeting(root, NEXT, stores.built_agenda(
        NEXT, item_with_papers("Winter plan", "cat", "nhs", ["papers/broken.pdf", "papers/photo.png"]), venue="County Hall"))
    stores.write(root, "papers/broken.pdf", "%PDF-1.4 and then nothing")
    stores.write(root, "papers/photo.png", "")
    s = opened(root)
    data, warnings = pdf.agenda_pack(s, resolve(s, NEXT))
    assert [w.split(" (")[0] for w in warnings] == [
        "item 5: paper papers/broken.pdf left out of the pack: not a PDF that can be read",
        "item 5: paper papers/photo.png left out of the pack: a .png file, which the pack cannot include"]
    assert capfd.readouterr().err == ""  # pypdf's own complaints about the file are not printed
    assert_numbered(page_texts(data, tmp_path))


def test_pack_of_a_cancelled_meeting_is_refused(tmp_path):
    from escg.domain.meetings import resolve

    root = stores.write_meeting_store(tmp_path / "store")
    stores.write_meeting(root, "2027-02-04", stores.cancelled_meeting("2027-02-04", "Elections"))
    s = opened(root)
    with pytest.raises(ConflictError, match="meeting 2027-02-04 is cancelled; it has no agenda pack"):
        pdf.agenda_pack(s, resolve(s, "2027-02-04"))


# --- minutes and the action log -------------------------------------------------------


@pytest.fixture(scope="module")
def minutes(tmp_path_factory):
    from escg.domain.meetings import resolve
    from escg.workflows.documents import minutes_context

    data, tmp = made_once(tmp_path_factory, "minutes", lambda root, tmp: write_minutes_store(root),
                          lambda s: pdf.document_pdf(s, "minutes", minutes_context(s, resolve(s, "2026-10-01"))))
    return {"data": data, "pages": page_texts(data, tmp)}


def test_draft_minutes_say_draft_on_every_page(minutes):
    pages = minutes["pages"]
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        first = lines(text)[0]
        assert first.startswith(f"{GROUP} · Thursday 1 October 2026") and first.endswith("DRAFT"), (number, first)
    assert_numbered(pages)


def test_minutes_print_the_online_link_once(minutes):
    assert "".join(minutes["pages"]).count(ONLINE) == 1


def test_minutes_pdf_is_tagged_with_its_title(minutes):
    found = reader(minutes["data"])
    assert found.metadata.title == "TCG minutes, Thursday 1 October 2026 (draft)"
    assert found.trailer["/Root"]["/Lang"] == "en-GB"
    assert found.trailer["/Root"]["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject


@pytest.fixture(scope="module")
def action_log(tmp_path_factory):
    from escg.core import dates
    from escg.domain.actions import Selection, select
    from escg.workflows.documents import action_log_context

    def make(s):
        today = dates.today()
        found = select(s, Selection(), today)
        return pdf.document_pdf(s, "actions", action_log_context(s, found, Selection(), None, today))

    data, tmp = made_once(tmp_path_factory, "actions", lambda root, tmp: write_actions_store(root), make)
    return {"data": data, "pages": page_texts(data, tmp)}


def test_action_log_is_landscape_and_numbered(action_log):
    pages = action_log["pages"]
    assert len(pages) >= 3
    for page in reader(action_log["data"]).pages:
        assert float(page.mediabox.width) > float(page.mediabox.height)
    assert_numbered(pages)
    for text in pages:
        assert "DRAFT" not in text
        assert lines(text)[0] == f"{GROUP} · action log as at Monday 23 November 2026"


def test_action_log_repeats_the_header_row_and_never_breaks_a_ref(action_log):
    pages = action_log["pages"]
    refs = []
    for number, text in enumerate(pages, start=1):
        rows = [line for line in lines(text) if re.match(r"A-\d{3}\s", line)]
        if rows:
            header = next(i for i, line in enumerate(lines(text)) if re.match(r"Ref\s+Action\s+Owner\s+Due\s+RAG", line))
            first_row = next(i for i, line in enumerate(lines(text)) if re.match(r"A-\d{3}\s", line))
            assert header < first_row, number  # the header heads this page's part of the table
        refs += [line.split()[0] for line in rows]
        assert not re.search(r"\bA-\s*$", text, re.MULTILINE), number  # no ref broken at its hyphen
    assert sorted(refs) == [f"A-{n:03d}" for n in range(1, 41)]


def test_table_caption_and_header_never_left_at_a_page_foot(tmp_path):
    """A table that starts near the foot of a page: for every position, its caption and header row
    are on the same page as its first row (print.css: caption, thead break-after: avoid)."""
    rows = "".join(f"<tr><td>A-{n:03d}</td><td>Row {n}</td></tr>" for n in range(1, 4))
    s = opened(stores.write_empty_store(tmp_path / "store"))
    for height in range(222, 258, 4):  # mm of spacer before it, on an A4 page with 259 mm of room
        html = (f'<html lang="en-GB"><head><title>T</title></head><body><div style="height: {height}mm"></div>'
                f"<h2>Heading</h2><table><caption>Caption</caption><thead><tr><th>Ref</th><th>Action</th></tr></thead>"
                f"<tbody>{rows}</tbody></table></body></html>")
        data = pdf.html_pdf(s, html, kind="actions-test", running="Running")
        for text in page_texts(data, tmp_path):
            content = [line for line in lines(text) if not line.startswith(("Running", "page "))]
            if content:
                assert not re.match(r"(Heading|Caption|Ref\s+Action)$", content[-1]), (height, content)


# --- stylesheets, fetching and the extra ------------------------------------------------


def agenda_pdf(s) -> bytes:
    from escg.domain.meetings import resolve
    from escg.workflows.documents import agenda_context

    return pdf.document_pdf(s, "agenda", agenda_context(s, resolve(s, NEXT)))


def test_store_print_css_replaces_the_bundled_one(meeting_store, tmp_path):
    stores.write(meeting_store, "templates/print.css", '@page { @top-left { content: "OUR LETTERHEAD"; } }\n')
    pages = page_texts(agenda_pdf(opened(meeting_store)), tmp_path)
    assert "OUR LETTERHEAD" in pages[0]
    assert "page 1 of" not in pages[0]


def test_store_print_css_that_leads_outside_the_store_is_refused(meeting_store, tmp_path):
    (tmp_path / "elsewhere.css").write_text("@page { }\n")
    (meeting_store / "templates").mkdir()
    (meeting_store / "templates/print.css").symlink_to(tmp_path / "elsewhere.css")
    with pytest.raises(InputError, match=r"^stylesheet templates/print.css: templates/print.css leads outside the store"):
        agenda_pdf(opened(meeting_store))


def test_a_template_cannot_pull_a_file_into_the_pdf(meeting_store, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-OF-THE-MACHINE")
    html = (f'<html lang="en-GB"><head><title>T</title><link rel="attachment" href="{secret.as_uri()}">'
            f'<link rel="stylesheet" href="{secret.as_uri()}"></head>'
            f'<body><p>Text</p><img src="{secret.as_uri()}" alt="x"><a rel="attachment" href="{secret.as_uri()}">a</a></body></html>')
    data = pdf.html_pdf(opened(meeting_store), html, kind="agenda", running="Running")
    assert reader(data).attachments == {}
    assert b"SECRET-OF-THE-MACHINE" not in data
    assert "SECRET" not in "".join(page_texts(data, tmp_path))


def test_draft_agenda_says_draft_and_a_built_one_does_not(meeting_store, tmp_path):
    s = opened(meeting_store)
    assert lines(page_texts(agenda_pdf(s), tmp_path)[0])[0].endswith("DRAFT")  # not built yet
    stores.write_meeting(meeting_store, NEXT, stores.built_agenda(NEXT, venue="County Hall"))
    first = lines(page_texts(agenda_pdf(opened(meeting_store)), tmp_path)[0])[0]
    assert first == f"{GROUP} · {WHEN}"


@pytest.mark.parametrize("missing", ["weasyprint", "pypdf"])
def test_without_the_pdf_extra_one_clear_error(meeting_store, monkeypatch, missing):
    from escg.domain.meetings import resolve

    monkeypatch.setitem(sys.modules, missing, None)  # import fails as if it were not installed
    s = opened(meeting_store)
    with pytest.raises(InputError) as raised:
        agenda_pdf(s)
    assert str(raised.value) == "PDF output needs the pdf extra: pip install 'escg[pdf]'"
    with pytest.raises(InputError, match=r"^PDF output needs the pdf extra: pip install 'escg\[pdf\]'$"):
        pdf.agenda_pack(s, resolve(s, NEXT))


def test_unknown_kind_refused(meeting_store):
    with pytest.raises(InputError, match="a PDF document is one of agenda, minutes, actions, not 'decisions'"):
        pdf.document_pdf(opened(meeting_store), "decisions", {})


# --- reading Markdown papers ---------------------------------------------------------------


def test_markdown_blocks():
    blocks = pdf.markdown_blocks(REPORT_MD + "\n```\ncode <b>\n```\n> quoted\n> text\n\n3) third\n4) fourth\n")
    assert blocks == [
        {"kind": "heading", "level": 1, "text": "Exclusions deep dive"},
        {"kind": "paragraph", "text": "The first paragraph, with <script>alert(1)</script> & bold text and a "
                                      "link to the data (https://example.org/data)."},
        {"kind": "heading", "level": 2, "text": "Findings"},
        {"kind": "list", "ordered": False, "start": 1, "items": ["Suspensions rose by 28%.", "Alternative provision is full."]},
        {"kind": "table", "head": ["Area", "RAG"], "rows": [["North", "Red"], ["South", "Green"]]},
        {"kind": "heading", "level": 2, "text": "Proposals"},
        {"kind": "list", "ordered": True, "start": 1, "items": ["Endorse the offer.", "Share the flags."]},
        {"kind": "code", "text": "code <b>"},
        {"kind": "quote", "text": "quoted text"},
        {"kind": "list", "ordered": True, "start": 3, "items": ["third", "fourth"]},
    ]


def test_text_blocks_keep_line_breaks():
    assert pdf.text_blocks("one\ntwo\n\n\nthree\r\n") == [{"kind": "lines", "text": "one\ntwo"},
                                                       {"kind": "lines", "text": "three"}]


# --- through the command line -----------------------------------------------------------


@pytest.fixture
def cli(run):
    return run


def test_cli_agenda_pack(cli, meeting_store, tmp_path):
    stores.write_meeting(meeting_store, NEXT, stores.built_agenda(
        NEXT, item_with_papers("Deep dive", "bob", "police", ["papers/report.md", "https://example.org/data.xlsx"]),
        venue="County Hall"))
    stores.write(meeting_store, "papers/report.md", REPORT_MD)
    result = cli(f"agenda pack {NEXT} --out {tmp_path / 'pack.pdf'}")
    assert ("warning: item 5: paper https://example.org/data.xlsx left out of the pack: "
            "a web address, which escg does not fetch") in result.stderr
    data = (tmp_path / "pack.pdf").read_bytes()
    pages = page_texts(data, tmp_path)
    assert_numbered(pages)
    assert "Paper: report.md" in pages[contents_entries(pages)["report.md"] - 1]


def test_cli_minutes_and_action_log_as_pdf(cli, tmp_path):
    write_minutes_store(tmp_path / "store")
    cli(f"minutes render 2026-10-01 --format pdf --out {tmp_path / 'minutes.pdf'}")
    pages = page_texts((tmp_path / "minutes.pdf").read_bytes(), tmp_path)
    assert all(lines(text)[0].endswith("DRAFT") for text in pages) and len(pages) >= 3
    cli(f"actions --format pdf --out {tmp_path / 'actions.pdf'}")
    found = reader((tmp_path / "actions.pdf").read_bytes())
    assert all(float(p.mediabox.width) > float(p.mediabox.height) for p in found.pages)
    cli(f"agenda render {NEXT} --format pdf --out {tmp_path / 'agenda.pdf'}")
    assert reader((tmp_path / "agenda.pdf").read_bytes()).metadata.title == f"TCG agenda, {WHEN}"


def test_cli_without_the_pdf_extra(cli, meeting_store, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    for command in (f"agenda pack {NEXT}", f"agenda render {NEXT} --format pdf", "actions --format pdf"):
        result = cli(f"{command} --out {tmp_path / 'out.pdf'}", code=3)
        # (agenda render says first that the agenda is a preview, not built yet)
        assert result.stderr.splitlines()[-1] == "error: PDF output needs the pdf extra: pip install 'escg[pdf]'", command
        assert "Traceback" not in result.stderr
        assert not (tmp_path / "out.pdf").exists()
