"""Review lowB: the "1,5 reads two ways" examples are the command as typed for every
alias of it; a yearless WIG deadline that has just passed is asked about with its
year; `/okr wig` and the WIG session name the week they show; `/okr done N` (and its
siblings) tell a number that matches nothing from a word that is no number."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from storage.db import Database
from storage.models import Wig

APRIL = "2027-04-01 15:00:00"


async def _wigs(db: Database) -> list[Wig]:
    async with db.session() as session:
        return list((await session.exec(select(Wig).order_by(Wig.id))).all())  # type: ignore[arg-type]


# --- 1. the two readings' examples keep the alias and every word typed -------------------

@pytest.mark.parametrize(("typed", "decimal", "grouped"), [
    ("update 1 1,5", "update 1 1.5", "update 1 15"),
    ("value 1 1,5", "value 1 1.5", "value 1 15"),
    ("now-at 1 1,5", "now-at 1 1.5", "now-at 1 15"),
    ("Value 1 1,5 confirm", "Value 1 1.5 confirm", "Value 1 15 confirm"),
    ("now-at 1 to 1,2M confirm", "now-at 1 to 1.2M confirm", "now-at 1 to 12M confirm"),
    ("set FTE from 1,5 to 3 by June 30 confirm", "set FTE from 1.5 to 3 by June 30 confirm",
     "set FTE from 15 to 3 by June 30 confirm"),
    ("lead Demos, 1,5 per week", "lead Demos, 1.5 per week", "lead Demos, 15 per week"),
])
async def test_the_two_readings_are_the_command_as_typed_for_every_alias(
        coach: Coach, team: dict[str, int], typed: str, decimal: str, grouped: str) -> None:
    maria = team["maria"]  # New York: "." is the decimal mark, "1,5" is in doubt
    with freeze_time(APRIL):
        assert "is set" in await say(coach, maria, "/okr wig add Net score from 10 to 40 by June 30")
        reply = await say(coach, maria, f"/okr wig {typed}")
    assert "reads two ways" in reply, reply
    assert f"`/okr wig {decimal}`" in reply and f"`/okr wig {grouped}`" in reply, reply
    if not typed.lower().startswith("update"):
        assert "/okr wig update" not in reply


async def test_a_count_offers_its_whole_reading_as_the_command_typed(coach: Coach, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(APRIL):
        await say(coach, maria, "/okr wig add Signed deals from 10 to 40 deals by June 30")
        reply = await say(coach, maria, "/okr wig now-at 1 1,5")
    assert "`/okr wig now-at 1 15`" in reply and "/okr wig update" not in reply, reply


# --- 2. a yearless deadline that has just passed ------------------------------------------

@pytest.mark.parametrize(("moment", "typed", "passed", "example"), [
    ("2026-11-30 17:00:00", "Nov 29", "29 Nov 2026", "by 29 Nov 2027"),
    ("2026-11-30 17:00:00", "23 November", "23 Nov 2026", "by 23 Nov 2027"),   # a week ago to the day
    ("2027-01-02 17:00:00", "Dec 31", "31 Dec 2026", "by 31 Dec 2027"),        # across the year end
    ("2026-12-01 03:00:00", "Nov 29", "29 Nov 2026", "by 29 Nov 2027"),        # still 30 Nov in New York
])
async def test_a_deadline_that_just_passed_is_asked_about_with_its_year(
        coach: Coach, db: Database, team: dict[str, int], moment: str, typed: str, passed: str,
        example: str) -> None:
    maria = team["maria"]
    with freeze_time(moment):
        reply = await say(coach, maria, f"/okr wig set Deals from 5 to 10 by {typed} confirm")
        assert "just passed" in reply and passed in reply and "is set" not in reply, reply
        assert f"`/okr wig set Deals from 5 to 10 {example} confirm`" in reply, reply
        assert await _wigs(db) == []
        assert "is set" in await say(coach, maria, f"/okr wig set Deals from 5 to 10 {example}")
    assert [w.by_date for w in await _wigs(db)] == [date(int(example[-4:]), *(
        (11, int(example.split()[1])) if "Nov" in example else (12, 31)))]


@pytest.mark.parametrize(("moment", "typed", "kept"), [
    ("2026-11-30 17:00:00", "Nov 22", date(2027, 11, 22)),    # eight days back: next year's
    ("2026-12-01 04:00:00", "Nov 22", date(2027, 11, 22)),    # 30 Nov 23:00 in New York
    ("2026-11-30 17:00:00", "Dec 29", date(2026, 12, 29)),    # ahead: this year's
    ("2027-01-02 17:00:00", "Dec 20", date(2027, 12, 20)),
])
async def test_a_day_further_back_reads_as_its_next_turn(
        coach: Coach, db: Database, team: dict[str, int], moment: str, typed: str, kept: date) -> None:
    with freeze_time(moment):
        reply = await say(coach, team["maria"], f"/okr wig add Deals from 5 to 10 by {typed}")
    assert "is set" in reply, reply
    assert [w.by_date for w in await _wigs(db)] == [kept]
