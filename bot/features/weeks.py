"""The weeks 4DX counts in, shared by the WIG session and the team scorecard, and
whose team a person's WIGs are.

A week is STORED by its ISO Monday (`Commitment.week_start`, `LeadMeasureEntry.
week_start`, `WigReading.week_start`, `ScorecardPost.week_start`), so a team whose
reps keep different working weeks adds up one week under one key. A week is SHOWN
as the person's own week (`own_start`: it starts on their `week_start`, Sunday for
a Sunday–Thursday week): the ISO week stands for the own week that shares most of
its days with it (at most three days apart), and "this", "last" and "next" are
counted from the own week that holds the person's today."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.cadence import parse_working_days, week_start
from storage.models import Person


def monday(day: date) -> date:
    """The ISO week's Monday of a local day."""
    return day - timedelta(days=day.isoweekday() - 1)


def session_weeks(day: date) -> tuple[date, date]:
    """(the week a WIG session reports on, the week its new commitments are for), as
    ISO Mondays. A session reports on the week that mostly lies behind it and commits
    for the week mostly ahead: Monday's session (or Sunday's, in a Sunday–Thursday
    week, or Tuesday's after a holiday) reports on last week and plans this one."""
    return monday(day - timedelta(days=4)), monday(day + timedelta(days=3))


def week_start_of(person: Person) -> int:
    """The ISO weekday the person's own week starts on (their working days:
    Monday for Mon–Fri, Sunday for Sun–Thu; `bot.cadence.week_start`)."""
    return week_start(parse_working_days(person.working_days))


def _shift(start: int) -> int:
    """Days from an ISO Monday to the first day of the own week it stands for
    (-3..3): Sunday -1, Saturday -2, Friday -3, Thursday +3, Tuesday +1."""
    return start - 1 if start <= 4 else start - 8


def own_start(week: date, start: int = 1) -> date:
    """The first day of the own week (starting on ISO weekday `start`) that the ISO
    week of Monday `week` stands for: Mon 11 Jan 2027 is Sun 10 Jan for a
    Sunday–Thursday week."""
    return week + timedelta(days=_shift(start))


def week_of(day: date, start: int = 1) -> date:
    """The ISO Monday under which the own week holding local `day` is stored (the
    inverse of `own_start`): Sun 10 Jan 2027 -> Mon 11 Jan for a Sunday–Thursday
    week, Mon 4 Jan for a Monday–Friday one."""
    first = day - timedelta(days=(day.isoweekday() - start) % 7)
    return first - timedelta(days=_shift(start))


def week_span(week: date, today: date, start: int = 1) -> dict[str, Any]:
    """The week stored under ISO Monday `week` as a scorecard or WIG session names it
    to a person whose own week starts on ISO weekday `start` (`week_start_of`), so a
    rep reading it on the first day of their week knows it is last week's: the first
    and last day of their own week ("30 Nov", "6 Dec 2026"; both with the year across
    a year end; "3", "9 Jan 2027" for a Sunday–Thursday rep) and where it lies from
    their local `today` in their own weeks ("this", "last", "next"; None further off).
    The first day drops what it shares with the last ("23", "29 Nov 2026"). JSON-safe,
    as the session's flow data keeps it."""
    first_day = own_start(week, start)
    last = first_day + timedelta(days=6)
    first = str(first_day.day)
    if first_day.month != last.month:
        first += f" {first_day:%b}" + (f" {first_day.year}" if first_day.year != last.year else "")
    offset = (week - week_of(today, start)).days // 7
    relative = {0: "this", -1: "last", 1: "next"}.get(offset)
    return {"first": first, "last": f"{last.day} {last:%b %Y}", "relative": relative}


def team_lead(person: Person) -> int:
    """Whose team's WIGs apply: a rep's manager's; a manager's (or admin's) own."""
    if person.role == "rep" and person.manager_id is not None:
        return person.manager_id
    return person.id  # type: ignore[return-value]
