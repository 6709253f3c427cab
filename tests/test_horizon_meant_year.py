"""A day typed past the horizon is offered back in the year within reach most likely
meant (conversations.horizon.meant_days): the one whose digits differ least from the
year typed, then the nearest to it, never the earlier of two by default; a range's
end follows its start, so the range stays in order."""

from __future__ import annotations

from datetime import date

from conftest import say
from freezegun import freeze_time

from bot.core.coach import Coach
from conversations.horizon import ABSENCE_YEARS, meant_day, meant_days


def test_the_year_nearest_the_one_typed_comes_first() -> None:
    today = date(2026, 12, 1)  # two years of reach: until 1 Dec 2028
    assert meant_days(date(2029, 1, 4), today, ABSENCE_YEARS) == [date(2028, 1, 4), date(2027, 1, 4)]
    assert meant_day(date(2029, 3, 4), today, ABSENCE_YEARS) == date(2028, 3, 4)
    assert meant_day(date(2207, 1, 12), today, ABSENCE_YEARS) == date(2027, 1, 12)  # "2207": 2027 swapped
    assert meant_days(date(2029, 12, 24), today, ABSENCE_YEARS) == [date(2027, 12, 24), date(2026, 12, 24)]
    # a range's end after its start's eve: only years that keep it in order
    assert meant_days(date(2029, 1, 8), today, ABSENCE_YEARS, after=date(2028, 1, 3)) == [date(2028, 1, 8)]
    assert meant_day(date(2032, 2, 29), today, ABSENCE_YEARS) == date(2028, 2, 29)  # a leap year keeps the 29th
    assert meant_day(date(2029, 2, 28), date(2027, 3, 1), 1) == date(2028, 2, 28)  # one year: the one day


async def test_okr_out_of_a_range_in_2029_typed_in_2026_offers_2028(coach: Coach, team: dict[str, int]) -> None:
    with freeze_time("2026-12-01 10:00:00", real_asyncio=True):
        far = await say(coach, team["ravi"], "/okr out 2029-01-04 to 2029-01-08")
        again = await say(coach, team["ravi"], "/okr out 4 January 2028 to 8 January 2028")
    assert "If you meant Tue 4 Jan 2028, type `/okr out 4 January 2028 to 8 January 2028`" in far
    assert "Save it?" in again
