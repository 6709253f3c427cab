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
from conversations.dates import read_date
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
