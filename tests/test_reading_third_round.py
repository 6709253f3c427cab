"""Issue #10, third round: kinds a review found still guessed. Each table names the
reading an input must get, or the re-ask it must get instead of a silent guess.

Kinds: number signs that are no decimal digit ("²", "①", "⑫") turned into digits by
NFKC; any word taken for a count key result's unit ("5 weeks" as 5 logos) and a
change ("+2", "2 more") stored as the new total; space grouping with a three-digit
tail ("1 500,500") read one way for everyone; the re-ask's example that itself
needed another question ("`7`" for a dollar key result); unclear refusals of Swiss
and Arabic marks and of dashes used as minus; an absence's count refused with the
general "whole days or weeks" instead of its reason."""

from __future__ import annotations

import re
from datetime import date

import pytest

import prompts
from conversations.amounts import AmbiguousNumber, Amount, parse_amount, parse_number_text, read_amount
from conversations.checkin_reading import checkin_value
from conversations.dates import read_date
from conversations.meeting_rule import parse_meeting_rule, parse_time
from conversations.spans import read_absence
from conversations.validators import Env, Invalid, number

TODAY = date(2026, 11, 30)
MARKS = (".", ",", None)


# --- 1. number signs that are no digit ---------------------------------------------

@pytest.mark.parametrize("decimal", MARKS)
@pytest.mark.parametrize("raw", ["²", "①", "⑫", "₅", "Ⅻ", "⅒", "5①", "⑫ logos", "$²k", "1²³⁴"[1:]])
def test_number_signs_that_are_no_digit_are_refused(raw: str, decimal: str | None) -> None:
    assert read_amount(raw, words=True, decimal=decimal) == "unreadable"
    assert parse_number_text(raw, decimal) is None
    assert parse_amount(raw, decimal) is None


@pytest.mark.parametrize(("raw", "value"), [("１２", 12), ("١٢", 12), ("१२", 12), ("𝟓", 5), ("10⁶", 1e6), ("3½", 3.5)])
def test_decimal_digits_of_any_script_and_powers_still_read(raw: str, value: float) -> None:
    found = read_amount(raw, decimal=".")
    assert isinstance(found, Amount) and found.value == pytest.approx(value)


def test_odd_digits_are_asked_again_in_every_reader() -> None:
    assert isinstance(number("⑫", Env(TODAY, "Europe/Oslo")), Invalid)
    kr = {"current": 3.0, "unit": "logos"}
    assert checkin_value("⑫", kr, ".")["error"] == "unreadable"
    assert checkin_value("²", kr, ",")["status"] == "retry"
    assert parse_time("9:³⁰") is None and parse_time("⑨:30") is None and parse_time("9:30") is not None
    assert parse_meeting_rule("every ② weeks on Tuesday 10:00", TODAY) == "digits"
    assert parse_meeting_rule("every 2 weeks on Tuesday 10:00", TODAY).weeks == 2  # type: ignore[union-attr]
    assert read_absence("for ² days", TODAY, "Europe/Oslo") == "digits"
    assert read_absence("until ① May", TODAY, "Europe/Oslo") == "digits"
    assert read_date("① May", TODAY, "Europe/Oslo") is None


def test_the_absence_reask_names_the_symbol() -> None:
    text = prompts.render("cadence/out_problem", code="digits", given="for ² days", missing=None, day=None)
    assert "for ² days" in text and "`/okr out for 2 days`" in text


# --- 2. a count key result's unit, and changes --------------------------------------

LOGOS = {"current": 3.0, "unit": "logos"}


@pytest.mark.parametrize(("raw", "value"), [("5", 5.0), ("5 logos", 5.0), ("1 logo", 1.0), ("5 new logos", 5.0),
                                            ("5 Logos", 5.0)])
def test_a_count_in_its_own_unit_is_read(raw: str, value: float) -> None:
    assert checkin_value(raw, LOGOS, ".") == {"status": "ok", "value": value, "error": None}


@pytest.mark.parametrize("raw", ["5 weeks", "5 mins", "1 e5", "7 deals", "2 more weeks", "5 hours"])
def test_a_word_that_is_not_the_key_results_unit_is_asked_about(raw: str) -> None:
    assert checkin_value(raw, LOGOS, ".")["error"] == "wrong_unit"


def test_a_plain_count_takes_no_word() -> None:
    assert checkin_value("5", {"current": 3.0, "unit": ""}, ".")["status"] == "ok"
    assert checkin_value("5 weeks", {"current": 3.0, "unit": ""}, ".")["error"] == "wrong_unit"


@pytest.mark.parametrize(("raw", "kr", "given", "total"), [
    ("2 more", LOGOS, 2.0, 5.0), ("+2", LOGOS, 2.0, 5.0), ("another 2", LOGOS, 2.0, 5.0),
    ("2 more logos", LOGOS, 2.0, 5.0), ("＋2", LOGOS, 2.0, 5.0),
    ("+$50k", {"current": 250000.0, "unit": "$"}, 50000.0, 300000.0),
    ("+5%", {"current": 30.0, "unit": "%"}, 5.0, 35.0),
])
def test_a_change_is_asked_about_with_both_readings(raw: str, kr: dict[str, object], given: float,
                                                    total: float) -> None:
    found = checkin_value(raw, kr, ".")
    assert found["status"] == "retry" and found["error"] == "increment" and found["value"] is None
    assert found["doubt"]["given"] == given and found["doubt"]["sum"] == total
    text = prompts.render("cadence/checkin/kr_value_retry", context={"key_results": [{**kr, "title": "x"}]},
                          answers={"i": 0, "kr_value": raw, "read": found})
    assert "in all" in text and text.count("`") >= 4  # both readings, each to type


