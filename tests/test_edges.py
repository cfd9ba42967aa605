"""Hostile and odd store contents, at the edges: one clear line or a correct result, never a
traceback or a hang (issue 11, items 13 and 15)."""

from __future__ import annotations

import json
import os

import pytest


def test_a_fifo_in_the_store_is_reported_not_read(run, meeting_store):
    fifo = meeting_store / "meetings" / "2026" / "2026-12-31.toml"
    os.mkfifo(fifo)
    assert [m["id"] for m in json.loads(run("meeting list --json").stdout)] == ["2026-10-01", "2026-12-03", "2027-02-04"]
    result = run("check", code=6)  # would hang on open() before
    assert "meetings/2026/2026-12-31.toml: not a regular file; escg ignores it" in result.stdout


def test_a_link_out_of_the_store_is_not_followed(run, people_store, tmp_path):
    outside = tmp_path / "outside.toml"
    outside.write_text('id = "A-001"\ntitle = "Planted"\nowner = "bob"\nstatus = "open"\n')
    (people_store / "actions" / "2026").mkdir(parents=True)
    (people_store / "actions" / "2026" / "A-001-link.toml").symlink_to(outside)
    assert json.loads(run("actions --json").stdout) == []
    assert "a symbolic link out of the store" in run("check", code=6).stdout


def test_deep_nesting_is_one_line(run, meeting_store):
    with open(meeting_store / "forward-plan.toml", "a") as handle:
        handle.write("x = " + "[" * 500 + "]" * 500 + "\n")
    result = run("agenda list --forward-plan", code=6)
    assert result.stderr == "error: forward-plan.toml: invalid TOML: nested too deeply\n"


def test_a_hand_written_inline_array_of_items_survives_the_next_write(run, meeting_store):
    path = meeting_store / "meetings" / "2027" / "2027-02-04.toml"
    path.write_text('date = 2027-02-04\nstatus = "planned"\nitems = [{title = "Inline item", minutes = 20}]\n')
    run("agenda add 'Added after' -m 2027-02-04")
    titles = [row["title"] for row in json.loads(run("agenda list 2027-02-04 --json").stdout)]
    assert "Inline item" in titles and "Added after" in titles


def test_a_crlf_file_keeps_its_line_endings(run, meeting_store):
    path = meeting_store / "meetings" / "2027" / "2027-02-04.toml"
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    run("agenda add 'CRLF item' -m 2027-02-04")
    data = path.read_bytes()
    assert b"CRLF item" in data and data.count(b"\n") == data.count(b"\r\n")


@pytest.mark.parametrize("today", ["0000-01-01", "9999-12-31", "0001-01-01"])
def test_a_today_at_the_calendar_edges_is_refused(run, meeting_store, monkeypatch, today):
    monkeypatch.setenv("ESCG_TODAY", today)
    result = run("actions --due-within 14d", code=3)
    assert result.stderr.startswith("error: ESCG_TODAY must be a date between the years 1900 and 9000")


def test_dates_at_the_edges(run, meeting_store):
    assert run("action add Far --owner bob --due 9999-12-31").stdout == "A-001\n"
    assert run("actions --due-within 14d").stderr == "(no actions match)\n"
    assert "years run from 1 to 9999" in run("action add Near --owner bob --due 0000-01-01", code=3).stderr
    assert "at most 100 years" in run("actions --due-within 9999w", code=3).stderr


def test_a_folder_that_cannot_be_created_is_one_line(run, meeting_store, monkeypatch):
    from pathlib import Path

    real = Path.mkdir

    def refuse(self, *args, **kwargs):
        if self.name == "2031":
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    result = run("meeting new 2031-01-09", code=7)
    assert result.stderr == "error: could not create the folder meetings/2031: Permission denied; nothing was written\n"
