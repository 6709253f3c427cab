"""The answer parsers: every format the issue names, and bad input becoming a named
problem (never an exception)."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.dates import parse_date
from conversations.validators import (
    Env,
    Invalid,
    Valid,
    choice,
    date_answer,
    integer,
    items,
    measurable,
    money,
    number,
    percentage,
    person,
    text,
    validate,
    yesno,
)

OSLO = Env(date(2027, 1, 6), "Europe/Oslo")  # a Wednesday
NEW_YORK = Env(date(2027, 1, 6), "America/New_York")


@pytest.mark.parametrize(("raw", "value"), [
    ("12", 12), ("1.200", 1200), ("12 deals", 12), ("about 40", 40), ("1 200", 1200),
])
def test_integer_reads_whole_numbers(raw: str, value: int) -> None:
    assert integer(raw, OSLO, unit="deals") == Valid(value)  # "1.200": "." groups thousands in Norway


@pytest.mark.parametrize(("raw", "code"), [("twelve", "not_a_number"), ("", "not_a_number"),
                                           ("2.5", "not_whole")])
def test_integer_refuses_with_a_reason(raw: str, code: str) -> None:
    result = integer(raw, OSLO)
    assert isinstance(result, Invalid) and result.code == code


def test_integer_bounds() -> None:
    assert integer("-3", OSLO, min=0) == Invalid("negative", {"value": -3.0, "positive": 3.0})
    assert integer("3", OSLO, min=5) == Invalid("too_small", {"min": 5, "value": 3.0})
    assert integer("5000", OSLO, max=1000).code == "too_large"  # type: ignore[union-attr]


@pytest.mark.parametrize(("raw", "value"), [
    ("3.5", 3.5), ("1,234.5", 1234.5), ("1 200,5", 1200.5), ("1.234.567", 1234567.0),
    ("2k", 2000.0), ("-5", -5.0), ("1,5", 1.5),
])
def test_number_understands_separators(raw: str, value: float) -> None:
    assert number(raw, OSLO) == Valid(value)


@pytest.mark.parametrize(("raw", "amount", "currency"), [
    ("$250k", 250_000, "USD"),
    ("1.2M", 1_200_000, None),
    ("250 000 EUR", 250_000, "EUR"),
    ("€90.000", 90_000, "EUR"),
    ("40k USD", 40_000, "USD"),
    ("£1.5m", 1_500_000, "GBP"),
    ("3 500 nok", 3_500, "NOK"),
])
def test_money_formats(raw: str, amount: float, currency: str | None) -> None:
    result = money(raw, OSLO)
    assert isinstance(result, Valid)
    assert result.value["amount"] == pytest.approx(amount)
    assert result.value["currency"] == currency


def test_money_refuses_words_and_negative_amounts() -> None:
    assert money("a lot", OSLO).code == "not_money"  # type: ignore[union-attr]
    assert money("-5k", OSLO).code == "negative"  # type: ignore[union-attr]


@pytest.mark.parametrize(("raw", "value"), [("15%", 0.15), ("15", 0.15), ("12.5 %", 0.125),
                                            ("100", 1.0), ("0", 0.0), ("15 percent", 0.15)])
def test_percentage(raw: str, value: float) -> None:
    result = percentage(raw, OSLO)
    assert isinstance(result, Valid) and result.value == pytest.approx(value)


def test_percentage_asks_again_when_a_fraction_is_ambiguous() -> None:
    assert percentage("0.25", OSLO) == Invalid("ambiguous_fraction", {"as_percent": 25.0})
    assert percentage("0.25%", OSLO) == Valid(0.0025)
    assert percentage("150", OSLO).code == "too_large"  # type: ignore[union-attr]
    assert percentage("lots", OSLO).code == "not_a_percentage"  # type: ignore[union-attr]


@pytest.mark.parametrize(("raw", "expected"), [
    ("March 31", "2027-03-31"),
    ("31/3", "2027-03-31"),
    ("3/31", "2027-03-31"),
    ("31.3.", "2027-03-31"),
    ("next Friday", "2027-01-08"),
    ("end of Q1", "2027-03-31"),
    ("end of q3", "2027-09-30"),
    ("Q2", "2027-06-30"),
    ("end of year", "2027-12-31"),
    ("end of month", "2027-01-31"),
    ("2027-05-02", "2027-05-02"),
    ("tomorrow", "2027-01-07"),
    ("January 2", "2028-01-02"),  # passed this year: next year's
])
def test_dates_in_the_persons_calendar(raw: str, expected: str) -> None:
    assert date_answer(raw, OSLO) == Valid(expected)


def test_ambiguous_numeric_dates_follow_the_persons_habit() -> None:
    assert parse_date("4/3", OSLO.today, OSLO.timezone) == date(2027, 3, 4)
    assert parse_date("4/3", NEW_YORK.today, NEW_YORK.timezone) == date(2027, 4, 3)


def test_today_is_the_persons_own_day() -> None:
    """Late on Jan 6 in New York it is already Jan 7 in Kolkata: "tomorrow" differs."""
    assert parse_date("tomorrow", date(2027, 1, 7), "Asia/Kolkata") == date(2027, 1, 8)
    assert parse_date("tomorrow", date(2027, 1, 6), "America/New_York") == date(2027, 1, 7)


@pytest.mark.parametrize("raw", ["someday", "12", "", "32/2", "the day after never"])
def test_unreadable_dates(raw: str) -> None:
    assert date_answer(raw, OSLO) == Invalid("not_a_date")


def test_future_dates_only_when_asked() -> None:
    assert date_answer("2026-12-01", OSLO, future=True).code == "in_the_past"  # type: ignore[union-attr]
    assert date_answer("2026-12-01", OSLO) == Valid("2026-12-01")


def test_choice_by_value_number_words_and_prefix() -> None:
    options = ("on_track", "at_risk", "off_track")
    assert choice("at risk", OSLO, choices=options) == Valid("at_risk")
    assert choice("2", OSLO, choices=options) == Valid("at_risk")
    assert choice("OFF-TRACK", OSLO, choices=options) == Valid("off_track")
    assert choice("on", OSLO, choices=options) == Valid("on_track")
    assert choice("o", OSLO, choices=options).code == "not_a_choice"  # type: ignore[union-attr]
    assert choice("4", OSLO, choices=options).code == "not_a_choice"  # type: ignore[union-attr]


@pytest.mark.parametrize("typed", ["all unchanged", "No change", "unchanged.", "the same"])
def test_a_choice_with_an_unchanged_value_takes_nothing_moved(typed: str) -> None:
    """The check-in's confidence question: "all unchanged" is its `unchanged` value, not
    "not on the card"; without the option it is still refused."""
    options = ("on_track", "at_risk", "off_track")
    assert choice(typed, OSLO, choices=options, unchanged="unchanged") == Valid("unchanged")
    assert choice(typed, OSLO, choices=options).code == "not_a_choice"  # type: ignore[union-attr]


@pytest.mark.parametrize("typed", ["2.", "2)", "(2)", " 2 ", "#2", "# 2"])
def test_a_choice_number_typed_the_usual_ways(typed: str) -> None:
    """In a conversation on any channel, as in the terminal's cards: "2." is the second."""
    assert choice(typed, OSLO, choices=["on_track", "at_risk", "off_track"]) == Valid("at_risk")
    assert choice(typed.replace("2", "4"), OSLO,
                  choices=["on_track", "at_risk", "off_track"]).code == "not_a_choice"  # type: ignore[union-attr]


