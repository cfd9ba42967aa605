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

from escg import dates, model
from escg.actions import COUNTER, _check_title, _next_number, check_text, write
from escg.errors import InputError, NotFoundError
from escg.store import Store

FIELDS = ("id", "title", "owner", "due", "status", "update", "raised", "item", "theme", "closed", "ignore")
# Headers (lower case, spaces and punctuation squeezed out) each field is guessed from.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("ref", "reference", "id", "actionref", "actionid", "actionno", "actionnumber", "no", "number", "refno"),
    "title": ("action", "title", "actions", "description", "actiondescription", "task", "what", "detail",
              "actionrequired", "agreedaction"),
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
MAX_BYTES = 50_000_000
MAX_ROWS = 20_000
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")


def squeeze(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


# --- reading the file --------------------------------------------------------------


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number in the file, cells)
    name: str
    warnings: list[str] = field(default_factory=list)


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, str):
        return value.strip()
    return value


def _table(raw: list[tuple[int, list[Any]]], name: str, warnings: list[str]) -> Sheet:
    """The header row (the first that is not empty) and the rows under it that are not empty."""
    rows = [(number, [_cell(v) for v in cells]) for number, cells in raw]
    rows = [(n, cells) for n, cells in rows if any(v not in (None, "") for v in cells)]
    if not rows:
        raise InputError(f"{name} has no rows: the first row that is not empty must be the headers")
    (_, header_cells), body = rows[0], rows[1:]
    headers = ["" if v is None else str(v).strip() for v in header_cells]
    while headers and not headers[-1]:
        headers.pop()
    if len(body) > MAX_ROWS:
        raise InputError(f"{name} has {len(body):,} rows; escg imports at most {MAX_ROWS:,} at once")
    return Sheet(headers, [(n, cells[:len(headers)] + [None] * (len(headers) - len(cells))) for n, cells in body],
                 name, warnings)


def read_xlsx(path: Path, sheet: str | None) -> Sheet:
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
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise InputError(f"{path} is not an Excel workbook openpyxl can read ({type(error).__name__}: {error})"[:300]) from None
    try:
        if sheet is None:
            chosen = book.worksheets[0]
        elif sheet in book.sheetnames:
            chosen = book[sheet]
        else:
            raise NotFoundError(f"{path} has no sheet {sheet!r}; it has {', '.join(map(repr, book.sheetnames))}")
        raw = []
        for number, row in enumerate(chosen.iter_rows(values_only=True), start=1):
            raw.append((number, list(row)))
            if number > MAX_ROWS + 50:
                break
        warnings = []
        if sheet is None and len(book.sheetnames) > 1:
            warnings.append(f"{path.name} has {len(book.sheetnames)} sheets; reading the first, {chosen.title!r} "
                            "(choose another with --sheet)")
        return _table(raw, f"sheet {chosen.title!r} of {path.name}", warnings)
    finally:
        book.close()


def read_csv(path: Path) -> Sheet:
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
    return _table(raw, path.name, warnings)


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
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


def parse_maps(values: list[str]) -> dict[str, str]:
    """--map 'Action owner=owner' (repeated, or comma-separated) as {squeezed header: field}."""
    result: dict[str, str] = {}
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
            result[squeeze(header)] = name
    return result


def map_columns(headers: list[str], maps: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    """({field: column index}, headers left unread), from --map first, then the synonyms."""
    known = {squeeze(h) for h in headers}
    for header in maps:
        if header not in known:
            raise InputError(f"--map names a header the sheet does not have: it has {', '.join(map(repr, headers))}")
    columns: dict[str, int] = {}
    unread = []
    for index, header in enumerate(headers):
        key = squeeze(header)
        name = maps.get(key) or next((f for f, words in SYNONYMS.items() if key in words), None)
        if name is None or not key:
            if header:
                unread.append(header)
            continue
        if name == "ignore":
            continue
        if name in columns:
            raise InputError(f"two columns are read as {name}: {headers[columns[name]]!r} and {header!r}; "
                             f"say which with --map '{header}=ignore' (or another field)")
        columns[name] = index
    for needed in ("title", "owner"):
        if needed not in columns:
            raise InputError(f"no column is read as the action's {needed}: the headers are "
                             f"{', '.join(map(repr, headers))}; say which it is with --map 'HEADER={needed}'")
    return columns, unread


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
    try:
        return dates.parse_date(str(value))
    except InputError as error:
        raise InputError(f"{what} {str(value)[:40]!r}: {error}") from None


def _ref_number(text: str) -> int | None:
    match = re.fullmatch(r"(?i)a?-?0*(\d{1,9})", text.strip())
    return int(match[1]) if match and int(match[1]) > 0 else None


def read_rows(store: Store, sheet: Sheet, columns: dict[str, int], today: date) -> list[Row]:
    """Every row as an action (ids not yet given), or InputError listing every row's problems."""
    people = People(store)
    problems: list[str] = []
    rows: list[Row] = []
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
            title = _check_title(title_text)
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
            if owner is None:
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
        update_text = _text_of(get("update"))
        if update_text:
            try:
                notes.append(check_text(update_text, "update"))
            except InputError as error:
                row_problems.append(str(error))
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


def give_ids(store: Store, rows: list[Row]) -> None:
    """Keep each row's ref as its id when it fits A-NNN and is free; number the rest after the highest."""
    kept: set[int] = set()
    first_free = _next_number(store)  # ids below it were given out once, and are never given again
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
            notes.insert(0, f"Imported from the action log: {'; '.join(row.kept)}")
        updates = [model.Update(date=today, note=note) for note in notes]
        row.action = _with(row.action, updates=updates)


def _with(action: model.Action, **changes: Any) -> model.Action:
    return model.Action(**{**action.__dict__, **changes})


def plan_import(store: Store, path: Path, *, maps: list[str] | None = None, sheet: str | None = None) -> Plan:
    """What importing ``path`` would add, every row read and checked; nothing is written."""
    table = read_sheet(path, sheet)
    columns, unread = map_columns(table.headers, parse_maps(maps or []))
    rows = read_rows(store, table, columns, dates.today())
    give_ids(store, rows)
    warnings = list(table.warnings)
    if unread:
        warnings.append(f"not imported: the column{'s' if len(unread) > 1 else ''} {', '.join(map(repr, unread))} "
                        "(map one with --map 'HEADER=FIELD')")
    return Plan(rows, {name: table.headers[index] for name, index in columns.items()}, unread, warnings)


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
        if highest >= _next_number(store):
            txn.stage_raw(store.path(COUNTER), f"{highest}\n")
    return [row.action for row in plan.rows]
