"""Human dates, times, periods and recurrence, parsed without guessing.

The order matters (SPEC §5): ISO first, then the numeric UK form with slashes
(day first, for slashes only), then the words we understand ourselves, and only
then dateutil for other written-out dates, with two different defaults so that a
date missing its day, month or year is refused instead of silently filled in.
dateutil is imported only on that last path.
"""

from __future__ import annotations

from escg.core.patterns import Pattern

import os
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from escg.core.errors import InputError

ACCEPTED = (
    "accepted forms include 2026-12-03, 3 Dec 2026, 3/12/2026 (day first), today, "
    "tomorrow, thursday, next thursday, in 2 weeks, +14d or end of month"
)

# English names, not the locale's: documents are in UK English whatever the machine's
# locale (and the calendar module's import of locale costs more than the rest of this file).
MONTH_NAMES = ["", "January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]
MONTH_ABBR = ["", *(name[:3] for name in MONTH_NAMES[1:])]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = {name.lower(): number for number in range(1, 13) for name in (MONTH_NAMES[number], MONTH_ABBR[number])}
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): number for number, day in enumerate(DAY_NAMES) for name in (day, day[:3])}
WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})


def days_in_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - date(year, month, 1)).days

_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
_UNITS = {"d": "day", "w": "week", "m": "month", "y": "year"}

