"""A count is never negative nor longer than 15 digits; money below zero is read back
first; and `/okr wig update`'s re-asks name the WIG that was typed (review items 4, 8)."""

from __future__ import annotations

from datetime import date
from typing import Any

from conftest import say
from freezegun import freeze_time

import prompts
from bot.core.coach import Coach
from conversations import engine
from conversations.checkin_reading import checkin_value
from conversations.counts import MAX_WHOLE
from conversations.engine import CONFIRM, RETRY
from conversations.loader import flows
from conversations.validators import Env, Invalid, Valid, integer, number

ENV = Env(today=date(2027, 4, 1), timezone="America/New_York")
LOGOS = {"title": "Close 40 new logos", "unit": "logos", "current": 12.0, "target": 40.0}


# --- validators ---------------------------------------------------------------------

def test_a_negative_count_is_asked_again_even_without_a_minimum() -> None:
    assert isinstance(found := number("-5 deals", ENV, unit="deals"), Invalid) and found.code == "negative"
    assert isinstance(found := number("(5)", ENV, unit="deals"), Invalid) and found.code == "negative"
    for raw in ("(5)", "-5"):
        found = integer(raw, ENV)
        assert isinstance(found, Invalid) and found.code == "negative" and found.details["positive"] == 5
    words = prompts.render(RETRY, error=found.code, details=found.details, validator="integer", misses=1)
    assert "below zero" in words and "5" in words and "`12`" in words
    assert integer("-5", ENV, min=-10) == Valid(-5)  # a caller that allows it says so
    assert number("5 deals", ENV, unit="deals") == Valid(5.0)


def test_money_below_zero_without_a_minimum_is_read_back_first() -> None:
    found = number("-$5k", ENV, unit="USD", confirm_negative=True)
    assert isinstance(found, Valid) and found.value == -5000 and found.confirm is not None
    words = prompts.render(CONFIRM, details=found.confirm)
    assert "-$5,000 is below zero" in words and "below zero" in words and "$5,000" in words
    assert number("$5k", ENV, unit="USD", confirm_negative=True) == Valid(5000.0)  # no question for a positive one
    assert isinstance(found := number("-$5k", ENV, unit="USD", min=0), Invalid) and found.code == "negative"
    assert number("-5", ENV) == Valid(-5.0)  # a plain number where no one asked for the read-back


def _lag(unit: str) -> tuple[Any, dict[str, Any]]:
    flow = flows()["wig_session"]
    state = engine.new_state(flow, {"lag_wigs": [{"id": 1, "title": "ARR", "unit": unit, "to_value": 40}]})
    state["step"], state["answers"] = "lag_value", {"g": 0, "lag": []}
    return flow, state


def test_the_wig_session_lag_step_refuses_a_negative_count_and_confirms_negative_money() -> None:
    flow, state = _lag("deals")
    asked = engine.advance(flow, state, "-5 deals", ENV)
    assert asked.state["step"] == "lag_value" and "lag_value" not in asked.state["answers"]
    assert asked.say[0].template == RETRY and asked.say[0].values["error"] == "negative"
    flow, state = _lag("USD")
    doubt = engine.advance(flow, state, "-$5k", ENV)
    assert doubt.state["step"] == "lag_value" and "lag_value" not in doubt.state["answers"]
    assert doubt.say[0].template == CONFIRM
    kept = engine.advance(flow, doubt.state, "yes", ENV)
    assert kept.state["answers"]["lag_value"] == -5000


# --- the check-in -------------------------------------------------------------------

def test_a_check_in_count_below_zero_or_past_fifteen_digits_is_asked_again() -> None:
    for raw in ("-5", "(5)", "-5 logos"):
        assert checkin_value(raw, LOGOS, ".")["error"] == "negative_count", raw
    too_long = checkin_value("99999999999999999999", LOGOS, ".")
    assert too_long["status"] == "retry" and too_long["error"] == "too_large"
    kr = {**LOGOS, "id": 1, "confidence": 7}
    for read, given, said in ((too_long, "99999999999999999999", "999,999,999,999,999 at most"),
                              (checkin_value("-5", LOGOS, "."), "-5", "below zero")):
        words = prompts.render("cadence/checkin/kr_value_retry", context={"key_results": [kr]},
                               answers={"i": 0, "read": read, "kr_value": given})
        assert said in words and "couldn't read" not in words
    assert checkin_value("999999999999999", LOGOS, ".")["value"] == MAX_WHOLE
    assert checkin_value("-5", {"unit": "USD", "current": 10.0}, ".")["status"] == "jump"  # money: confirmed


