"""`escg meeting schedule` is bounded: at most 500 meetings, never more than one a day (issue 11, item 15)."""

from __future__ import annotations

import time

import pytest

SUB_DAILY = ["FREQ=HOURLY", "freq=minutely;interval=5", "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
             "FREQ=DAILY;BYHOUR=9,10", "FREQ=WEEKLY;BYMINUTE=0,30", "FREQ=MONTHLY;BYSECOND=1"]


def _meeting_files(store):
    return sorted(p.name for p in store.glob("meetings/**/*.toml"))


@pytest.mark.parametrize("rule", SUB_DAILY)
def test_sub_daily_rules_are_refused_quickly_and_write_nothing(run, empty_store, rule):
    started = time.monotonic()
    result = run(["meeting", "schedule", "--rrule", rule, "--count", "3", "--from", "2027-01-01"], code=3)
    assert time.monotonic() - started < 5
    assert result.stderr == ("error: meetings recur by the day at most: FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, "
                             f"without BYHOUR, BYMINUTE or BYSECOND (not {rule!r})\n")
    assert _meeting_files(empty_store) == []


def test_the_count_is_capped_at_500(run, empty_store):
    result = run(["meeting", "schedule", "--rrule", "FREQ=DAILY", "--count", "501"], code=3)
    assert result.stderr == "error: --count is limited to 500 meetings at a time\n"
    assert _meeting_files(empty_store) == []


def test_daily_and_longer_rules_still_schedule(run, empty_store):
    result = run(["meeting", "schedule", "--rrule", "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TH", "--count", "2",
                  "--from", "2028-01-01"])
    assert result.stdout == "2028-01-06\n2028-03-02\n"
