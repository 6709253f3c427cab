"""One currency for the goal-setting plan (seed 000's math only adds up in one): the
first given anywhere, used by the math, the quota key result's title and its unit.
The reviewer saw "Quota €1,200,000" in the math beside a key result titled "Close
$1,200,000 of business in 2027" with no unit ("0 of 1,200,000" in /okr status), and
"400 000 kr" from a rep in New Zealand read as Norwegian kroner."""

from __future__ import annotations

from conftest import say
from freezegun import freeze_time
from test_goals_transcript import EXPECTATIONS, NOW, REFLECTION, TWO, WRAP_UP, objectives, run

from bot.core.coach import Coach
from conversations.answers import Env, Invalid, Valid
from conversations.validators import money
from storage.db import Database
from storage.models import Person


async def _live_in(db: Database, person_id: int, timezone: str, country: str | None = None) -> None:
    async with db.session() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        person.timezone, person.country = timezone, country
        session.add(person)


async def _quota_kr(coach: Coach, db: Database, person: int, math: list[str]) -> tuple[str, object]:
    await say(coach, person, "/okr goals")
    shown = await run(coach, person, REFLECTION + TWO + EXPECTATIONS + math)
    await run(coach, person, ["skip", "own", "all"] + WRAP_UP[2:] + ["yes"])
    stored = await objectives(db, person)
    return shown, stored[-1][1][0]


@freeze_time(NOW, real_asyncio=True)
async def test_a_quota_without_currency_takes_the_first_currency_given(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    ravi = team["ravi"]
    shown, quota = await _quota_kr(coach, db, ravi, ["1.2M", "skip", "skip", "25%", "€40k", "63"])
    assert "Pipeline to create: €4,800,000" in shown and "$" not in shown
    assert (quota.kind, quota.title, quota.unit) == ("quota", "Close €1,200,000 of business in 2027", "EUR")
    status = await say(coach, ravi, "/okr status")
    assert "€0 of €1,200,000" in status


@freeze_time(NOW, real_asyncio=True)
async def test_a_plan_without_any_currency_names_none(coach: Coach, team: dict[str, int], db: Database) -> None:
    ravi = team["ravi"]
    shown, quota = await _quota_kr(coach, db, ravi, ["1.2M", "skip", "skip", "25%", "40k", "63"])
    assert "Pipeline to create: 4,800,000" in shown and "$" not in shown
    assert (quota.title, quota.unit) == ("Close 1,200,000 of business in 2027", "")


@freeze_time(NOW, real_asyncio=True)
async def test_kr_is_asked_about_in_new_zealand_and_the_answer_is_the_plans_currency(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    kiri = team["ravi"]
    await _live_in(db, kiri, "Pacific/Auckland")
    await say(coach, kiri, "/okr goals")
    await run(coach, kiri, REFLECTION + TWO + EXPECTATIONS + ["1.2M"])
    asked = await say(coach, kiri, "400 000 kr")
    assert "NOK, SEK, DKK or ISK?" in asked and "`400000 SEK`" in asked
    await say(coach, kiri, "400 000 SEK")
    refused = await run(coach, kiri, ["skip", "25%", "$40k"])
    assert "Your plan is in SEK" in refused                    # one currency: the first given
    shown = await run(coach, kiri, ["40k", "63"])
    assert "Still to win: 800,000 SEK (quota 1,200,000 SEK, less 400,000 SEK already booked)" in shown
    await run(coach, kiri, ["skip", "own", "all"] + WRAP_UP[2:] + ["yes"])
    quota = (await objectives(db, kiri))[-1][1][0]
    assert (quota.title, quota.unit, quota.current_value) == (
        "Close 1,200,000 SEK of business in 2027", "SEK", 400_000)


def test_kr_is_the_persons_own_krona_where_it_can_only_be_one() -> None:
    from datetime import date

    def read(raw: str, timezone: str, country: str | None = None) -> object:
        return money(raw, Env(today=date(2027, 1, 6), timezone=timezone, country=country))

    assert read("400 000 kr", "Europe/Stockholm") == Valid({"amount": 400_000, "currency": "SEK", "symbol": "SEK "})
    assert read("400 000 kr", "Europe/Oslo") == Valid({"amount": 400_000, "currency": "NOK", "symbol": "NOK "})
    assert read("400.000 kr.", "UTC", "DK") == Valid({"amount": 400_000, "currency": "DKK", "symbol": "DKK "})
    assert read("400 000 kr", "UTC", "IS") == Valid({"amount": 400_000, "currency": "ISK", "symbol": "ISK "})
    asked = read("400 000 kr", "Pacific/Auckland")
    assert isinstance(asked, Invalid) and asked.code == "ambiguous_krona"
    assert asked.details["options"] == ["NOK", "SEK", "DKK", "ISK"]
    assert read("400 000 NOK", "Pacific/Auckland") == Valid({"amount": 400_000, "currency": "NOK", "symbol": "NOK "})


def test_the_plans_quota_is_in_the_first_currency_given() -> None:
    from conversations.plan_currency import plan_quota

    bare = {"amount": 1_200_000, "currency": None, "symbol": "$"}
    euro = {"amount": 40_000, "currency": "EUR", "symbol": "€"}
    assert plan_quota(bare, deal_value=euro) == {"amount": 1_200_000, "currency": "EUR", "symbol": "€"}
    sek = {"amount": 1, "currency": "SEK", "symbol": "SEK "}
    assert plan_quota(bare, booked=sek, deal_value=euro)["currency"] == "SEK"
    assert plan_quota(bare) == {"amount": 1_200_000, "currency": None, "symbol": ""}
    assert plan_quota(None, deal_value=euro) is None
