"""escg check is incremental: it reads again only what changed, and finds the same as --full."""

from __future__ import annotations

import pytest

from escg import check as check_module
from escg.store import Store


@pytest.fixture
def checked(run, meeting_store):
    run("agenda add 'Violence update' --meeting 2026-10-01 --presenter bob")
    run("agenda new 2026-10-01")
    run("action add 'One' --owner bob --meeting 2026-10-01 --item 5")
    run("action add 'Two' --owner cat")
    run("check")
    return meeting_store


def reads(monkeypatch) -> list[str]:
    """The files escg check reads from disk from now on."""
    seen: list[str] = []
    real = check_module.Checker.read

    def spy(self, path, parse):
        seen.append(path.relative_to(self.root).as_posix())
        return real(self, path, parse)

    monkeypatch.setattr(check_module.Checker, "read", spy)
    monkeypatch.delenv("ESCG_CROSSCHECK")  # the cross-check would read everything again
    return seen


def test_an_unchanged_store_is_not_read_again(checked, monkeypatch):
    seen = reads(monkeypatch)
    assert check_module.check(Store(checked)) == []
    assert seen == ["escg.toml", "people.toml", "forward-plan.toml"]


def test_a_changed_file_is_read_again_and_its_problem_found(checked, monkeypatch):
    path = next((checked / "actions").rglob("A-002-*.toml"))
    path.write_text(path.read_text().replace('owner = "cat"', 'owner = "nobody"'))
    seen = reads(monkeypatch)
    found = [str(p) for p in check_module.check(Store(checked))]
    assert seen[3:] == [path.relative_to(checked).as_posix()]
    assert any("owner 'nobody' is not in people.toml" in p for p in found)
    assert found == [str(p) for p in check_module.check(Store(checked), full=True)]


def test_a_change_to_people_rechecks_every_reference(checked, monkeypatch, run):
    run("agenda add 'Another' --meeting 2026-12-03 --presenter cat")
    run("check")
    people = checked / "people.toml"
    people.write_text(people.read_text().replace("[people.cat]", "[people.catherine]"))
    seen = reads(monkeypatch)
    found = [str(p) for p in check_module.check(Store(checked))]
    assert len(seen) > 3  # meetings and actions read again: what they name changed
    assert any("owner 'cat' is not in people.toml" in p for p in found)
    assert any("presenter 'cat' is not in people.toml" in p for p in found)
    assert found == [str(p) for p in check_module.check(Store(checked), full=True)]


def test_findings_from_the_cache_can_still_be_fixed(checked, run):
    (checked / "meetings" / "2027" / "2026-12-03.toml").parent.mkdir(exist_ok=True)
    (checked / "meetings" / "2026" / "2026-12-03.toml").rename(checked / "meetings" / "2027" / "2026-12-03.toml")
    assert "belongs in meetings/2026/" in run("check", code=6).stdout
    result = run("check --fix")  # the finding comes from the cache this time
    assert "fixed: moved meetings/2027/2026-12-03.toml to meetings/2026/2026-12-03.toml" in result.stderr
