"""A number whose separator reads two ways is asked about, not guessed: the person's
locale (CLDR via babel) decides "1,5" and "1,500" when it can, and the re-ask shows
both readings. Digits of other scripts are read as digits on purpose, everywhere a
person types a number; superscripts and circled digits are refused, never a crash."""

from __future__ import annotations

from datetime import date, time

import pytest
from conftest import say

import prompts
from bot.core.coach import Coach
from conversations.amounts import Amount, parse_amount, parse_number_text, read_amount
from conversations.checkin_reading import checkin_value
from conversations.dates import read_date
from conversations.locales import ascii_digits, decimal_mark, small_number
from conversations.meeting_rule import parse_time
from conversations.validators import Env, Invalid, Valid, choice, measurable, number, validate
from storage.db import Database

TODAY = date(2027, 1, 6)
NEW_YORK = Env(TODAY, "America/New_York")
BERLIN = Env(TODAY, "Europe/Berlin")
NOWHERE = Env(TODAY, "UTC")


@pytest.mark.parametrize(("zone", "country", "locale", "mark"), [
    ("America/New_York", None, None, "."), ("Asia/Kolkata", None, None, "."), ("Europe/Berlin", None, None, ","),
    ("America/Sao_Paulo", None, None, ","), ("UTC", "FR", None, ","), ("UTC", None, "de-DE", ","),
    ("Europe/Berlin", None, "en-US", "."), ("UTC", None, None, None), ("Etc/GMT+5", None, None, None),
])
def test_the_decimal_mark_comes_from_the_locale(zone: str, country: str | None, locale: str | None,
                                                mark: str | None) -> None:
    assert decimal_mark(zone, country, locale) == mark


@pytest.mark.parametrize(("raw", "decimal", "value"), [
    ("1,5", ",", 1.5), ("1,5", ".", "ambiguous_number"), ("1,5", None, "ambiguous_number"),
    ("1,500", ".", 1500), ("1,500", ",", "ambiguous_number"), ("1,500", None, "ambiguous_number"),
    ("1.500", ",", 1500), ("1.500", ".", "ambiguous_number"), ("1.500", None, "ambiguous_number"),
    ("1.5", None, 1.5), ("1.5", ",", 1.5), ("1,234,567", None, 1234567), ("1.234,5", None, 1234.5),
    ("1 234,5", ".", 1234.5), ("5,00,000", None, 500000), ("0.250", None, 0.25), ("0,25", ".", "ambiguous_number"),
    ("$1,200k", ".", 1_200_000), ("12,50 €", ",", 12.5),
])
def test_a_separator_is_read_by_the_persons_mark_or_asked_about(raw: str, decimal: str | None,
                                                                 value: float | str) -> None:
    found = read_amount(raw, decimal=decimal)
    if isinstance(value, str):
        assert found == value
    else:
        assert isinstance(found, Amount) and found.value == pytest.approx(value)


def test_the_sentence_readers_raise_rather_than_guess() -> None:
    from conversations.amounts import AmbiguousNumber

    with pytest.raises(AmbiguousNumber) as doubt:
        parse_amount("grow to 1,500 logos", ",")
    assert (doubt.value.decimal, doubt.value.grouped) == (1.5, 1500)
    with pytest.raises(AmbiguousNumber):
        parse_number_text("1,5", None)
    assert parse_number_text("1,5", ",") == 1.5


def test_a_validator_asks_with_both_readings_as_the_example() -> None:
    result = number("1,5", NEW_YORK)
    assert isinstance(result, Invalid) and result.code == "ambiguous_number"
    assert number("1,5", BERLIN) == Valid(1.5)
    assert number("1,500", NEW_YORK) == Valid(1500)
    assert validate("integer", "1,500", NOWHERE) == Valid(1500)  # 1.5 is no whole number: 1,500 is the reading
    assert validate("integer", "1,5k", NOWHERE).code == "ambiguous_number"  # type: ignore[union-attr]
    counted = validate("integer", "1,5", NEW_YORK)
    assert isinstance(counted, Invalid) and counted.details["whole"] is True
    words = prompts.render("flows/common/retry", error=counted.code, details=counted.details, validator="integer",
                           misses=1)
    assert "`15`" in words and "1.5" not in words
    words = prompts.render("flows/common/retry", error=result.code, details=result.details, validator="number",
                           misses=1)
    assert '"1,5" reads two ways' in words and "`1.5`" in words and "`15`" in words
    grouped = validate("money", "€1,500", NOWHERE)
    words = prompts.render("flows/common/retry", error=grouped.code, details=grouped.details,  # type: ignore[union-attr]
                           validator="money", misses=1)
    assert "`€1.5`" in words and "`€1500`" in words  # the currency kept with each reading


