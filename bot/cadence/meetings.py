"""Manager–rep one-on-one series placed in the rep's calendar, for the manager's brief,
the home view and `coachbot schedule preview`: a series is a local rule like a prompt's,
so either person's public holiday or absence moves or skips a meeting by the same rules.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from bot import cadence
from bot.cadence import Rule, Slot
from bot.cadence.population import load_population
from storage import one_on_ones as meeting_store
from storage import schedule as store
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Meeting:
    """One 1:1 of a manager–rep series, placed in the rep's calendar."""

    manager_id: int
    rep_id: int
    slot: Slot
    duration_minutes: int
    brief_minutes_before: int
    manager_name: str = ""
    rep_name: str = ""
    series_id: int = 0


async def one_on_one_meetings(db: Database, start: datetime, end: datetime,
                              person_ids: Iterable[int] | None = None) -> list[Meeting]:
    """The 1:1s of [start, end): each series is a local rule (its zone, else the
    manager's) placed in the rep's calendar, so a rep's holiday or vacation moves or
    skips it by the same rule as a prompt, and so do the manager's absences and
    public holidays (their country's, as the manager's own calendar has it; like
    their absences, a day is the rep's local day of the meeting); a
    meeting the manager skipped (`/okr 1on1 @rep skip next`) is skipped with that
    reason. For the manager brief and the preview."""
    async with db.session() as session:
        series = await store.one_on_ones(session, person_ids)
        skipped = await meeting_store.skipped_days(session, [s.id for s in series]) if series else set()
    if not series:
        return []
    involved = {s.rep_id for s in series} | {s.manager_id for s in series}
    population = await load_population(db, start, involved, days=60)
    found: list[Meeting] = []
    for row in series:
        calendar = population.calendars.get(row.rep_id)
        manager = population.people.get(row.manager_id)
        if calendar is None or manager is None:
            continue
        boss = population.calendars[row.manager_id]  # either person's absence or holiday moves it
        if boss.absences:
            calendar = replace(calendar, absences=tuple(sorted(set(calendar.absences) | set(boss.absences))))
        if boss.country and boss.country != calendar.country:
            calendar = replace(calendar, also_holidays=boss.country)
        rule = Rule(cadence.ONE_ON_ONE, row.rrule, cadence.parse_local_time(row.local_time),
                    row.timezone or manager.timezone, row.anchor_on, "one_on_one")
        try:
            slots = cadence.plan(calendar, rule, start, end)
        except cadence.CadenceError as error:
            log.warning("1:1 series %s is broken: %s", row.id, error)
            continue
        rep = population.people[row.rep_id]
        slots = [replace(s, status="skipped", due_at=None, local=None, reason="skipped_by_manager")
                 if (row.id, s.nominal.date()) in skipped else s for s in slots]
        found.extend(Meeting(row.manager_id, row.rep_id, slot, row.duration_minutes,
                             row.brief_minutes_before, manager.name, rep.name, row.id) for slot in slots)
    return sorted(found, key=lambda m: m.slot.effective)
