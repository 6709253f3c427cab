"""Attacker F8, small reading slips: an impossible time with a day is asked about, not
dropped; a whole count is read from the digits as typed (Decimal), not a float; "½"
reads the same in a WIG update and a key result; a numbering prefix ("2. ") is
treated the same in a priority and an objective."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from conversations.checkin_reading import checkin_value, read_in_unit
from conversations.dates import read_date
from conversations.validators import Env, Invalid, Valid, integer, number
from storage.db import Database
from storage.models import Wig


@pytest.mark.parametrize("typed", ["tomorrow 25:00", "by tomorrow 10:61", "Friday 24:30", "Friday 13pm"])
def test_a_day_with_a_time_no_clock_shows_is_not_a_day(typed: str) -> None:
    assert read_date(typed, date(2026, 11, 30), "Europe/Oslo") is None


@pytest.mark.parametrize("typed, day", [("tomorrow 23:00", date(2026, 12, 1)), ("tomorrow 24:00", date(2026, 12, 1)),
                                        ("Friday 9am", date(2026, 12, 4)), ("25.12", date(2026, 12, 25))])
def test_a_day_with_a_real_time_still_reads(typed: str, day: date) -> None:
    found = read_date(typed, date(2026, 11, 30), "Europe/Oslo")
    assert found is not None and found.day == day


async def test_wig_add_by_tomorrow_25_00_is_asked_again_and_sets_nothing(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    with freeze_time("2026-11-30 09:00:00"):
        reply = await say(coach, team["maria"], "/okr wig add T from 0 to 10 deals by tomorrow 25:00")
    assert "is set" not in reply
    async with db.session() as session:
        assert (await session.exec(select(Wig))).all() == []


@pytest.mark.parametrize("typed", ["4.0000000000000001", "3.99999999999999999", "4.0000000000000001 logos"])
def test_a_count_typed_with_a_fraction_too_small_for_a_float_is_asked_again(typed: str) -> None:
    """The float of "4.0000000000000001" is 4.0: the digits typed decide, read as a Decimal."""
    assert read_in_unit(typed, "logos") == (None, "fractional_count")
    assert checkin_value(typed, {"unit": "logos", "current": 2, "target": 10})["error"] == "fractional_count"
    assert integer(typed, Env(date(2026, 11, 30)), unit="logos") == Invalid("not_whole", {"value": 4.0})  # as "3.5"
    assert isinstance(number(typed, Env(date(2026, 11, 30)), unit="logos"), Invalid)


@pytest.mark.parametrize("typed, value", [("4", 4.0), ("4.00", 4.0), ("1.5k", 1500.0), ("2e6", 2e6), ("-0", 0.0)])
def test_whole_counts_in_any_shape_still_read(typed: str, value: float) -> None:
    assert read_in_unit(typed, "logos") == (value, None)
    assert integer(typed, Env(date(2026, 11, 30)), unit="logos") == Valid(int(value))


async def test_wig_update_asks_again_for_4_point_0000000000000001_of_a_count(
        coach: Coach, team: dict[str, int]) -> None:
    with freeze_time("2026-11-30 09:00:00"):
        await say(coach, team["maria"], "/okr wig add Logos from 0 to 10 logos by June 30")
        reply = await say(coach, team["maria"], "/okr wig update 1 4.0000000000000001")
    assert "isn't a whole number" in reply and "now stands" not in reply
