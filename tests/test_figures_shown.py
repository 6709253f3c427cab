"""How figures read in replies (`prompts.format_amount`, `format_number`): money with
its cents in full or none (in every currency: its minor unit by babel, none for JPY),
and float noise never shown as "3.0" or "-0.0"; the brief calls a key result moved
only when the change shows. A key result's "X of Y unit" and a WIG measure in money
read the same way."""

from __future__ import annotations

import pytest

import prompts
from bot.features.brief_data import _shown


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (250_000.5, "USD", "$250,000.50"),   # was "$250,000.5"
    (1.25, "USD", "$1.25"),              # was "$1.2": cents were cut to one digit
    (1234.5, "EUR", "€1,234.50"),
    (-5000, "USD", "-$5,000"),
    (-0.001, "USD", "$0"),               # no "-$0"
    (3.0000001, "logos", "3 logos"),     # was "3.0 logos"
    (-0.0000001, "logos", "0 logos"),    # was "-0.0 logos"
    (2.5, "logos", "2.5 logos"),
    (12, "logos", "12 logos"),
    (0.5, "%", "0.5%"),
    # every currency as the dollar: its minor unit in full, or none when whole
    (1234.5, "NOK", "1,234.50 NOK"),     # was "1,234.5 NOK"
    (1234.5, "SEK", "1,234.50 SEK"),
    (-1234.5, "SEK", "-1,234.50 SEK"),
    (250_000, "NOK", "250,000 NOK"),
    (1.25, "CHF", "1.25 CHF"),           # was "1.2 CHF"
    (1234.05, "EUR", "€1,234.05"),
    (1234.5, "€", "€1,234.50"),          # a symbol stored before ISO codes
    (1234.6, "JPY", "¥1,235"),           # the yen has no minor unit (babel): was "¥1,234.60"
    (250_000, "JPY", "¥250,000"),
    (1.2345, "KWD", "1.235 KWD"),        # three decimals (fils), half away from zero (was 1.234)
    (1234.5, "FTE", "1,234.5 FTE"),      # three capitals but no currency: a count
])
def test_amounts_read_as_people_write_them(value: float, unit: str, shown: str) -> None:
    assert prompts.format_amount(value, unit) == shown


def test_a_change_too_small_to_show_is_no_change() -> None:
    assert _shown(3.0, "logos") == _shown(3.0000001, "logos")
    assert _shown(3.0, "logos") != _shown(3.1, "logos")
    assert _shown(100.0, "USD") != _shown(100.01, "USD")
    assert _shown(100.0, "NOK") != _shown(100.01, "NOK")  # was one decimal: no change shown
    assert _shown(100.0, "JPY") == _shown(100.01, "JPY")


@pytest.mark.parametrize(("current", "target", "unit", "shown"), [
    (1234.5, 5000, "NOK", "1,234.50 of 5,000 NOK"),   # was "1,234.5 of 5,000 NOK"
    (1234.5, 5000, "PLN", "1,234.50 of 5,000 PLN"),
    (1234.6, 5000, "JPY", "¥1,235 of ¥5,000"),
    (600_000, 750_000, "USD", "$600,000 of $750,000"),
    (2.5, 8, "logos", "2.5 of 8 logos"),
    (25, 40, "%", "25% of 40%"),
])
def test_a_key_results_figures_name_the_unit_once_with_its_decimals(current, target, unit, shown) -> None:
    figures = prompts.environment().from_string(
        '{% import "okrs/_figures.j2" as f %}{{ f.figure(current, target, unit) }}')
    assert figures.render(current=current, target=target, unit=unit) == shown


def test_a_wig_measure_in_money_reads_as_money() -> None:
    measure = {"title": "Upsell", "average": 1234.5, "target": 2000, "unit": "SEK", "weeks": 2, "on_target": False}
    brief = prompts.render("one_on_ones/brief_wig", made=0, kept=0, measures=[measure])
    assert "1,234.50 a week against a target of 2,000 SEK" in brief
    counted = prompts.render("one_on_ones/brief_wig", made=0, kept=0, measures=[{**measure, "unit": "calls"}])
    assert "1,234.5 a week against a target of 2,000 calls" in counted
    measure = {"title": "Upsell", "personal": False, "weekly_target": 1500.5, "unit": "NOK"}
    asked = prompts.render("cadence/wig/measure_value", context={"measures": {"0": measure}}, answers={"m": "0"})
    assert "The target is 1,500.50 NOK." in asked
    asked = prompts.render("cadence/wig/measure_value", context={"measures": {"0": {**measure, "unit": "calls"}}},
                           answers={"m": "0"})
    assert "The target is 1,500.5 calls." in asked


