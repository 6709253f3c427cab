"""A number with a word after it is kept only when the word is the unit asked for
(goal setting, trade-show rehearsal, the WIG session's lead and lag measures), as the
check-in already does ("5 weeks" for logos); a count (meetings, customers, deals) is
never fractional, and an ambiguous "1,5" is asked about with its whole reading only."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import prompts
from conversations import engine
from conversations.counts import is_count_unit
from conversations.engine import RETRY
from conversations.loader import flows
from conversations.validators import Env, Invalid, Valid, integer, money, number, validate

TODAY = date(2027, 1, 6)
NEW_YORK = Env(TODAY, "America/New_York")
NOWHERE = Env(TODAY, "UTC")
CUSTOMERS = ["customers", "clients", "logos", "accounts"]


@pytest.mark.parametrize("raw", ["5 bananas", "12 whatever", "5 weeks", "5 deals please", "5 x"])
def test_a_number_followed_by_another_word_is_asked_again(raw: str) -> None:
    found = integer(raw, NEW_YORK, unit=CUSTOMERS)
    assert isinstance(found, Invalid) and found.code in ("wrong_unit", "unknown_words"), raw
    assert isinstance(integer(raw, NEW_YORK), Invalid)  # no unit given: no word at all
    assert isinstance(number(raw, NEW_YORK, unit="demos"), Invalid)


@pytest.mark.parametrize(("raw", "value"), [("5", 5), ("5 customers", 5), ("5 new customers", 5), ("1 logo", 1),
                                            ("about 5", 5), ("5 or so", 5), ("1,200 clients", 1200)])
def test_the_number_alone_or_with_its_unit_still_reads(raw: str, value: int) -> None:
    assert integer(raw, NEW_YORK, unit=CUSTOMERS) == Valid(value)


def test_money_and_units_of_money_and_measures_keep_working() -> None:
    assert money("€50,000", NEW_YORK) == Valid({"amount": 50000, "currency": "EUR", "symbol": "€"})
    assert number("$1.2M", NEW_YORK, unit="USD") == Valid(1200000)
    assert number("1.2M", NEW_YORK, unit="USD") == Valid(1200000)
    assert isinstance(number("€1.2M", NEW_YORK, unit="USD"), Invalid)
    assert number("1.5 hours", NEW_YORK, unit="hours") == Valid(1.5)  # measured, not counted
    assert number("12 demos", NEW_YORK, unit="demos") == Valid(12)
    assert number("3.5", NEW_YORK) == Valid(3.5)  # no unit known: a fraction is fine


def test_a_count_is_whole() -> None:
    assert [is_count_unit(u) for u in ("logos", "meetings", "deals", "hours", "points", "%", "USD", "$", "")] == \
        [True, True, True, False, False, False, False, False, False]
    for raw in ("1.5", "1.5 demos", "2,5 demos"):
        found = number(raw, Env(TODAY, "Europe/Berlin"), unit="demos")
        assert isinstance(found, Invalid) and found.code == "not_whole", raw
    assert number("1,500 demos", NOWHERE, unit="demos") == Valid(1500)  # 1.5 demos is no reading
    doubt = number("1,5", NEW_YORK, unit="demos")
    assert isinstance(doubt, Invalid) and doubt.details["whole"] is True
    words = prompts.render(RETRY, error=doubt.code, details=doubt.details, validator="number", misses=1)
    assert "`15`" in words and "1.5" not in words
    assert number("1,5", NEW_YORK, unit="hours").details["whole"] is False  # type: ignore[union-attr]


@pytest.mark.parametrize("unit", ["stars", "kg", "liters", "tonnes", "miles"])
def test_a_unit_not_known_to_count_things_keeps_its_fraction(unit: str) -> None:
    """Only the things a sales team counts are whole: "0.5 FTE" or "4.5 stars" is a
    real answer, never refused as "not a whole number"."""
    assert not is_count_unit(unit)
    assert number(f"0.5 {unit}", NOWHERE, unit=unit) == Valid(0.5)


@pytest.mark.parametrize("unit", ["opportunities", "Demos", "calls", "referrals"])
def test_the_things_sales_counts_are_counts_in_any_spelling(unit: str) -> None:
    assert is_count_unit(unit) and is_count_unit(f"{unit} booked") and is_count_unit(f"new {unit}")
    found = number(f"1.5 {unit}", NOWHERE, unit=unit)
    assert isinstance(found, Invalid) and found.code == "not_whole"


def test_the_re_ask_names_the_unit_and_gives_an_example() -> None:
    found = validate("integer", "5 bananas", NEW_YORK, {"unit": CUSTOMERS})
    assert isinstance(found, Invalid)
    words = prompts.render(RETRY, error=found.code, details=found.details, validator="integer", misses=1)
    assert '"5 bananas"' in words and "customers" in words and "`12`" in words and "`12 customers`" in words
    whole = number("1.5 demos", NEW_YORK, unit="demos")
    words = prompts.render(RETRY, error=whole.code, details=whole.details, validator="number", misses=1)  # type: ignore[union-attr]
    assert "isn't a whole number" in words and "`12`" in words


def _at(flow_name: str, step: str, context: dict[str, Any], answers: dict[str, Any] | None = None) -> Any:
    flow = flows()[flow_name]
    state = engine.new_state(flow, context)
    state["step"], state["answers"] = step, dict(answers or {})
    return flow, state


@pytest.mark.parametrize(("flow_name", "step", "context", "answers", "wrong", "right", "value"), [
    ("goals", "new_customers", {"year": "2027"}, {}, "5 bananas", "5 customers", 5),
    ("goals", "cycle", {"year": "2027"}, {}, "90 whatever", "90 days", 90),
    ("event_rehearsal", "meetings_booked", {"event": "SaaStr"}, {}, "12 lunches", "12 meetings", 12),
    ("wig_session", "measure_value", {"measures": [{"id": 1, "title": "Demos", "weekly_target": 5, "unit": "demos",
                                                    "personal": False}]}, {"m": 0}, "3 weeks", "3 demos", 3),
    ("wig_session", "measure_value", {"measures": [{"id": 1, "title": "Demos", "weekly_target": 5, "unit": "demos",
                                                    "personal": False}]}, {"m": 0}, "2.5 demos", "3", 3),
    ("wig_session", "lag_value", {"lag_wigs": [{"id": 1, "title": "ARR", "unit": "USD", "to_value": 1500000}]},
     {"g": 0}, "120 weeks", "$1.2M", 1200000),
])
def test_the_flows_ask_again_for_a_word_that_is_not_their_unit(flow_name: str, step: str, context: dict[str, Any],
                                                               answers: dict[str, Any], wrong: str, right: str,
                                                               value: float) -> None:
    flow, state = _at(flow_name, step, context, answers)
    asked = engine.advance(flow, state, wrong, NEW_YORK)
    assert asked.state["step"] == step and step not in asked.state["answers"], wrong
    assert asked.say[0].template == RETRY
    words = prompts.render(asked.say[0].template, **asked.say[0].values)
    assert "`12`" in words or "whole number" in words
    kept = engine.advance(flow, state, right, NEW_YORK)
    assert kept.state["answers"][step] == value


def test_a_key_result_counted_in_logos_is_whole_when_it_is_set() -> None:
    """Goal setting's key results: "Sign 1.5 new logos" is asked again, "1,500 logos" with
    no decimal mark known is 1,500, "1,5 logos" is asked with 15 only; money keeps 1.5."""
    from conversations.validators import measurable

    half = measurable("Sign 1.5 new logos by end of Q2", NEW_YORK)
    assert isinstance(half, Invalid) and half.code == "not_whole"
    grouped = measurable("Close 1,500 logos by end of Q2", NOWHERE)
    assert isinstance(grouped, Valid) and grouped.value["target"] == 1500 and grouped.value["unit"] == "logos"
    slip = measurable("Close 1,5 logos by end of Q2", NEW_YORK)
    assert isinstance(slip, Invalid) and slip.details["whole"] is True
    money_kr = measurable("Grow pipeline to $1.5M by end of Q2", NEW_YORK)
    assert isinstance(money_kr, Valid) and money_kr.value["target"] == 1500000
    hours = measurable("Coach 1.5 hours a week", NEW_YORK)
    assert isinstance(hours, Valid) and hours.value["target"] == 1.5
