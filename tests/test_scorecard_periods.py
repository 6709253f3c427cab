"""Each part of the team scorecard says the period it shows. The title and the lead
measures name the scored week ("last week (4–10 Jan 2027)"); the WIG's lag measure
stands as last read, which after Monday's session is a reading of this week, so its
line names the reading's day in the reader's own calendar ("read today", "read on
Mon 11 Jan 2027"), never passing today's reading off as last week's. At week
boundaries, east and west of UTC, with Monday- and Sunday-start working weeks
(freezegun)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conftest import say
from freezegun import freeze_time

from bot.core.coach import Coach
from bot.features.pace import reading_day
from storage import people
from storage.db import Database
from storage.models import WigReading

ADDED = "2027-01-04 15:00:00"


async def _wig_read_at(coach: Coach, team: dict[str, int], moment: str) -> None:
    with freeze_time(ADDED):
        await say(coach, team["maria"], "/okr wig add New logos from 100 to 200 by July 1 2027")
    with freeze_time(moment):
        assert "now stands at 150" in await say(coach, team["maria"], "/okr wig update 1 150")


def _wig_line(board: str) -> str:
    return next(line for line in board.splitlines() if "against a pace" in line or "the pace (" in line)


async def test_monday_the_last_week_card_says_its_wig_reading_is_todays(
        coach: Coach, team: dict[str, int]) -> None:
    """Maria (New York) updates on Monday 11 Jan 09:00; Ravi (Kolkata, 19:30) and Sam
    (Los Angeles, 06:00) read the card that same Monday: last week's, read today."""
    await _wig_read_at(coach, team, "2027-01-11 14:00:00")
    with freeze_time("2027-01-11 14:00:00"):
        for person in ("ravi", "sam", "maria"):
            board = await say(coach, team[person], "/okr scorecard")
            assert "Team scorecard · last week (4–10 Jan 2027)" in board, board
            assert _wig_line(board).endswith(", read today."), board
    with freeze_time("2027-01-12 14:00:00"):  # the day after: the reading's own day named
        assert _wig_line(await say(coach, team["ravi"], "/okr scorecard")).endswith(", read on Mon 11 Jan 2027.")


async def test_a_sunday_evening_reading_in_new_york_is_monday_in_kolkata(
        coach: Coach, team: dict[str, int]) -> None:
    """Sun 10 Jan 21:00 New York is Mon 11 Jan 02:00 UTC, 07:30 in Kolkata: Maria's
    card says she read it today (her Sunday, in the week it reports on), Ravi's that it
    was read today, his Monday, after last week; neither says a day neither lived."""
    await _wig_read_at(coach, team, "2027-01-11 02:00:00")
    with freeze_time("2027-01-11 02:00:00"):
        maria = await say(coach, team["maria"], "/okr scorecard")
        ravi = await say(coach, team["ravi"], "/okr scorecard")
    assert "this week (4–10 Jan 2027)" in maria and _wig_line(maria).endswith(", read today.")
    assert "last week (4–10 Jan 2027)" in ravi and _wig_line(ravi).endswith(", read today.")
    with freeze_time("2027-01-12 02:00:00"):
        assert _wig_line(await say(coach, team["ravi"], "/okr scorecard")).endswith(", read on Mon 11 Jan 2027.")
        assert _wig_line(await say(coach, team["maria"], "/okr scorecard")).endswith(", read on Sun 10 Jan 2027.")


async def test_a_sunday_start_week_reads_last_week_in_its_own_days_with_todays_reading(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    """Ravi moved to Riyadh, working Sunday to Thursday: on his Sunday 10 Jan, the first
    day of his week, the card is the week his Sunday session reports on, named as his
    own last week, Sunday 3 to Saturday 9 Jan (stored under ISO Monday 4 Jan), with the
    reading of today."""
    async with db.session() as session:
        ravi = await people.get(session, team["ravi"])
        assert ravi is not None
        ravi.timezone, ravi.working_days = "Asia/Riyadh", "7,1,2,3,4"
        session.add(ravi)
    await _wig_read_at(coach, team, "2027-01-10 06:00:00")  # 09:00 in Riyadh, 01:00 in New York
    with freeze_time("2027-01-10 06:00:00"):
        board = await say(coach, team["ravi"], "/okr scorecard")
    assert "Team scorecard · last week (3–9 Jan 2027)" in board and _wig_line(board).endswith(", read today.")


def test_the_reading_day_is_the_readers_local_day_east_and_west_of_utc() -> None:
    """Tue 12 Jan 08:00 in Auckland is Mon 11 Jan 19:00 UTC; Wed 13 Jan 20:00 in Los
    Angeles is Thu 14 Jan 04:00 UTC."""
    auckland = WigReading(wig_id=1, week_start=date(2027, 1, 11), value=1,
                          recorded_at=datetime(2027, 1, 11, 19, tzinfo=UTC))
    assert reading_day(auckland, "Pacific/Auckland") == date(2027, 1, 12)
    los_angeles = WigReading(wig_id=1, week_start=date(2027, 1, 11), value=1,
                             recorded_at=datetime(2027, 1, 14, 4, tzinfo=UTC))
    assert reading_day(los_angeles, "America/Los_Angeles") == date(2027, 1, 13)
    assert reading_day(los_angeles) == date(2027, 1, 14)  # no zone: the UTC day, within its week
