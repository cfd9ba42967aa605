"""Attendance and quorum."""

import json

import pytest


def shown(run, meeting="2026-10-01"):
    return json.loads(run(f"meeting show {meeting} --json").stdout)


def test_record_attendance_and_quorum(run, meeting_store):
    # members: ann-chair, bob, cat (3); quorum "1/3" -> 1
    run("attend 2026-10-01 --present ann-chair --apologies cat --guest 'Dr Who (UKHSA)'")
    data = shown(run)
    assert data["status"] == "held"
    assert data["attendance"] == {"present": ["ann-chair"], "apologies": ["cat"], "substitutes": {},
                                  "absent": [], "guests": ["Dr Who (UKHSA)"], "quorum": 1, "members_counted": 1}
    assert data["quorate"] is True


def test_repeating_is_idempotent_and_last_word_wins(run, meeting_store):
    path = meeting_store / "meetings/2026/2026-10-01.toml"
    run("attend 2026-10-01 --present ann-chair,bob --present cat")
    first = path.read_bytes()
    run("attend 2026-10-01 --present ann-chair,bob --present cat")
    assert path.read_bytes() == first
    run("attend 2026-10-01 --apologies bob")
    data = shown(run)["attendance"]
    assert data["present"] == ["ann-chair", "cat"] and data["apologies"] == ["bob"]
    run("attend 2026-10-01 --remove bob --remove cat")
    data = shown(run)["attendance"]
    assert data["present"] == ["ann-chair"] and data["apologies"] == []


def test_deputy_counts_for_absent_member(run, meeting_store):
    config = meeting_store / "escg.toml"
    config.write_text(config.read_text().replace('quorum = "1/3"', "quorum = 2"))
    run("attend 2026-10-01 --present ann-chair --apologies bob")
    assert shown(run)["quorate"] is False
    run("attend 2026-10-01 --present dan")  # bob's named deputy
    data = shown(run)
    assert data["quorate"] is True and data["attendance"]["members_counted"] == 2


def test_substitute_counts_for_member(run, meeting_store):
    config = meeting_store / "escg.toml"
    config.write_text(config.read_text().replace('quorum = "1/3"', 'quorum = "2/3"'))
    run("attend 2026-10-01 --present ann-chair --sub cat=eve")
    data = shown(run)
    assert data["attendance"]["apologies"] == ["cat"] and data["attendance"]["substitutes"] == {"cat": "eve"}
    assert data["attendance"]["quorum"] == 2 and data["quorate"] is True


def test_a_deputy_present_with_their_member_counts_once(run, meeting_store):
    config = meeting_store / "escg.toml"
    config.write_text(config.read_text().replace('quorum = "1/3"', "quorum = 2"))
    run("attend 2026-10-01 --present bob,dan")
    data = shown(run)
    assert data["attendance"]["members_counted"] == 1 and data["quorate"] is False


def test_apologies_in_advance_only(run, meeting_store):
    run("attend 2026-12-03 --apologies bob --sub cat=eve")
    assert shown(run, "2026-12-03")["status"] == "planned"
    result = run("attend 2026-12-03 --present ann-chair", code=5)
    assert "still to come" in result.stderr


@pytest.mark.parametrize("args, code, message", [
    ("attend 2026-10-01 --present nobody", 4, "unknown person 'nobody'"),
    ("attend 2026-10-01 --sub cat", 3, "MEMBER=SUBSTITUTE"),
    ("attend 2026-10-01 --sub cat=cat", 3, "themselves"),
    ("attend 2026-10-01 --present bob --apologies bob", 3, "more than once"),
    ("attend 2026-10-01", 3, "give --present"),
    ("attend 2026-10-01 --guest ''", 3, "a guest is one line"),
    ("attend 2031-01-01 --present bob", 4, "no meeting on"),
])
def test_bad_attendance(run, meeting_store, args, code, message):
    before = (meeting_store / "meetings/2026/2026-10-01.toml").read_bytes()
    assert message in run(args, code=code).stderr
    assert (meeting_store / "meetings/2026/2026-10-01.toml").read_bytes() == before


def test_cancelled_meeting_has_no_attendance(run, meeting_store):
    run("meeting cancel 2026-12-03")
    assert "cancelled" in run("attend 2026-12-03 --apologies bob", code=5).stderr


def test_bad_quorum_rule_is_a_store_error(run, meeting_store):
    config = meeting_store / "escg.toml"
    config.write_text(config.read_text().replace('quorum = "1/3"', 'quorum = "most"'))
    result = run("meeting list", code=6)
    assert "escg.toml:7: bad quorum rule 'most'" in result.stderr


def test_repeating_an_earlier_command_keeps_the_order_of_record(run, meeting_store):
    run("attend 2026-10-01 --present ann-chair,bob,cat")
    run("attend 2026-10-01 --apologies cat")
    path = meeting_store / "meetings/2026/2026-10-01.toml"
    settled = path.read_bytes()
    run("attend 2026-10-01 --present ann-chair,bob")  # an earlier command, again
    assert path.read_bytes() == settled
    run("attend 2026-10-01 --sub cat=eve")
    settled = path.read_bytes()
    run("attend 2026-10-01 --sub cat=eve")
    assert path.read_bytes() == settled


def test_apologies_and_a_substitute_for_the_same_member_agree(run, meeting_store):
    """`--apologies bob --sub bob=dan` says bob sent apologies twice, consistently: accepted,
    and the same record as `--sub bob=dan` alone."""
    run("attend 2026-10-01 --present ann-chair --apologies bob --sub bob=dan")
    text = (meeting_store / "meetings/2026/2026-10-01.toml").read_text()
    assert 'apologies = ["bob"]' in text and 'bob = "dan"' in text
    run("attend 2026-10-01 --sub bob=dan")
    assert (meeting_store / "meetings/2026/2026-10-01.toml").read_text() == text
