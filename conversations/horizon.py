"""How far ahead a typed day may lie: one rule for every date a person types.

A year typed wrongly ("2207-01-12" for 2027-01-12, "2099") reads as a real day
centuries ahead, and a reminder, an absence or an event set there is silently never
seen again. Each reader bounds its days by a number of years that fits what it
plans (an action item: 1, `action_items.latest_due`; an absence or a trade show:
`ABSENCE_YEARS`, `EVENT_YEARS`; a salary follow-up: 1, set in its flow) and asks
again, naming the day it read and the same day within reach as the example. A WIG's
finish line (`wig_text.latest_deadline`, three years) follows the same rule.

Pure, no clock: the caller hands in the person's (or the venue's) today.
"""

from __future__ import annotations

import calendar
from datetime import date

# An absence is booked weeks, at most months, ahead (a parental leave a year off);
# two years leaves room for that and a leap day typed with its year ("29 Feb 2028"
# in late 2026), while a year typed wrongly lands far past it.
ABSENCE_YEARS = 2
# A trade show is registered months ahead, a big one the year before: past two
# years, the year is a typo ("2207-01-12..2207-01-14").
EVENT_YEARS = 2


def years_after(today: date, years: int) -> date:
    """The same day `years` years after `today` (from 29 February: the 28th), the
    last day a reader bounded by `years` accepts."""
    return today.replace(year=today.year + years, day=min(today.day, 28) if today.month == 2 else today.day)


def too_far(day: date, today: date, years: int) -> bool:
    """Whether `day` lies past `years_after(today, years)`."""
    return day > years_after(today, years)


def next_same_day(day: date, today: date) -> date:
    """`day`'s month and day at its first occurrence after `today` (29 February: the
    28th), within a year: the re-ask's example for a day typed years too far ahead
    ("2207-01-12" on 6 Jan 2027 -> 12 Jan 2027)."""
    for year in (today.year, today.year + 1):
        found = date(year, day.month, 28 if (day.month, day.day) == (2, 29) else day.day)
        if found > today:
            return found
    return today  # unreachable: a later day exists within a year


def meant_days(day: date, today: date, years: int, after: date | None = None) -> list[date]:
    """The days a year typed wrongly may have meant, most likely first: `day`'s month
    and day in each year within reach, after `after` (default `today`) and on or
    before `years_after(today, years)`, ordered by how many digits of the typed year
    differ, then by how far the year is from it: "2029-01-04" typed on 1 Dec 2026
    with two years of reach is 4 Jan 2028 (one digit and one year off), then 4 Jan
    2027; "2207" is 2027 first (two digits swapped, where 2028 differs in three).
    29 February stays the 29th in a leap year, else the 28th. When no year within
    reach follows `after`, the one day `next_same_day` gives, for the caller's check
    to refuse."""
    after = today if after is None else after
    latest = years_after(today, years)
    typed = f"{day.year:04d}"

    def likely(found: date) -> tuple[int, int]:
        return sum(a != b for a, b in zip(typed, f"{found.year:04d}", strict=True)), abs(day.year - found.year)

    candidates = [found for year in range(after.year, latest.year + 1)
                  if after < (found := _same_day(day, year)) <= latest]
    return sorted(candidates, key=likely) or [next_same_day(day, after)]


def meant_day(day: date, today: date, years: int, after: date | None = None) -> date:
    """The most likely of `meant_days`: the re-ask's example for a day typed too far."""
    return meant_days(day, today, years, after)[0]


def _same_day(day: date, year: int) -> date:
    return date(year, day.month, 28 if (day.month, day.day) == (2, 29) and not calendar.isleap(year) else day.day)
