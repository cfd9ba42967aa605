"""Store templates and papers stay inside the store, and templates are bounded in time and
memory (issue 11, items 8, 14 and 15)."""

from __future__ import annotations

import os

import pytest

import stores


@pytest.fixture
def mail_store(meeting_store):
    return stores.add_mail_store(meeting_store)


# --- item 8: symbolic links out of the store --------------------------------


@pytest.mark.parametrize("target", ["/proc/self/environ", "/etc/hostname"])
def test_a_store_template_linking_out_of_the_store_is_refused(run, mail_store, monkeypatch, target):
    if not os.path.exists(target):
        pytest.skip(f"no {target} here")
    monkeypatch.setenv("ESCG_SMTP_PASSWORD", "hunter2-secret")
    (mail_store / "templates").mkdir()
    (mail_store / "templates/remind.txt").symlink_to(target)
    (mail_store / "templates/actions.md").symlink_to(target)
    for command in ("remind --dry-run", "actions -f md", "mail actions --to a@example.org --dry-run"):
        result = run(command, code=3)
        name = "remind.txt" if command.startswith("remind") else "actions.md"
        assert result.stderr == (f"error: template templates/{name} is a link to {os.path.realpath(target)}, "
                                 "outside the store; refusing to read it\n")
        assert "hunter2" not in result.stdout + result.stderr


def test_a_templates_folder_linking_out_of_the_store_is_refused(run, mail_store, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "actions.md").write_text("outside {{ group.name }}\n")
    (mail_store / "templates").symlink_to(outside)
    result = run("actions -f md", code=3)
    assert "is a link to" in result.stderr and "outside the store" in result.stderr


def test_a_template_may_link_within_the_store(run, mail_store):
    (mail_store / "shared").mkdir()
    (mail_store / "shared/actions.md").write_text("inside {{ group.short }}\n")
    (mail_store / "templates").mkdir()
    (mail_store / "templates/actions.md").symlink_to("../shared/actions.md")
    assert run("actions -f md").stdout == "inside TCG\n"


def test_a_template_turned_into_a_link_in_the_same_process_is_refused(run, mail_store):
    (mail_store / "templates").mkdir()
    template = mail_store / "templates/actions.md"
    template.write_text("first\n")
    assert run("actions -f md").stdout == "first\n"  # the environment is cached per process
    template.unlink()
    template.symlink_to("/etc/hostname")
    assert "outside the store" in run("actions -f md", code=3).stderr


@pytest.mark.parametrize("target", ["/proc/self/environ", "/etc/hostname"])
def test_a_paper_linking_out_of_the_store_is_never_attached(run, meeting_store, target):
    (meeting_store / "papers").mkdir()
    (meeting_store / "papers/notes.txt").symlink_to(target)
    run("agenda add Notes --paper papers/notes.txt -m 2026-12-03")
    run("agenda new")
    result = run("mail agenda --to a@example.org --dry-run", code=3)
    assert result.stderr == "error: paper papers/notes.txt resolves outside the store; refusing to attach it\n"
