"""The stores of tests/stores.py are byte for byte what the CLI writes.

The fixtures write their stores as files (fast); here each is built once more
through the commands it stands for, and every file is compared. Only what is
random in the CLI's output is set aside: a meeting's calendar UID (a uuid4) and
the four hex digits that end an action's file name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import stores


def files(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``root``, random parts made fixed;
    the lock and the index cache are left out."""
    found: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        if path.name == ".escg.lock" or path.name.startswith(".escg-index"):
            continue
        relative = re.sub(r"^(actions/\d{4}/A-\d+)-[0-9a-f]{4}\.toml$", r"\1-xxxx.toml",
                          path.relative_to(root).as_posix())
        if path.is_dir():
            found[relative] = None
            continue
        data = path.read_bytes()
        if relative.startswith("meetings/"):
            day = path.stem
            data = re.sub(rb'^uid = "meeting-[0-9a-f-]{36}@escg"$', f'uid = "{stores.meeting_uid(day)}"'.encode(),
                          data, flags=re.M)
        found[relative] = data
    return found


def through_the_cli(run, store: Path, *commands) -> Path:
    """meeting_store as conftest used to build it, then ``commands``."""
    run(["init", str(store), "--name", "Test Coordination Group", "--short", "TCG"])
    assert files(store) == files(stores.write_empty_store(store.parent / "empty"))
    (store / "escg.toml").write_text(
        (store / "escg.toml").read_text()
        .replace('# chair = "person-id"', 'chair = "ann-chair"')
        .replace('partnership = "Improving partnership working"\n',
                 'partnership = "Improving partnership working"\nhealth = "Health and wellbeing"\n'))
    for args in stores.PEOPLE_COMMANDS:
        run(args)
    assert files(store) == files(stores.write_people_store(store.parent / "people"))
    for args in (*stores.MEETING_COMMANDS, *commands):
        run(args)
    return store


def test_the_meeting_store_is_what_init_org_person_and_meeting_new_write(run, store_dir, tmp_path):
    built = through_the_cli(run, store_dir)
    assert files(built) == files(stores.write_meeting_store(tmp_path / "files"))
    assert b"uid = " in (built / "meetings/2026/2026-10-01.toml").read_bytes()  # the one thing made fixed


@pytest.mark.parametrize("commands,write", [
    (stores.ACTION_STORE_COMMANDS, stores.add_action_store),
    (stores.MAIL_STORE_COMMANDS, stores.add_mail_store),
    (stores.ICS_STORE_COMMANDS, stores.add_ics_store),
], ids=["action_store", "mail_store", "ics_store"])
def test_each_store_is_what_its_commands_write(run, store_dir, tmp_path, commands, write):
    built = through_the_cli(run, store_dir, *commands)
    written = files(write(stores.write_meeting_store(tmp_path / "files")))
    assert files(built) == written
    assert any(name.startswith("actions/") for name in written)


def test_the_fixture_is_the_written_store(meeting_store, tmp_path):
    assert files(meeting_store) == files(stores.write_meeting_store(tmp_path / "files"))


def test_the_small_store_is_what_the_library_writes(tmp_path):
    """test_properties.py's store of each example: init_store, two organisations, two people."""
    from escg.domain import people
    from escg.store.create import init_store

    store = init_store(tmp_path / "empty", "G", "G")
    assert files(store.root) == files(stores.write_empty_store(tmp_path / "empty-files", "G", "G"))
    store = init_store(tmp_path / "library", "G", "G")
    people.add_org(store, "ecc", "Essex County Council", "council")
    people.add_org(store, "police", "Essex Police", "police")
    people.add_person(store, "jo", name="Jo Bloggs", org="ecc")
    people.add_person(store, "sam", name="Sam Lee", org="police")
    assert files(store.root) == files(stores.write_small_store(tmp_path / "files"))
