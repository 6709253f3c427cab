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
