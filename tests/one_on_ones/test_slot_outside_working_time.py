"""A one-on-one at night or on a day off is still set (the manager decides), but the
reply says so, for the manager and for the rep in their own zone (the reviewer:
`every other Friday 02:30`, a Sunday for a Monday–Friday manager and 20:30 for a rep
in another zone were accepted without a word). Working time is the people's own:
their working days, and their quiet hours when set, else 08:00–18:00."""

from __future__ import annotations

from conftest import say
from meeting_helpers import at, utc
from sqlalchemy import update

from storage.db import Database
from storage.models import Person

HEADS_UP = "Heads-up: that is outside working time"
TUESDAY_MORNING = utc(2026, 12, 1, 13)  # Tuesday 1 Dec 2026, 08:00 in New York


async def set_person(db: Database, person_id: int, **values: object) -> None:
    async with db.session() as session:
        await session.exec(update(Person).where(Person.id == person_id).values(**values))  # type: ignore[call-overload]


async def test_a_slot_at_night_is_set_and_said(coach, team) -> None:  # type: ignore[no-untyped-def]
    with at(TUESDAY_MORNING):
        said = await say(coach, team["maria"], "/okr 1on1 @sam every other Friday 02:30")
        assert "every other Friday at 02:30 (America/New_York), starting Fri 04 Dec" in said, said
        assert f"{HEADS_UP} for you (Fri 02:30: outside your working hours, 08:00–18:00)" in said
        assert "Sam Seller (Thu 23:30 their time: outside their working hours, 08:00–18:00)" in said
        assert "It's set as you asked" in said and "/okr 1on1 @sam move to" in said
        assert "Sam Seller: every other Friday at 02:30" in await say(coach, team["maria"], "/okr 1on1")


async def test_a_day_off_for_a_monday_to_friday_manager_is_said(coach, team) -> None:  # type: ignore[no-untyped-def]
    with at(TUESDAY_MORNING):
        said = await say(coach, team["maria"], "/okr 1on1 @sam every Sunday 12:00")
    assert f"{HEADS_UP} for you (Sun 12:00: not one of your working days)" in said, said
    assert "Sam Seller (Sun 09:00 their time: not one of their working days)" in said


async def test_evening_for_a_rep_in_another_zone_is_said(coach, team) -> None:  # type: ignore[no-untyped-def]
    with at(TUESDAY_MORNING):  # 10:00 in New York is 20:30 in Kolkata
        said = await say(coach, team["maria"], "/okr 1on1 @ravi every other Tuesday 10:00")
    assert f"{HEADS_UP} for Ravi Rep (Tue 20:30 their time: outside their working hours, 08:00–18:00)." in said, said
    assert "for you" not in said


async def test_a_moved_series_is_checked_too(coach, team) -> None:  # type: ignore[no-untyped-def]
    with at(TUESDAY_MORNING):
        assert HEADS_UP not in await say(coach, team["maria"], "/okr 1on1 @sam every Tuesday 13:00")
        moved = await say(coach, team["maria"], "/okr 1on1 @sam move to Saturday")
    assert f"{HEADS_UP} for you (Sat 13:00: not one of your working days)" in moved, moved


async def test_a_slot_in_everyones_working_time_says_nothing_more(coach, team, db) -> None:  # type: ignore[no-untyped-def]
    with at(TUESDAY_MORNING):
        assert HEADS_UP not in await say(coach, team["maria"], "/okr 1on1 @sam every Wednesday 11:00")
        early = await say(coach, team["maria"], "/okr 1on1 @sam every Wednesday 10:30")  # 07:30 in Los Angeles
        assert "Sam Seller (Wed 07:30 their time: outside their working hours, 08:00–18:00)" in early, early
        await set_person(db, team["sam"], quiet_start="20:00", quiet_end="07:00")  # Sam's day: 07:00-20:00
        assert HEADS_UP not in await say(coach, team["maria"], "/okr 1on1 @sam every Wednesday 10:30")
        await set_person(db, team["maria"], working_days="7,1,2,3,4")  # Maria works Sunday to Thursday
        sunday = await say(coach, team["maria"], "/okr 1on1 @sam every Sunday 12:00")
    assert "for you" not in sunday and "Sam Seller (Sun 09:00 their time: not one of their working days)" in sunday
