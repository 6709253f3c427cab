"""Days typed without a month or a day number that dateparser would guess at, read
here instead (for `conversations.dates.read_date`):

* a lone day of the month, "the 1st", "12th", "on the 12", "1.", "the 3rd of next
  month": dateparser took the number for the MONTH in a month-first (US) order ("the
  1st" on 7 March 2027 became 7 January 2028) and for a day of this month, even one
  that has passed, in any other. It is the next such day after today (on or after
  the anchor when that is later) in every order ("the 1st" -> 1 April; typed on 1
  April, 1 May, as "Monday" typed on a Monday is next week's); a month without that day is skipped ("the 31st"
  typed on 7 April is 31 May) and the reading says so (`SKIPPED`), to be read back;
* "Monday next week", "next week Monday", "Friday this week": that weekday in the
  person's next (this) working week (`working_week.week_begin`: a Sun–Thu week starts
  on Sunday);
* "next Monday": the coming Monday (as dateparser read it), read back with the one a
  week later (`NEXT_WEEKDAY`) when it is tomorrow or typed on a day off of the person
  (on a Sunday: tomorrow, or in 8 days? On a Saturday: in 2 days, or 9?). "next
  Friday" on a Wednesday stays this week's Friday, unasked, as before.
* "mid April" (the 15th) and "first/second/third/fourth/last week of April" (the last
  working day of days 1–7, 8–14 … or the last seven): approximate, read back
  (`APPROXIMATE`). "early April", "late April" have no clear day and read as nothing,
  so the person is asked again.

Pure, no clock. Each reader returns (day, note, other) or None when the text is not its
form; a form naming no real day ("the 32nd", "the 31st of next month" in March)
raises ValueError.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection
from datetime import date, timedelta

from conversations.working_week import week_begin

SKIPPED = "skipped"  # a lone day of the month, in a later month than the next one
NEXT_WEEKDAY = "next_weekday"  # "next Monday" that could be a week later
APPROXIMATE = "approximate"  # "mid April", "first week of April"

Said = tuple[date, str | None, date | None]

_WEEKDAYS = {name.lower(): number for number in range(7)
             for name in (calendar.day_name[number], calendar.day_abbr[number])} | {
    "tues": 1, "weds": 2, "thur": 3, "thurs": 3}
_WEEKDAY = r"(?P<wd>" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\.?"
_SUFFIX = r"(?:st|nd|rd|th)"
_LONE_DAY = re.compile(rf"^(?:(?:the\s+)?(?P<a>\d{{1,2}}){_SUFFIX}|the\s+(?P<b>\d{{1,2}})|(?P<c>\d{{1,2}})\.)"
                       r"(?:\s+(?:of\s+)?(?P<which>the|this|next)\s+month)?$", re.IGNORECASE)
_IN_WEEK = re.compile(rf"^(?:on\s+)?{_WEEKDAY}\s+(?:of\s+)?(?P<which>this|next)\s+week$"
                      rf"|^(?P<which2>this|next)\s+week(?:\s+on)?\s+{_WEEKDAY.replace('wd', 'wd2')}$", re.IGNORECASE)
_NEXT = re.compile(rf"^next\s+{_WEEKDAY}$", re.IGNORECASE)
_ORDER = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": 5}


def part_of_month(month: str) -> re.Pattern[str]:
    """"mid April" / "first week of April" …, with `month` the caller's month pattern
    (a group named m), optionally followed by a year (group y)."""
    year = r"(?:,?\s+(?P<y>\d{4}))?"
    return re.compile(rf"^(?:in\s+)?(?:the\s+)?(?:(?P<mid>mid|middle\s+of)[\s-]*"
                      rf"|(?P<n>{'|'.join(_ORDER)})\s+week\s+(?:of|in)\s+){month}{year}$", re.IGNORECASE)


def lone_day(text: str) -> tuple[int, str | None] | None:
    """(day of the month, "the"/"this"/"next" or None) when `text` is a lone day of the
    month ("the 12th", "1st", "the 3rd of next month"), else None."""
    found = _LONE_DAY.match(text)
    if found is None:
        return None
    which = found.group("which")
    return int(found.group("a") or found.group("b") or found.group("c")), which.lower() if which else None


def read_lone_day(text: str, today: date, anchor: date) -> Said | None:
    """A lone day of the month (module docstring): the first such day after `today`
    ("the 1st" typed on the 1st is next month's, as "Monday" typed on a Monday is next
    week's), or on or after `anchor` when that is later (a planned period's start).
    "of this month" may have passed or be today (the caller says so), "of next month"
    is in the month after today's."""
    found = lone_day(text)
    if found is None:
        return None
    day, which = found
    if not 1 <= day <= 31:
        raise ValueError(text)
    if which in ("this", "next"):
        month = date(today.year, today.month, 1)
        if which == "next":
            month = (month + timedelta(days=32)).replace(day=1)
        return month.replace(day=day), None, None  # ValueError: that month has no such day
    first = anchor if anchor > today else today + timedelta(days=1)  # "the 1st" on the 1st: next month's
    month = date(first.year, first.month, 1)
    skipped = False
    for _ in range(3):  # a 31st is at most two months ahead
        if day <= calendar.monthrange(month.year, month.month)[1] and month.replace(day=day) >= first:
            return month.replace(day=day), SKIPPED if skipped else None, None
        skipped = skipped or day > calendar.monthrange(month.year, month.month)[1]
        month = (month + timedelta(days=32)).replace(day=1)
    raise ValueError(text)  # unreachable for 1–31


