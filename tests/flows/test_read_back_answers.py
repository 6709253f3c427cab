"""What a person types at a flow's read-back ("… is that right? 1. Yes 2. No") when its
card is gone (a command's reply in between) or when it is neither yes nor no: the
value read back is never dropped unsaid, never kept without a yes, and the value the
read-back itself invites is taken (the second reviewer's findings)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from conversations.answers import Env, Invalid, Valid
from conversations.word_answers import yesno
from storage.db import Database
from storage.models import WigReading

COMMIT = "Which one or two things will you commit to"


async def _readings(db: Database) -> list[float]:
    async with db.session() as session:
        return [r.value for r in (await session.exec(select(WigReading).order_by(WigReading.id))).all()]


async def _commit(coach: Coach, maria: int) -> None:
    """The session's last question answered: what it read is stored."""
    with freeze_time("2027-01-04 15:05:00"):
        await say(coach, maria, "Call five lapsed customers")
        await say(coach, maria, "done")


async def _session_at(coach: Coach, maria: int, wig: str, last: str, typed: str) -> str:
    await say(coach, maria, f"/okr wig add {wig} by July 1 2027")
    await say(coach, maria, f"/okr wig update 1 {last}")
    await say(coach, maria, "/okr wig start")
    return await say(coach, maria, typed)


async def test_words_that_are_neither_yes_nor_no_keep_the_read_back(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00"):
        asked = await _session_at(coach, maria, "Logos from 0 to 500 deals", "100", "400")
        assert "Is that right?" in asked, asked
        again = await say(coach, maria, "yes, that is right")
        assert "A simple `yes` or `no` will do." in again and "400 deals is more than three times" in again, again
        kept = await say(coach, maria, "yes")
    assert COMMIT in kept, kept
    await _commit(coach, maria)
    assert (await _readings(db))[-1] == 400


@pytest.mark.parametrize(("last", "typed", "read_back", "between", "answer", "kept"), [
    # 2 read back (ten times the last 0.2 on a WIG to 3): `2` again is the value, a yes,
    # not the card's No
    ("0.2", "2", "Is that right?", "/okr status", "2", 2),
    # "(1)" reads as -1, read back with "if you meant 1, say no and type it": `1` is that
    # 1, never a yes to -1
    ("0.5", "(1)", "below zero", "/okr help", "1", 1),
])
async def test_a_number_typed_after_a_command_at_a_read_back_is_what_it_invites(
        coach: Coach, team: dict[str, int], db: Database, last: str, typed: str, read_back: str,
        between: str, answer: str, kept: float) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00"):
        asked = await _session_at(coach, maria, "Revenue from 0 to 3", last, typed)
        assert read_back in asked, asked
        await say(coach, maria, between)
        assert COMMIT in await say(coach, maria, answer)
    await _commit(coach, maria)
    assert (await _readings(db))[-1] == kept


def test_a_yes_or_no_question_takes_the_number_of_its_button() -> None:
    env = Env(today=date(2027, 1, 4))
    assert yesno("1", env) == Valid("yes") and yesno("(2)", env) == Valid("no") and yesno("1.", env) == Valid("yes")
    assert isinstance(yesno("3", env), Invalid) and isinstance(yesno("12", env), Invalid)
