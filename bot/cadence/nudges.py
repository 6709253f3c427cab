"""The nudge phase of a tick: one reminder per unanswered prompt, then `missed`.

A prompt delivered and not answered within `nudge_hours` working hours of its person's
calendar (their working week, holidays, absences; `cadence.add_working_hours`) gets one
nudge, drawn by the feature that registered its kind; once as many working hours have
passed after the nudge, it counts as missed. A nudge is claimed in the database before
it is sent (`occurrences.claim_nudge`), so two instances never nudge one prompt twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot import cadence
from bot.cadence.calendar import Calendar
from bot.cadence.planner import load_population
from bot.core.coach import Coach
from storage import occurrences

if TYPE_CHECKING:
    from bot.cadence.dispatcher import TickReport

log = logging.getLogger(__name__)


async def nudge_unanswered(coach: Coach, moment: datetime, nudge_hours: float, report: TickReport) -> None:
    """Nudge what is owed a nudge at `moment` (aware UTC) and expire what was nudged
    `nudge_hours` working hours ago; counts go to `report.nudged` / `report.missed`."""
    db = coach.db
    earliest = moment - timedelta(hours=nudge_hours)
    async with db.session() as session:
        candidates = await occurrences.unanswered(session, earliest, nudged=False)
        expiring = await occurrences.unanswered(session, earliest, nudged=True)
    if not candidates and not expiring:
        return
    calendars = await _calendars(coach, {o.person_id for o in candidates + expiring}, moment)
    for occurrence in expiring:
        calendar = calendars.get(occurrence.person_id)
        assert occurrence.nudged_at is not None
        if calendar is not None and cadence.add_working_hours(
                calendar, occurrence.nudged_at, nudge_hours) > moment:
            continue
        async with db.session() as session:
            if await occurrences.expire(session, occurrence.id):  # type: ignore[arg-type]
                report.missed += 1
    for occurrence in candidates:
        calendar = calendars.get(occurrence.person_id)
        assert occurrence.delivered_at is not None
        if calendar is None or cadence.add_working_hours(
                calendar, occurrence.delivered_at, nudge_hours) > moment:
            continue
        async with db.session() as session:
            if not await occurrences.claim_nudge(session, occurrence.id, moment):  # type: ignore[arg-type]
                continue
        try:
            recipient = await coach.recipient(occurrence.person_id)
            nudge = coach.features.prompt_kinds[occurrence.kind].nudge
            message_id = await coach.send(recipient, nudge(occurrence, recipient.name, calendar.timezone))
        except Exception as error:  # DeliveryError, or a platform timeout
            log.warning("nudge for occurrence %s not delivered: %s", occurrence.key, error)
            continue
        async with db.session() as session:
            await occurrences.record_nudge(session, occurrence.id, recipient.platform, message_id, moment)  # type: ignore[arg-type]
        report.nudged += 1


async def _calendars(coach: Coach, person_ids: set[int], moment: datetime) -> dict[int, Calendar]:
    population = await load_population(coach.db, moment, person_ids, days=60)
    return population.calendars