def test_a_key_result_written_with_a_doubtful_number_is_asked_again() -> None:
    found = measurable("Cut onboarding to 1,500 hours by end of Q2", Env(TODAY, "Europe/Paris"))
    assert isinstance(found, Invalid) and found.code == "ambiguous_number"
    counted = measurable("Close 1,500 logos by end of Q2", Env(TODAY, "Europe/Paris"))  # 1.5 logos is no count
    assert isinstance(counted, Valid) and counted.value["target"] == 1500
    assert counted.value["text"] == "Close 1,500 logos by end of Q2"  # the person's words, as typed
    kept = measurable("Close 1,500 logos by end of Q2", NEW_YORK)
    assert isinstance(kept, Valid) and kept.value["target"] == 1500


def test_a_check_in_value_of_1_comma_5_is_asked_about_unless_the_comma_is_the_decimal_mark() -> None:
    kr = {"unit": "hours", "current": 1}  # measured, not counted: 1.5 hours is a fine reading
    asked = checkin_value("1,5", kr, ".")
    assert asked["status"] == "retry" and asked["error"] == "ambiguous_number"
    assert asked["doubt"] == {"number": "1,5", "as_decimal": 1.5, "as_thousands": None, "joined": "15",
                              "typed": ["", ""], "whole": False}
    assert checkin_value("1,5", kr, None)["status"] == "retry"
    assert checkin_value("1,5", kr, ",") == {"status": "ok", "value": 1.5, "error": None}
    words = prompts.render("cadence/checkin/kr_value_retry", answers={"read": asked, "i": 0, "kr_value": "1,5"},
                           context={"key_results": [kr | {"title": "Coaching time"}]})
    assert "`1.5`" in words and "`15`" in words and "skip" in words


def test_a_count_is_never_offered_or_given_a_fractional_reading() -> None:
    """Logos are counted: "1,5" is asked about with 15 only, "1,500" (1.5 or 1,500) is
    1,500, and "1.5" or a German "1,5" is asked again as no whole number."""
    kr = {"unit": "logos", "current": 1}
    asked = checkin_value("1,5", kr, ".")
    assert asked["status"] == "retry" and asked["doubt"]["whole"] is True
    words = prompts.render("cadence/checkin/kr_value_retry", answers={"read": asked, "i": 0, "kr_value": "1,5"},
                           context={"key_results": [kr | {"title": "New logos"}]})
    assert "`15`" in words and "1.5" not in words and "whole" in words
    assert checkin_value("1,500", {"unit": "logos", "current": 1000}, None)["value"] == 1500
    assert checkin_value("1.500 logos", {"unit": "logos", "current": 1000}, ".")["value"] == 1500
    for raw, mark in (("1.5", "."), ("1,5", ","), ("1.5 logos", None), ("2.5", ",")):
        refused = checkin_value(raw, kr, mark)
        assert (refused["status"], refused["error"]) == ("retry", "fractional_count"), raw
        words = prompts.render("cadence/checkin/kr_value_retry", answers={"read": refused, "i": 0, "kr_value": raw},
                               context={"key_results": [kr | {"title": "New logos"}]})
        assert "isn't a whole number" in words and "Please give it like" in words
    assert checkin_value("1.5 hours", {"unit": "hours", "current": 1}, ".")["value"] == 1.5
    assert checkin_value("2", kr, ".")["value"] == 2


async def test_a_wig_update_with_a_doubtful_number_is_asked_about(db: Database, team: dict[str, int],
                                                                  coach: Coach) -> None:
    reply = await say(coach, team["maria"], "/okr wig update 1 1,5")  # New York: "." is the decimal mark
    assert '"1,5" reads two ways' in reply and "`/okr wig update 1 1.5`" in reply


# --- digits of other scripts --------------------------------------------------------------

def test_other_scripts_digits_read_as_ascii_digits() -> None:
    assert ascii_digits("٠٩:٣٠ ३ ５") == "09:30 3 5"
    assert parse_time("٠٩:٣٠") == time(9, 30)
    found = read_date("٣١ March", TODAY, "Europe/Oslo")
    assert found is not None and found.day == date(2027, 3, 31)
    assert read_amount("٥٠٠٠ logos", words=True) == Amount(5000, "logos")


@pytest.mark.parametrize("typed", ["²", "①", "2²", "½ March", "² March"])
def test_number_signs_that_are_no_digits_are_refused_not_a_crash(typed: str) -> None:
    assert small_number(typed) is None
    assert read_date(typed, TODAY, "Europe/Oslo") is None
    assert isinstance(choice(typed, NEW_YORK, choices=["a", "b", "c"]), Invalid)


def test_a_choice_by_number_takes_other_scripts_digits() -> None:
    assert choice("٢", NEW_YORK, choices=["a", "b", "c"]) == Valid("b")


def test_the_console_does_not_crash_on_a_superscript() -> None:
    import io

    from bot.channels.console import ConsoleChannel
    from bot.core.messages import Choice

    console = ConsoleChannel(io.StringIO())
    console.choices = [Choice("Yes", "yes"), Choice("No", "no")]
    assert console.translate("²") == ("²", None)
    assert console.translate("٢") == ("٢", "no")
