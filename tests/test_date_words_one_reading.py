"""Day words typed on the very day they name read one way in `/okr wig add` and in a
key result: "by the 1st" typed on the 1st is next month's 1st (the WIG offered next
YEAR's), "by the 15th" on the 15th next month's, "by Monday" on a Monday next week's;
"end of month" on its last day is today for both, and the WIG, which needs a day
ahead, offers the end of next month (not the same day a year on). A WIG due by an
approximate day ("mid June", "first week of June") is read back before it is set,
as a key result's is. Each is tried for a manager east of UTC (Kolkata) and west of
it (Los Angeles), at a moment whose UTC date is another day than the local one."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from conftest import say
from freezegun import freeze_time
from sqlalchemy import update
from sqlmodel import select

from bot.core.clock import local_day
from bot.core.coach import Coach
from conversations.answers import Env, Valid
from conversations.validators import date_answer, measurable
from storage.db import Database
from storage.models import Person, Wig

# (zone, UTC moment) where the local day is the named day and the UTC day is not
EAST, WEST = "Asia/Kolkata", "America/Los_Angeles"
ON = {  # local day -> {zone: UTC moment}
    date(2027, 5, 1): {EAST: "2027-04-30 20:00:00", WEST: "2027-05-02 03:00:00"},
    date(2027, 5, 15): {EAST: "2027-05-14 20:00:00", WEST: "2027-05-16 03:00:00"},
    date(2027, 5, 3): {EAST: "2027-05-02 20:00:00", WEST: "2027-05-04 03:00:00"},   # a Monday
    date(2027, 5, 31): {EAST: "2027-05-30 20:00:00", WEST: "2027-06-01 03:00:00"},  # May's last day
}
CASES = [  # typed, on that local day, read as
    ("the 1st", date(2027, 5, 1), date(2027, 6, 1)),
    ("the 15th", date(2027, 5, 15), date(2027, 6, 15)),
    ("Monday", date(2027, 5, 3), date(2027, 5, 10)),
]


async def _wigs(db: Database) -> list[Wig]:
    async with db.session() as session:
        return list((await session.exec(select(Wig).order_by(Wig.id))).all())  # type: ignore[arg-type]


async def _in_zone(db: Database, person: int, zone: str) -> None:
    async with db.session() as session:
        await session.exec(update(Person).where(Person.id == person).values(timezone=zone))  # type: ignore[call-overload]


def _key_result_due(typed: str, zone: str) -> str | None:
    """A key result's "by …" as the goals flow reads it now (its Env: the person's local day)."""
    kr = measurable(f"Close 12 new logos by {typed}", Env(local_day(datetime.now().astimezone(), zone), zone))
    assert isinstance(kr, Valid), kr
    return kr.value["due"]


@pytest.mark.parametrize("zone", [EAST, WEST])
@pytest.mark.parametrize(("typed", "on", "meant"), CASES)
async def test_a_wig_and_a_key_result_read_a_day_typed_on_that_day_as_the_next_one(
        coach: Coach, db: Database, team: dict[str, int], zone: str, typed: str, on: date, meant: date) -> None:
    maria = team["maria"]
    await _in_zone(db, maria, zone)
    with freeze_time(ON[on][zone]):
        assert local_day(datetime.now().astimezone(), zone) == on
        reply = await say(coach, maria, f"/okr wig add New ARR from $1M to $1.5M by {typed}")
        due = _key_result_due(typed, zone)
    assert "is set" in reply and meant.strftime("%d %b %Y").lstrip("0") in reply, reply
    assert [w.by_date for w in await _wigs(db)] == [meant]
    assert due == meant.isoformat()


@pytest.mark.parametrize("zone", [EAST, WEST])
async def test_end_of_month_on_its_last_day_is_today_and_the_wig_offers_next_months_end(
        coach: Coach, db: Database, team: dict[str, int], zone: str) -> None:
    maria = team["maria"]
    await _in_zone(db, maria, zone)
    with freeze_time(ON[date(2027, 5, 31)][zone]):
        reply = await say(coach, maria, "/okr wig add New ARR from $1M to $1.5M by end of month")
        due = _key_result_due("end of month", zone)
    assert due == "2027-05-31"  # a key result may be due today; a WIG needs a day ahead
    assert "is today" in reply and "`by 30 Jun 2027`" in reply and "2028" not in reply, reply
    assert await _wigs(db) == []


def test_a_day_of_the_month_said_on_that_day_is_next_months_also_as_an_answer() -> None:
    env = Env(date(2027, 5, 1), EAST)
    assert date_answer("by the 1st", env, future=True) == Valid("2027-06-01")
    assert date_answer("the 1st of this month", env, future=True) == Valid("2027-05-01")  # said so: today
    assert date_answer("the 1st", env, past=True) == Valid("2027-05-01")  # a day that happened: today's
    planned = Env(date(2026, 12, 1), EAST, period=(date(2027, 1, 1), date(2027, 12, 31)))
    assert date_answer("the 1st", planned, future=True) == Valid("2027-01-01")  # the plan's first day


@pytest.mark.parametrize("zone", [EAST, WEST])
@pytest.mark.parametrize(("typed", "day"), [("mid June", date(2027, 6, 15)),
                                            ("first week of June", date(2027, 6, 7))])
async def test_a_wig_by_an_approximate_day_is_read_back_before_it_is_set(
        coach: Coach, db: Database, team: dict[str, int], zone: str, typed: str, day: date) -> None:
    maria = team["maria"]
    await _in_zone(db, maria, zone)
    line = f"New ARR from $1M to $1.5M by {typed}"
    with freeze_time(ON[date(2027, 5, 1)][zone]):
        asked = await say(coach, maria, f"/okr wig add {line}")
        assert "is set" not in asked and "no one exact day" in asked and f"{day:%a} {day.day} {day:%b %Y}" in asked
        assert f"`/okr wig add {line} confirm`" in asked and "reply `yes`" in asked
        assert f"`/okr wig add New ARR from $1M to $1.5M by {day.day} {day:%b %Y}`" in asked  # another day: typed so
        assert await _wigs(db) == []
        kept = await say(coach, maria, "yes")
    assert "is set" in kept, kept
    assert [w.by_date for w in await _wigs(db)] == [day]


async def test_a_wig_by_an_approximate_day_typed_with_confirm_is_set(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    with freeze_time("2027-04-01 15:00:00"):
        reply = await say(coach, team["maria"], "/okr wig add New ARR from $1M to $1.5M by mid June confirm")
    assert "is set" in reply and "15 Jun 2027" in reply
    assert [w.by_date for w in await _wigs(db)] == [date(2027, 6, 15)]


def test_a_key_result_by_an_approximate_day_is_read_back_too() -> None:
    """The reading the WIG path now follows (unchanged here)."""
    kr = measurable("Close 12 new logos by mid June", Env(date(2027, 5, 1), WEST))
    assert isinstance(kr, Valid) and kr.confirm is not None and kr.confirm["note"] == "approximate"
