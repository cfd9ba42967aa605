"""`escg init` never writes over the files of a store that has lost its escg.toml (issue 11, item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("name, kind", [
    ("people.toml", "file"), ("forward-plan.toml", "file"), ("meetings", "folder"), ("actions", "folder"),
    ("people.toml", "dangling symlink"),
])
def test_init_refuses_a_folder_holding_store_files_without_escg_toml(run, tmp_path, name, kind):
    folder = tmp_path / "old-store"
    folder.mkdir()
    target = folder / name
    if kind == "file":
        target.write_text('[people.ann]\nname = "Ann Keep"\n')
    elif kind == "folder":
        target.mkdir()
        (target / "2026-12-03.toml").write_text('date = "2026-12-03"\n')
    else:
        target.symlink_to(tmp_path / "nowhere.toml")
    before = snapshot(folder)
    result = run(["init", str(folder), "--name", "Test Group", "--short", "TG"], code=5)
    assert result.stderr == (f"error: {folder} already holds {name} but no escg.toml; refusing to write over them "
                             "(restore its escg.toml, or init an empty folder)\n")
    assert snapshot(folder) == before


def test_init_names_everything_that_is_there(run, tmp_path):
    folder = tmp_path / "old-store"
    (folder / "meetings").mkdir(parents=True)
    (folder / "people.toml").write_text("")
    result = run(["init", str(folder), "--name", "Test Group", "--short", "TG"], code=5)
    assert "already holds people.toml, meetings but no escg.toml" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["meetings", "people.toml"]


def test_init_still_creates_a_store_in_an_empty_or_unrelated_folder(run, tmp_path):
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "README.md").write_text("notes\n")
    (folder / "templates").mkdir()  # templates made ready before the store is fine
    run(["init", str(folder), "--name", "Test Group", "--short", "TG"])
    assert (folder / "escg.toml").is_file() and (folder / "README.md").read_text() == "notes\n"
