"""`/okr goals` for a year that already has a plan: the conversation says at its start
and at the save question that the plan is replaced (how big it is, when the last
check-in was), and key results that stay the same keep their figures and confidence
(bot/features/goals.py:carry_forward)."""

from __future__ import annotations

from conftest import say
from freezegun import freeze_time
from sqlmodel import col, select
from test_checkin_resumed import GOALS

from bot.core.coach import Coach
from storage import checkins, okrs
from storage.db import Database
from storage.models import KeyResult, Objective

CHECKED_IN = "2027-01-12 06:00:00"   # Tuesday
AGAIN = "2027-01-13 06:00:00"


async def _first_plan(db: Database, team: dict[str, int]) -> None:
    """Ravi's first 2027 plan, checked in on 12 Jan: 3 of 12 logos, at risk."""
    ravi = team["ravi"]
    async with db.session() as session:
        made = await okrs.create_objective(session, team["org"], ravi, "Grow new business", "2027", 1, [
            {"title": "Close 12 new logos by end of Q2", "target": 12, "unit": "logos", "due": "2027-06-30"},
            {"title": "Book 40 meetings", "target": 40, "unit": "meetings"}])
    logos = made.key_results[0]
    with freeze_time(CHECKED_IN):
        async with db.session() as session:
            await checkins.record_checkin(session, team["org"], ravi, None,
                                          [checkins.KeyResultUpdate(logos.id, 3, "at_risk")], None, None)  # type: ignore[arg-type]


async def _active(db: Database, ravi: int) -> dict[str, KeyResult]:
    async with db.session() as session:
        return {kr.title: kr for kr in (await session.exec(
            select(KeyResult).join(Objective).where(Objective.owner_id == ravi, Objective.status == "active")
            .order_by(col(KeyResult.id)))).all()}


async def test_goals_again_says_it_replaces_the_plan_and_carries_what_stayed(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    ravi = team["ravi"]
    await _first_plan(db, team)
    with freeze_time(AGAIN, real_asyncio=True):
        first = await say(coach, ravi, "/okr goals")
        assert "This replaces your 2027 plan: 1 objective and 2 key results, last check-in" in first, first
        assert "12 Jan 2027" in first or "Jan 12, 2027" in first, first
        for line in GOALS:
            asked = await say(coach, ravi, line)
        assert "Shall I save it" in asked and "This replaces your 2027 plan: 1 objective" in asked, asked
        done = await say(coach, ravi, "yes")
    assert "Carried over from your old 2027 plan" in done, done
    assert "Close 12 new logos by end of Q2: 3 of 12 logos, at risk" in done, done
    krs = await _active(db, ravi)
    logos = krs["Close 12 new logos by end of Q2"]
    assert (logos.current_value, logos.confidence) == (3, "at_risk")
    assert "Book 40 meetings" not in krs
    assert all(kr.confidence == "unrated" for title, kr in krs.items() if title != logos.title)


async def test_the_same_measure_with_a_new_target_keeps_its_reading(db: Database, team: dict[str, int]) -> None:
    """"Close 12 new logos" becomes "Close 15 new logos": the 3 closed are still closed;
    a measure that is not the same starts afresh."""
    from bot.features.goals import carry_forward

    await _first_plan(db, team)
    async with db.session() as session:
        retired = await okrs.replace_period(session, team["ravi"], "2027")
    new = [{"title": "Close 15 new logos by end of Q2", "target": 15, "unit": "logos"},
           {"title": "Book 40 demos", "target": 40, "unit": "demos"}]
    carried = carry_forward(retired, new)
    assert [c["title"] for c in carried] == ["Close 15 new logos by end of Q2"]
    assert (new[0]["current"], new[0]["confidence"]) == (3, "at_risk")
    assert "current" not in new[1] and "confidence" not in new[1]
