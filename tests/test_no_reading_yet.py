"""A floor key result planned without a figure ("Keep 90% of my customers", "Keep
forecast accuracy above 90%") has no reading yet (`KeyResult.reading` None): shown as
such, neither held nor missed, and left out of every average until its first reading
(a check-in's value). It showed "100%, holding the floor" (or "0%, below the floor")
and made an untouched plan "25% of the way"."""

from __future__ import annotations

from conftest import say
from freezegun import freeze_time
from sqlmodel import select
from test_checkin_resumed import GOALS

from bot.core.coach import Coach
from storage import okrs
from storage.db import Database
from storage.models import KeyResult

TODAY = "2027-01-11 06:00:00"


async def test_a_planned_retention_floor_has_no_reading_yet(coach: Coach, db: Database,
                                                             team: dict[str, int]) -> None:
    ravi = team["ravi"]
    with freeze_time(TODAY, real_asyncio=True):
        await say(coach, ravi, "/okr goals")
        for line in GOALS:
            await say(coach, ravi, line)
        await say(coach, ravi, "yes")
        status = await say(coach, ravi, "/okr status")
    async with db.session() as session:
        floor = (await session.exec(select(KeyResult).where(KeyResult.kind == "floor"))).one()
    assert floor.reading is None
    assert "holding the floor" not in status and "no reading yet (floor: 90%)" in status, status
    assert "0% of the way overall" in status, status   # 0 logos, 0 booked, 0 customers; the floor left out


async def _floor_only(db: Database, team: dict[str, int]) -> None:
    async with db.session() as session:
        await okrs.create_objective(session, team["org"], team["ravi"], "Forecast well", "2027", 1, [
            {"title": "Keep forecast accuracy above 90%", "target": 90, "unit": "%", "kind": "floor"}])


async def test_a_typed_floor_is_neither_missed_nor_counted(coach: Coach, db: Database,
                                                           team: dict[str, int]) -> None:
    await _floor_only(db, team)
    with freeze_time(TODAY, real_asyncio=True):
        mine = await say(coach, team["ravi"], "/okr status")
        theirs = await say(coach, team["maria"], "/okr team")
    assert "below the floor" not in mine and "no reading yet (floor: 90%)" in mine, mine
    assert "of the way overall" not in mine, mine
    assert "░" * 20 in mine and "░ 0%" not in mine, mine  # an empty bar, not a "0%" beside "no reading yet"
    assert "1 key result, no progress recorded overall" in theirs, theirs


async def test_the_first_check_in_gives_the_floor_its_reading(coach: Coach, db: Database,
                                                              team: dict[str, int]) -> None:
    ravi = team["ravi"]
    await _floor_only(db, team)
    with freeze_time(TODAY, real_asyncio=True):
        asked = await say(coach, ravi, "/okr checkin")
        assert "First reading: no check-in has given a figure yet (floor: 90%)" in asked, asked
        await say(coach, ravi, "93%")
        await say(coach, ravi, "on track")
        await say(coach, ravi, "skip")
        await say(coach, ravi, "skip")
        status = await say(coach, ravi, "/okr status")
    assert "93%, holding the floor of 90%" in status and "100% of the way overall" in status, status


async def test_a_ceiling_planned_without_a_figure_has_no_reading_yet(coach: Coach, db: Database,
                                                                     team: dict[str, int]) -> None:
    """The sibling of the floor: "keep churn below 3%" planned with no figure read as
    0 %, "holding" the ceiling before anything was measured."""
    async with db.session() as session:
        await okrs.create_objective(session, team["org"], team["ravi"], "Keep customers", "2027", 1, [
            {"title": "Keep churn below 3%", "target": 3, "unit": "%", "kind": "ceiling"}])
    with freeze_time(TODAY, real_asyncio=True):
        mine = await say(coach, team["ravi"], "/okr status")
    assert "holding" not in mine and "no reading yet (ceiling: 3%)" in mine, mine
    assert "░ 0%" not in mine and "of the way overall" not in mine, mine


async def _rate_only(db: Database, team: dict[str, int], **figures: float) -> None:
    """A rate as goal setting stores it ("Book 6 first meetings a week": no `current`)."""
    async with db.session() as session:
        await okrs.create_objective(session, team["org"], team["ravi"], "Open doors", "2027", 1, [
            {"title": "Book 6 first meetings a week", "target": 6, "unit": "first meetings", "kind": "rate",
             "per": "week", **figures}])


async def test_a_rate_planned_without_a_figure_has_no_reading_yet(coach: Coach, db: Database,
                                                                  team: dict[str, int]) -> None:
    """F11: "0 first meetings a week lately" after the plan read as "did zero meetings"
    to a manager; nothing was reported."""
    await _rate_only(db, team)
    with freeze_time(TODAY, real_asyncio=True):
        mine = await say(coach, team["ravi"], "/okr status")
        theirs = await say(coach, team["maria"], "/okr team")
        brief = await say(coach, team["maria"], "/okr brief @ravi")
        asked = await say(coach, team["ravi"], "/okr checkin")
    assert "lately" not in mine and "no reading yet (aim: 6 first meetings a week)" in mine, mine
    assert "░ 0%" not in mine and "of the way overall" not in mine, mine
    assert "1 key result, no progress recorded overall" in theirs, theirs
    assert "**: no reading yet (aim: 6 first meetings a week), not rated yet" in brief, brief  # nothing to compare
    assert "First reading: no check-in has given a figure yet (aim: 6 first meetings a week)" in asked, asked


async def test_a_rate_planned_from_a_figure_reads_it(coach: Coach, db: Database, team: dict[str, int]) -> None:
    """"From 4 to 6 first meetings a week" gave a figure: the rate reads 4, not "no reading"."""
    await _rate_only(db, team, start=4)
    with freeze_time(TODAY, real_asyncio=True):
        mine = await say(coach, team["ravi"], "/okr status")
    assert "4 first meetings a week lately (aim: 6 first meetings a week)" in mine, mine
