"""Creating a new, empty store (`escg init`)."""

from __future__ import annotations

import os
from pathlib import Path

from escg.core import model
from escg.core.errors import ConflictError, InputError
from escg.store import ACTIONS, CONFIG, FORWARD_PLAN, MEETINGS, PEOPLE, Store
from escg.store.files import LOCK_NAME, atomic_write

GITIGNORE = f"""# escg's lock and index are local to each machine; the TOML files are the truth.
{LOCK_NAME}
.escg-index*
.escg-last-action
.escg-journal/
"""


def _quote(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def config_text(name: str, short: str) -> str:
    standing = "\n".join(
        f'[[standing]]\nid = "{s.id}"\ntitle = {_quote(s.title)}\nminutes = {s.minutes}\n'
        f'position = "{s.position}"\npurpose = "{s.purpose}"\n'
        for s in model.DEFAULT_STANDING
    )
    return f"""# Settings of the group. See docs/store-format.md for every key.
name = {_quote(name)}
short = {_quote(short)}
# chair = "person-id"
# secretariat = "secretariat@example.org"
# Quorum: a number of members, or a fraction of members such as "1/3".
quorum = "1/3"
# Days before a due date that an open action turns amber.
rag_window = 14

[defaults]
start = "10:00"
end = "12:00"
# venue = "County Hall, Chelmsford"
# online = "https://meet.example.org/group"
# The usual pattern of meetings, for `escg meeting new` without a date and `meeting schedule`.
# rrule = "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TH"

# Themes that items and actions are filed under: id = "name".
[themes]
partnership = "Improving partnership working"

# Standing items, in order: "start" ones open the agenda, "end" ones close it.
{standing}"""


def init_store(folder: Path, name: str, short: str) -> Store:
    """Create a store in ``folder`` (made if missing); refuse to overwrite one."""
    name = " ".join(name.split())
    short = " ".join(short.split())
    if not name or len(name) > model.MAX_TITLE:
        raise InputError("--name must be the group's full name, at most 300 characters")
    if not short or len(short) > 32:
        raise InputError("--short must be a short name such as ESCG, at most 32 characters")
    if (folder / CONFIG).exists():
        raise ConflictError(f"{folder / CONFIG} already exists; this folder is already a store")
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} exists and is not a folder")
    # Files of a store without its escg.toml (one lost, or a half-copied store) are somebody's
    # records: init writes none of them over. lexists: a dangling symlink is there too.
    present = [name for name in (PEOPLE, FORWARD_PLAN, MEETINGS, ACTIONS) if os.path.lexists(folder / name)]
    if present:
        raise ConflictError(f"{folder} already holds {', '.join(present)} but no {CONFIG}; refusing to write over "
                            f"them (restore its {CONFIG}, or init an empty folder)")
    text = config_text(name, short)
    from escg.store import loader

    checked = loader.load(folder / CONFIG, model.group_from_toml, folder, text=text, collect=True)
    if checked.problems:
        raise InputError(f"cannot create the store: {checked.problems[0].message}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meetings").mkdir(exist_ok=True)
    atomic_write(folder / PEOPLE, "# The group's partner organisations ([orgs.<id>]) and people ([people.<id>]).\n"
                                  "# Edit by hand or with `escg org` and `escg person`; comments are kept.\n")
    atomic_write(folder / FORWARD_PLAN, "# Items proposed for future meetings, not yet placed on one.\n")
    if not (folder / ".gitignore").exists():
        atomic_write(folder / ".gitignore", GITIGNORE)
    atomic_write(folder / CONFIG, text)
    return Store(folder.resolve())
