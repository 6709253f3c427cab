"""The weeks 4DX counts in, shared by the WIG session and the team scorecard: ISO
Mondays in the person's own local calendar, and whose team a person's WIGs are."""

from __future__ import annotations

from datetime import date, timedelta

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


def team_lead(person: Person) -> int:
    """Whose team's WIGs apply: a rep's manager's; a manager's (or admin's) own."""
    if person.role == "rep" and person.manager_id is not None:
        return person.manager_id
    return person.id  # type: ignore[return-value]
