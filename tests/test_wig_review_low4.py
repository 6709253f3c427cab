"""Review low4: the weekly WIG session's value question confirms a jump as
`/okr wig update` does; due dates of action items and lead follow-ups have an upper
bound; the "1,5" re-ask on a counted WIG offers each reading once, as a command."""

from __future__ import annotations

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from storage.db import Database
from storage.models import WigReading

TODAY = "2026-11-30 15:00:00"
COMMIT = "Which one or two things will you commit to"


async def _readings(db: Database) -> list[float]:
    async with db.session() as session:
        return [r.value for r in (await session.exec(select(WigReading))).all()]


# --- 1. the session's value question confirms a jump ---------------------------------------

@pytest.mark.parametrize("again", ["yes", "confirm", "4000", "4,000 deals"])
async def test_the_session_asks_once_before_keeping_a_value_far_beyond_a_wig_from_zero(
        coach: Coach, db: Database, team: dict[str, int], again: str) -> None:
    """The reviewer's case: 4000 on a WIG from 0 to 40 deals was stored unasked."""
    maria = team["maria"]
    with freeze_time(TODAY):
        await say(coach, maria, "/okr wig add Logos from 0 to 40 deals by 2027-06-30")
        assert 'Where does "Logos" stand today?' in await say(coach, maria, "/okr wig start")
        far = await say(coach, maria, "4000")
        assert "4,000 deals is more than three times the WIG's whole distance (from 0 deals to 40 deals)" in far, far
        assert COMMIT not in far
        assert COMMIT in await say(coach, maria, again)  # asked once: a yes or the same value keeps it
        await say(coach, maria, "Call five lapsed customers")
        await say(coach, maria, "done")
    assert await _readings(db) == [4000]


async def test_the_session_asks_about_three_times_the_last_reading_and_no_gives_another(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(TODAY):
        await say(coach, maria, "/okr wig add Revenue from 1 to 2 by 2027-06-30")
        await say(coach, maria, "/okr wig update 1 1.5")
        await say(coach, maria, "/okr wig start")
        jump = await say(coach, maria, "150k")
        assert "150,000 is more than three times the 1.5 of its last reading" in jump and COMMIT not in jump, jump
        assert 'Where does "Revenue" stand today?' in await say(coach, maria, "no")
        assert COMMIT in await say(coach, maria, "1.6")  # within three times: kept at once
        await say(coach, maria, "Call five lapsed customers")
        await say(coach, maria, "done")
    assert await _readings(db) == [1.6]
