"""Bringing an existing action log in: `escg import actions FILE.xlsx|FILE.csv`.

A secretariat's action log is a spreadsheet, one row an action, under headers of
its own choosing. The importer:

1. reads the sheet (openpyxl for .xlsx, the csv module for .csv);
2. maps each column to a field by its header (Ref, Action, Owner, Due, Status,
   Update and their usual synonyms), or as ``--map 'HEADER=field'`` says;
3. reads and checks every row, matching owners to the store's people (by id,
   name or email; never inventing one) and themes to the group's themes;
4. only when every row is good, writes every action in one transaction, or,
   with ``--dry-run``, shows exactly what it would write.

A row's Ref is kept as the action's id when it fits the store's scheme (A-042,
or 42) and the store has never given that id out (it is above the highest id
the store has seen, so no id is ever reused); otherwise the action gets the
next free id and its old ref is kept in an update note. Nothing a row says is dropped silently: a column not
mapped is listed, and a meeting the store does not have is kept in a note.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from escg.core import dates, model
from escg.core.errors import InputError, NotFoundError
from escg.domain.actions import check_text, check_title, next_number, write
from escg.store import COUNTER, Store

FIELDS = ("id", "title", "owner", "due", "status", "update", "raised", "item", "theme", "closed", "ignore")
# Headers (lower case, spaces and punctuation squeezed out) each field is guessed from.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("ref", "reference", "id", "actionref", "actionid", "actionno", "actionnumber", "no", "number", "refno"),
    "title": ("action", "title", "actions", "description", "actiondescription", "task", "what", "detail",
              "actionrequired", "agreedaction", "actionagreed", "agreedactions", "actionsagreed"),
    "owner": ("owner", "actionowner", "lead", "responsible", "who", "assignedto", "bywhom", "responsibleofficer",
              "leadofficer", "actionby"),
    "due": ("due", "duedate", "deadline", "targetdate", "bywhen", "datedue", "target", "when", "completionby"),
    "status": ("status", "state", "progressstatus"),
    "update": ("update", "latestupdate", "progress", "progressupdate", "notes", "note", "comments", "comment",
               "commentary", "updates"),
    "raised": ("raised", "meeting", "dateraised", "raisedat", "meetingdate", "dateagreed", "agreed", "raisedon",
               "source"),
    "item": ("item", "agendaitem", "itemno", "minuteno"),
    "theme": ("theme", "priority", "workstream", "strategicpriority"),
    "closed": ("closed", "dateclosed", "completed", "datecompleted", "closedon", "completedon"),
    # Read by people, worked out by escg: the organisation comes with the owner, the RAG from the dates.
    "ignore": ("rag", "ragstatus", "organisation", "organization", "org", "partner", "agency"),
}
STATUS_WORDS: dict[str, model.ActionStatus] = {}
for _word in ("open", "ongoing", "inprogress", "notstarted", "red", "amber", "green", "ontrack", "overdue",
              "duesoon", "live", "active", "started", "pending", "new", "delayed", "behind", "atrisk"):
    STATUS_WORDS[_word] = model.ActionStatus.OPEN
for _word in ("done", "complete", "completed", "closed", "achieved", "finished", "blue", "delivered"):
    STATUS_WORDS[_word] = model.ActionStatus.DONE
for _word in ("dropped", "cancelled", "canceled", "withdrawn", "superseded", "nolongerrequired", "deleted",
              "closednotdone", "notrequired"):
    STATUS_WORDS[_word] = model.ActionStatus.DROPPED
# Due-date cells that say there is none.
NO_DATE = {"", "tbc", "tba", "tbd", "n/a", "na", "none", "-", "--", "ongoing", "various", "asap", "rolling"}
HONORIFICS = {"dr", "cllr", "councillor", "professor", "prof", "mr", "mrs", "ms", "miss", "mx", "sir", "dame",
              "rev", "revd", "lord", "lady", "baroness"}
_MIDNIGHT = re.compile(r"[ T]00:00(:00(\.0+)?)?$")
_SHORT_YEAR = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{2})")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_SEVERAL = re.compile(r"\s/\s|/|&|;|,|\s\+\s|\band\b", re.IGNORECASE)
# How many rows from the top are looked at for the header row (a log often has a title above it).
HEADER_SEARCH = 10
MAX_BYTES = 50_000_000
MAX_ROWS = 20_000


def squeeze(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


# --- reading the file --------------------------------------------------------------


@dataclass
class Sheet:
    raw: list[tuple[int, list[Any]]]  # the rows that are not empty: (row number in the file, cells)
    name: str
    warnings: list[str] = field(default_factory=list)
    title: str = ""  # a workbook's sheet's own name


@dataclass
class Table:
    """A sheet with its header row found and its columns mapped."""
    sheet: Sheet
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    columns: dict[str, int]  # field -> column (every field but update)
    updates: list[int]  # the columns read as update: each cell a note of its own
    unread: list[str]
    warnings: list[str]

    @property
    def name(self) -> str:
        return self.sheet.name


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, str):
        return value.strip()
    return value


def _sheet(raw: list[tuple[int, list[Any]]], name: str, warnings: list[str], title: str = "") -> Sheet:
    rows = [(number, [_cell(v) for v in cells]) for number, cells in raw]
    rows = [(n, cells) for n, cells in rows if any(v not in (None, "") for v in cells)]
    if len(rows) > MAX_ROWS + HEADER_SEARCH:
        raise InputError(f"{name} has {len(rows):,} rows; escg imports at most {MAX_ROWS:,} at once")
    return Sheet(rows, name, warnings, title)


def read_xlsx(path: Path, sheet: str | None) -> list[Sheet]:
    """The sheet named ``sheet``, or every sheet (the first first)."""
    try:
        from openpyxl import load_workbook
    except ImportError:  # a core dependency: only a broken install lands here
        raise InputError("reading .xlsx needs openpyxl: pip install openpyxl") from None
    import warnings as python_warnings
    import zipfile

    try:
        with python_warnings.catch_warnings():
            python_warnings.simplefilter("ignore")  # openpyxl warns about styles and validation it skips
            book = load_workbook(path, read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise InputError(f"{path} is not an Excel workbook: an .xlsx file is a zip archive, and this is not one "
                         "(a CSV file saved under an .xlsx name? then rename it .csv)") from None
    except (KeyError, ValueError, OSError) as error:
        raise InputError(f"{path} is not an Excel workbook openpyxl can read ({type(error).__name__}: {error})"[:300]) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise NotFoundError(f"{path} has no sheet {sheet!r}; it has {', '.join(map(repr, book.sheetnames))}")
        found = []
        for chosen in [book[sheet]] if sheet is not None else book.worksheets:
            raw = []
            for number, row in enumerate(chosen.iter_rows(values_only=True), start=1):
                raw.append((number, list(row)))
                if number > MAX_ROWS + 2 * HEADER_SEARCH + 1000:
                    break
            found.append(_sheet(raw, f"sheet {chosen.title!r} of {path.name}", [], chosen.title))
        return found
    finally:
        book.close()


def read_csv(path: Path) -> list[Sheet]:
    data = path.read_bytes()
    warnings = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the Windows code page, which for British English is cp1252.
        text = data.decode("cp1252", errors="replace")
        warnings.append(f"{path.name} is not UTF-8; read it as Windows-1252, as Excel on Windows writes CSV")
    if "\x00" in text:
        raise InputError(f"{path} is not a CSV file (it holds NUL bytes); an Excel workbook must end .xlsx")
    try:
        dialect = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        raw = [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1)]
    except csv.Error as error:
        raise InputError(f"{path} is not a CSV file Python can read: {error}") from None
    return [_sheet(raw, path.name, warnings)]


def read_sheets(path: Path, sheet: str | None = None) -> list[Sheet]:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise NotFoundError(f"no file {path}") from None
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None
    if path.is_dir():
        raise InputError(f"{path} is a folder; give the action log's .xlsx or .csv file")
    if size > MAX_BYTES:
        raise InputError(f"{path} is {size:,} bytes; escg imports files of at most {MAX_BYTES:,}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet)
    if suffix in (".csv", ".txt", ".tsv"):
        if sheet is not None:
            raise InputError("--sheet is for an Excel workbook; a CSV file has one sheet")
        return read_csv(path)
    if suffix in (".xls", ".ods", ".numbers"):
        raise InputError(f"{path.name}: escg reads .xlsx and .csv; save the sheet as .xlsx (Excel Workbook) first")
    raise InputError(f"{path.name}: escg imports an action log from an .xlsx or a .csv file")


# --- which column is which ------------------------------------------------------------


def parse_maps(values: list[str]) -> dict[str, tuple[str, str]]:
    """--map 'Action owner=owner' (repeated, or comma-separated) as {squeezed header: (header, field)}."""
    result: dict[str, tuple[str, str]] = {}
    for value in values:
        for part in value.split(","):
            if not part.strip():
                continue
            header, equals, name = part.rpartition("=")
            name = name.strip().lower()
            if not equals or not header.strip():
                raise InputError(f"--map {part.strip()!r}: write it as HEADER=FIELD, such as 'Action owner=owner'")
            if name not in FIELDS:
                raise InputError(f"--map {part.strip()!r}: the field is one of {', '.join(FIELDS)}")
            result[squeeze(header)] = (header.strip(), name)
    return result


def _field_of(header: str, maps: dict[str, tuple[str, str]]) -> str | None:
    key = squeeze(header)
    if not key:
        return None
    if key in maps:
        return maps[key][1]
    return next((f for f, words in SYNONYMS.items() if key in words), None)


def map_columns(headers: list[str], maps: dict[str, tuple[str, str]]
                ) -> tuple[dict[str, int], list[int], list[str]]:
    """({field: column}, the update columns, headers left unread), from --map first, then the synonyms."""
    known = {squeeze(h) for h in headers}
    for key, (header, _) in maps.items():
        if key not in known:
            raise InputError(f"--map names the header {header!r}, which the header row does not have: it has "
                             f"{', '.join(map(repr, [h for h in headers if h]))}")
    columns: dict[str, int] = {}
    updates: list[int] = []
    unread = []
    for index, header in enumerate(headers):
        name = _field_of(header, maps)
        if name is None:
            if header:
                unread.append(header)
            continue
        if name == "ignore":
            continue
        if name == "update":  # Progress and Comments: both kept, each a note
            updates.append(index)
            continue
        if name in columns:
            raise InputError(f"two columns are read as {name}: {headers[columns[name]]!r} and {header!r}; "
                             f"say which with --map '{header}=ignore' (or another field)")
        columns[name] = index
    for needed in ("title", "owner"):
        if needed not in columns:
            raise InputError(f"no column is read as the action's {needed}: the headers are "
                             f"{', '.join(map(repr, [h for h in headers if h]))}; "
                             f"say which it is with --map 'HEADER={needed}'")
    return columns, updates, unread


def _headers(cells: list[Any]) -> list[str]:
    headers = ["" if v is None else str(v).strip() for v in cells]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def locate(sheets: list[Sheet], maps: dict[str, tuple[str, str]]) -> Table:
    """The header row: the first of a sheet's top rows whose headers name an action and its
    owner (a log often has a title, or a note, above it); the first sheet that has one."""
    best: tuple[int, InputError] | None = None
    for position, sheet in enumerate(sheets):
        for index, (number, cells) in enumerate(sheet.raw[:HEADER_SEARCH]):
            headers = _headers(cells)
            try:
                columns, updates, unread = map_columns(headers, maps)
            except InputError as error:
                score = sum(1 for h in headers if _field_of(h, maps))
                if best is None or score > best[0]:
                    best = (score, error)
                continue
            warnings = list(sheet.warnings)
            if position:
                warnings.append(f"reading sheet {sheet.title!r}: the first, {sheets[0].title!r}, has no action "
                                "log headers (choose a sheet with --sheet)")
            elif len(sheets) > 1:
                warnings.append(f"the workbook has {len(sheets)} sheets; reading the first, {sheet.title!r} "
                                "(choose another with --sheet)")
            above = [n for n, _ in sheet.raw[:index]]
            if above:
                which = f"row {above[0]}" if len(above) == 1 else f"rows {above[0]} to {above[-1]}"
                warnings.append(f"{which}, above the header row (row {number}), not read")
            width = len(headers)
            body = [(n, c[:width] + [None] * (width - len(c))) for n, c in sheet.raw[index + 1:]]
            if len(body) > MAX_ROWS:
                raise InputError(f"{sheet.name} has {len(body):,} rows; escg imports at most {MAX_ROWS:,} at once")
            return Table(sheet, headers, body, columns, updates, unread, warnings)
    if best is None:
        name = sheets[0].name if sheets else "the file"
        raise InputError(f"{name} has no rows: the action log's header row (Action, Owner, Due...) must be in its "
                         f"first {HEADER_SEARCH} rows")
    raise InputError(f"{best[1]} (the header row is looked for in the first {HEADER_SEARCH} rows"
                     f"{' of each sheet' if len(sheets) > 1 else ''})")


# --- reading a row ------------------------------------------------------------------------


class People:
    """The store's people, found by id, name (with or without Dr, Cllr...) or email."""

    def __init__(self, store: Store) -> None:
        self.ids = store.people
        self.by_key: dict[str, set[str]] = {}
        for person in store.people.values():
            for key in {squeeze(person.name), self.bare(person.name), (person.email or "").lower(), person.id}:
                if key:
                    self.by_key.setdefault(key, set()).add(person.id)

    @staticmethod
    def bare(name: str) -> str:
        words = [w for w in re.split(r"[\s.]+", name.lower()) if w]
        while len(words) > 1 and words[0] in HONORIFICS:
            words.pop(0)
        return squeeze(" ".join(words))

    def find(self, text: str) -> tuple[str | None, str | None]:
        """(person id, None), or (None, why not)."""
        text = " ".join(text.split())
        if text in self.ids:
            return text, None
        candidates = [text, re.sub(r"\s*\([^)]*\)\s*$", "", text)]  # "Helen Marsh (ECC)"
        for candidate in candidates:
            for key in (candidate.lower(), squeeze(candidate), self.bare(candidate)):
                found = self.by_key.get(key)
                if found and len(found) == 1:
                    return next(iter(found)), None
                if found:
                    return None, f"owner {text!r} could be any of {', '.join(sorted(found))}; write the person's id"
        return None, f"owner {text!r} is not one of the store's people (add them with `escg person add`, or correct the row)"


