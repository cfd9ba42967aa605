"""Date, time and period parsing (SPEC §5): every accepted form, and refusals."""

from datetime import date, time

import pytest

from escg.core.dates import (add_months, long_date, parse_date, parse_period, parse_time, recurrence,
                             today)
from escg.core.errors import InputError

BASE = date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize("text, expected", [
    ("2026-12-03", date(2026, 12, 3)),
    ("2026-1-5", date(2026, 1, 5)),
    ("3 Dec 2026", date(2026, 12, 3)),
    ("3 December 2026", date(2026, 12, 3)),
    ("3rd of December 2026", date(2026, 12, 3)),
    ("Thursday 3 December 2026", date(2026, 12, 3)),
    ("Thu, 3 Dec 2026", date(2026, 12, 3)),
    ("December 3, 2026", date(2026, 12, 3)),
    ("Sept 7 2027", date(2027, 9, 7)),
    ("3/12/2026", date(2026, 12, 3)),
    ("03/12/2026", date(2026, 12, 3)),
    ("2026/12/03", date(2026, 12, 3)),
    ("today", BASE),
    ("Tomorrow", date(2026, 11, 24)),
    ("yesterday", date(2026, 11, 22)),
    ("thursday", date(2026, 11, 26)),
    ("next thursday", date(2026, 11, 26)),
    ("next monday", date(2026, 11, 30)),
    ("monday", BASE),
    ("last friday", date(2026, 11, 20)),
    ("in 2 weeks", date(2026, 12, 7)),
    ("in a month", date(2026, 12, 23)),
    ("in 3 days", date(2026, 11, 26)),
    ("2 days ago", date(2026, 11, 21)),
    ("+14d", date(2026, 12, 7)),
    ("+2w", date(2026, 12, 7)),
    ("+1m", date(2026, 12, 23)),
    ("-1d", date(2026, 11, 22)),
    ("end of month", date(2026, 11, 30)),
    ("end of next month", date(2026, 12, 31)),
    ("next week", date(2026, 11, 30)),
    ("  3   Dec   2026 ", date(2026, 12, 3)),
])
def test_accepted_forms(text, expected):
    assert parse_date(text, base=BASE) == expected


@pytest.mark.parametrize("text, fragment", [
    ("31/02/2027", "February 2027 has 28 days"),
    ("2026-02-30", "no such date"),
    ("2026-13-01", "no month 13"),
    ("3/12/26", "four-digit year"),
    ("12-03-2026", "ambiguous"),
    ("3.12.2026", "ambiguous"),
    ("20261203", "ambiguous"),
    ("3 Dec", "incomplete"),
    ("December 2026", "incomplete"),
    ("Friday 3 December 2026", "is a Thursday"),
    ("soon", "accepted" ),
    ("in 2 fortnights", "accepted"),
    ("3 Dec 2026 10:00", "without a time"),
    ("", "a date is needed"),
    ("x" * 100, "too long"),
    ("next meeting", "only for due dates"),
])
def test_refused_forms(text, fragment):
    with pytest.raises(InputError) as caught:
        parse_date(text, base=BASE)
    assert fragment in str(caught.value)


def test_iso_is_never_read_day_first():
    # dateutil's dayfirst=True would read this as 12 March.
    assert parse_date("2026-12-03", base=BASE) == date(2026, 12, 3)


def test_in_two_weeks_is_not_fuzzy():
    # dateutil's fuzzy=True turns "in 2 weeks" into the 2nd of this month.
    assert parse_date("in 2 weeks", base=BASE) == date(2026, 12, 7)


def test_next_meeting_uses_the_resolver():
    assert parse_date("next meeting", base=BASE, next_meeting=lambda: date(2026, 12, 3)) == date(2026, 12, 3)


def test_today_follows_environment(monkeypatch):
    monkeypatch.setenv("ESCG_TODAY", "2027-01-02")
    assert today() == date(2027, 1, 2)
    monkeypatch.setenv("ESCG_TODAY", "2/1/2027")
    with pytest.raises(InputError, match="ESCG_TODAY must be YYYY-MM-DD"):
        today()


@pytest.mark.parametrize("text, expected", [
    ("10:00", time(10)), ("9:30", time(9, 30)), ("14.15", time(14, 15)), ("2pm", time(14)),
    ("2:30pm", time(14, 30)), ("12am", time(0)), ("12pm", time(12)), ("noon", time(12)),
])
def test_times(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "10:60", "13pm", "10", "ten", ""])
def test_bad_times(text):
    with pytest.raises(InputError):
        parse_time(text)


def test_periods():
    assert parse_period("14d") == 14
    assert parse_period("2w") == 14
    assert parse_period("10 days") == 10
    assert parse_period("14") == 14
    with pytest.raises(InputError):
        parse_period("1m")


def test_add_months_clamps():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_long_date():
    assert long_date(date(2026, 12, 3)) == "Thursday 3 December 2026"


def test_recurrence_first_thursday_every_two_months():
    days = recurrence("FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TH", date(2026, 12, 1), 4)
    assert days == [date(2026, 12, 3), date(2027, 2, 4), date(2027, 4, 1), date(2027, 6, 3)]


@pytest.mark.parametrize("rule, fragment", [
    ("FREQ=SOMETIMES", "not a recurrence rule"),
    ("FREQ=MONTHLY;COUNT=3", "--count"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "no dates"),
])
def test_bad_recurrence(rule, fragment):
    with pytest.raises(InputError, match=fragment):
        recurrence(rule, date(2026, 12, 1), 3)


@pytest.mark.parametrize("text", ["+9999y", "in 9000 years", "-3000y"])
def test_out_of_range_is_refused(text):
    with pytest.raises(InputError, match="out of range"):
        parse_date(text, base=BASE)


def test_rule_with_a_newline_is_refused():
    with pytest.raises(InputError, match="one line"):
        recurrence("DTSTART:20270101\nRRULE:FREQ=MONTHLY", date(2026, 12, 1), 3)
