"""Review low faults: a goal whose two ends are in different units ("from $100k to
€200k", "from 100 NOK to 200 SEK", "from 20% to $200k") is asked again with an
example, never read in one of them (`/okr wig add` and a key result); a yearless
day ahead that passed within the last week ("Nov 29" typed on 30 November) is
asked about by the flows' date and key-result readers too, as `/okr wig add` and
`/okr out` do (`passed_days.JUST_PASSED_DAYS`)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

import prompts
from bot.core.coach import Coach
from conversations.answers import Env, Invalid, Valid
from conversations.validators import date_answer, measurable
from storage.db import Database
from storage.models import Wig

NOV30 = "2026-11-30 15:00:00"
ENV = Env(today=date(2026, 11, 30), timezone="America/New_York")


async def _wigs(db: Database) -> list[Wig]:
    async with db.session() as session:
        return list((await session.exec(select(Wig).order_by(Wig.id))).all())  # type: ignore[arg-type]


# --- 1. two units in one goal ------------------------------------------------------------

@pytest.mark.parametrize(("typed", "first", "second"), [
    ("ARR from $100k to €200k by June 30", "USD", "EUR"),
    ("ARR from 100 NOK to 200 SEK by June 30", "NOK", "SEK"),
    ("ARR from 100 USD to €200 by June 30", "USD", "EUR"),
    ("Win rate from 20% to $200k by June 30", "percent", "USD"),   # percent at one end, money at the other
    ("Win rate from $20 to 30% by June 30", "USD", "percent"),
    ("Deals from 10 deals to 20 calls by June 30", "deals", "calls"),
    ("ARR from $5k to €5000 by June 30 confirm", "USD", "EUR"),   # same number, two currencies; confirm no help
])
async def test_a_wig_in_two_units_is_asked_again_with_an_example(
        coach: Coach, db: Database, team: dict[str, int], typed: str, first: str, second: str) -> None:
    with freeze_time(NOV30):
        reply = await say(coach, team["maria"], f"/okr wig add {typed}")
        assert f"starts in {first} and ends in {second}" in reply and "is set" not in reply, reply
        assert await _wigs(db) == []
        for example in re.findall(r"`(/okr wig add [^`]+)`", reply):  # every example it gives is accepted
            assert "is set" in await say(coach, team["maria"], example), example
            await say(coach, team["maria"], "/okr wig close 1")


@pytest.mark.parametrize("typed", [
    "ARR from $100k to 200k by June 30",          # one end without a unit takes the other's
    "ARR from 1.2M to 1.5M EUR by June 30",
    "Deals from 10 deal to 20 deals by June 30",   # one unit, singular and plural
])
async def test_one_unit_at_one_end_is_still_one_unit(coach: Coach, db: Database, team: dict[str, int],
                                                     typed: str) -> None:
    with freeze_time(NOV30):
        assert "is set" in await say(coach, team["maria"], f"/okr wig add {typed}")


@pytest.mark.parametrize(("typed", "first", "second"), [
    ("Grow ARR from $1M to €2M by June 30", "USD", "EUR"),
    ("Grow win rate from 20% to $2M by June 30", "%", "USD"),
    ("Grow ARR from €1M to £2M by June 30", "EUR", "GBP"),
    ("Grow ARR from 100 NOK to 200 SEK by June 30", "NOK", "SEK"),   # was "a range"
    ("Grow ARR 100 NOK to 200 SEK by June 30", "NOK", "SEK"),
])
def test_a_key_result_in_two_units_is_asked_again(typed: str, first: str, second: str) -> None:
    found = measurable(typed, ENV)
    assert isinstance(found, Invalid) and found.code == "mixed_units", found
    assert (found.details["first"], found.details["second"]) == (first, second)
    said = str(prompts.render("flows/goals/key_result_retry", error=found.code, details=found.details,
                              validator="measurable", misses=1))
    assert "counted in one unit" in said, said
    if "%" not in (first, second):  # two currencies: named as such
        assert f"{first} and {second} are two currencies: give both ends in one" in said, said
    examples = re.findall(r"`([^`]+)`", said)
    assert examples and all(isinstance(measurable(e, ENV), Valid) for e in examples), said


def test_a_check_in_value_in_two_currencies_names_them() -> None:
    """The check-in's value question, a sibling: "100 NOK to 200 SEK" names both
    currencies and the key result's own, not "couldn't read it as one figure"."""
    from conversations.checkin_reading import checkin_value

    kr = {"title": "Pipeline", "current": 5000, "target": 10000, "unit": "NOK"}
    read = checkin_value("100 NOK to 200 SEK", kr)
    assert (read["error"], read["currencies"]) == ("two_currencies", ["NOK", "SEK"])
    said = str(prompts.render("cadence/checkin/kr_value_retry", context={"key_results": [kr]},
                              answers={"read": read, "kr_value": "100 NOK to 200 SEK", "i": 0}))
    assert "names two currencies, NOK and SEK, and this key result is counted in NOK" in said, said
    assert "`5000 NOK`" in said


# --- 2. a yearless day of the last week ---------------------------------------------------

@pytest.mark.parametrize("typed", ["Nov 29", "29 November", "11/29", "Nov 23"])
def test_a_day_ahead_that_just_passed_is_asked_about(typed: str) -> None:
    found = date_answer(typed, ENV, future=True)
    assert isinstance(found, Invalid) and found.code == "just_passed", found
    said = str(prompts.render("flows/common/retry", error=found.code, details=found.details,
                              validator="date", misses=1))
    assert "has just passed" in said and "`2027-" in said, said
    example = re.search(r"`(2027-[^`]+)`", said)
    assert example is not None and date_answer(example.group(1), ENV, future=True) == Valid(found.details["next"])


@pytest.mark.parametrize(("typed", "day"), [
    ("Nov 22", "2027-11-22"),   # eight days back: next year's, as before
    ("Dec 1", "2026-12-01"),
    ("Friday", "2026-12-04"),
    ("29 Nov 2027", "2027-11-29"),
])
def test_other_days_ahead_read_as_before(typed: str, day: str) -> None:
    assert date_answer(typed, ENV, future=True) == Valid(day)


def test_a_key_result_due_on_a_day_that_just_passed_is_asked_about() -> None:
    found = measurable("Close 12 logos by Nov 29", ENV)
    assert isinstance(found, Invalid) and found.code == "just_passed", found
    said = str(prompts.render("flows/goals/key_result_retry", error=found.code, details=found.details,
                              validator="measurable", misses=1))
    assert "`by 2027-11-29`" in said, said
    assert isinstance(measurable("Close 12 logos by 2027-11-29", ENV), Valid)
    year_end = measurable("Close 12 logos by December 31", Env(today=date(2027, 1, 6), timezone="Europe/Oslo"))
    assert isinstance(year_end, Invalid) and year_end.code == "just_passed"


def test_inside_a_planned_year_a_yearless_day_falls_in_it() -> None:
    plan = Env(today=date(2026, 11, 30), timezone="America/New_York",
               period=(date(2027, 1, 1), date(2027, 12, 31)))
    assert date_answer("Nov 29", plan, future=True) == Valid("2027-11-29")


async def test_wig_add_by_a_day_that_just_passed_is_still_asked(coach: Coach, db: Database,
                                                                team: dict[str, int]) -> None:
    with freeze_time(NOV30):
        reply = await say(coach, team["maria"], "/okr wig add ARR from 1 to 2 by Nov 29")
        assert "has just passed" in reply and "`/okr wig add ARR from 1 to 2 by 29 Nov 2027`" in reply, reply
        assert await _wigs(db) == []
