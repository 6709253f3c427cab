"""Review lowD: a WIG's deadline is at most three years ahead; a WIG update far from
the last reading is confirmed first, as a key result's is; a currency or percentage
typed for a value counted otherwise is named as what it is; `/okr wig target` and
`/okr wig update` typed bare say what they need."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

import prompts
from bot.core.coach import Coach
from conversations.answers import Env
from conversations.checkin_reading import checkin_value
from conversations.validators import number
from conversations.wig_text import latest_deadline, nearest_ahead
from storage.db import Database
from storage.models import Wig, WigReading

TODAY = "2026-11-30 15:00:00"


async def _rows(db: Database, model: type) -> list:
    async with db.session() as session:
        return list((await session.exec(select(model))).all())


# --- 1. a WIG's deadline is at most three years ahead ------------------------------------

@pytest.mark.parametrize(("when", "example", "meant"), [
    ("2099-01-01", "by 1 Jan 2027", date(2027, 1, 1)),   # a year typed wrongly: that day in the nearest year
    ("1 Jan 2207", "by 1 Jan 2027", date(2027, 1, 1)),
    ("2029-12-01", "by 1 Dec 2027", date(2027, 12, 1)),  # a day past the bound: never offered as tomorrow
])
async def test_a_wig_deadline_years_off_is_asked_again_with_an_example(
        coach: Coach, db: Database, team: dict[str, int], when: str, example: str, meant: date) -> None:
    with freeze_time(TODAY):
        reply = await say(coach, team["maria"], f"/okr wig add Revenue from 1 to 2 by {when}")
        assert "more than 3 years off" in reply and "no later than Fri 30 Nov 2029" in reply, reply
        typed = re.search(r"`/okr (wig add [^`]+)`", reply)
        assert typed is not None and typed.group(1).endswith(example), reply
        assert await _rows(db, Wig) == []
        assert "is set" in await say(coach, team["maria"], f"/okr {typed.group(1)}")  # the example is accepted
        assert "is set" in await say(coach, team["maria"], "/okr wig add ARR from 1 to 2 by 2029-11-30")
    assert [w.by_date for w in await _rows(db, Wig)] == [meant, date(2029, 11, 30)]


def test_the_bound_and_the_example_day() -> None:
    assert latest_deadline(date(2028, 2, 29)) == date(2031, 2, 28)
    assert nearest_ahead(date(2032, 2, 29), date(2026, 11, 30)) == date(2027, 2, 28)
    assert nearest_ahead(date(2099, 12, 1), date(2026, 11, 30)) == date(2027, 12, 1)


# --- 2. a WIG update far from the last reading is confirmed first -------------------------

async def test_a_wig_update_three_times_the_last_value_is_confirmed_first(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(TODAY):
        await say(coach, maria, "/okr wig add Revenue from 1 to 2 by 2027-06-30")
        jump = await say(coach, maria, "/okr wig update 1 150k")
        assert "more than three times the 1 WIG 1 starts from" in jump, jump
        assert "`/okr wig update 1 150000 confirm`" in jump and "now stands" not in jump
        assert await _rows(db, WigReading) == []
        assert "now stands at 150,000" in await say(coach, maria, "/okr wig update 1 150k confirm")
        drop = await say(coach, maria, "/okr wig value 1 2")  # less than a third of the last reading
        assert "less than a third of the 150,000 of its last reading" in drop and "`/okr wig value 1 2 confirm`" in drop
        assert [r.value for r in await _rows(db, WigReading)] == [150_000]
        assert "now stands at 2" in await say(coach, maria, "/okr wig value 1 2 confirm")
        assert "now stands at 3" in await say(coach, maria, "/okr wig update 1 3")  # within three times: kept
    assert [r.value for r in await _rows(db, WigReading)] == [3]


async def test_a_wig_from_zero_asks_about_a_value_far_beyond_its_whole_distance(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    """"From 0" is the usual WIG, and "three times the last reading" means nothing at
    0 (a reviewer: 4000 stored silently on a WIG from 0 to 40 deals). Measured against
    the WIG's whole distance instead; a value near the target is kept at once."""
    maria = team["maria"]
    with freeze_time(TODAY):
        await say(coach, maria, "/okr wig add Logos from 0 to 40 deals by 2027-06-30")
        far = await say(coach, maria, "/okr wig update 1 4000")
        assert "whole distance (from 0 deals to 40 deals)" in far and "`/okr wig update 1 4000 confirm`" in far, far
        assert await _rows(db, WigReading) == []
        assert "now stands at 45" in await say(coach, maria, "/okr wig update 1 45")  # past the target: kept
        assert "now stands at 4,000" in await say(coach, maria, "/okr wig update 1 4000 confirm")
    assert [r.value for r in await _rows(db, WigReading)] == [4000]  # one reading a week: the last kept