@dataclass
class Row:
    number: int
    action: model.Action
    ref: str | None  # the row's own ref, when it did not become the id
    notes: list[str]  # the row's update text
    kept: list[str] = field(default_factory=list)  # what it said that has no field of its own


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).strip()


def _date_of(value: Any, what: str) -> date | None:
    if value is None or isinstance(value, str) and value.strip().lower() in NO_DATE:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        raise InputError(f"{what} {value!r} is a number, not a date; format the column as dates")
    text = " ".join(str(value).split())
    shown = text[:40]
    # A CSV export writes a date cell as "2026-12-01 00:00:00"; the time of day says nothing here.
    text = _MIDNIGHT.sub("", text)
    # British logs write 30/11/26: read day first, as every slashed date here is, in this century.
    if match := _SHORT_YEAR.fullmatch(text):
        text = f"{match[1]}/{match[2]}/20{match[3]}"
    if not _YEAR.search(text):
        # "Friday" or "next week" in an old log would count from the day of the import.
        raise InputError(f"{what} {shown!r} is not a full date with its year; write it as 30/11/2026 "
                         "(relative dates such as 'Friday' are not read from a log)")
    try:
        return dates.parse_date(text)
    except InputError:
        raise InputError(f"{what} {shown!r} is not a date escg can read: write it as 30/11/2026 "
                         "(day first), 2026-11-30 or 30 Nov 2026") from None