_MONTH = r"(?P<month>[a-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_WEEKDAY_PREFIX = r"(?:(?P<weekday>[a-z]{3,9}),?\s+)?"
_WRITTEN = [
    Pattern(rf"{_WEEKDAY_PREFIX}{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}"),
    Pattern(rf"{_WEEKDAY_PREFIX}{_MONTH}\s+{_DAY},?\s+{_YEAR}"),
]
_ISO = Pattern(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY_SLASH = Pattern(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_YMD_SLASH = Pattern(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_NUMERIC_OTHER = Pattern(r"[\d\s./-]+")
_OFFSET = Pattern(r"([+-])\s*(\d{1,4})\s*([dwmy])")
_IN = Pattern(r"in\s+(\d{1,4}|[a-z]+)\s+(day|week|month|year)s?")
_AGO = Pattern(r"(\d{1,4}|[a-z]+)\s+(day|week|month|year)s?\s+ago")
_WEEKDAY_WORDS = Pattern(r"(?:(next|this|last|on)\s+)?([a-z]{3,9})")


def today() -> date:
    """Today's date, or the one in ``ESCG_TODAY`` (YYYY-MM-DD) for reproducible runs."""
    override = os.environ.get("ESCG_TODAY", "").strip()
    if not override:
        return date.today()
    match = _ISO.fullmatch(override)
    if not match:
        raise InputError(f"ESCG_TODAY must be YYYY-MM-DD, not {override!r}")
    # Far enough from the calendar's ends that every date escg works out from it exists.
    if not 1900 <= int(match[1]) <= 9000:
        raise InputError(f"ESCG_TODAY must be a date between the years 1900 and 9000, not {override!r}")
    return _make_date(int(match[1]), int(match[2]), int(match[3]), override)


def now_utc() -> datetime:
    """The current moment in UTC; at 07:00 on ESCG_TODAY when that is set (reproducible output)."""
    from datetime import timezone

    if os.environ.get("ESCG_TODAY", "").strip():
        day = today()
        return datetime(day.year, day.month, day.day, 7, 0, tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 28 Feb)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last = days_in_month(year, month + 1)
    return date(year, month + 1, min(start.day, last))


def shift(start: date, amount: int, unit: str) -> date:
    """Move ``start`` by ``amount`` days, weeks, months or years."""
    if unit == "day":
        return start + timedelta(days=amount)
    if unit == "week":
        return start + timedelta(weeks=amount)
    if unit == "month":
        return add_months(start, amount)
    return add_months(start, 12 * amount)


def _make_date(year: int, month: int, day: int, text: str) -> date:
    if not 1 <= year <= 9999:
        raise InputError(f"no such date: {text!r} (years run from 1 to 9999)")
    if not 1 <= month <= 12:
        raise InputError(f"no such date: {text!r} has no month {month}")
    try:
        return date(year, month, day)
    except ValueError:
        days = days_in_month(year, month)
        raise InputError(
            f"no such date: {text!r} ({MONTH_NAMES[month]} {year} has {days} days)"
        ) from None


def _count(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _WORD_NUMBERS.get(word)


def parse_date(
    text: str,
    *,
    base: date | None = None,
    next_meeting: Callable[[], date] | None = None,
) -> date:
    """Parse one of the accepted date forms, relative to ``base`` (default: today).

    ``next_meeting``, when given, resolves the words "next meeting" (for due dates).
    Anything unparseable or ambiguous raises InputError naming the accepted forms.
    """
    original = text
    if any(ord(c) < 32 or c == "\x7f" for c in text):
        raise InputError(f"not a date: it contains a control character; {ACCEPTED}")
    text = " ".join(text.strip().lower().split())
    if not text:
        raise InputError(f"a date is needed; {ACCEPTED}")
    if len(text) > 64:
        raise InputError(f"not a date (too long); {ACCEPTED}")
    base = base or today()

    if match := _ISO.fullmatch(text):
        return _make_date(int(match[1]), int(match[2]), int(match[3]), original)
    if match := _DMY_SLASH.fullmatch(text):
        return _make_date(int(match[3]), int(match[2]), int(match[1]), original)
    if match := _YMD_SLASH.fullmatch(text):
        return _make_date(int(match[1]), int(match[2]), int(match[3]), original)
    if _NUMERIC_OTHER.fullmatch(text):
        raise InputError(
            f"ambiguous or incomplete date {original!r}: write it as 2026-12-03 or "
            "3/12/2026 (day first, four-digit year)"
        )

    try:
        words = _parse_words(text, base, next_meeting)
    except (ValueError, OverflowError):
        raise InputError(f"date out of range: {original!r}") from None
    if words is not None:
        return words
    written = _parse_written(text, original)
    if written is not None:
        return written
    return _parse_with_dateutil(text, original)


def _parse_words(
    text: str, base: date, next_meeting: Callable[[], date] | None
) -> date | None:
    simple = {
        "today": base,
        "now": base,
        "tomorrow": base + timedelta(days=1),
        "yesterday": base - timedelta(days=1),
        "next week": base + timedelta(weeks=1),
        "next month": add_months(base, 1),
        "end of month": date(base.year, base.month, days_in_month(base.year, base.month)),
        "end of the month": date(base.year, base.month, days_in_month(base.year, base.month)),
    }
    if text in simple:
        return simple[text]
    if text in ("end of next month", "end of the next month"):
        following = add_months(date(base.year, base.month, 1), 1)
        return date(following.year, following.month, days_in_month(following.year, following.month))
    if text in ("next meeting", "the next meeting"):
        if next_meeting is None:
            raise InputError("'next meeting' is accepted only for due dates")
        return next_meeting()
    if match := _OFFSET.fullmatch(text):
        amount = int(match[2]) * (1 if match[1] == "+" else -1)
        return shift(base, amount, _UNITS[match[3]])
    if match := _IN.fullmatch(text):
        amount = _count(match[1])
        if amount is not None:
            return shift(base, amount, match[2])
    if match := _AGO.fullmatch(text):
        amount = _count(match[1])
        if amount is not None:
            return shift(base, -amount, match[2])
    if match := _WEEKDAY_WORDS.fullmatch(text):
        which, name = match[1], match[2]
        if name in WEEKDAYS:
            weekday = WEEKDAYS[name]
            ahead = (weekday - base.weekday()) % 7
            if which == "next":
                return base + timedelta(days=ahead or 7)
            if which == "last":
                behind = (base.weekday() - weekday) % 7
                return base - timedelta(days=behind or 7)
            return base + timedelta(days=ahead)
    return None


def _parse_written(text: str, original: str) -> date | None:
    for pattern in _WRITTEN:
        match = pattern.fullmatch(text)
        if not match or match["month"] not in MONTHS:
            continue
        result = _make_date(int(match["year"]), MONTHS[match["month"]], int(match["day"]), original)
        _check_weekday(match["weekday"], result, original)
        return result
    return None


def _check_weekday(name: str | None, result: date, original: str) -> None:
    if name is None:
        return
    if name not in WEEKDAYS:
        raise InputError(f"not a date: {original!r}; {ACCEPTED}")
    if WEEKDAYS[name] != result.weekday():
        raise InputError(
            f"{original!r} does not agree with itself: "
            f"{result.day} {MONTH_NAMES[result.month]} {result.year} is a {DAY_NAMES[result.weekday()]}"
        )


def _parse_with_dateutil(text: str, original: str) -> date:
    # Only a date that names its month reaches dateutil: numbers alone ("3/12/2026,")
    # would be read month first.
    if not any(word in MONTHS for word in re.findall(r"[a-z]+", text)):
        raise InputError(f"not a date: {original!r}; {ACCEPTED}")
    from dateutil import parser

    # Two defaults that differ in every field: if the answers differ, the text
    # left a field out and dateutil filled it in, which would be a guess.
    first_default = datetime(2001, 1, 1)
    second_default = datetime(2002, 2, 2)
    try:
        first = parser.parse(text, default=first_default, dayfirst=False, fuzzy=False)
        second = parser.parse(text, default=second_default, dayfirst=False, fuzzy=False)
    except (ValueError, OverflowError, parser.ParserError):
        raise InputError(f"not a date: {original!r}; {ACCEPTED}") from None
    if first.date() != second.date():
        raise InputError(
            f"incomplete date {original!r}: give the day, month and year (3 Dec 2026)"
        )
    if first.time() != time(0) or first.tzinfo is not None:
        raise InputError(f"a date without a time is needed, not {original!r}")
    return first.date()


_TIME = Pattern(r"(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?")


def parse_time(text: str) -> time:
    """Parse a clock time: 10:00, 10.30, 14:15, 2pm, 2:30pm, noon."""
    cleaned = text.strip().lower()
    if cleaned in ("noon", "midday"):
        return time(12, 0)
    match = _TIME.fullmatch(cleaned)
    if not match or (match[2] is None and match[3] is None):
        raise InputError(f"not a time: {text!r}; use 24-hour 10:00 or 2:30pm")
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        if not 1 <= hour <= 12:
            raise InputError(f"not a time: {text!r}; with am/pm the hour is 1 to 12")
        hour = hour % 12 + (12 if match[3].startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise InputError(f"not a time: {text!r}")
    return time(hour, minute)


_PERIOD = Pattern(r"(\d{1,4})\s*(d|day|days|w|wk|week|weeks)?")


def parse_period(text: str) -> int:
    """Parse a period such as 14d, 2w, 10 days or 14 into a number of days."""
    match = _PERIOD.fullmatch(text.strip().lower())
    if not match:
        raise InputError(f"not a period: {text!r}; use days or weeks such as 14d or 2w")
    amount = int(match[1])
    days = amount * 7 if (match[2] or "d").startswith("w") else amount
    if days > 36_500:
        raise InputError(f"a period of at most 100 years, not {text!r}")
    return days


def long_date(value: date) -> str:
    """UK document style: Thursday 3 December 2026."""
    return f"{DAY_NAMES[value.weekday()]} {value.day} {MONTH_NAMES[value.month]} {value.year}"


def short_date(value: date) -> str:
    """UK short style: 3 Dec 2026."""
    return f"{value.day} {MONTH_ABBR[value.month]} {value.year}"


def recurrence(rule: str, start: date, count: int) -> list[date]:
    """The first ``count`` dates of an RFC 5545 RRULE (through dateutil.rrule) from ``start``."""
    from dateutil import rrule

    if count < 1:
        raise InputError("--count must be at least 1")
    if count > 500:
        raise InputError("--count is limited to 500 meetings at a time")
    cleaned = rule.strip()
    if any(ord(c) < 32 for c in cleaned) or len(cleaned) > 500:
        raise InputError("a recurrence rule is one line, such as FREQ=MONTHLY;INTERVAL=2;BYDAY=+1TH")
    if cleaned.upper().startswith("RRULE:"):
        cleaned = cleaned[6:]
    if any(word in cleaned.upper() for word in ("COUNT", "UNTIL", "DTSTART")):
        raise InputError("give the series length with --count, not COUNT, UNTIL or DTSTART in the rule")
    # Meetings are on days: a sub-daily rule gives several on one date (2027-01-01, 2027-01-01b, ...)
    # and, when impossible (FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30), 1.6 billion steps to search.
    parts = {part.split("=", 1)[0].strip().upper() for part in cleaned.split(";")}
    frequency = next((part.split("=", 1)[1].strip().upper() for part in cleaned.split(";")
                      if part.split("=", 1)[0].strip().upper() == "FREQ" and "=" in part), "")
    if frequency in ("HOURLY", "MINUTELY", "SECONDLY") or parts & {"BYHOUR", "BYMINUTE", "BYSECOND"}:
        raise InputError(f"meetings recur by the day at most: FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, "
                         f"without BYHOUR, BYMINUTE or BYSECOND (not {rule.strip()[:80]!r})")
    try:
        parsed = rrule.rrulestr(cleaned, dtstart=datetime.combine(start, time(0)))
    except (ValueError, TypeError) as error:
        raise InputError(f"not a recurrence rule: {rule!r} ({error})") from None
    # An impossible rule (30 February) would iterate for ever: bound the search.
    horizon = datetime.combine(start, time(0)).replace(year=start.year + 50)
    result = []
    for moment in parsed.replace(until=horizon):
        result.append(moment.date())
        if len(result) == count:
            break
    if not result:
        raise InputError(f"the rule {rule!r} gives no dates in the next 50 years")
    return result
