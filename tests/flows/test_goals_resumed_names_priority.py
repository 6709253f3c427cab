"""A goal-setting conversation picked up again names what its question is about: the
priority being turned into an objective ("Let's make it an objective" read alone,
after a pause, leaves "it" to guess), the key result a "By when?" asks about, the
objective "another key result" adds to. Asked straight on, the line before says it."""

from __future__ import annotations

from conftest import say
from freezegun import freeze_time

from bot.core.coach import Coach

REFLECTION = ["We won three big deals through referrals", "skip", "New territory in the north",
              "Be the partner customers trust", "Follow up within a day"]
PRIORITIES = "Win mid-market; Grow our top ten accounts; Build a prospecting habit"


async def _run(coach: Coach, person: int, lines: list[str]) -> str:
    out = ""
    for line in lines:
        out = await say(coach, person, line)
    return out


@freeze_time("2027-01-06 09:00:00", real_asyncio=True)
async def test_the_resumed_objective_question_names_its_priority(coach: Coach, team: dict[str, int]) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr goals")
    first = await _run(coach, ravi, [*REFLECTION, PRIORITIES, "skip", "Close 12 new logos by end of Q2", "yes",
                                     "no"])
    assert "Priority 2 of 3:* Grow our top ten accounts" in first, first  # asked straight on: the intro names it
    assert first.count("Grow our top ten accounts") == 1, first          # …once
    resumed = await say(coach, ravi, "/okr goals")
    assert "Welcome back" in resumed, resumed
    assert "Grow our top ten accounts" in resumed.split("Here's where we stopped", 1)[1], resumed
    assert "priority 2 of 3" in resumed.lower(), resumed


@freeze_time("2027-01-06 09:00:00", real_asyncio=True)
async def test_the_resumed_by_when_names_its_key_result(coach: Coach, team: dict[str, int]) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr goals")
    asked = await _run(coach, ravi, [*REFLECTION, PRIORITIES, "skip", "Book 40 meetings", "yes"])
    assert "By when?" in asked, asked
    resumed = await say(coach, ravi, "/okr goals")
    assert "Book 40 meetings" in resumed and "Win mid-market" in resumed, resumed


@freeze_time("2027-01-06 09:00:00", real_asyncio=True)
async def test_the_resumed_another_key_result_names_its_objective(coach: Coach, team: dict[str, int]) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr goals")
    asked = await _run(coach, ravi, [*REFLECTION, PRIORITIES, "Own mid-market", "Close 12 new logos by end of Q2",
                                     "yes"])
    assert "add another key result" in asked, asked
    resumed = await say(coach, ravi, "/okr goals")
    assert "Own mid-market" in resumed, resumed
