"""A floor or ceiling already broken (F17): "Keep 95% of my customers" answered 92%,
"on track", was accepted without a word, and `/okr status` drew it as 97 % of the
way, counted in the overall average. The check-in now questions "on track" once when
the figure just given breaks the level, and a broken level is 0 % of the way."""

from __future__ import annotations

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from storage import okrs
from storage.db import Database
from storage.models import KeyResult

TODAY = "2027-01-11 06:00:00"
ASKED = "92% is below your floor of 95%: still on track?"


async def _levels(db: Database, team: dict[str, int]) -> None:
    async with db.session() as session:
        await okrs.create_objective(session, team["org"], team["ravi"], "Keep customers", "2027", 1, [
            {"title": "Keep 95% of my customers", "target": 95, "unit": "%", "kind": "floor"},
            {"title": "Keep churn below 3%", "target": 3, "unit": "%", "kind": "ceiling"}])


async def _confidence(db: Database, title: str) -> str:
    async with db.session() as session:
        return (await session.exec(select(KeyResult).where(KeyResult.title == title))).one().confidence


@pytest.mark.parametrize(("second", "kept"), [("at risk", "at_risk"), ("on track", "on_track")])
async def test_on_track_for_a_broken_floor_is_asked_once_more(coach: Coach, db: Database, team: dict[str, int],
                                                              second: str, kept: str) -> None:
    ravi = team["ravi"]
    await _levels(db, team)
    with freeze_time(TODAY, real_asyncio=True):
        await say(coach, ravi, "/okr checkin")
        await say(coach, ravi, "92%")
        asked = await say(coach, ravi, "on track")
        assert ASKED in asked, asked
        after = await say(coach, ravi, second)
        assert "still on track?" not in after and "Keep churn below 3%" in after, after  # once, then the next one
        for line in ("2%", "on track", "skip", "skip"):
            await say(coach, ravi, line)
    assert await _confidence(db, "Keep 95% of my customers") == kept


async def test_a_broken_ceiling_is_questioned_and_a_held_level_is_not(coach: Coach, db: Database,
                                                                      team: dict[str, int]) -> None:
    ravi = team["ravi"]
    await _levels(db, team)
    with freeze_time(TODAY, real_asyncio=True):
        await say(coach, ravi, "/okr checkin")
        await say(coach, ravi, "96%")
        held = await say(coach, ravi, "on track")
        assert "still on track?" not in held and "Keep churn below 3%" in held, held
        await say(coach, ravi, "4%")
        asked = await say(coach, ravi, "on track")
        assert "4% is above your ceiling of 3%: still on track?" in asked, asked
        for line in ("off track", "skip", "skip"):
            await say(coach, ravi, line)
    assert await _confidence(db, "Keep churn below 3%") == "off_track"


async def test_a_broken_floor_is_not_nearly_done_nor_lifts_the_average(coach: Coach, db: Database,
                                                                       team: dict[str, int]) -> None:
    """The reviewer's status: "███████████████████░ 97% 92%, below the floor of 95%",
    counted as 97 % in the overall average. Broken, it is 0 % of the way; the ceiling
    held beside it is 100 %: 50 % overall."""
    ravi = team["ravi"]
    await _levels(db, team)
    with freeze_time(TODAY, real_asyncio=True):
        for line in ("/okr checkin", "92%", "at risk", "2%", "on track", "skip", "skip"):
            await say(coach, ravi, line)
        mine = await say(coach, ravi, "/okr status")
        theirs = await say(coach, team["maria"], "/okr team")
    assert "░" * 20 + " 0% 92%, below the floor of 95%" in mine, mine
    assert "97%" not in mine and "50% of the way overall" in mine, mine
    assert "2 key results, 50% overall" in theirs, theirs