def _ref_number(text: str) -> int | None:
    match = re.fullmatch(r"(?i)a?-?0*(\d{1,9})", text.strip())
    return int(match[1]) if match and int(match[1]) > 0 else None


def read_rows(store: Store, sheet: Table, today: date) -> list[Row]:
    """Every row as an action (ids not yet given), or InputError listing every row's problems."""
    people = People(store)
    problems: list[str] = []
    rows: list[Row] = []
    columns = sheet.columns
    for number, cells in sheet.rows:
        def get(name: str) -> Any:
            return cells[columns[name]] if name in columns else None

        where = f"row {number}"
        title_text = _text_of(get("title"))
        if not title_text.strip():
            if all(_text_of(v) == "" for i, v in enumerate(cells) if i != columns.get("id")):
                continue  # a numbered row with nothing in it: the end of a template's numbering
            problems.append(f"{where}: the action's text is empty")
            continue
        try:
            title = check_title(title_text)
            if any(ord(c) < 32 or c == "\x7f" for c in title):
                raise InputError("the action's text contains control characters")
        except InputError as error:
            problems.append(f"{where}: {error}")
            continue
        notes: list[str] = []
        kept: list[str] = []  # what the row said that has no field of its own here
        row_problems: list[str] = []
        owner_text = _text_of(get("owner"))
        owner = None
        if not owner_text:
            row_problems.append("no owner")
        else:
            owner, why = people.find(owner_text)
            if owner is None and _SEVERAL.search(owner_text):
                row_problems.append(f"owner {owner_text[:60]!r} names more than one person; an action has one "
                                    "owner: choose one (the others can be named in the action's text)")
            elif owner is None:
                row_problems.append(why or "owner not found")
        due = closed = None
        for name in ("due", "closed"):
            try:
                value = _date_of(get(name), name)
            except InputError as error:
                row_problems.append(str(error))
                continue
            if name == "due":
                due = value
                raw = get("due")
                if value is None and isinstance(raw, str) and raw.strip() and raw.strip().lower() != "none":
                    kept.append(f"due {raw.strip()}")
            else:
                closed = value
        status_text = squeeze(_text_of(get("status")))
        status = model.ActionStatus.OPEN
        if status_text:
            if status_text not in STATUS_WORDS:
                row_problems.append(f"status {_text_of(get('status'))[:40]!r} is not one escg knows: "
                                    "write open, done or dropped (or Complete, Closed, Cancelled...)")
            else:
                status = STATUS_WORDS[status_text]
        if closed is not None and status.is_open:
            status = model.ActionStatus.DONE  # a closed date says the action closed
        if closed is not None and closed > today:
            row_problems.append(f"closed {closed.isoformat()} is after today")
        theme = None
        theme_text = _text_of(get("theme"))
        if theme_text:
            theme = _theme(store, theme_text)
            if theme is None:
                row_problems.append(f"theme {theme_text[:40]!r} is not one of the group's themes "
                                    f"({', '.join(store.group.themes) or 'it has none'})")
        meeting, item = None, None
        raised = get("raised")
        if raised not in (None, ""):
            meeting, note = _meeting(store, raised)
            if note:
                kept.append(note)
        item_text = _text_of(get("item"))
        if item_text:
            if meeting is not None and item_text.isdigit() and 0 < int(item_text) < 1000:
                item = int(item_text)
            else:
                kept.append(f"item {item_text}")
        for column in sheet.updates:
            update_text = _text_of(cells[column])
            if not update_text:
                continue
            try:
                update_text = check_text(update_text, "update")
            except InputError as error:
                row_problems.append(str(error))
                continue
            # With several update columns (Progress, Comments), each note says which it was.
            notes.append(f"{sheet.headers[column]}: {update_text}" if len(sheet.updates) > 1 else update_text)
        if row_problems:
            problems += [f"{where}: {p}" for p in row_problems]
            continue
        person = store.people[owner]
        action = model.Action(
            id="A-000", title=title, owner=person.id, org=person.org, due=due, status=status, meeting=meeting,
            item=item, theme=theme, created=store.meeting_date(meeting) if meeting else today,
            closed=closed,
        )
        rows.append(Row(number, action, _text_of(get("id")) or None, notes, kept))
    if problems:
        shown = problems[:40] + ([f"... and {len(problems) - 40} more"] if len(problems) > 40 else [])
        raise InputError(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {sheet.name}; nothing was "
                         "imported:\n  " + "\n  ".join(shown))
    return rows