@pytest.mark.parametrize(("raw", "unit", "value"), [("$300k", "$", 300000.0), ("300000 USD", "$", 300000.0),
                                                    ("300000 kr", "kr", 300000.0), ("300000 NOK", "kr", 300000.0)])
def test_a_money_unit_stored_as_a_symbol_is_its_currency(raw: str, unit: str, value: float) -> None:
    assert checkin_value(raw, {"current": 250000.0, "unit": unit}, ".")["value"] == value


def test_another_currency_than_the_symbols_is_asked_about() -> None:
    assert checkin_value("€300k", {"current": 250000.0, "unit": "$"}, ".")["error"] == "wrong_unit"
    assert checkin_value("$300k", {"current": 250000.0, "unit": "kr"}, ".")["error"] == "wrong_unit"


# --- 3. space grouping with a three-digit tail --------------------------------------

@pytest.mark.parametrize(("raw", "decimal", "expected"), [
    ("1 500,500", ",", 1500.5), ("1 500.500", ".", 1500.5),
    ("1 500,500", ".", None), ("1 500.500", ",", None), ("1 500,500", None, None), ("1 500.500", None, None),
    ("1 234,5", ".", 1234.5), ("12 345 678,9", None, 12345678.9),
])
def test_space_grouping_with_a_three_digit_tail(raw: str, decimal: str | None, expected: float | None) -> None:
    found = read_amount(raw, decimal=decimal)
    if expected is None:
        assert found == "ambiguous_number"
        with pytest.raises(AmbiguousNumber) as doubt:
            parse_number_text(raw, decimal)
        assert (doubt.value.decimal, doubt.value.grouped) == (1500.5, 1500500.0)
    else:
        assert isinstance(found, Amount) and found.value == pytest.approx(expected)


# --- 4. the re-ask's example reads back in the key result's unit --------------------

@pytest.mark.parametrize("decimal", MARKS)
@pytest.mark.parametrize(("unit", "current"), [
    ("$", 250000.0), ("€", 1200000.0), ("£", 40000.0), ("kr", 500000.0), ("NOK", 500000.0), ("CHF", 75000.0),
    ("SEK", 12500.5), ("USD", 1250.0), ("%", 27.25), ("logos", 3.0), ("", 12.0), ("meetings", 1.125),
])
@pytest.mark.parametrize("template", ["kr_value_again", "kr_value_help", "kr_value_retry"])
def test_the_example_never_triggers_another_question(unit: str, current: float, decimal: str | None,
                                                     template: str) -> None:
    kr = {"current": current, "unit": unit, "title": "x", "target": current * 2}
    read = {"status": "retry", "error": "unreadable", "doubt": None}
    text = prompts.render(f"cadence/checkin/{template}", context={"key_results": [kr]},
                          answers={"i": 0, "kr_value": "?", "read": read})
    example = re.findall(r"`([^`]+)`", text)[0]
    shown = float(prompts.rounded(current, 2))  # as figures are shown: half away from zero (1.125 -> 1.13)
    assert checkin_value(example, kr, decimal) == {"status": "ok", "value": pytest.approx(shown), "error": None}


# --- 5. Swiss and Arabic marks, dashes as minus --------------------------------------

@pytest.mark.parametrize("decimal", MARKS)
@pytest.mark.parametrize(("raw", "value"), [
    ("1’500", 1500.0), ("1'500", 1500.0), ("1’000’000.5", 1000000.5), ("١٫٥", 1.5), ("١٬٥٠٠", 1500.0),
    ("١٬٥٠٠٫٢٥", 1500.25), ("–5", -5.0), ("‐5", -5.0), ("−5", -5.0), ("–5k", -5000.0),
])
def test_swiss_and_arabic_marks_and_dashes(raw: str, value: float, decimal: str | None) -> None:
    found = read_amount(raw, decimal=decimal)
    assert isinstance(found, Amount) and found.value == pytest.approx(value)


@pytest.mark.parametrize(("raw", "problem"), [("40–50k", "range"), ("1’50", "unreadable"), ("١٫٥٫٥", "unreadable")])
def test_marks_that_do_not_fit_are_still_asked_about(raw: str, problem: str) -> None:
    assert read_amount(raw, decimal=".") == problem


# --- 6. an absence's count gets its reason -------------------------------------------

@pytest.mark.parametrize(("text", "problem"), [
    ("for +5 days", "plus"), ("+5 days", "plus"), ("for 99999999999999999999 days", "too_long"),
    ("for 1000 weeks", "too_long"), ("0 days", "zero"), ("for 0 days", "zero"), ("for 400 days", "too_long"),
    ("for 2 months", "duration"), ("3 days", "duration"),
])
def test_an_absence_count_gets_its_reason(text: str, problem: str) -> None:
    assert read_absence(text, TODAY, "Europe/Oslo") == problem


def test_the_plus_sign_reask() -> None:
    text = prompts.render("cadence/out_problem", code="plus", given="for +5 days", missing=None, day=None)
    assert "plus sign" in text and "`/okr out for 5 days`" in text
