"""Numbers with units of several words, three-capital units that are no currency, and
whole numbers too long to keep exact (review of conversations/counts.py)."""

from __future__ import annotations

import datetime

import pytest

from conversations.amounts import COUNT, MONEY, read_amount, unit_kind
from conversations.answers import Env, Invalid, Valid
from conversations.checkin_reading import checkin_value, unit_of
from conversations.counts import MAX_WHOLE, currency_of, is_count_unit, unit_fit
from conversations.validators import integer, measurable, number, validate
from prompts import render

ENV = Env(today=datetime.date(2027, 1, 11))


# --- B: a unit of more than one word -------------------------------------------------

@pytest.mark.parametrize(("raw", "unit"), [
    ("5 deals closed", "deals closed"), ("5 deals", "deals closed"), ("5 deal", "deals closed"),
    ("5 new logos", "new logos"), ("5 logos", "new logos"),
    ("2 calls", "discovery calls"), ("2 discovery calls", "discovery calls"),
    ("5 deals closed so far", "deals closed"), ("12 story points", "story points"), ("12 points", "story points"),
])
def test_a_unit_of_several_words_is_named_by_its_counted_noun(raw: str, unit: str) -> None:
    assert number(raw, ENV, unit=unit) == Valid(float(raw.split()[0]))
    assert integer(raw, ENV, unit=unit) == Valid(int(raw.split()[0]))


@pytest.mark.parametrize(("raw", "unit"), [
    ("1.5 deals closed", "deals closed"), ("1.5 deals", "deals closed"), ("2.5 calls", "discovery calls"),
    ("1.5 new logos", "new logos"),
])
def test_a_fraction_in_a_count_of_several_words_is_still_asked_again(raw: str, unit: str) -> None:
    assert number(raw, ENV, unit=unit) == Invalid("not_whole", {"value": float(raw.split()[0])})


@pytest.mark.parametrize(("raw", "unit", "code"), [
    ("2 discovery", "discovery calls", "wrong_unit"),  # the counted noun left out
    ("5 weeks", "deals closed", "wrong_unit"),
    ("5 deals bananas", "deals closed", "unknown_words"),
    ("5 closed", "deals closed", "wrong_unit"),
])
def test_other_words_than_the_unit_are_asked_again(raw: str, unit: str, code: str) -> None:
    found = number(raw, ENV, unit=unit)
    assert isinstance(found, Invalid) and found.code == code
    words = render("flows/common/retry", error=found.code, details=found.details, validator="number", misses=1)
    assert found.details["given"] in words and ("`12`" in words or "`3.5`" in words)  # a re-ask with an example


def test_the_unit_phrase_of_a_key_result_runs_to_the_word_that_ends_it() -> None:
    found = measurable("Run 40 discovery calls by March", ENV)
    assert isinstance(found, Valid) and found.value["unit"] == "discovery calls"
    assert found.value["due"] == "2027-03-31"
    for text, unit in [("Close 20 deals in Q2", "deals"), ("Book 6 meetings a week", "meetings"),
                       ("Sign 12 new logos by June", "logos"), ("Hit 40 calls weekly", "calls"),
                       ("Book 10 demos per month", "demos"), ("Win 8 deals each quarter", "deals"),
                       ("Close 5 deals closed-won before June", "deals closed-won")]:
        kept = measurable(text, ENV)
        assert isinstance(kept, Valid) and kept.value["unit"] == unit, text
    fraction = measurable("Run 2.5 discovery calls by March", ENV)  # "calls" makes it a count
    assert fraction == Invalid("not_whole", {"value": 2.5})


def test_a_stored_unit_of_several_words_is_one_count() -> None:
    assert is_count_unit("discovery calls") and is_count_unit("deals closed") and is_count_unit("new logos")
    assert unit_fit("calls", "discovery calls") is None and unit_fit("discovery", "discovery calls") == "wrong_unit"


CLOSE = {"id": 1, "title": "Close 10 deals by June", "unit": "deals", "current": 3.0, "target": 10.0}


@pytest.mark.parametrize("raw", ["5 deals closed", "5 deals booked", "5 deals won", "5 deals signed",
                                 "5 new deals", "5 deals done"])
def test_check_in_takes_the_unit_with_the_words_of_a_deal_done(raw: str) -> None:
    assert checkin_value(raw, CLOSE, ".") == {"status": "ok", "value": 5.0, "error": None}


@pytest.mark.parametrize(("raw", "code"), [("5 deals bananas", "unknown_words"), ("5 weeks", "wrong_unit"),
                                           ("5 bananas closed", "wrong_unit")])