def test_a_small_figure_is_never_rounded_into_another() -> None:
    """The reviewer's WIG "from 5% to 0.05" was echoed "from 5% to 0.1%" and the
    scorecard kept that figure: a small value gets the decimals it needs (up to 4)."""
    from prompts import format_amount

    assert format_amount(0.05, "%") == "0.05%"
    assert format_amount(0.004, "%") == "0.004%"
    assert format_amount(0.15, "logos") == "0.15 logos"
    assert format_amount(33.333, "%") == "33.3%"  # within 5 % of itself: one decimal, as before
    assert format_amount(12.345, "logos") == "12.3 logos"


def test_goal_maths_money_writes_a_code_after_the_number_like_every_other_figure() -> None:
    """The reviewer saw "Still to win: NOK 1,084,567" in goal setting beside
    "1,234,567.50 NOK" in /okr status for the same quota."""
    from prompts import format_money

    assert format_money(1084567.4, "NOK") == "1,084,567 NOK"
    assert format_money(-5000, "SEK ") == "-5,000 SEK"
    assert format_money(250000, "$") == "$250,000" and format_money(-5000, "€") == "-€5,000"


def test_a_figure_near_its_target_is_not_shown_as_the_target() -> None:
    """0.052% read "0.05%" (a WIG's target, not reached), 0.00024 read "0.0002"."""
    from prompts import format_amount

    assert format_amount(0.052, "%") == "0.052%"
    assert format_amount(0.00024, "") == "0.00024"


@pytest.mark.parametrize(("value", "unit", "shown", "bare"), [
    (2.5, "JPY", "¥3", "¥3"),                 # was "¥2": round() is half to even
    (3.5, "JPY", "¥4", "¥4"),
    (-2.5, "JPY", "-¥3", "-¥3"),              # away from zero both ways
    (1234.5, "KRW", "1,235 KRW", "1,235"),    # was "1,234 KRW"
    (1.2345, "KWD", "1.235 KWD", "1.235"),    # was "1.234 KWD": the float 1.23449999… rounded
    (1.0005, "KWD", "1.001 KWD", "1.001"),
    (0.125, "USD", "$0.13", "$0.13"),         # was "$0.12"
    (2.675, "EUR", "€2.68", "€2.68"),         # was "€2.67" (the float 2.67499999…)
])
def test_money_is_rounded_half_away_from_zero_everywhere_it_is_shown(
        value: float, unit: str, shown: str, bare: str) -> None:
    """Money shown to a person rounds half away from zero (as babel's ROUND_HALF_UP),
    in the `amount` filter, the "X of Y" figure and the brief's change alike, so a
    figure and its "X of Y" line agree."""
    assert prompts.format_amount(value, unit) == shown
    assert prompts.format_bare(value, unit) == bare
    figures = prompts.environment().from_string(
        '{% import "okrs/_figures.j2" as f %}{{ f.figure(current, target, unit) }}')
    target = prompts.format_amount(10, unit)
    assert figures.render(current=value, target=10, unit=unit) == f"{bare} of {target}"
    assert _shown(value, unit) == shown


def test_whole_money_and_plain_numbers_round_the_same_way() -> None:
    """The goal maths' and salary figures' whole amounts (`money`), counts (`number`)
    and a typed-back example (`plain`) round half away from zero as `amount` does."""
    assert prompts.format_money(2.5, "JPY") == "3 JPY" and prompts.format_money(-2.5, "¥") == "-¥3"
    assert prompts.format_money(1084567.5, "NOK") == "1,084,568 NOK"
    assert prompts.format_number(2.5) == "3" and prompts.format_number(0.125, 2) == "0.13"
    assert prompts.format_plain(1.005) == "1.01" and prompts.format_plain(-0.001) == "0"
