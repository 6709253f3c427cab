"""The numbers the goal-setting math adds as key results (quota, new customers,
retention): the written plan the rep and manager get lists every key result stored,
and a number the rep already wrote as their own key result (the same figure and
unit) is flagged and left out unless picked; the rep picks which numbers to add."""

from __future__ import annotations

from datetime import date

from conftest import RecordingChannel, say
from freezegun import freeze_time
from test_goals_transcript import NOW, objectives, run

from bot.core.coach import Coach
from conversations.answers import Env, Invalid, Valid
from conversations.goal_numbers import picks
from storage.db import Database

START = ["We won three big deals through referrals", "skip", "New territory in the north",
         "Be the partner customers trust", "Follow up within a day",
         "Become the go-to partner for new banks", "done", "skip", "Close 10 new logos by June 30", "yes", "no",
         "10", "95%", "20%", "A third from services",
         "$1.2M", "skip", "skip", "25%", "$40k", "63"]
AFTER = ["Negotiation coaching", "Team lead in two years", "Two history books", "biweekly"]


async def plan_until_offer(coach: Coach, person: int) -> str:
    await say(coach, person, "/okr goals")
    await run(coach, person, START)
    return await say(coach, person, "Better discovery calls")  # levers: the offer comes next


@freeze_time(NOW, real_asyncio=True)
async def test_the_written_plan_lists_every_key_result_that_is_stored(
        coach: Coach, team: dict[str, int], db: Database, outbox: RecordingChannel) -> None:
    ravi, maria = team["ravi"], team["maria"]
    await plan_until_offer(coach, ravi)
    await run(coach, ravi, ["first", "all"])
    preview = await run(coach, ravi, AFTER)
    assert "Shall I save it" in preview
    assert "Saved!" in await say(coach, ravi, "yes")
    stored = [kr.title for _, krs in await objectives(db, ravi) for kr in krs]
    assert stored == ["Close 10 new logos by June 30", "Close $1,200,000 of business in 2027",
                      "Win 10 new customers in 2027", "Keep 95% of my customers through 2027"]
    [to_maria] = outbox.texts_for(maria)
    for title in stored:
        assert title in preview and title in to_maria, title


@freeze_time(NOW, real_asyncio=True)
async def test_a_number_the_rep_already_has_is_flagged_and_left_out_unless_picked(
        coach: Coach, team: dict[str, int], db: Database, outbox: RecordingChannel) -> None:
    ravi, sam = team["ravi"], team["sam"]
    offer = await plan_until_offer(coach, ravi)
    assert ('2. win 10 new customers (your own key result "Close 10 new logos by June 30" already counts this'
            in offer)
    which = await say(coach, ravi, "first")
    assert "`ok` for all but 2" in which
    assert "from 1 to 3" in await say(coach, ravi, "4")  # only three were offered
    await say(coach, ravi, "ok")
    preview = await run(coach, ravi, AFTER)
    assert "Win 10 new customers" not in preview and "Keep 95% of my customers through 2027" in preview
    await say(coach, ravi, "yes")
    [(_, krs)] = await objectives(db, ravi)
    assert [k.title for k in krs] == ["Close 10 new logos by June 30", "Close $1,200,000 of business in 2027",
                                      "Keep 95% of my customers through 2027"]

    await plan_until_offer(coach, sam)  # keeps the quota only
    await run(coach, sam, ["own", "1"] + AFTER + ["yes"])
    stored = await objectives(db, sam)
    assert [(o.title, [k.title for k in krs]) for o, krs in stored] == [
        ("Become the go-to partner for new banks", ["Close 10 new logos by June 30"]),
        ("Hit my 2027 number", ["Close $1,200,000 of business in 2027"])]


def test_picks_reads_all_ok_and_positions_and_refuses_others() -> None:
    env = Env(today=date(2027, 1, 6), answers={"numbers": [{}, {}, {}]})
    assert picks("all", env) == Valid("all")
    assert picks("OK", env) == Valid("suggested")
    assert picks("1, 3", env) == Valid([1, 3]) and picks("3 and 1", env) == Valid([1, 3])
    assert isinstance(picks("4", env), Invalid) and isinstance(picks("quota", env), Invalid)