def _theme(store: Store, text: str) -> str | None:
    themes = store.group.themes
    if text in themes:
        return text
    wanted = squeeze(text)
    found = [key for key, title in themes.items() if wanted in (squeeze(key), squeeze(title))]
    return found[0] if len(found) == 1 else None


def _meeting(store: Store, value: Any) -> tuple[str | None, str | None]:
    """(meeting id, None) for a held meeting the store has; else (None, a note that keeps what the row said)."""
    text = _text_of(value)
    try:
        when = _date_of(value, "raised")
    except InputError:
        return None, f"raised {text}"
    if when is None:
        return None, None
    ident = when.isoformat()
    meeting = store.meeting(ident)
    if meeting is None:
        return None, f"raised at the meeting of {dates.short_date(when)}"
    if meeting.date > dates.today() or meeting.status.cancelled or meeting.status.approved:
        # An approved record is not changed by an import; a cancelled or future meeting raised nothing.
        return None, f"raised at the meeting of {dates.short_date(when)}"
    return meeting.id, None


# --- giving ids, and writing ------------------------------------------------------------


@dataclass
class Plan:
    rows: list[Row]
    columns: dict[str, str]  # field -> header
    unread: list[str]
    warnings: list[str]


IMPORT_NOTE = "Imported from the action log: "


