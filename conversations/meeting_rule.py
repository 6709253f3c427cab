"""How people write a meeting rhythm, and the rrule it means. Pure: no I/O, no clock.

"every other Tuesday 10:00", "every Tue at 9:30am", "every 3 weeks on Thursday 14:00",
"weekly Monday 8:30", "biweekly Wed 11". Used by `/okr 1on1` and by the team file's
`one_on_one` column, so both read a rhythm the same way. The time is local to the
zone the caller says (a manager's one-on-ones: the manager's zone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from conversations.locales import ascii_digits, has_odd_digits

DAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
RRULE_DAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
_DAY = re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b")
# A time: "10:00", "9.30", "10am", "14h30". A number that is part of a date ("03/04",
# "2027-03-04", "3.4.") is none: "move to 03/04" was read as 03:00 and moved the series.
_TIME = re.compile(r"(?<![\d/.\-])\b(?:at\s+)?(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
                   r"(?![\d\w]|[/.\-]\d)")
_EVERY_N = re.compile(r"\bevery\s+(\d)\s*(?:weeks?|wks?)\b")
_OTHER = re.compile(r"\b(?:every\s+(?:other|second|2nd)|bi-?weekly|fortnightly)\b")
_LENGTH = re.compile(r"\bfor\s+(\d{2,3})\s*(?:min|mins|minutes)\b")


@dataclass(frozen=True)
class MeetingRule:
    """A weekly rhythm: every `weeks` weeks on ISO weekday `weekday` at `at`, the
    first on `first` (which fixes the "on" weeks of a bi-weekly rhythm)."""

    weeks: int
    weekday: int
    at: time
    first: date
    minutes: int | None = None

    @property
    def rrule(self) -> str:
        interval = f";INTERVAL={self.weeks}" if self.weeks > 1 else ""
        return f"FREQ=WEEKLY{interval};BYDAY={RRULE_DAYS[self.weekday]}"


def next_weekday(today: date, weekday: int) -> date:
    """The first `weekday` (ISO) on or after `today`."""
    return today + timedelta(days=(weekday - today.isoweekday()) % 7)


def first_meeting(after: datetime, weekday: int, at: time) -> date:
    """The day of the first `weekday` (ISO) at `at` that is later than `after`, an
    aware instant in the zone `at` is local to: today's slot once its time has passed
    is next week's (a series set on Monday at 19:15 "every Monday 17:30" starts next
    Monday, not with a meeting that never happened). Compared as instants, so a
    daylight-saving switch between now and the slot changes nothing."""
    day = next_weekday(after.date(), weekday)
    if datetime.combine(day, at, tzinfo=after.tzinfo).astimezone(UTC) <= after.astimezone(UTC):
        day += timedelta(days=7)
    return day


def parse_day(text: str) -> int | None:
    match = _DAY.search(text.lower())
    return DAYS[match.group(1)] if match else None


def parse_time(text: str) -> time | None:
    """"10:00", "9.30", "10am", "2:15 pm", "14h30" -> a wall time; None if none or absurd.
    Digits of other scripts ("٠٩:٣٠") read as ASCII digits; a number sign that is no
    digit ("9:³⁰", "⑨") makes it None, not 9:00."""
    match = _TIME.search(ascii_digits(text).lower())
    if match is None or has_odd_digits(text):
        return None
    hours, minutes, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").replace(".", "")
    if half == "pm" and hours < 12:
        hours += 12
    elif half == "am" and hours == 12:
        hours = 0
    if hours > 23 or minutes > 59 or (half and int(match.group(1)) > 12):
        return None
    return time(hours, minutes)


def parse_meeting_rule(text: str, when: date | datetime) -> MeetingRule | str:
    """The rhythm in `text`, starting with its first meeting after `when` (an aware
    instant in the rhythm's zone: `first_meeting`), or, given a bare day, on the first
    such weekday on or after it (enough to check that a team file's value reads); or a
    problem code ("day", "time", "weeks", "digits": a number sign that is no digit,
    "every ② weeks", never read as 1 or 2) for the caller's re-ask."""
    if has_odd_digits(text):
        return "digits"
    words = ascii_digits(text).strip().lower()
    weekday = parse_day(words)
    if weekday is None:
        return "day"
    weeks = 1
    if (every := _EVERY_N.search(words)) is not None:
        weeks = int(every.group(1))
    elif _OTHER.search(words):
        weeks = 2
    if not 1 <= weeks <= 4:
        return "weeks"
    rest = _EVERY_N.sub(" ", words[_DAY.search(words).end():])  # type: ignore[union-attr]
    minutes = None
    if (length := _LENGTH.search(rest)) is not None:
        minutes = int(length.group(1))
        rest = rest[:length.start()] + rest[length.end():]
    at = parse_time(rest)
    if at is None:
        return "time"
    first = first_meeting(when, weekday, at) if isinstance(when, datetime) else next_weekday(when, weekday)
    return MeetingRule(weeks, weekday, at, first, minutes)
