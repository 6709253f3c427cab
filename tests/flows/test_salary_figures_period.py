"""The salary talk's figures: the key results of the year the talk looks back on (not
next year's plan, made in November), said which; and check-ins counted once a day."""

from __future__ import annotations

from datetime import timedelta

from conftest import say
from freezegun import freeze_time

from bot.core.coach import Coach
from bot.features.salary import talk_period
from storage import okrs
from storage.db import Database, utcnow
from storage.models import CheckIn


@freeze_time("2026-11-30 18:00:00", real_asyncio=True)
async def test_figures_of_this_years_key_results_and_one_checkin_a_day(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    maria, sam, org = team["maria"], team["sam"], team["org"]
    async with db.session() as session:
        await okrs.create_objective(session, org, sam, "Hit my 2027 number", "2027", None, [
            {"title": "Close $1,200,000", "target": 1_200_000, "start": 0, "current": 0,
             "kind": "quota", "unit": "USD"}])
        await okrs.create_objective(session, org, sam, "Win logos", "2026", 1, [
            {"title": "Close 10 logos", "target": 10, "start": 0, "current": 5}])
        for minutes in (0, 1, 2):  # `/okr checkin` three times in three minutes: one check-in
            session.add(CheckIn(org_id=org, person_id=sam, kind="okr_checkin",
                                completed_at=utcnow() - timedelta(minutes=minutes)))
        session.add(CheckIn(org_id=org, person_id=sam, kind="okr_checkin",
                            completed_at=utcnow() - timedelta(days=14)))
    await say(coach, maria, "/okr salary-prep @sam")
    for line in ["Agree a fair raise", "A 10% raise", "$4,000"]:
        await say(coach, maria, line)
    figures = await say(coach, maria, "Survey says $85-95k")
    assert "the key results of 2026, and what was done since 2025-11-30" in figures, figures
    assert "Key results of 2026: 1, 0 reached, average progress 50%" in figures
    assert "Quota attainment" not in figures and "1,200,000" not in figures  # 2027's quota
    assert "OKR check-ins completed: 2" in figures


def test_the_period_a_talk_looks_back_on() -> None:
    assert talk_period(["2026", "2027"], 2026) == "2026"
    assert talk_period(["2025", "2027"], 2026) == "2025"   # none yet this year: the last one
    assert talk_period(["2027"], 2026) is None             # only next year's plan
    assert talk_period([], 2026) is None
