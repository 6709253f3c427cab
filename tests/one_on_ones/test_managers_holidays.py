"""A 1:1 is not booked on the manager's public holiday (F7): the manager's holidays
move or skip a meeting by the same rule as their absences and the rep's holidays,
and the brief follows the meeting."""

from __future__ import annotations

from datetime import date

from conftest import say
from meeting_helpers import at, joined, utc
from test_series_and_steps import briefs_for

from bot.cadence.meetings import one_on_one_meetings
from bot.features.one_on_ones import meeting_steps
from storage import people


async def test_a_1on1_on_the_us_managers_memorial_day_moves_for_the_indian_rep(coach, team, db, outbox) -> None:
    """Maria (New York, west of UTC) meets Ravi (Kolkata, east of UTC; no US holidays)
    every Monday 09:00 New York time. Memorial Day, Mon 31 May 2027, is hers: the
    meeting moves to Tuesday 1 June, named for the holiday, and so does her brief;
    Ravi's own prompts keep Monday."""
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 5, 20, 15)):
        await say(coach, team["maria"], "/okr 1on1 @ravi every Monday 09:00")
        planned = await one_on_one_meetings(db, utc(2027, 5, 30), utc(2027, 6, 9), [team["ravi"]])
    assert [(m.slot.nominal.date(), m.slot.status, m.slot.reason, m.slot.local.date() if m.slot.local else None)
            for m in planned] == [
        (date(2027, 5, 31), "moved", "holiday:Memorial Day", date(2027, 6, 1)),  # 09:00 EDT = 18:30 IST
        (date(2027, 6, 7), "due", None, date(2027, 6, 7)),
    ]
    assert planned[0].slot.effective == utc(2027, 6, 1, 13)
    with at(utc(2027, 5, 31, 11, 0)):  # Memorial Day 07:00 in New York
        await meeting_steps(coach)
    briefs = briefs_for(outbox, team["maria"])
    assert len(briefs) == 1 and "Tue 01 Jun, 09:00" in briefs[0] and "31 May" not in briefs[0]


async def test_a_sun_thu_rep_abroad_meets_the_day_after_the_managers_holiday(coach, team, db) -> None:
    """Sam moves to Riyadh (east of UTC, Sunday–Thursday, Saudi holidays); Maria stays
    in New York. Their Monday 08:00 (New York) 1:1 falls on her Independence Day
    (observed, Mon 5 Jul 2027), a working Monday in Riyadh: it moves to Tuesday."""
    async with db.session() as session:
        sam = await people.get(session, team["sam"])
        assert sam is not None
        sam.timezone, sam.working_days = "Asia/Riyadh", "7,1,2,3,4"
        session.add(sam)
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 6, 20, 15)):
        await say(coach, team["maria"], "/okr 1on1 @sam every Monday 08:00")
        planned = await one_on_one_meetings(db, utc(2027, 7, 4), utc(2027, 7, 13), [team["sam"]])
    first = planned[0].slot
    assert (first.nominal.date(), first.status) == (date(2027, 7, 5), "moved")
    assert first.reason is not None and first.reason.startswith("holiday:Independence Day")
    assert first.local is not None and first.local.date() == date(2027, 7, 6)  # Tue 08:00 EDT = 15:00 in Riyadh
