"""A series set (or moved) after today's slot has passed starts with the next slot to
come, never with a meeting that already "happened" before the series existed (the
reviewer: set on Monday at 19:15 New York "every other Monday 17:30" said "starting
Mon 30 Nov", listed Mon 14 Dec as next, and the next morning the manager was asked
how a meeting that never took place went). West and east of UTC, and across a
daylight-saving change; the first meeting is found by instants, not wall times."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from conftest import RecordingChannel, say
from meeting_helpers import at, joined, meetings, utc
from sqlalchemy import update

from bot.features.one_on_ones import meeting_steps
from storage.db import Database
from storage.models import Person

NOTES = "How did the one-on-one with"


def notes_prompts(outbox: RecordingChannel, person_id: int) -> list[str]:
    return [text for text in outbox.texts_for(person_id) if NOTES in text]


async def in_zone(db: Database, person_id: int, timezone: str) -> None:
    async with db.session() as session:
        await session.exec(update(Person).where(Person.id == person_id).values(timezone=timezone))  # type: ignore[call-overload]


async def test_set_in_new_york_after_todays_slot_starts_next_week_and_asks_for_no_notes(
        coach, team, db, outbox) -> None:  # type: ignore[no-untyped-def]
    await joined(db, utc(2026, 11, 1))
    with at(utc(2026, 12, 1, 0, 15)):  # Monday 30 Nov 2026, 19:15 in New York
        said = await say(coach, team["maria"], "/okr 1on1 @sam every other Monday 17:30")
        assert "starting Mon 07 Dec" in said, said
        listed = await say(coach, team["maria"], "/okr 1on1")
        assert "next Mon 07 Dec 17:30" in listed, listed
        await meeting_steps(coach)
    with at(utc(2026, 12, 1, 14, 30)):  # the next morning, in working hours
        await meeting_steps(coach)
    assert notes_prompts(outbox, team["maria"]) == []
    assert [m.nominal_on for m in await meetings(db)] == []  # nothing stored for 30 Nov
    with at(utc(2026, 12, 7, 23, 0)):  # the first real one has ended (22:30-23:00 UTC)
        await meeting_steps(coach)
    assert [m.nominal_on for m in await meetings(db)] == [date(2026, 12, 7)]


async def test_a_move_after_todays_slot_starts_next_week(coach, team, db) -> None:  # type: ignore[no-untyped-def]
    await joined(db, utc(2026, 11, 1))
    with at(utc(2026, 11, 30, 14)):  # Monday 09:00 in New York
        await say(coach, team["maria"], "/okr 1on1 @sam every Monday 10:00")
    with at(utc(2026, 12, 1, 0, 15)):  # Monday 19:15 in New York
        moved = await say(coach, team["maria"], "/okr 1on1 @sam move to 17:30")
        assert "every Monday at 17:30" in moved and "starting Mon 07 Dec" in moved, moved
        assert "next Mon 07 Dec 17:30" in await say(coach, team["maria"], "/okr 1on1")


async def test_set_in_tokyo_after_todays_slot_starts_next_week(coach, team, db, outbox) -> None:  # type: ignore[no-untyped-def]
    """East of UTC: Monday 10:00 in Tokyo is still Monday 01:00 UTC, before 09:30."""
    await joined(db, utc(2026, 11, 1))
    await in_zone(db, team["maria"], "Asia/Tokyo")
    with at(utc(2026, 12, 7, 1, 0)):  # Monday 7 Dec, 10:00 in Tokyo
        said = await say(coach, team["maria"], "/okr 1on1 @ravi every other Monday 09:30")
        assert "(Asia/Tokyo), starting Mon 14 Dec" in said, said
        assert "next Mon 14 Dec 09:30" in await say(coach, team["maria"], "/okr 1on1")
        await meeting_steps(coach)
    with at(utc(2026, 12, 7, 23, 30)):  # Tuesday morning in Tokyo
        await meeting_steps(coach)
    assert notes_prompts(outbox, team["maria"]) == [] and await meetings(db) == []


async def test_set_in_tokyo_before_todays_slot_starts_today(coach, team, db) -> None:  # type: ignore[no-untyped-def]
    await in_zone(db, team["maria"], "Asia/Tokyo")
    with at(utc(2026, 12, 6, 23, 0)):  # Monday 7 Dec, 08:00 in Tokyo (Sunday in UTC)
        said = await say(coach, team["maria"], "/okr 1on1 @ravi every other Monday 09:30")
    assert "starting Mon 07 Dec" in said, said


async def test_set_on_the_friday_before_the_march_dst_change(coach, team, db) -> None:  # type: ignore[no-untyped-def]
    """US clocks go forward on Sunday 14 March 2027: Friday 12 March at 19:00 New York
    (EST) is past 17:30, so the first is Friday 19 March at 17:30 EDT, 21:30 UTC."""
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 3, 13, 0, 0)):
        said = await say(coach, team["maria"], "/okr 1on1 @sam every other Friday 17:30")
        assert "starting Fri 19 Mar" in said, said
        assert "next Fri 19 Mar 17:30" in await say(coach, team["maria"], "/okr 1on1")
    with at(utc(2027, 3, 19, 22, 5)):
        await meeting_steps(coach)
    assert [(m.nominal_on, m.starts_at) for m in await meetings(db)] == [(date(2027, 3, 19), utc(2027, 3, 19, 21, 30))]


def test_the_first_meeting_is_found_by_instants_across_the_switch() -> None:
    from conversations.meeting_rule import first_meeting

    new_york = ZoneInfo("America/New_York")
    # 02:30 does not exist on 14 March 2027: the planner holds it at 03:30 EDT, so at
    # 03:15 EDT today's meeting is still to come (wall times would say it had passed)
    assert first_meeting(datetime(2027, 3, 14, 3, 15, tzinfo=new_york), 7, time(2, 30)) == date(2027, 3, 14)
    assert first_meeting(datetime(2027, 3, 14, 3, 45, tzinfo=new_york), 7, time(2, 30)) == date(2027, 3, 21)
    monday_evening = datetime(2026, 11, 30, 19, 15, tzinfo=new_york)
    assert first_meeting(monday_evening, 1, time(17, 30)) == date(2026, 12, 7)
    assert first_meeting(monday_evening, 1, time(19, 30)) == date(2026, 11, 30)
    assert first_meeting(monday_evening, 2, time(8, 0)) == date(2026, 12, 1)
