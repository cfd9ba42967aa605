"""check --fix after a merge tool: identical copies of an action are removed, not
renumbered into two actions; a file that is not an action is never renamed."""

from __future__ import annotations

import json


def test_an_identical_copy_is_removed_not_renumbered(run, people_store):
    run("action add 'Only one' --owner bob")
    original = next((people_store / "actions").rglob("A-001-*.toml"))
    copy = original.with_name(original.stem + "_LOCAL_4242.toml")
    copy.write_bytes(original.read_bytes())
    result = run("check", code=6)
    assert f"a second copy of action A-001, identical to {original.relative_to(people_store)}" in result.stdout
    result = run("check --fix")
    assert f"fixed: removed {copy.relative_to(people_store)}" in result.stderr
    assert [a["id"] for a in json.loads(run("actions --all --json").stdout)] == ["A-001"]
    assert original.exists() and not copy.exists()


def test_a_different_copy_is_still_renumbered(run, people_store):
    run("action add 'Here' --owner bob")
    original = next((people_store / "actions").rglob("A-001-*.toml"))
    other = original.with_name("A-001-beef.toml")
    other.write_text(original.read_text().replace('"Here"', '"There"'))
    result = run("check --fix")
    assert "fixed: renumbered A-001" in result.stderr
    assert sorted(a["title"] for a in json.loads(run("actions --all --json").stdout)) == ["Here", "There"]


def test_a_file_that_is_not_an_action_is_never_renamed(run, people_store):
    run("action add 'Real' --owner bob")
    readme = people_store / "actions" / "2026" / "README.toml"
    readme.write_text('note = "actions of 2026"\n')
    result = run("check", code=6)
    assert "actions/2026/README.toml: not an action file" in result.stdout
    run("check --fix", code=6)
    assert readme.read_text() == 'note = "actions of 2026"\n'
    assert sorted(p.name for p in readme.parent.iterdir())[-1] == "README.toml"