PREVIEW_JSON_KEYS = ["row", "id", "title", "owner", "org", "due", "status", "meeting", "item", "theme", "closed", "updates"]


def preview(store: Store, plan: Plan) -> list[dict[str, Any]]:
    """A row for each action of ``plan``, as `escg import actions` prints them (docs/json.md):
    PREVIEW_JSON_KEYS, and for the table ``notes`` (its updates' notes) and ``owner_name``."""
    rows = []
    for row in plan.rows:
        action = row.action
        person = store.people.get(action.owner)
        rows.append({
            "row": row.number, "id": action.id, "title": action.title, "owner": action.owner, "org": action.org,
            "due": action.due.isoformat() if action.due else None, "status": action.status.value,
            "meeting": action.meeting, "item": action.item, "theme": action.theme,
            "closed": action.closed.isoformat() if action.closed else None,
            "updates": [{"date": u.date.isoformat(), "note": u.note} for u in action.updates],
            "notes": "; ".join(u.note for u in action.updates),
            "owner_name": person.name if person else action.owner,
        })
    return rows


def already_imported(store: Store, rows: list[Row]) -> tuple[list[Row], list[str]]:
    """The rows not in the store yet, and a warning for each that is: one imported before
    (its ref in an import note, or kept as its id) or an action with the same text and owner.
    So importing the same log twice adds nothing the second time."""
    existing = store.actions
    by_id = {a.id: a for a in existing}
    by_ref: dict[str, str] = {}
    by_text: dict[tuple[str, str], str] = {}
    for action in existing:
        by_text.setdefault((squeeze(action.title), action.owner), action.id)
        for update in action.updates[:1]:
            if update.note.startswith(IMPORT_NOTE):
                for part in update.note[len(IMPORT_NOTE):].split("; "):
                    if part.startswith("ref "):
                        by_ref.setdefault(part[4:].strip(), action.id)
    fresh, warnings = [], []
    for row in rows:
        title = squeeze(row.action.title)
        found, why = None, ""
        if row.ref and row.ref in by_ref:
            found, why = by_ref[row.ref], f"ref {row.ref}, imported before"
        elif row.ref and (number := _ref_number(row.ref)):
            same = by_id.get(model.action_id(number))
            if same is not None and squeeze(same.title) == title:
                found, why = same.id, "the same id and text"
        if found is None and (title, row.action.owner) in by_text:
            found, why = by_text[(title, row.action.owner)], "the same text and owner"
        if found is None:
            fresh.append(row)
        else:
            warnings.append(f"row {row.number}: already in the store as {found} ({why}); not imported again")
    return fresh, warnings


