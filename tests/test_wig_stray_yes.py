"""A `yes` typed after a WIG value was already stored (no read-back waits anymore) is
told the value is kept and how to change it, never "didn't catch that"; a yes a
conversation asked for still goes to it (bot/features/wig_readback.py: `Stray`)."""

from __future__ import annotations

import pytest
from conftest import say
from freezegun import freeze_time

from bot.core.coach import Coach

TODAY = "2026-11-30 15:00:00"
KEPT = "WIG 1 already stands at 4,000 deals: that is kept, and nothing else is waiting for a `yes` from you."
CHANGE = "To change it, type `/okr wig update 1 VALUE`."
FALLBACK = "didn't catch that"


@pytest.mark.parametrize("stray", ["yes", "Yes.", "ok", "no", "1"])
async def test_a_yes_after_the_read_back_was_kept_says_it_is_kept(coach: Coach, team: dict[str, int],
                                                                  stray: str) -> None:
    maria = team["maria"]
    with freeze_time(TODAY, real_asyncio=True):
        await say(coach, maria, "/okr wig add Logos from 0 to 40 deals by 2027-06-30")
        assert "reply `yes`" in await say(coach, maria, "/okr wig update 1 4000")
        assert "now stands at 4,000 deals" in await say(coach, maria, "yes")
        again = await say(coach, maria, stray)
        assert KEPT in again and CHANGE in again and FALLBACK not in again, again
        assert KEPT in await say(coach, maria, "yes")  # a second one too
        await say(coach, maria, "/okr help")
        assert FALLBACK in await say(coach, maria, "yes")  # another message in between: no longer about it


@pytest.mark.parametrize("typed", ["/okr wig update 1 4000 confirm", "/okr wig update 1 12"])
async def test_a_yes_after_a_value_stored_at_once(coach: Coach, team: dict[str, int], typed: str) -> None:
    maria = team["maria"]
    with freeze_time(TODAY, real_asyncio=True):
        await say(coach, maria, "/okr wig add Logos from 0 to 40 deals by 2027-06-30")
        assert "now stands at" in await say(coach, maria, typed)
        reply = await say(coach, maria, "yes")
        assert "WIG 1 already stands at" in reply and CHANGE in reply and FALLBACK not in reply, reply


async def test_a_yes_a_conversation_asked_for_still_goes_to_it(coach: Coach, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(TODAY, real_asyncio=True):
        await say(coach, maria, "/okr wig add Logos from 0 to 40 deals by 2027-06-30")
        await say(coach, maria, "/okr wig add Pipeline from 0 to 500 deals by 2027-06-30")
        await say(coach, maria, "/okr wig update 2 100")
        await say(coach, maria, "/okr wig start")
        await say(coach, maria, "5")
        assert "Is that right?" in await say(coach, maria, "400")  # the session's read-back of Pipeline
        await say(coach, maria, "/okr wig update 1 6")
        reply = await say(coach, maria, "yes")
        assert "Which one or two things will you commit to" in reply and "already stands" not in reply, reply