def lone_day_before(text: str, today: date) -> date | None:
    """The latest day on or before `today` that a lone day of the month names ("the
    3rd" on 7 March: 3 March; "the 31st" on 7 April: 31 March), for a question about
    a day that has passed; None for any other text."""
    found = lone_day(text)
    if found is None or found[1] is not None or not 1 <= found[0] <= 31:
        return None
    month = date(today.year, today.month, 1)
    for _ in range(3):
        if found[0] <= calendar.monthrange(month.year, month.month)[1] and month.replace(day=found[0]) <= today:
            return month.replace(day=found[0])
        month = (month - timedelta(days=1)).replace(day=1)
    return None


def read_week_day(text: str, today: date, working_days: Collection[int]) -> Said | None:
    """"Monday next week", "next week Monday", "Friday this week", "next Monday"
    (module docstring); None for any other text."""
    if (found := _IN_WEEK.match(text)) is not None:
        weekday = _WEEKDAYS[(found.group("wd") or found.group("wd2")).lower()]
        begin = week_begin(today, working_days)
        if (found.group("which") or found.group("which2")).lower() == "next":
            begin += timedelta(days=7)
        return begin + timedelta(days=(weekday - begin.weekday()) % 7), None, None
    if (found := _NEXT.match(text)) is not None:
        coming = today + timedelta(days=(_WEEKDAYS[found.group("wd").lower()] - today.weekday() - 1) % 7 + 1)
        doubt = coming == today + timedelta(days=1) or today.isoweekday() not in working_days
        return (coming, NEXT_WEEKDAY, coming + timedelta(days=7)) if doubt else (coming, None, None)
    return None


def read_part_of_month(found: re.Match[str], month: int, year: int, working_days: Collection[int]) -> Said:
    """The day a `part_of_month` match names in `month` of `year`: the 15th for "mid",
    the last working day of the week's seven days for "… week of" (its last day when
    none is a working day). Always `APPROXIMATE`."""
    if found.group("mid"):
        return date(year, month, 15), APPROXIMATE, None
    last = calendar.monthrange(year, month)[1]
    n = _ORDER[found.group("n").lower()]
    first = last - 6 if n == 5 else (n - 1) * 7 + 1
    days = [date(year, month, d) for d in range(first, min(first + 6, last) + 1)]
    return max((d for d in days if d.isoweekday() in working_days), default=days[-1]), APPROXIMATE, None
