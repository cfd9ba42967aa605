"""iCalendar text (RFC 5545) written directly: the few value types escg exports.

``escg ics`` used to build its calendar with the ``icalendar`` package, which
spends about 70 µs on every property it folds, escapes and types: 47 s for the
133,000 components of a 100,000-action store, where writing the same text
takes a second. This module writes the same bytes (tests/test_ical.py proves
it against icalendar for every component escg makes) with the same rules:

* properties in a component's canonical order (``CANONICAL``), then the rest
  alphabetically, several values of one property in the order added;
* TEXT escaped (backslash, ``;``, ``,``, newlines as ``\\n``), parameter values
  in double quotes when they hold ``,``, ``;`` or ``:`` (and a CN with a space or
  an apostrophe), with RFC 6868 for ``^``, ``"`` and newlines;
* lines folded before the 75th octet, never splitting a UTF-8 character or an
  escape, with CRLF line ends.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

# Properties that come first, in this order, as icalendar writes them.
CANONICAL = {
    "VCALENDAR": ("VERSION", "PRODID", "CALSCALE", "METHOD", "DESCRIPTION", "X-WR-CALDESC", "NAME", "X-WR-CALNAME"),
    "VEVENT": ("SUMMARY", "DTSTART", "DTEND", "DURATION", "DTSTAMP", "UID", "RECURRENCE-ID", "SEQUENCE",
               "RRULE", "RDATE", "EXDATE"),
    "VTIMEZONE": ("TZID",),
}
URIS = {"URL"}  # values written as they are (a URI is not TEXT)
OFFSETS = {"TZOFFSETFROM", "TZOFFSETTO"}
QUOTABLE = set(",;:\u2019")  # a parameter value with one of these is quoted
ALWAYS_QUOTED = {"ALTREP", "DELEGATED-FROM", "DELEGATED-TO", "DIR", "MEMBER", "SENT-BY"}
QUOTE_ALSO = {"CN": set(" '")}  # and a name with a space or an apostrophe


class Address:
    """A CAL-ADDRESS (``mailto:…``) with its parameters, for ORGANIZER and ATTENDEE."""

    def __init__(self, uri: str, **params: str) -> None:
        self.uri = uri
        self.params = {key.upper(): value for key, value in params.items()}


class Component:
    """A calendar component: properties as content lines, and components inside it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.properties: dict[str, list[str]] = {}
        self.subcomponents: list[Component] = []

    def add(self, name: str, value: Any, parameters: dict[str, str] | None = None) -> None:
        name = name.upper()
        params = {key.upper(): text for key, text in (parameters or {}).items()}
        text = _value(name, value, params)
        if params:
            text = ";" + ";".join(f"{key}={_param(key, params[key])}" for key in sorted(params)) + ":" + text
        else:
            text = ":" + text
        self.properties.setdefault(name, []).append(name + text)

    def add_component(self, component: Component) -> None:
        self.subcomponents.append(component)

    def pop(self, name: str, default: Any = None) -> Any:
        return self.properties.pop(name.upper(), default)

    def __delitem__(self, name: str) -> None:
        del self.properties[name.upper()]

    def lines(self) -> list[str]:
        """The content lines, folded, without line ends."""
        out = [f"BEGIN:{self.name}"]
        first = CANONICAL.get(self.name, ())
        names = [key for key in first if key in self.properties]
        names += sorted(key for key in self.properties if key not in first)
        for key in names:
            out += [fold(line) for line in self.properties[key]]
        for component in self.subcomponents:
            out += component.lines()
        out.append(f"END:{self.name}")
        return out

    def to_ical(self) -> bytes:
        return ("\r\n".join(self.lines()) + "\r\n").encode("utf-8")


def escape(text: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11), newlines of any kind as ``\\n``."""
    return (text.replace("\\N", "\n").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str, limit: int = 75) -> str:
    """``line`` folded so that no line is 75 octets or more (RFC 5545 3.1), as icalendar folds."""
    if len(line) < limit and line.isascii():
        return line
    parts: list[str] = []
    current: list[str] = []
    count = 0
    for char in line:
        size = 1 if char < "\x80" else len(char.encode("utf-8"))
        if current and count + size >= limit:
            if len(current) > 1 and current[-1] in "\\^":  # never split an escape
                carried = current.pop()
                parts.append("".join(current))
                current, count = [carried], 1
            else:
                parts.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    if current:
        parts.append("".join(current))
    return "\r\n ".join(parts)


def _param(key: str, value: str) -> str:
    quote = key in ALWAYS_QUOTED or bool(QUOTE_ALSO.get(key, set()).intersection(value))
    value = value.replace("^", "^^").replace("\r\n", "^n").replace("\n", "^n").replace("\r", "^n").replace('"', "^'")
    return f'"{value}"' if quote or QUOTABLE.intersection(value) else value


def _value(name: str, value: Any, params: dict[str, str]) -> str:
    """The text of a value, adding the parameters its type needs (TZID, VALUE=DATE)."""
    if isinstance(value, Address):
        params.update(value.params)
        return value.uri
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value if name in URIS else escape(value)
    if isinstance(value, datetime):
        stamp = value.strftime("%Y%m%dT%H%M%S")
        if value.tzinfo is None:
            return stamp
        if value.tzinfo is timezone.utc or str(value.tzinfo) in ("UTC", "Etc/UTC"):
            return stamp + "Z"
        params.setdefault("TZID", str(value.tzinfo))
        return stamp
    if isinstance(value, date):
        params.setdefault("VALUE", "DATE")
        return value.strftime("%Y%m%d")
    if isinstance(value, timedelta):
        if name in OFFSETS:
            minutes = int(value.total_seconds()) // 60
            sign = "-" if minutes < 0 else "+"
            return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
        return _duration(value)
    if isinstance(value, dict):  # a RECUR: FREQ first, then the rest by name
        keys = sorted(value, key=lambda key: (key.upper() != "FREQ", key.upper()))
        return ";".join(f"{key.upper()}={_recur_part(value[key])}" for key in keys)
    if isinstance(value, (list, tuple)):
        return ",".join(escape(str(part)) for part in value)
    raise TypeError(f"no iCalendar form for {type(value).__name__} in {name}")


def _recur_part(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(_recur_part(part) for part in value)
    return str(value).upper()


def _duration(value: timedelta) -> str:
    """A DURATION (RFC 5545 3.3.6), as icalendar writes it: PT1H, PT1H30M, P1D, P1DT2H."""
    sign = ""
    if value.days < 0:
        sign, value = "-", -value
    time = ""
    if value.seconds:
        hours, minutes, seconds = value.seconds // 3600, value.seconds % 3600 // 60, value.seconds % 60
        time = "T" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes or (hours and seconds) else "")
        time += f"{seconds}S" if seconds else ""
    if value.days == 0 and time:
        return f"{sign}P{time}"
    return f"{sign}P{value.days}D{time}"
