"""A number that reads two ways keeps what was written with it in the re-ask: "1,005k"
is offered back as `1.0050k` or `1005k`, never a bare `1005` that would be stored a
thousand times too small (reviewer: a key result in NOK, a person whose decimal mark
is unknown). Every suggestion, typed back, reads one way and stores its reading. A
number that starts with 0 ("0,005") has no thousands reading: only the decimal one is
offered, never "`0005`"."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import TeamRow, say
from sqlmodel import select

import prompts
from bot.core.coach import Coach
from conversations.checkin_reading import checkin_value
from conversations.validators import Env, Invalid, validate
from storage import okrs, people
from storage.db import Database
from storage.models import KeyResult

KR = {"unit": "NOK", "current": 1_000_000, "title": "Pipeline"}


def _retry_words(raw: str, kr: dict = KR, mark: str | None = None) -> tuple[dict, str]:
    asked = checkin_value(raw, kr, mark)
    assert (asked["status"], asked["error"]) == ("retry", "ambiguous_number"), asked
    words = prompts.render("cadence/checkin/kr_value_retry", answers={"read": asked, "i": 0, "kr_value": raw},
                           context={"key_results": [kr]})
    return asked, words


def _offered(words: str) -> list[str]:
    """The suggestions of the ambiguous-number sentence (not the key result's example or `skip`)."""
    sentence = words.split(" Please give it like")[0]
    return re.findall(r"`([^`]+)`", sentence)


@pytest.mark.parametrize(("raw", "readings"), [
    ("1,005k", {"1.0050k": 1005.0, "1005k": 1_005_000.0}),
    ("1,005K", {"1.0050K": 1005.0, "1005K": 1_005_000.0}),
    ("1,005 M", {"1.0050 M": 1_005_000.0, "1005 M": 1_005_000_000.0}),
    ("1,005m", {"1.0050m": 1_005_000.0, "1005m": 1_005_000_000.0}),
    ("1,005bn", {"1.0050bn": 1_005_000_000.0, "1005bn": 1_005_000_000_000.0}),
    ("NOK 1,005k", {"NOK 1.0050k": 1005.0, "NOK 1005k": 1_005_000.0}),
    ("1,005k NOK", {"1.0050k NOK": 1005.0, "1005k NOK": 1_005_000.0}),
    ("1,005 thousand NOK", {"1.0050 thousand NOK": 1005.0, "1005 thousand NOK": 1_005_000.0}),
    ("1,5k", {"1.5k": 1500.0, "15k": 15_000.0}),
    # "mnok" is read joined to its number only ("1005MNOK"): offered joined, as it is read
    ("1,005 mnok", {"1.0050mnok": 1_005_000.0, "1005mnok": 1_005_000_000.0}),
    # a remark after the figure is refused typed back ("couldn't read … as one figure"): left out
    ("1,005k NOK, up from last time", {"1.0050k NOK": 1005.0, "1005k NOK": 1_005_000.0}),
])
def test_each_suggestion_keeps_the_suffix_and_reads_back_as_its_reading(raw: str, readings: dict) -> None:
    _, words = _retry_words(raw)
    assert _offered(words) == list(readings), words
    for typed, value in readings.items():
        back = checkin_value(typed, KR, None)
        assert back["status"] in ("ok", "jump") and back["value"] == pytest.approx(value), (typed, back)


@pytest.mark.parametrize("raw", ["0,005", "0,5", "0,250"])
def test_a_number_starting_with_0_is_offered_only_its_decimal_reading(raw: str) -> None:
    asked, words = _retry_words(raw, {"unit": "hours", "current": 1, "title": "Coaching"}, ".")
    assert asked["doubt"]["joined"] is None
    [offered] = _offered(words)
    assert "0" + raw[2:] not in words and "reads two ways" not in words, words
    back = checkin_value(offered, {"unit": "hours", "current": 1}, ".")
    assert back["value"] == pytest.approx(float(raw.replace(",", "."))), (offered, back)


def test_a_count_starting_with_0_offers_no_thousands_reading() -> None:
    _, words = _retry_words("0,5", {"unit": "logos", "current": 1, "title": "New logos"}, ".")
    assert "`05`" not in words and "whole number" in words, words


def test_a_flow_answer_keeps_its_suffix_in_the_re_ask() -> None:
    found = validate("money", "€1,005k", Env(date(2027, 1, 6), "UTC"))
    assert isinstance(found, Invalid) and found.code == "ambiguous_number"
    words = prompts.render("flows/common/retry", error=found.code, details=found.details, validator="money",
                           misses=1)
    assert "`€1.0050k`" in words and "`€1005k`" in words, words
    assert "1005.\n(Type `help`" in words, words  # its own line, not glued to the full stop
    for typed, amount in (("€1.0050k", 1005), ("€1005k", 1_005_000)):
        back = validate("money", typed, Env(date(2027, 1, 6), "UTC"))
        assert back.value["amount"] == pytest.approx(amount), (typed, back)  # type: ignore[union-attr]


async def test_a_check_in_stores_the_thousands_reading_with_its_k(db: Database, coach: Coach) -> None:
    """The reviewer's steps: zone UTC, no country (no decimal mark), a key result in NOK."""
    async with db.session() as session:
        org = await people.ensure_org(session, "Nordic", "UTC")
        await people.upsert_team(session, org.id, [TeamRow("kari@x.com", "Kari", "rep", None, "UTC")])
        [kari] = [p.id for p in await people.team(session, org.id)]
        await okrs.create_objective(session, org.id, kari, "Grow", "2027", 1, [
            {"title": "Pipeline", "target": 2_000_000, "unit": "NOK", "current": 900_000}])
    await say(coach, kari, "/okr checkin")
    asked = await say(coach, kari, "1,005k")
    assert "reads two ways" in asked and "`1005k`" in asked and "`1.0050k`" in asked, asked
    assert "make it" in await say(coach, kari, "1005k")
    await say(coach, kari, "on track")
    for _ in range(3):  # whatever the check-in asks after the last key result
        await say(coach, kari, "skip")
    async with db.session() as session:
        kr = (await session.exec(select(KeyResult).where(KeyResult.title == "Pipeline"))).one()
    assert kr.current_value == 1_005_000


@pytest.mark.parametrize(("raw", "code"), [("1,005 mill", "wrong_unit"), ("1,005 mill NOK", "unknown_words")])
def test_a_number_whose_every_offer_would_be_refused_is_asked_about_its_words(raw: str, code: str) -> None:
    """"mill" is read no way ("1.0050 mill" and "1005 mill" are both refused): the re-ask
    names what it refuses instead of offering answers it would refuse again."""
    asked = checkin_value(raw, KR, None)
    assert (asked["status"], asked["error"]) == ("retry", code), asked
    words = prompts.render("cadence/checkin/kr_value_retry", answers={"read": asked, "i": 0, "kr_value": raw},
                           context={"key_results": [KR]})
    assert "reads two ways" not in words and "`1.0050" not in words and "`1005" not in words, words
    if code == "wrong_unit":
        assert "mill" in words.split(" Please give it like")[0], words


@pytest.mark.parametrize("raw", ["1,005k", "1,005 M", "1,005 mill", "1,005 mnok", "1,005 MNOK",
                                 "1,005k NOK, up from last time",
                                 "1,005 NOK; roughly", "NOK 1,005k", "1,5k", "1,5 mnok", "1,005", "2,5 mill"])
def test_every_offered_answer_typed_back_is_accepted(raw: str) -> None:
    asked = checkin_value(raw, KR, None)
    if asked["error"] != "ambiguous_number":
        return
    words = prompts.render("cadence/checkin/kr_value_retry", answers={"read": asked, "i": 0, "kr_value": raw},
                           context={"key_results": [KR]})
    offers = _offered(words)
    assert offers, words
    for typed in offers:
        back = checkin_value(typed, KR, None)
        assert back["status"] in ("ok", "jump"), (typed, back)
