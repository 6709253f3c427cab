"""What `/okr out` makes of days that have passed, on top of `conversations.spans`.

A day typed without a year is read as its next occurrence (conversations.dates), so
on 30 November "until 29 November" became 30 Nov 2026 – 29 Nov 2027 and "from 25
November until 2 December" began in 2027 and ended before it began. Here:

* an end day that has just passed, read as next year's, which makes the absence
  longer than `MAX_ABSENCE_DAYS` (or, typed alone, passed within `JUST_PASSED_DAYS`),
  is asked about ("passed:DAY": 29 November has passed — did you mean a later day?),
  never saved as a year away;
* a start day that has passed, before an end day still to come ("from 25 November
  until 2 December"), is read as from today, and the read-back says so
  (`passed_start`);
* any other absence over `MAX_ABSENCE_DAYS` is refused with that limit ("too_long").

Pure, no clock: the caller hands in the person's today and zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from conversations.dates import read_date
from conversations.horizon import ABSENCE_YEARS, meant_days, next_same_day, too_far
from conversations.passed_days import JUST_PASSED_DAYS, last_passed
from conversations.spans import ON_DAY, RANGE, UNTIL, names_no_start, typed_days
from conversations.working_week import MON_FRI

# Half a year (two OKR quarters). Holidays, training and short leaves fit with room to
# spare; anything longer spans whole quarters whose key results and WIGs the manager
# re-plans, so it is a leave for the admin to arrange, not an
# out-of-office. Also the likely sign of a mistyped day (a year read in).
MAX_ABSENCE_DAYS = 183


def _parts(text: str) -> tuple[str | None, str]:
    """(typed start or None, typed end) of an absence."""
    words = text.strip().rstrip(".!")
    if (m := UNTIL.match(words)) is not None:
        return None, m.group("last")
    if (m := RANGE.match(words)) is not None:
        return m.group("first"), m.group("last")
    return None, ON_DAY.sub("", words)


def check_passed(text: str, parsed: tuple[date, date] | str, today: date, timezone: str,
                 country: str | None, working_days: frozenset[int] = MON_FRI) -> tuple[date, date] | str:
    """`parsed` (conversations.spans.read_absence's answer for `text`, read in the
    person's `working_days`) with the rules of the module docstring applied: a (first,
    last) to read back, or a problem code ("passed:YYYY-MM-DD", "too_long")."""
    first_raw, last_raw = _parts(text)
    if parsed == "backwards" and first_raw is not None:
        started = last_passed(first_raw, today, timezone, country)
        end = read_date(last_raw, today, timezone, country=country, working_days=working_days)
        if started is not None and end is not None and today <= end.day <= started + timedelta(days=MAX_ABSENCE_DAYS):
            parsed = (today, end.day)
    if isinstance(parsed, str):
        return parsed
    first, last = parsed
    long = (last - first).days + 1 > MAX_ABSENCE_DAYS
    passed = last_passed(last_raw, today, timezone, country)
    if passed is not None and (long or first_raw is None and (today - passed).days <= JUST_PASSED_DAYS):
        return f"passed:{passed.isoformat()}"
    return "too_long" if long else parsed


def typed_until(text: str) -> bool:
    """Whether the absence was typed as "until DAY" (so an example repeats that form)."""
    return UNTIL.match(text.strip()) is not None


def passed_start(text: str, first: date, today: date, timezone: str, country: str | None) -> date | None:
    """The typed start day that has passed when an absence is read as from today
    ("from 25 November until 2 December" on 30 November: 25 November), for the
    read-back; else None."""
    first_raw, _ = _parts(text)
    if first != today or first_raw is None:
        return None
    found = read_date(first_raw, today, timezone, country=country)
    started = last_passed(first_raw, today, timezone, country)
    if started is not None:
        return started
    return found.day if found is not None and found.day < today else None


def next_working(day: date, working: Callable[[date], bool]) -> date:
    """`day` when the person works then, else their next working day (looked for up to
    three weeks ahead: a Christmas-to-New-Year run of holidays fits)."""
    for offset in range(21):
        if working(found := day + timedelta(days=offset)):
            return found
    return day


def example_days(today: date, working: Callable[[date], bool]) -> tuple[date, date]:
    """Two days a re-ask's examples name (`/okr out until 4 December`, `… from 4
    December to 9 December`): working days of this person (`working`: the cadence's
    `Calendar.working_day`, their week and public holidays), the first at least four
    days ahead and the second at least three after it, so the example, typed as
    shown, reads back days away that can be saved (never a weekend or a holiday,
    never past, well within `MAX_ABSENCE_DAYS`)."""
    soon = next_working(today + timedelta(days=4), working)
    return soon, next_working(soon + timedelta(days=3), working)


def start_reason(text: str | None, first: date, today: date, working: Callable[[date], bool]) -> str | None:
    """Why an absence read from `text` starts after today, for the read-back and the
    saved message: "off" when no start was typed ("for 3 days", "this week") and
    today up to `first` are no working days of the person (a weekend, a public
    holiday), so it starts on their next working day; "named" when a start day was
    typed ("on Friday", "from 3 April", "next week"). None when it starts today.
    Without `text` (a Save card that did not carry the reason) the days alone decide."""
    if first <= today:
        return None
    days_off = all(not working(today + timedelta(days=i)) for i in range((first - today).days))
    return "off" if days_off and (text is None or names_no_start(text)) else "named"


_YEAR = re.compile(r"\b[0-9]{4}\b")


def year_fixed(text: str, today: date, timezone: str, country: str | None,
               rank: int = 0) -> tuple[list[str | date], dict[date, date]]:
    """The absence typed as `text` with each day typed more than `ABSENCE_YEARS` years
    ahead (a year typed wrongly) moved to the same day in the year within reach most
    likely meant (`horizon.meant_day`), in the form typed:
    pieces of the command after `/okr out` (typed text kept as it is, and days, for
    prompts/cadence/out_command.j2 to write in words), and {day read: day meant}. A
    range's end moves to its first occurrence on or after its start ("from 2026-12-01
    to 2029-01-01" -> from 1 December 2026 to 1 January 2027; "2029-01-04 to
    2029-01-08" typed on 1 Dec 2026 -> 4 to 8 January 2028, the start's year the one
    most likely meant, `rank` 0, or the next most likely with `rank` 1 …); another typed day is a
    day only when its year is typed (so writing it in words keeps its meaning), else
    kept as typed ("next week until …"). ({}, {}) when no day is too far. The caller
    checks that the command is one `/okr out` accepts before offering it."""
    def read(raw: str) -> date | None:
        found = read_date(raw, today, timezone, country=country)
        return found.day if found is not None else None

    words, spans = typed_days(text, lambda raw: read(raw) is not None)
    pieces: list[str | date] = []
    fixed: dict[date, date] = {}
    at, before = 0, today
    for start, end in spans:
        raw, day = words[start:end], read(words[start:end])
        pieces.append(words[at:start])
        if day is not None and too_far(day, today, ABSENCE_YEARS):
            if fixed:  # a range's end: its first occurrence on or after the start, the range kept short
                fixed[day] = next_same_day(day, max(before - timedelta(days=1), today))
            else:  # the first day: the `rank`-th most likely year (`horizon.meant_days`)
                meant = meant_days(day, today, ABSENCE_YEARS, max(before - timedelta(days=1), today))
                fixed[day] = meant[min(rank, len(meant) - 1)]
            day = fixed[day]
        pieces.append(day if day is not None and (day in fixed.values() or _YEAR.search(raw)) else raw)
        before, at = day or before, end
    pieces.append(words[at:])
    return ([piece for piece in pieces if piece != ""], fixed) if fixed else ([], {})
