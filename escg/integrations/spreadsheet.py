"""The action log as an Excel workbook (`escg actions --format xlsx`).

One sheet, "Actions": a header row, then one row an action, with real dates
(not text) for Raised, Due and Closed, and the RAG both as a label and as the
cell's colour (the palette of templates/base.html). Status is Open, Done or
Dropped, to filter by: the RAG says how an open action stands, Closed when a
closed one closed. The header is frozen and filtered, so the sheet sorts and
filters as members expect.

openpyxl is imported inside the function: most commands never need it, and
startup time matters. The output is the same bytes for the same store and
today: the workbook's created and modified times are today at midnight, and so
are the times of the files inside the zip.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from escg.core import model
from escg.domain.actions import RAG_LABELS, view
from escg.store import Store

SHEET = "Actions"
DATE_FORMAT = "dd/mm/yyyy"
# (header, width in characters, wrapped)
COLUMNS = [
    ("Ref", 8, False),
    ("Action", 50, True),
    ("Owner", 20, False),
    ("Organisation", 24, False),
    ("Theme", 20, False),
    ("Raised", 12, False),
    ("Item", 6, False),
    ("Due", 12, False),
    ("RAG", 11, False),
    ("Status", 18, False),
    ("Closed", 12, False),
    ("Latest update", 50, True),
]
# The colours of templates/base.html (.rag-red and so on) as text, on a light fill of the same hue.
RAG_COLOURS = {
    model.Rag.RED: ("B91C1C", "FEE2E2"),
    model.Rag.AMBER: ("B45309", "FEF3C7"),
    model.Rag.GREEN: ("15803D", "DCFCE7"),
    model.Rag.COMPLETE: ("555555", "EEEEEE"),
}
HEADER_FILL = "E5E7EB"


def actions_xlsx(store: Store, actions: list[model.Action], today: date) -> bytes:
    """The workbook of ``actions`` as at ``today``, as the bytes of an .xlsx file."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    window = store.group.rag_window
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET

    def put(row: int, column: int, value: Any) -> Any:
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell.value = value
            # Text is text: never a formula ("=..."), nor an error code ("#N/A"), whatever it begins with.
            cell.data_type = "s"
        elif isinstance(value, date):
            cell.value = value
            cell.number_format = DATE_FORMAT
        else:
            cell.value = value
        return cell

    bold = Font(bold=True)
    header_fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
    for column, (header, width, _) in enumerate(COLUMNS, start=1):
        cell = put(1, column, header)
        cell.font = bold
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="top")
        sheet.column_dimensions[get_column_letter(column)].width = width

    top = Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    rag_styles = {rag: (Font(color=text), PatternFill("solid", start_color=fill, end_color=fill))
                  for rag, (text, fill) in RAG_COLOURS.items()}
    for row, action in enumerate(actions, start=2):
        shown = view(store, action, today, window)
        rag = model.rag(action, today, window)
        raised: Any = None
        if action.meeting:
            raised = store.meeting_date(action.meeting) or action.meeting
        values = [
            action.id, action.title, shown["owner"], shown["org"], shown["theme"], raised,
            action.item, action.due, RAG_LABELS.get(rag, rag), action.status.value.capitalize(), action.closed,
            shown["latest"],
        ]
        for column, value in enumerate(values, start=1):
            cell = put(row, column, value if value != "" else None)
            cell.alignment = wrapped if COLUMNS[column - 1][2] else top
        font, fill = rag_styles[rag]
        rag_cell = sheet.cell(row=row, column=9)
        rag_cell.font = font
        rag_cell.fill = fill

    last = get_column_letter(len(COLUMNS))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{len(actions) + 1}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    midnight = datetime(today.year, today.month, today.day)
    properties = workbook.properties
    properties.title = ILLEGAL_CHARACTERS_RE.sub("", f"{store.group.name} action log")
    properties.creator = "escg"
    properties.lastModifiedBy = "escg"
    properties.created = midnight
    properties.modified = midnight
    return _save(workbook, midnight)


def _save(workbook: Any, when: datetime) -> bytes:
    """The workbook's bytes, with ``when`` as every time in them, so equal inputs give equal bytes.

    Workbook.save would stamp the modified time and the zip entries with now."""
    from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

    from openpyxl.writer.excel import ExcelWriter

    first = io.BytesIO()
    with ZipFile(first, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    final = io.BytesIO()
    with ZipFile(first) as source, ZipFile(final, "w", ZIP_DEFLATED, allowZip64=True) as target:
        for entry in source.infolist():
            info = ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, source.read(entry.filename))
    return final.getvalue()