@pytest.mark.parametrize(("raw", "value"), [("yes", "yes"), ("Y", "yes"), ("sure!", "yes"),
                                            ("nope", "no"), ("No.", "no")])
def test_yes_no(raw: str, value: str) -> None:
    assert yesno(raw, OSLO) == Valid(value)
    assert yesno("maybe", OSLO) == Invalid("not_yes_no")


def test_text_length() -> None:
    assert text("  fine  ", OSLO) == Valid("fine")
    assert text("   ", OSLO).code == "too_short"  # type: ignore[union-attr]
    assert text("x" * 11, OSLO, max_length=10) == Invalid("too_long", {"max_length": 10, "length": 11})


def test_list_items_and_limits() -> None:
    assert items("1. one\n2) two\n- three", OSLO) == Valid(["one", "two", "three"])
    assert items("a; b; c; d", OSLO, max_items=3) == Invalid("too_many", {"max_items": 3, "count": 4})
    assert items(" ; ", OSLO).code == "too_few"  # type: ignore[union-attr]


PEOPLE = [
    {"id": 1, "name": "Ravi Rep", "email": "ravi@example.com", "handles": ["U0RAVI", "aad-ravi"]},
    {"id": 2, "name": "Sam Seller", "email": "sseller@example.com", "handles": []},
    {"id": 3, "name": "Sam Other", "email": "sother@example.com", "handles": []},
]


@pytest.mark.parametrize("raw", ["@ravi", "@U0RAVI", "@ravi@example.com", "ravi@example.com",
                                 "Ravi Rep", "@Ravi Rep", "RAVI@EXAMPLE.COM"])
def test_person_by_mention_email_or_name(raw: str) -> None:
    """Mentions arrive in the channels' neutral form: @e-mail, @label or @user id."""
    env = Env(OSLO.today, OSLO.timezone, PEOPLE)
    assert person(raw, env) == Valid({"id": 1, "name": "Ravi Rep", "email": "ravi@example.com"})


@pytest.mark.parametrize("raw", ["<@U0RAVI>", "<at>Ravi Rep</at>"])
def test_platform_mention_syntax_is_not_read_by_the_core(raw: str) -> None:
    """Slack's and Teams' own syntax is the channel's to translate (tests/slack,
    tests/teams); reaching a validator raw, it is not guessed at."""
    env = Env(OSLO.today, OSLO.timezone, PEOPLE)
    assert person(raw, env).code == "unknown_person"  # type: ignore[union-attr]