# --- /okr wig update ----------------------------------------------------------------

async def _two_wigs(coach: Coach, maria: int) -> None:
    await say(coach, maria, "/okr wig add Signed deals from 10 to 40 deals by July 1 2027")
    await say(coach, maria, "/okr wig add New ARR from $1M to $1.5M by July 1 2027")


async def test_wig_update_refuses_a_negative_count_and_confirms_negative_money(
        coach: Coach, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time("2027-04-01 15:00:00"):
        await _two_wigs(coach, maria)
        count = await say(coach, maria, "/okr wig update 1 -5 deals")
        assert "below zero" in count and "`/okr wig update 1 5`" in count and "now stands" not in count
        money = await say(coach, maria, "/okr wig update 2 -$5k")
        assert "below zero" in money and "`/okr wig update 2 -5000 confirm`" in money
        assert "now stands" not in money
        board = await say(coach, maria, "/okr scorecard")
        assert "5,000" not in board and "-5" not in board
        kept = await say(coach, maria, "/okr wig update 2 -5000 confirm")
        assert "now stands at -$5,000" in kept  # the sign before the symbol, not "$-5,000"
        assert "below zero" in await say(coach, maria, "/okr wig update 1 -5 confirm")  # a count: never


async def test_a_wig_confirmed_below_zero_takes_values_in_its_range_without_asking_again(
        coach: Coach, team: dict[str, int]) -> None:
    """A net-cash WIG agreed from -$50k to -$10k (confirmed once when set): -$30k is
    inside what was agreed and is stored; -$70k, below its start, is asked about."""
    maria = team["maria"]
    with freeze_time("2027-04-01 15:00:00"):
        set_up = await say(coach, maria, "/okr wig add Net burn from -$50k to -$10k by July 1 2027 confirm")
        assert "below zero" not in set_up
        assert "now stands at -$30,000" in await say(coach, maria, "/okr wig update 1 -$30k")
        asked = await say(coach, maria, "/okr wig update 1 -$70k")
        assert "below zero" in asked and "now stands" not in asked


async def test_wig_update_examples_name_the_wig_typed_in_its_unit(coach: Coach, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time("2027-04-01 15:00:00"):
        await _two_wigs(coach, maria)
        for raw in ("1,2M", "1.500", "€1.2M", "12 deals"):
            reply = await say(coach, maria, f"/okr wig update 2 {raw}")
            assert "`/okr wig update 2 " in reply and "`/okr wig update 1 " not in reply, (raw, reply)
        assert "`/okr wig update 2 1.2M`" in await say(coach, maria, "/okr wig update 2 1,2M")  # not $1.20
        other = await say(coach, maria, "/okr wig update 2 €1.2M")
        assert "`/okr wig update 2 1500000`" in other
        half = await say(coach, maria, "/okr wig update 1 12.5")
        assert "`/okr wig update 1 40`" in half
        long = await say(coach, maria, "/okr wig update 2 99999999999999999999")
        assert "999,999,999,999,999 at most" in long and "couldn't read" not in long
        assert "999,999,999,999,999 at most" in await say(coach, maria, "/okr wig update 1 99999999999999999999")
        board = await say(coach, maria, "/okr scorecard")
    assert "9999" not in board


async def test_adding_a_wig_or_lead_measure_refuses_a_negative_count_or_too_many_digits(
        coach: Coach, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time("2027-04-01 15:00:00"):
        below = await say(coach, maria, "/okr wig add Signed deals from -5 to 40 deals by July 1 2027")
        assert "without a minus" in below and "is set" not in below
        huge = await say(coach, maria, "/okr wig add Big from 1 to 99999999999999999999 deals by July 1 2027")
        assert "999,999,999,999,999 at most" in huge and "is set" not in huge
        churn = await say(coach, maria, "/okr wig add Churn from -5 to 10 % by July 1 2027")  # not a count:
        assert "below zero" in churn and "is set" not in churn  # read back first, as `/okr wig update` does
        assert "is set" in await say(coach, maria, "/okr wig add Churn from -5 to 10 % by July 1 2027 confirm")
        calls = await say(coach, maria, "/okr wig measure Calls, 99999999999999999999 per week")
        assert "999,999,999,999,999 at most" in calls and "added" not in calls
        board = await say(coach, maria, "/okr wig")
    assert "Signed deals" not in board and "Big" not in board and "Calls" not in board