def test_check_in_still_asks_about_other_words(raw: str, code: str) -> None:
    read = checkin_value(raw, CLOSE, ".")
    assert read["status"] == "retry" and read["error"] == code
    shown = render("cadence/checkin/kr_value_retry", answers={"read": read, "i": 0, "kr_value": raw},
                   context={"key_results": [CLOSE]})
    assert "skip" in shown and "like" in shown  # a re-ask with an example


@pytest.mark.parametrize("raw", ["2 more", "+2", "2 more deals", "+2 deals closed"])
def test_a_change_is_still_asked_about_with_the_new_words(raw: str) -> None:
    read = checkin_value(raw, CLOSE, ".")
    assert read["error"] == "increment" and read["doubt"]["sum"] == 5.0


OLD = {"id": 2, "title": "Run 40 discovery calls by March", "unit": "discovery", "current": 3.0, "target": 40.0}


def test_a_unit_kept_by_an_older_reading_is_widened_from_its_title() -> None:
    assert unit_of(OLD) == "discovery calls"
    assert checkin_value("2 discovery calls", OLD, ".")["value"] == 2.0
    assert checkin_value("2 calls", OLD, ".")["value"] == 2.0
    assert checkin_value("2.5 calls", OLD, ".")["error"] == "fractional_count"
    assert checkin_value("2.5 discovery", OLD, ".")["status"] == "retry"
    # one-word units whose title says no more stay as they were
    assert unit_of(CLOSE) == "deals" and unit_of({"unit": "hours", "title": "Log 5 hours"}) == "hours"
    assert unit_of({"unit": "logos", "title": "Sign 12 new logos"}) == "logos"
    assert unit_of({"unit": "USD", "title": "Grow pipeline to $2M"}) == "USD"


# --- C: three capitals are a currency only when ISO 4217 says so ---------------------

@pytest.mark.parametrize("unit", ["FTE", "SQL", "NPS", "ARR", "MQL"])
def test_three_capitals_that_are_no_currency_are_no_money(unit: str) -> None:
    assert currency_of(unit) is None and unit_kind(unit) == COUNT
    assert number(f"1 {unit}", ENV, unit=unit) == Valid(1.0)


def test_fractions_in_three_capital_units_follow_what_they_count() -> None:
    assert number("0.5 FTE", ENV, unit="FTE") == Valid(0.5)  # a headcount share
    assert number("8.5 NPS", ENV, unit="NPS") == Valid(8.5)  # a score
    assert number("1.5 SQL", ENV, unit="SQL") == Invalid("not_whole", {"value": 1.5})  # leads come whole
    assert number("1.5 SQLs", ENV, unit="SQL") == Invalid("not_whole", {"value": 1.5})
    kr = {"unit": "FTE", "title": "Hire 3 FTE", "current": 1.0}
    assert checkin_value("1.5 FTE", kr, ".")["value"] == 1.5
    assert checkin_value("$2", kr, ".")["error"] == "wrong_unit"


@pytest.mark.parametrize("code", ["USD", "CHF", "NOK", "SEK", "KRW", "PLN"])
def test_real_currency_codes_stay_money(code: str) -> None:
    assert currency_of(code) == code and unit_kind(code) == MONEY
    assert number("5", ENV, unit=code) == Valid(5.0)


# --- E: a whole number is exact or refused ------------------------------------------

def test_a_whole_number_too_long_to_keep_exact_is_refused_naming_the_limit() -> None:
    found = integer("9" * 40, ENV)
    assert isinstance(found, Invalid) and found.code == "too_large" and found.details["max"] == MAX_WHOLE
    assert isinstance(integer("-" + "9" * 40, ENV), Invalid)
    assert isinstance(integer("1e20", ENV), Invalid)
    shown = render("flows/common/retry", error=found.code, details=found.details, validator="integer", misses=1)
    assert "999,999,999,999,999 at most" in shown


def test_a_whole_number_up_to_the_limit_is_read_exactly() -> None:
    found = integer("999,999,999,999,999", ENV)
    assert found == Valid(999_999_999_999_999) and isinstance(found.value, int)
    assert validate("integer", "123456789012345", ENV) == Valid(123456789012345)


def test_a_count_too_long_is_refused_in_number_and_at_check_in() -> None:
    assert number("9" * 40, ENV, unit="deals").code == "too_large"  # type: ignore[union-attr]
    assert number("9" * 40, ENV, unit="hours") == Valid(float("9" * 40))  # a measure: a float as typed
    assert checkin_value("9" * 40, CLOSE, ".")["error"] == "too_large"


def test_read_amount_keeps_the_words_of_the_unit() -> None:
    assert read_amount("5 deals closed so far", words=True).unit == "deals closed"  # type: ignore[union-attr]
    assert read_amount("5 new logos", words=True).unit == "logos"  # type: ignore[union-attr]
    assert read_amount("5 in total", words=True).unit == ""  # type: ignore[union-attr]
    assert read_amount("5 deals", words=False) == "unknown_words"
