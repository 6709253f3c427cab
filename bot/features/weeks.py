"""The weeks 4DX counts in, shared by the WIG session and the team scorecard: ISO
Mondays in the person's own local calendar, and whose team a person's WIGs are."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

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


def week_span(week: date, today: date) -> dict[str, Any]:
    """The ISO week starting on Monday `week` as a scorecard or WIG session names it,
    so a rep reading it on a Monday knows it is last week's: its first and last day
    ("30 Nov", "6 Dec 2026"; both with the year across a year end) and where it lies
    from the person's local `today` ("this", "last", "next"; None further off). The
    first day drops what it shares with the last ("23", "29 Nov 2026"). Days
    are the person's calendar days (`today` is their local day); JSON-safe, as the
    session's flow data keeps it."""
    last = week + timedelta(days=6)
    first = str(week.day)
    if week.month != last.month:
        first += f" {week:%b}" + (f" {week.year}" if week.year != last.year else "")
    offset = (week - monday(today)).days // 7
    relative = {0: "this", -1: "last", 1: "next"}.get(offset)
    return {"first": first, "last": f"{last.day} {last:%b %Y}", "relative": relative}


def team_lead(person: Person) -> int:
    """Whose team's WIGs apply: a rep's manager's; a manager's (or admin's) own."""
    if person.role == "rep" and person.manager_id is not None:
        return person.manager_id
    return person.id  # type: ignore[return-value]
