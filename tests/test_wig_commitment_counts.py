"""A WIG session's commitment with a count below zero ("-3", "make -3 calls", "(3)")
is asked again with an example, as every other number of the WIG flow is (its lead
measures' numbers, the lag value of a count WIG, `/okr wig add`, `measure`,
`target`, `update`)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from conversations.answers import Env, Invalid, Valid
from conversations.word_answers import items
from storage.db import Database
from storage.models import Commitment

TODAY = "2026-11-30 15:00:00"
COMMIT = "Which one or two things will you commit to"
ENV = Env(today=date(2026, 11, 30))
BELOW = "counts below zero, and a commitment is something you'll do this week, from one up."


@pytest.mark.parametrize(("typed", "example"), [
    ("-3", "like `book 3 demos`"),
    ("(3)", "like `book 3 demos`"),
    ("−3", "like `book 3 demos`"),
    ("Make -3 calls", "type `Make 3 calls`"),
    ("Call 5 open leads; book -2 demos", "type `Call 5 open leads; book 2 demos`"),
])
async def test_a_commitment_below_zero_is_asked_again_with_an_example(
        coach: Coach, db: Database, team: dict[str, int], typed: str, example: str) -> None:
    maria, ravi = team["maria"], team["ravi"]
    with freeze_time(TODAY, real_asyncio=True):
        await say(coach, maria, "/okr wig add Logos from 0 to 40 deals by 2027-06-30")
        await say(coach, maria, "/okr wig measure Calls, 10 per week")
        await say(coach, ravi, "/okr wig start")
        assert COMMIT in await say(coach, ravi, "4")
        again = await say(coach, ravi, typed)
        assert BELOW in again and example in again and "Done" not in again, again
        assert "Another one?" in await say(coach, ravi, "Book 3 demos")
        assert "Done, Ravi" in await say(coach, ravi, "done")
    async with db.session() as session:
        assert [c.text for c in (await session.exec(select(Commitment))).all()] == ["Book 3 demos"]


@pytest.mark.parametrize(("typed", "kept"), [
    ("- 3 calls to lapsed customers", ["3 calls to lapsed customers"]),   # a bullet, then the item
    ("-Referrals", ["Referrals"]),
    ("Book 3-5 demos", ["Book 3-5 demos"]),                               # a range's dash
    ("Cut churn by -3%", ["Cut churn by -3%"]),                           # a change, not a count
    ("Prepare the Q-3 review", ["Prepare the Q-3 review"]),
])
def test_a_dash_that_is_no_minus_is_kept(typed: str, kept: list[str]) -> None:
    assert items(typed, ENV, max_items=2, counts=True) == Valid(kept)


def test_other_lists_keep_a_number_below_zero_with_its_minus() -> None:
    """Without `counts` (a goal's list of what went well) "-5 deals" is an item, its
    minus no longer taken for a bullet."""
    assert items("-5 deals lost to pricing", ENV) == Valid(["-5 deals lost to pricing"])
    assert isinstance(items("-5 deals", ENV, counts=True), Invalid)


async def test_the_numeric_siblings_ask_a_count_below_zero_again(coach: Coach, team: dict[str, int]) -> None:
    maria, ravi = team["maria"], team["ravi"]
    with freeze_time(TODAY, real_asyncio=True):
        assert "for example `/okr wig add Deals from 3 to 10 deals by 2027-06-30`" in await say(
            coach, maria, "/okr wig add Deals from -3 to 10 deals by 2027-06-30")
        await say(coach, maria, "/okr wig add Logos from 0 to 40 deals by 2027-06-30")
        assert "for example `/okr wig measure Calls, 3 per week`" in await say(
            coach, maria, "/okr wig measure Calls, -3 per week")
        await say(coach, maria, "/okr wig measure Calls, 10 per week")
        assert "for example `/okr wig target @ravi Calls 3`" in await say(
            coach, maria, "/okr wig target @ravi Calls -3")
        assert "for example `/okr wig update 1 3`" in await say(coach, maria, "/okr wig update 1 -3")
        await say(coach, ravi, "/okr wig start")
        measure = await say(coach, ravi, "-3")
        assert "below zero" in measure and "If you meant 3" in measure and COMMIT not in measure, measure
        await say(coach, maria, "/okr wig start")  # the lag measure first: no lead number of her own
        lag = await say(coach, maria, "-3")
        assert "below zero" in lag and "If you meant 3" in lag and COMMIT not in lag, lag
