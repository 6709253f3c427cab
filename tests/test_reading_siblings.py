"""Issue #10, second round: siblings of the kinds a review found still wrong. Each
table gives the value an input must read as, or the re-ask it must get.

Kinds: a sign lost ("-5k" as 5000, "(5,000)"), a power read as a unit ("1e9" as 1
with unit "e9", "10^6"), letters glued to a number kept as a unit ("5k5", "5kk"),
digits and signs from other scripts ("５０００", "−5k", "½"), a currency code touching
the digits ("100USD", "5kEUR") read as a count word; an impossible day
or period handed to dateparser, which turned it into another day ("13/13" -> 13 Nov
2113, "H3" -> the 3rd, "32 January" -> 2032); a yearless day years away kept
silently ("29 Feb" -> 2028); two-digit years always in the 2000s ("99" -> 2099)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

import prompts
from bot.features.absence import parse_absence
from conversations.amounts import Amount, parse_amount, parse_number_text, read_amount
from conversations.dates import full_year, read_date
from conversations.validators import Env, Invalid, Valid, date_answer, measurable, money, number, percentage

TODAY = date(2026, 11, 29)
ENV = Env(TODAY, "Europe/Oslo")


# --- amounts -------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("-5k", (-5000, "")), ("−5k", (-5000, "")), ("$-5k", (-5000, "USD")), ("-$5k", (-5000, "USD")),
    ("USD -5k", (-5000, "USD")), ("(5,000)", (-5000, "")), ("$(5,000)", (-5000, "USD")),
    ("(5,000) USD", (-5000, "USD")), ("-.5", (-0.5, "")),
    ("1e9", (1e9, "")), ("1E6", (1e6, "")), ("1.5e3", (1500, "")), ("10^6", (1e6, "")), ("10⁶", (1e6, "")),
    ("$ 5 k", (5000, "USD")), ("5.000,50 €", (5000.5, "EUR")), ("５０００", (5000, "")),
    ("＄5k", (5000, "USD")), ("٥٠٠٠", (5000, "")), ("½", (0.5, "")), ("3½", (3.5, "")), (".5", (0.5, "")),
    ("5EUR", (5, "EUR")), ("100USD", (100, "USD")), ("5kEUR", (5000, "EUR")), ("eur5k", (5000, "EUR")),
    ("5 000kr", (5000, "NOK")), ("+5k", (5000, "")), ("about 5k", (5000, "")), ("5 000 000", (5e6, "")),
    ("5k5", "unreadable"), ("5m5", "unreadable"), ("5kk", "unreadable"), ("5e", "unreadable"),
    ("0x10", "unreadable"), ("1,2,3", "unreadable"), ("--5", "unknown_words"), ("x 5", "unknown_words"),
    ("5 (five)", "unknown_words"), ("40-50k", "range"), ("1 in 4", "ratio"),
])
def test_a_whole_amount(raw: str, expected: tuple[float, str] | str) -> None:
    found = read_amount(raw)
    if isinstance(expected, str):
        assert found == expected
    else:
        assert isinstance(found, Amount)
        assert (found.value, found.unit) == (pytest.approx(expected[0]), expected[1])


@pytest.mark.parametrize(("raw", "expected"), [
    ("-5k", (-5000, "")), ("Cut churn to -5%", (-5, "%")), ("−5% churn", (-5, "%")),
    ("grow from -3 to 2 NPS", (2, "nps")), ("1e9 revenue", (1e9, "revenue")), ("Q1-5 deals", (5, "deals")),
    ("5k5 revenue", None), ("(5,000)", (-5000, "")),
])
def test_sentences_keep_the_sign_and_refuse_glued_letters(raw: str, expected: tuple[float, str] | None) -> None:
    assert parse_amount(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("-5k", -5000), ("$-5k", -5000), ("from -3 to 2", -3), ("1e9", 1e9), ("5k5", None), ("40-50", 40),
])
def test_the_first_number(raw: str, expected: float | None) -> None:
    assert parse_number_text(raw) == expected


@pytest.mark.parametrize("raw", ["-5k", "−5k", "(5,000)", "$-250k", "-$250k", "USD -5k"])
def test_a_negative_quota_or_deal_is_asked_again_with_the_positive_as_example(raw: str) -> None:
    result = money(raw, ENV)
    assert isinstance(result, Invalid) and result.code == "negative"
    words = prompts.render("flows/common/retry", error=result.code, details=result.details, validator="money",
                           misses=1)
    assert "below zero" in words and "`$250k`" in words
    assert f"{result.details['positive']:,.0f}" in words


@pytest.mark.parametrize(("validator", "raw", "expected"), [
    (money, "1e6", Valid({"amount": 1e6, "currency": None, "symbol": "$"})),
    (money, "10^6 €", Valid({"amount": 1e6, "currency": "EUR", "symbol": "€"})),
    (money, "5k5", Invalid("unreadable", {"given": "5k5"})),
    (percentage, "-5%", Invalid("negative", {"value": -5.0, "positive": 5.0})),
    (percentage, "½%", Valid(0.005)),
    (number, "-5", Valid(-5.0)),    # a change may be negative where no minimum is set
])
def test_validators(validator, raw: str, expected: object) -> None:  # noqa: ANN001
    assert validator(raw, ENV) == expected


def test_a_key_result_may_aim_below_zero() -> None:
    kr = measurable("Net revenue retention change -5% by end of Q1", Env(TODAY, "Europe/Oslo"))
    assert isinstance(kr, Valid) and kr.value["target"] == -5 and kr.value["unit"] == "%"


# --- dates ---------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("13/13", None), ("32/1", None), ("0/5", None), ("2/30", None), ("13/2026", None), ("00/00", None),
    ("99/99", None), ("29/2/2027", None), ("31 Apr", None), ("April 31", None), ("32 January", None),
    ("January 32", None), ("H3", None), ("H0", None), ("H3 2027", None), ("by H3", None), ("Q5", None),
    ("Q0", None), ("end of Q5", None), ("Q5 2027", None), ("week 54", None), ("wk 54", None),
    ("H1", date(2027, 6, 30)), ("H2", date(2026, 12, 31)), ("Q1", date(2027, 3, 31)), ("2H", date(2026, 12, 31)),
    ("31/12/26", date(2026, 12, 31)), ("1/1/27", date(2027, 1, 1)), ("1/1/99", date(1999, 1, 1)),
    ("Dec 31, 27", date(2027, 12, 31)), ("December 31 '27", date(2027, 12, 31)), ("30 April", date(2027, 4, 30)),
])
def test_an_impossible_day_is_no_day(raw: str, expected: date | None) -> None:
    found = read_date(raw, TODAY, "Europe/Oslo")
    assert (found.day if found else None) == expected


@pytest.mark.parametrize(("year", "today", "expected"), [
    ("27", date(2026, 1, 1), 2027), ("99", date(2026, 1, 1), 1999), ("75", date(2026, 1, 1), 2075),
    ("05", date(2098, 6, 1), 2105), ("2027", date(2026, 1, 1), 2027),
])
def test_two_digit_years_are_the_nearest(year: str, today: date, expected: int) -> None:
    assert full_year(year, today) == expected


@pytest.mark.parametrize("raw", ["29 feb", "Feb 29", "29/2", "the 29th of February"])
def test_a_leap_day_years_away_is_read_back_in_words(raw: str) -> None:
    result = date_answer(raw, ENV)
    assert isinstance(result, Valid) and result.value == "2028-02-29" and result.confirm is not None
    words = prompts.render("flows/common/confirm", details=result.confirm)
    assert "Tue 29 Feb 2028" in words and "more than a year" in words
    assert date_answer("29 Feb 2028", ENV) == Valid("2028-02-29")   # its year typed: kept as it is
    assert date_answer("30 Apr", ENV) == Valid("2027-04-30")          # a day within the year: no question


@pytest.mark.parametrize("raw", ["13/13", "H3", "Q5", "32/1", "week 54"])
def test_an_impossible_answer_is_asked_again(raw: str) -> None:
    assert date_answer(raw, ENV) == Invalid("not_a_date")


# --- absences ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("until H3", "unreadable"), ("on 13/13", "unreadable"), ("until Q5", "unreadable"),
    ("on 31 Apr", "no_such_day:-4-31"),
    ("on 29 feb", "far:2028-02-29"), ("until 29 Feb", "far:2028-02-29"), ("until yesterday", "past"),
    ("on yesterday", "past"), ("yesterday", "past"), ("on 29 Feb 2028", (date(2028, 2, 29), date(2028, 2, 29))),
    ("until H1", (TODAY, date(2027, 6, 30))),
])
def test_absence_siblings(text: str, expected: object) -> None:
    assert parse_absence(text, TODAY, "Europe/Oslo") == expected


def test_a_far_leap_day_absence_names_the_day_and_how_to_type_it() -> None:
    words = prompts.render("cadence/out_problem", code="far", day=date(2028, 2, 29))
    assert "Tue 29 Feb 2028" in words and "type the year" in words


@pytest.mark.parametrize(("zone", "instant", "expected"), [
    # 30 Dec 20:00 UTC: Thursday 31 Dec in Auckland, Wednesday 30 Dec in Los Angeles
    ("Pacific/Auckland", datetime(2026, 12, 30, 20, tzinfo=UTC), date(2027, 1, 1)),
    ("America/Los_Angeles", datetime(2026, 12, 30, 20, tzinfo=UTC), date(2027, 1, 1)),
    # 31 Dec 12:00 UTC: already Friday 1 Jan in Auckland, so the next Friday is the 8th
    ("Pacific/Auckland", datetime(2026, 12, 31, 12, tzinfo=UTC), date(2027, 1, 8)),
    ("America/Los_Angeles", datetime(2026, 12, 31, 12, tzinfo=UTC), date(2027, 1, 1)),
])
def test_next_friday_across_the_year_end(zone: str, instant: datetime, expected: date) -> None:
    with freeze_time(instant):
        today = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
        assert parse_absence("next Friday", today, zone) == (expected, expected)
        assert date_answer("next Friday", Env(today, zone)) == Valid(expected.isoformat())
        assert parse_absence("until Jan 2", today, zone) == (today, date(2027, 1, 2))