def test_person_ambiguous_or_unknown_is_asked_again() -> None:
    env = Env(OSLO.today, OSLO.timezone, PEOPLE)
    assert person("@sam", env).code == "unknown_person"  # type: ignore[union-attr]  (two Sams)
    assert person("sseller@example.com", env) == Valid({"id": 2, "name": "Sam Seller",
                                                        "email": "sseller@example.com"})
    assert person("Sam Seller", env).value["id"] == 2  # type: ignore[union-attr]
    assert person("@nobody", env).code == "unknown_person"  # type: ignore[union-attr]


def test_measurable_key_results() -> None:
    result = measurable("Close 12 new logos by end of Q2", OSLO)
    assert result == Valid({"text": "Close 12 new logos by end of Q2", "target": 12.0,
                            "start": None, "unit": "logos", "due": "2027-06-30"})
    # (on 6 January "by December 31" is a day of the last week: asked, test_just_passed_days)
    rate = measurable("Raise my win rate from 20% to 25% by June 30", OSLO)
    assert isinstance(rate, Valid)
    assert (rate.value["start"], rate.value["target"], rate.value["unit"], rate.value["due"]) == \
        (20.0, 25.0, "%", "2027-06-30")
    money_kr = measurable("Sign $250k of new business", OSLO)
    assert isinstance(money_kr, Valid)
    assert (money_kr.value["target"], money_kr.value["unit"], money_kr.value["due"]) == \
        (250_000.0, "USD", None)


def test_a_key_result_without_a_number_is_coached() -> None:
    assert measurable("Be better at closing", OSLO) == Invalid("not_measurable", {"has_date": False})
    assert measurable("More meetings by Friday", OSLO) == Invalid("not_measurable", {"has_date": True})


def test_validate_never_raises() -> None:
    assert isinstance(validate("number", "1" * 400, OSLO), Valid | Invalid)
    assert isinstance(validate("money", "9" * 400 + "e", OSLO), Valid | Invalid)
    assert isinstance(validate("date", "99/99/9999", OSLO), Invalid)


def test_very_long_input_is_refused_quickly() -> None:
    assert validate("number", "1 " * 5000, OSLO).code == "too_long"  # type: ignore[union-attr]
    assert validate("date", "1," * 1900, OSLO) == Invalid("not_a_date")


@pytest.mark.parametrize(("raw", "value"), [("0.250", 0.25), ("0,250", 0.25), ("1.250", 1250), ("250.000", 250000)])
def test_a_leading_zero_is_never_a_thousands_group(raw: str, value: float) -> None:
    from conversations.validators import parse_number_text

    assert parse_number_text(raw, ",") == value  # where "," is the decimal mark (Oslo)


@pytest.mark.parametrize(("raw", "expected"), [
    ("$250k", (250000, "USD")),
    ("250k USD", (250000, "USD")),
    ("€1.2M", (1200000, "EUR")),
    ("25%", (25, "%")),
    ("12 logos", (12, "logos")),
    ("1.2M", (1200000, "")),
])
def test_one_amount_reading_for_every_feature(raw: str, expected: tuple[float, str]) -> None:
    """WIGs, key results and goal-setting answers read "$250k" alike: same value, same unit."""
    from conversations.amounts import parse_amount

    assert parse_amount(raw) == expected
    key_result = validate("measurable", f"Book {raw} by June 30", OSLO)
    assert isinstance(key_result, Valid) and (key_result.value["target"], key_result.value["unit"]) == expected
    if expected[1] not in ("%", "logos"):
        money_answer = validate("money", raw, OSLO)
        assert isinstance(money_answer, Valid)
        assert money_answer.value["amount"] == expected[0]
        assert (money_answer.value["currency"] or "") == expected[1]


def test_a_day_years_ahead_is_asked_again_where_a_flow_bounds_it() -> None:
    """"2207-01-12" (a year typed wrongly) for a date with `within_years`, or a key
    result's "by …", is "too_far" with the same day in the year ahead; the last day
    within the bound is kept."""
    far = date_answer("2207-01-12", OSLO, future=True, within_years=1)
    assert far == Invalid("too_far", {"date": "2207-01-12", "years": 1, "latest": "2028-01-06",
                                      "example": "2027-01-12"})
    assert date_answer("2028-01-06", OSLO, future=True, within_years=1) == Valid("2028-01-06")
    assert date_answer("2207-01-12", OSLO, future=True) == Valid("2207-01-12")  # unbounded unless asked
    kr = measurable("Sign 10 logos by 2207-01-12", OSLO)
    assert isinstance(kr, Invalid) and (kr.code, kr.details["years"]) == ("too_far", 3)
    assert measurable("Sign 10 logos by 2030-01-06", OSLO).value["due"] == "2030-01-06"  # type: ignore[union-attr]
