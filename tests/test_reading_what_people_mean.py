"""Issue #10: dates, amounts and units read the way people meant them. Table-driven:
every example of the issue and its siblings, with the value each must give."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.amounts import Amount, parse_amount, read_amount, unit_kind, unlikely_change
from conversations.dates import parse_date, read_date, year_period
from conversations.locales import country_of, day_order
from conversations.validators import Env, Invalid, Valid, date_answer, integer, measurable, money, percentage

NOV = date(2026, 11, 20)  # planning next year
PLAN_2027 = year_period(2027)
SAO_PAULO = Env(NOV, "America/Sao_Paulo", period=PLAN_2027)
KOLKATA = Env(date(2027, 2, 10), "Asia/Kolkata")


# --- 1. dates inside the planned period ---------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("December 31", date(2027, 12, 31)),
    ("by December 31", date(2027, 12, 31)),
    ("Dec 31st", date(2027, 12, 31)),
    ("31st of December", date(2027, 12, 31)),
    ("end of year", date(2027, 12, 31)),
    ("by end of year", date(2027, 12, 31)),
    ("EOY", date(2027, 12, 31)),
    ("year-end", date(2027, 12, 31)),
    ("by 31/12", date(2027, 12, 31)),
    ("31.12.", date(2027, 12, 31)),
    ("end of Q4", date(2027, 12, 31)),
    ("Q4", date(2027, 12, 31)),
    ("end of Q1", date(2027, 3, 31)),
    ("end of 2027", date(2027, 12, 31)),  # a year's end by its number (it read as no day)
    ("by the end of 2027", date(2027, 12, 31)),
    ("March 31", date(2027, 3, 31)),
    ("2027-06-30", date(2027, 6, 30)),
])
def test_a_plan_for_next_year_resolves_days_inside_it(raw: str, expected: date) -> None:
    assert parse_date(raw, NOV, "Europe/Oslo", period=PLAN_2027) == expected
    assert date_answer(raw, Env(NOV, "Europe/Oslo", period=PLAN_2027)) == Valid(expected.isoformat())


@pytest.mark.parametrize(("raw", "code"), [
    ("2026-12-15", "outside_period"),   # a real future day, but not in the 2027 plan
    ("end of month", "outside_period"),
    ("31 Dec 2028", "outside_period"),
    ("2026-11-01", "in_the_past"),
])
def test_days_outside_the_plan_or_past_are_asked_again(raw: str, code: str) -> None:
    result = date_answer(raw, Env(NOV, "Europe/Oslo", period=PLAN_2027), future=True)
    assert isinstance(result, Invalid) and result.code == code


def test_key_result_due_dates_resolve_in_the_plan_and_the_past_is_refused() -> None:
    env = Env(NOV, "Europe/Oslo", period=PLAN_2027)
    for phrase in ("by December 31", "by end of year", "by 31/12", "by end of Q4"):
        kr = measurable(f"Close 12 new logos {phrase}", env)
        assert isinstance(kr, Valid) and kr.value["due"] == "2027-12-31", phrase
        assert (kr.value["target"], kr.value["unit"]) == (12, "logos")
    past = measurable("Close 12 new logos by 2026-11-01", Env(NOV, "Europe/Oslo"))
    assert isinstance(past, Invalid) and past.code == "in_the_past"


def test_without_a_plan_a_yearless_day_is_the_next_one() -> None:
    assert parse_date("December 31", NOV) == date(2026, 12, 31)
    assert parse_date("end of year", NOV) == date(2026, 12, 31)


# --- 2. day/month order from the person's country ------------------------------------

@pytest.mark.parametrize(("zone", "country", "locale", "order", "read"), [
    ("America/Sao_Paulo", None, None, "DMY", date(2027, 4, 3)),   # Brazil: 3 April
    ("America/Mexico_City", None, None, "DMY", date(2027, 4, 3)),
    ("America/Buenos_Aires", None, None, "DMY", date(2027, 4, 3)),  # an old alias of a zone
    ("US/Eastern", None, None, "MDY", date(2027, 3, 4)),
    ("America/New_York", None, None, "MDY", date(2027, 3, 4)),
    ("America/Los_Angeles", None, None, "MDY", date(2027, 3, 4)),
    ("Asia/Manila", None, None, "MDY", date(2027, 3, 4)),
    ("Europe/Oslo", None, None, "DMY", date(2027, 4, 3)),
    ("Asia/Kolkata", None, None, "DMY", date(2027, 4, 3)),
    ("Asia/Riyadh", None, None, "DMY", date(2027, 4, 3)),
    ("Pacific/Auckland", None, None, "DMY", date(2027, 4, 3)),
    ("Europe/London", "US", None, "MDY", date(2027, 3, 4)),      # a stored country wins over the zone
    ("America/New_York", None, "pt-BR", "DMY", date(2027, 4, 3)),  # a platform locale wins over both
])
def test_numeric_days_follow_the_persons_country(zone: str, country: str | None, locale: str | None,
                                                 order: str, read: date) -> None:
    assert day_order(zone, country, locale) == order
    found = read_date("03/04", NOV, zone, country=country, locale=locale)
    assert found is not None and found.day == read and found.order_known


def test_zones_without_a_country_say_so() -> None:
    assert country_of("UTC") is None and country_of("Etc/GMT+3") is None
    assert country_of("America/Sao_Paulo") == "BR" and country_of("Asia/Kolkata", "us-ca") == "US"
    assert day_order("UTC") is None


def test_an_ambiguous_numeric_day_is_confirmed_in_words_or_asked() -> None:
    confirmed = date_answer("03/04", Env(NOV, "America/Sao_Paulo"))
    assert confirmed == Valid("2027-04-03", {"date": "2027-04-03", "given": "03/04"})
    asked = date_answer("03/04", Env(NOV, "UTC"))
    assert asked == Invalid("ambiguous_date", {"given": "03/04", "first": "2027-04-03", "second": "2027-03-04"})
    for plain in ("13/04", "04/13", "4/4", "3 April", "April 3"):  # one reading only: no question
        result = date_answer(plain, Env(NOV, "UTC"))
        assert isinstance(result, Valid) and result.confirm is None, plain
    kr = measurable("Close 5 deals by 03/04", Env(NOV, "America/Sao_Paulo"))
    assert isinstance(kr, Valid) and kr.value["due"] == "2027-04-03" and kr.confirm is not None


# --- 3. months and halves without a day ------------------------------------------------

@pytest.mark.parametrize(("raw", "today", "expected"), [
    ("by H1", NOV, date(2027, 6, 30)),
    ("H1", date(2027, 2, 10), date(2027, 6, 30)),
    ("H2", date(2027, 2, 10), date(2027, 12, 31)),
    ("H2", date(2027, 2, 28), date(2027, 12, 31)),
    ("1H", NOV, date(2027, 6, 30)),
    ("end of H1", NOV, date(2027, 6, 30)),
    ("second half", date(2027, 2, 10), date(2027, 12, 31)),
    ("H1 2028", NOV, date(2028, 6, 30)),
    ("by June", date(2027, 2, 10), date(2027, 6, 30)),
    ("by June", date(2027, 2, 28), date(2027, 6, 30)),   # the day of the month no longer matters
    ("June", date(2027, 6, 15), date(2027, 6, 30)),      # this month: its end
    ("June", date(2027, 7, 1), date(2028, 6, 30)),
    ("end of February", date(2028, 1, 5), date(2028, 2, 29)),
    ("Sept", NOV, date(2027, 9, 30)),
    ("June 2027", NOV, date(2027, 6, 30)),
])
def test_a_month_or_half_means_its_end(raw: str, today: date, expected: date) -> None:
    assert parse_date(raw, today, "Europe/Oslo") == expected


@pytest.mark.parametrize("raw", ["31 June", "30/02", "whenever", "2027", ""])
def test_non_days_are_not_days(raw: str) -> None:
    assert parse_date(raw, NOV, "Europe/Oslo") is None


# --- 5-6. scale words, grouping, and what follows a number ----------------------------

@pytest.mark.parametrize(("raw", "value", "unit"), [
    ("₹1.2 crore", 12_000_000, "INR"),
    ("₹4 lakh", 400_000, "INR"),
    ("4 lakhs INR", 400_000, "INR"),
    ("Rs. 10 lac", 1_000_000, "INR"),
    ("₹2.5 cr", 25_000_000, "INR"),
    ("₹5,00,000", 500_000, "INR"),
    ("₹1,00,00,000", 10_000_000, "INR"),
    ("12,34,567", 1_234_567, ""),
    ("1,5 Mio. €", 1_500_000, "EUR"),
    ("2 Mrd EUR", 2_000_000_000, "EUR"),
    ("30 Tsd. €", 30_000, "EUR"),
    ("$3mm", 3_000_000, "USD"),
    ("$1.2bn", 1_200_000_000, "USD"),
    ("250k", 250_000, ""),
    ("R$ 40 mil", None, None),  # "mil" is not a scale word we know: asked again, never 40
    ("about 300k", 300_000, ""),
    ("$250k or so", 250_000, "USD"),
    ("1 234 567,50 €", 1_234_567.5, "EUR"),
])
def test_scale_words_and_grouping(raw: str, value: float | None, unit: str | None) -> None:
    found = read_amount(raw, decimal="," if raw.startswith("1,5 Mio") else ".")  # a German "1,5 Mio."
    if value is None:
        assert found == "unknown_words"
    else:
        assert found == Amount(value, unit or "", unit or None)


@pytest.mark.parametrize(("raw", "code"), [
    ("40-50k", "range"), ("40k-50k", "range"), ("40 to 50k", "range"), ("$40k – $50k", "range"),
    ("about 3 or 4", "alternatives"), ("3/4", "ratio"), ("1 in 4", "ratio"), ("1 out of 4", "ratio"),
    ("3 4", "unreadable"), ("250k and counting", "unknown_words"), ("$5k or €4k", "two_currencies"),
    ("lots", "no_number"),
])
def test_what_follows_a_number_is_never_dropped(raw: str, code: str) -> None:
    assert read_amount(raw) == code


def test_money_validator_re_asks_instead_of_keeping_the_first_numeral() -> None:
    assert money("₹1.2 crore", KOLKATA) == Valid({"amount": 12_000_000, "currency": "INR", "symbol": "₹"})
    for raw, code in [("40-50k", "range"), ("about 3 or 4", "alternatives"), ("300k maybe more", "unknown_words")]:
        result = money(raw, KOLKATA)
        assert isinstance(result, Invalid) and result.code == code, raw
    ratio = percentage("1 in 4", KOLKATA)
    assert isinstance(ratio, Invalid) and ratio.code == "ratio" and ratio.details["as_percent"] == 25
    kr = measurable("Win 1 in 4 deals by June", KOLKATA)
    assert isinstance(kr, Invalid) and kr.code == "ratio"
    span = measurable("Book 40-50k of new business by June", KOLKATA)
    assert isinstance(span, Invalid) and span.code == "range"
    assert measurable("Grow from 20 to 25 deals by June", KOLKATA).value["target"] == 25  # type: ignore[union-attr]


# --- 7. units -------------------------------------------------------------------------

def test_units_are_checked() -> None:
    assert money("25%", KOLKATA).code == "percent_not_money"  # type: ignore[union-attr]
    assert percentage("$25k", KOLKATA).code == "money_not_percent"  # type: ignore[union-attr]
    assert percentage("€25", KOLKATA).code == "money_not_percent"  # type: ignore[union-attr]
    assert integer("25%", KOLKATA).code == "not_a_count"  # type: ignore[union-attr]
    assert percentage("25 %", KOLKATA) == Valid(0.25)


def test_a_plan_keeps_one_currency() -> None:
    quota = {"amount": 12_000_000, "currency": "INR", "symbol": "₹"}
    env = Env(KOLKATA.today, KOLKATA.timezone, answers={"quota": quota})
    other = money("$50k", env, same_currency_as="quota")
    assert other == Invalid("other_currency", {"expected": "INR", "given": "USD", "symbol": "₹"})
    assert money("4 lakh", env, same_currency_as="quota") == Valid({"amount": 400_000, "currency": "INR",
                                                                    "symbol": "₹"})
    assert money("₹4 lakh", env, same_currency_as="quota").value["currency"] == "INR"  # type: ignore[union-attr]
    assert money("$50k", KOLKATA, same_currency_as="quota").value["currency"] == "USD"  # type: ignore[union-attr]


@pytest.mark.parametrize(("unit", "kind"), [("USD", "money"), ("$", "money"), ("%", "percent"),
                                            ("logos", "count"), ("", "count")])
def test_unit_kinds(unit: str, kind: str) -> None:
    assert unit_kind(unit) == kind


@pytest.mark.parametrize(("previous", "value", "change"), [
    (10, 31, "up"), (10, 30, None), (None, 500, None), (0, 5, None), (25, 250, "up"),
    (250_000, 4, "down"), (30, 10, None), (30, 9.9, "down"), (12, 0, "down"),
    (3, -5, "negative"), (0, -5000, "negative"), (None, -5, None), (-10, -12, None)])
def test_a_jump_a_drop_or_a_sign_change_is_worth_confirming(previous: float | None, value: float,
                                                             change: str | None) -> None:
    assert unlikely_change(previous, value) == change


def test_parse_amount_keeps_reading_sentences_alike() -> None:
    assert parse_amount("Book ₹4 lakh in renewals") == (400_000, "INR")
    assert parse_amount("12 new logos") == (12, "logos")