# --- 3. a currency or a percentage is named as what it is ----------------------------------

@pytest.mark.parametrize(("typed", "named"), [
    ("€5", "it is an amount in EUR, and this WIG is counted in plain numbers, with no currency"),
    ("5 EUR", "it is an amount in EUR, and this WIG is counted in plain numbers, with no currency"),
    ("5%", "it is a percentage, and this WIG is counted in plain numbers, without a percent sign"),
    ("5 deals", "it counts deals, and this WIG is counted in plain numbers, without a word after them"),
])
async def test_a_unit_typed_for_a_plain_wig_is_named_as_what_it_is(
        coach: Coach, db: Database, team: dict[str, int], typed: str, named: str) -> None:
    with freeze_time(TODAY):
        await say(coach, team["maria"], "/okr wig add Revenue from 1 to 2 by 2027-06-30")
        reply = await say(coach, team["maria"], f"/okr wig update 1 {typed}")
    assert named in reply and "a word after them, so" not in reply.replace(named, ""), reply
    assert await _rows(db, WigReading) == []


def test_a_key_result_and_a_session_answer_name_the_currency_too() -> None:
    read = checkin_value("€5", {"id": 1, "title": "Demos", "unit": "", "current": 2, "target": 10})
    assert read["error"] == "wrong_unit"
    said = str(prompts.render("cadence/checkin/kr_value_retry", answers={"kr_value": "€5", "read": read, "i": 0},
                              context={"key_results": [{"title": "Demos", "unit": "", "current": 2, "target": 10,
                                                        "kind": "total"}]}))
    assert "it is an amount in EUR, and this key result is counted in plain numbers, with no currency" in said, said
    found = number("€5", Env(today=date(2026, 11, 30)), unit="", confirm_negative=True)
    said = str(prompts.render("flows/common/retry", error=found.code, details=found.details,  # type: ignore[union-attr]
                              validator="number", examples={"number": "`12`"}, misses=0))
    assert '"€5" names a currency (EUR) I didn\'t ask for' in said, said


# --- 4. a bare command says what it needs --------------------------------------------------

@pytest.mark.parametrize(("command", "needs"), [
    ("/okr wig target", "To give one rep their own weekly target for a lead measure"),
    ("/okr wig target   ", "To give one rep their own weekly target for a lead measure"),
    ("/okr wig update", "Give the WIG's number and its value now, for example `/okr wig update 1 "),
])
async def test_a_bare_wig_command_says_what_it_needs(
        coach: Coach, team: dict[str, int], command: str, needs: str) -> None:
    with freeze_time(TODAY):
        await say(coach, team["maria"], "/okr wig add Revenue from 1 to 2 by 2027-06-30")
        await say(coach, team["maria"], "/okr wig measure Discovery calls, 10 per week")
        reply = await say(coach, team["maria"], command)
    assert reply.startswith(needs) and '""' not in reply and "`/okr wig " in reply, reply


async def test_a_wig_number_without_a_value_asks_for_the_value(coach: Coach, team: dict[str, int]) -> None:
    """`/okr wig update 1` answered `I couldn't read "1"`: nothing was unreadable, the
    value was missing (a second reviewer). The example is in that WIG's own terms."""
    with freeze_time(TODAY):
        await say(coach, team["maria"], "/okr wig add Logos from 0 to 40 deals by 2027-06-30")
        for typed in ("/okr wig update 1", "/okr wig value #1", "/okr wig update 1 confirm"):
            reply = await say(coach, team["maria"], typed)
            assert "couldn't read" not in reply and "`/okr wig " in reply and " 1 40`" in reply, (typed, reply)