def give_ids(store: Store, rows: list[Row]) -> None:
    """Keep each row's ref as its id when it fits A-NNN and is free; number the rest after the highest."""
    kept: set[int] = set()
    first_free = next_number(store)  # ids below it were given out once, and are never given again
    for row in rows:
        number = _ref_number(row.ref) if row.ref else None
        ident = model.action_id(number) if number else None
        if ident and number >= first_free and number not in kept and not store.action_paths_of(ident):
            kept.add(number)
            row.action = _with(row.action, id=ident)
            row.ref = None
    following = max([first_free - 1, *kept]) + 1
    for row in rows:
        if row.action.id != "A-000":
            continue
        row.action = _with(row.action, id=model.action_id(following))
        following += 1
        if row.ref:
            row.kept.insert(0, f"ref {row.ref}")
    today = dates.today()
    for row in rows:
        notes = list(row.notes)
        if row.kept:
            notes.insert(0, IMPORT_NOTE + "; ".join(row.kept))
        updates = [model.Update(date=today, note=note) for note in notes]
        row.action = _with(row.action, updates=updates)


def _with(action: model.Action, **changes: Any) -> model.Action:
    return model.Action(**{**action.__dict__, **changes})


def plan_import(store: Store, path: Path, *, maps: list[str] | None = None, sheet: str | None = None) -> Plan:
    """What importing ``path`` would add, every row read and checked; nothing is written."""
    table = locate(read_sheets(path, sheet), parse_maps(maps or []))
    rows = read_rows(store, table, dates.today())
    rows, repeats = already_imported(store, rows)
    give_ids(store, rows)
    warnings = list(table.warnings)
    unread = table.unread
    if unread:
        warnings.append(f"not imported: the column{'s' if len(unread) > 1 else ''} {', '.join(map(repr, unread))} "
                        "(map one with --map 'HEADER=FIELD')")
    columns = {name: table.headers[index] for name, index in table.columns.items()}
    if table.updates:
        columns["update"] = ", ".join(table.headers[index] for index in table.updates)
    return Plan(rows, columns, unread, warnings + repeats)


def import_actions(store: Store, plan: Plan) -> list[model.Action]:
    """Write every action of ``plan`` in one transaction: all of them, or (on any error) none."""
    if not plan.rows:
        return []
    with store.transaction() as txn:
        for row in plan.rows:
            if store.action_paths_of(row.action.id):  # taken since the plan was made
                raise InputError(f"action {row.action.id} was added to the store meanwhile; run the import again")
            write(txn, store, row.action, old_updates=0)
        highest = max(row.action.number for row in plan.rows)
        if highest >= next_number(store):
            txn.stage_raw(store.path(COUNTER), f"{highest}\n")
    return [row.action for row in plan.rows]
