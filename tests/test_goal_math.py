"""The goal math on worked numbers (the README's example), its rounding, and the
clear answers for zero or missing inputs."""

from __future__ import annotations

import pytest

from conversations.goalmath import goal_math, plan, what_ifs


def test_worked_example_from_the_readme() -> None:
    p = plan(quota=1_200_000, win_rate=0.25, deal_value=40_000, cycle_days=63)
    assert p.problems == []
    assert p.gap == 1_200_000
    assert p.deals == 30                      # 1,200,000 / 40,000
    assert p.opportunities == 120             # 30 / 0.25
    assert p.pipeline == 4_800_000            # 120 * 40,000
    assert p.prospecting_weeks == 37.0        # 46 - 63/7
    assert p.per_week == 3.3                  # ceil1(120 / 37 = 3.243…)
    assert p.open_pipeline == pytest.approx(3.3 * 9 * 40_000)


def test_counts_round_up() -> None:
    p = plan(quota=100_000, win_rate=0.3, deal_value=30_000, cycle_days=0)
    assert p.deals == 4                       # 3.33 deals: a third of a deal does not close
    assert p.opportunities == 14              # 4 / 0.3 = 13.33
    assert p.per_week == 0.4                  # 14 / 46 = 0.304 -> 0.4
    assert p.open_pipeline == 0               # no cycle, nothing in flight


def test_float_noise_does_not_round_up_an_exact_figure() -> None:
    p = plan(quota=300, win_rate=0.1, deal_value=100, cycle_days=0)
    assert p.deals == 3                       # 300/100
    assert p.opportunities == 30              # 3 / 0.1 = 30.000000000000004 in floats


def test_booked_business_reduces_the_gap() -> None:
    p = plan(quota=1_000_000, booked=400_000, win_rate=0.5, deal_value=50_000, cycle_days=70)
    assert (p.gap, p.deals, p.opportunities) == (600_000, 12, 24)
    covered = plan(quota=100, booked=150, win_rate=0.5, deal_value=10, cycle_days=7)
    assert (covered.gap, covered.deals, covered.opportunities, covered.per_week) == (0, 0, 0, 0)


def test_money_answers_are_accepted_as_inputs() -> None:
    p = plan(quota={"amount": 500_000, "currency": "EUR", "symbol": "€"}, win_rate=0.2,
             deal_value={"amount": 25_000}, cycle_days=35)
    assert (p.deals, p.opportunities) == (20, 100)


@pytest.mark.parametrize(("kwargs", "problem"), [
    ({"quota": 0}, "missing_quota"),
    ({"quota": None}, "missing_quota"),
    ({"win_rate": 0}, "missing_win_rate"),
    ({"win_rate": None}, "missing_win_rate"),
    ({"win_rate": 1.5}, "win_rate_above_100"),
    ({"deal_value": 0}, "missing_deal_value"),
    ({"deal_value": None}, "missing_deal_value"),
])
def test_zero_or_missing_inputs_name_the_problem(kwargs: dict[str, float | None], problem: str) -> None:
    inputs: dict[str, float | None] = {"quota": 1_000_000, "win_rate": 0.25, "deal_value": 50_000,
                                       "cycle_days": 60}
    inputs.update(kwargs)
    p = plan(**inputs)  # type: ignore[arg-type]
    assert problem in p.problems
    assert p.opportunities is None and p.per_week is None


def test_missing_or_too_long_cycle_keeps_the_totals() -> None:
    p = plan(quota=1_000_000, win_rate=0.25, deal_value=50_000, cycle_days=None)
    assert (p.deals, p.opportunities, p.per_week) == (20, 80, None)
    assert "missing_cycle" in p.problems
    long = plan(quota=1_000_000, win_rate=0.25, deal_value=50_000, cycle_days=400)
    assert long.opportunities == 80 and long.per_week is None
    assert "cycle_too_long" in long.problems


def test_what_ifs_of_seed_000() -> None:
    base = plan(quota=1_200_000, win_rate=0.25, deal_value=40_000, cycle_days=63)
    ifs = what_ifs(base)
    assert ifs["win_rate"]["win_rate"] == pytest.approx(0.3125)
    assert ifs["win_rate"]["opportunities"] == 96           # 30 / 0.3125
    assert ifs["win_rate"]["fewer_opportunities"] == 24
    assert ifs["deal_value"]["deals"] == 25                 # 1.2M / 48k
    assert ifs["deal_value"]["opportunities"] == 100
    assert ifs["cycle"]["cycle_days"] == pytest.approx(56.7)
    assert ifs["cycle"]["per_week"] == 3.2                  # 120 / (46 - 8.1) = 3.166
    assert ifs["all"]["opportunities"] == 80                # 25 / 0.3125
    assert ifs["all"]["per_week"] == 2.2                    # 80 / 37.9 = 2.11 -> 2.2
    assert ifs["all"]["fewer_per_week"] == 1.1


def test_win_rate_what_if_is_capped_at_100_percent() -> None:
    ifs = what_ifs(plan(quota=100_000, win_rate=0.9, deal_value=10_000, cycle_days=14))
    assert ifs["win_rate"]["win_rate"] == 1.0
    assert ifs["win_rate"]["opportunities"] == 10


def test_goal_math_is_plain_json_and_skips_what_ifs_without_a_plan() -> None:
    import json

    full = goal_math(1_200_000, 0.25, 40_000, 63)
    assert json.loads(json.dumps(full))["what_ifs"]["all"]["opportunities"] == 80
    empty = goal_math(None, None, None, None)
    assert empty["what_ifs"] == {}
    assert set(empty["problems"]) >= {"missing_quota", "missing_win_rate", "missing_deal_value"}


def test_the_math_message_uses_the_currency_given_and_explains_gaps() -> None:
    import prompts

    answers = {
        "quota": {"amount": 900_000, "currency": "EUR", "symbol": "€"},
        "booked": None,
        "deal_value": {"amount": 30_000, "currency": None, "symbol": "$"},
        "math": goal_math({"amount": 900_000}, 0.3, {"amount": 30_000}, 90),
    }
    text = prompts.render("flows/goals/math", answers=answers, context={"manager_name": "Maria"})
    assert "Pipeline to create over the year: €3,000,000" in text     # 100 opportunities
    assert "$" not in text
    answers["math"] = goal_math({"amount": 900_000}, None, None, 90)
    text = prompts.render("flows/goals/math", answers=answers, context={"manager_name": "Maria"})
    assert "I still need a win rate above zero and an average deal value above zero" in text
    answers["math"] = goal_math(0, 0.3, 30_000, 90)
    text = prompts.render("flows/goals/math", answers=answers, context={"manager_name": "Maria"})
    assert "Without a quota above zero" in text
