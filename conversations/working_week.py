"""A person's working week as the stored ISO weekdays ("1,2,3,4,5"; "7,1,2,3,4" is
Sunday–Thursday): the days, the weekday it begins on, and the last working day of a
week. One meaning for the cadence (`bot.cadence` re-exports these), `/okr out` and the
days people type ("end of week", "Monday next week"). Pure, no clock."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

MON_FRI = frozenset({1, 2, 3, 4, 5})


def parse_working_days(text: str | None) -> frozenset[int]:
    """"1,2,3,4,5" -> {1..5}; "7,1,2,3,4" is a Sunday–Thursday week. Empty -> Mon–Fri."""
    days = {int(p) for p in (text or "").replace(" ", "").split(",") if p.strip().isdigit()}
    days = {d for d in days if 1 <= d <= 7}
    return frozenset(days or MON_FRI)


def week_start(working_days: Collection[int]) -> int:
    """The ISO weekday a person's week begins on: the first working day after their
    longest run of days off (Monday for Mon–Fri, Sunday for Sun–Thu)."""
    if len(working_days) in (0, 7):
        return 1
    best, best_gap = 1, -1
    for day in sorted(working_days):
        gap, previous = 0, (day - 2) % 7 + 1
        while previous not in working_days:
            gap += 1
            previous = (previous - 2) % 7 + 1
        if gap > best_gap:
            best, best_gap = day, gap
    return best


def week_begin(day: date, working_days: Collection[int]) -> date:
    """The first day of the person's week holding `day` (its `week_start` weekday on
    or before `day`): Monday 1 March 2027 for a Mon–Fri person on Sunday 7 March,
    Sunday 7 March for a Sun–Thu person."""
    return day - timedelta(days=(day.isoweekday() - week_start(working_days)) % 7)


def week_end(today: date, working_days: Collection[int]) -> date:
    """"End of (the) week": the last working day of the person's week holding `today`
    (Friday for Mon–Fri, Thursday for Sun–Thu), or of their next week once that day
    has passed (on a Mon–Fri Saturday: next Friday). A week with no working day
    (never stored: `parse_working_days` gives Mon–Fri) ends on its seventh day."""
    begin = week_begin(today, working_days)
    for start in (begin, begin + timedelta(days=7)):
        days = [start + timedelta(days=i) for i in range(7)]
        last = max((d for d in days if d.isoweekday() in working_days), default=days[-1])
        if last >= today:
            return last
    return today  # unreachable: next week's last day is always ahead
