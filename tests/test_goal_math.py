"""The goal math (issue #11): the README's worked example, a deal larger than the
quota, a 300-day cycle, booked business above 80 %, selling weeks from the plan's
start, open pipeline counted, what-ifs compared as shown, and clear answers
for zero or missing inputs."""

from __future__ import annotations

import json

import pytest

import prompts
from conversations.goalmath import goal_math, plan, selling_weeks, what_ifs

YEAR = {"start": "2027-01-01", "end": "2027-12-31"}


@pytest.mark.parametrize(("inputs", "expected"), [
    # the README's worked example: a whole calendar year, 365 days = 52.14 weeks
    ({"quota": 1_200_000, "win_rate": 0.25, "deal_value": 40_000, "cycle_days": 63, **YEAR},
     {"gap": 1_200_000, "pipeline": 4_800_000, "deals": 30, "opportunities": 120,
      "prospecting_weeks": 43.1, "per_week": 2.8, "run_rate_note": "robust"}),
    # pipeline is money, not rounded-up deals: 100k at 30 % is 333,333.33, not 14 × 30k
    ({"quota": 100_000, "win_rate": 0.3, "deal_value": 30_000, "cycle_days": 0, **YEAR},
     {"pipeline": 333_333.33, "deals": 4, "opportunities": 12, "per_week": 0.3}),
    # a deal larger than the quota: one deal, a handful of opportunities, no fraction
    ({"quota": 200_000, "win_rate": 0.25, "deal_value": 500_000, "cycle_days": 90, **YEAR},
     {"pipeline": 800_000, "deals": 1, "opportunities": 2, "per_week": 0.1}),
    # a 300-day cycle planned on Feb 1: 47.7 weeks to go less 42.9 of cycle leaves 4.9
    # prospecting weeks (< 8), so no weekly figure at all
    ({"quota": 1_000_000, "win_rate": 0.25, "deal_value": 50_000, "cycle_days": 300, **YEAR,
      "today": "2027-02-01"},
     {"opportunities": 80, "per_week": None, "problem": "cycle_too_long"}),
    # booked business above 80 % of the quota: the target may be too low to stretch
    ({"quota": 1_000_000, "booked": 850_000, "win_rate": 0.5, "deal_value": 50_000,
      "cycle_days": 30, **YEAR},
     {"gap": 150_000, "pipeline": 300_000, "deals": 3, "opportunities": 6,
      "run_rate_note": "stretch"}),
    # open pipeline expected to close is counted before new pipeline is needed
    ({"quota": 1_000_000, "booked": 200_000, "expected": 200_000, "win_rate": 0.25,
      "deal_value": 50_000, "cycle_days": 35, **YEAR},
     {"gap": 600_000, "pipeline": 2_400_000, "deals": 12, "opportunities": 48,
      "run_rate_note": None}),
    # a plan made in October counts only the weeks left: Oct 1 - Dec 31 = 13.1 weeks
    ({"quota": 300_000, "win_rate": 0.5, "deal_value": 10_000, "cycle_days": 14,
      "start": "2027-01-01", "end": "2027-12-31", "today": "2027-10-01"},
     {"opportunities": 60, "prospecting_weeks": 11.1, "per_week": 5.4}),
    # a farmer: the installed base's churn must be replaced on top of the quota
    ({"quota": 500_000, "win_rate": 0.5, "deal_value": 25_000, "cycle_days": 28,
      "installed_base": 2_000_000, "churn_rate": 0.05, **YEAR},
     {"gap": 600_000, "pipeline": 1_200_000, "deals": 24, "opportunities": 48}),
])
def test_the_plan(inputs: dict[str, object], expected: dict[str, object]) -> None:
    result = goal_math(**inputs)  # type: ignore[arg-type]
    problem = expected.pop("problem", None)
    for key, value in expected.items():
        assert result[key] == (pytest.approx(value) if isinstance(value, float) else value), key
    if problem:
        assert problem in result["problems"]


@pytest.mark.parametrize(("start", "end", "today", "weeks"), [
    ("2027-01-01", "2027-12-31", "2026-12-15", 365 / 7),     # planned early: from the start
    ("2027-01-01", "2027-12-31", "2027-07-02", 183 / 7),     # planned mid-year: from today
    ("2027-01-01", "2027-12-31", "2028-01-05", 0.0),         # the period is over
    (None, None, None, 52.0),                                # no dates: a whole year
])
def test_selling_weeks_run_from_the_start_or_today_to_the_end(start: str | None, end: str | None,
                                                              today: str | None, weeks: float) -> None:
    assert selling_weeks(start, end, today) == pytest.approx(weeks)


def test_counts_are_whole_and_free_of_float_noise() -> None:
    p = plan(quota=300, win_rate=0.1, deal_value=100, cycle_days=0)
    assert (p.deals, p.opportunities) == (3, 30)     # 300/0.1/100 = 30.000000000000004 in floats


def test_money_answers_are_accepted_as_inputs() -> None:
    p = plan(quota={"amount": 500_000, "currency": "EUR", "symbol": "€"}, win_rate=0.2,
             deal_value={"amount": 25_000}, cycle_days=35)
    assert (p.deals, p.opportunities, p.pipeline) == (20, 100, 2_500_000)


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


def test_what_ifs_of_seed_000() -> None:
    base = plan(quota=1_200_000, win_rate=0.25, deal_value=40_000, cycle_days=63, weeks=46)
    ifs = what_ifs(base)
    assert ifs["win_rate"]["win_rate"] == pytest.approx(0.3125)
    assert ifs["win_rate"]["opportunities"] == 96
    assert ifs["win_rate"]["fewer_opportunities"] == 24
    assert ifs["deal_value"]["deals"] == 25 and ifs["deal_value"]["opportunities"] == 100
    assert ifs["cycle"]["cycle_days"] == pytest.approx(56.7)
    # 120/37 = 3.243 and 120/37.9 = 3.166 show as 3.3 and 3.2 (rounded up): 0.1 fewer
    assert ifs["cycle"]["fewer_per_week"] == 0.1 and ifs["cycle"]["noticeable"]
    assert ifs["all"]["opportunities"] == 80


def test_a_what_if_says_the_difference_of_the_figures_it_shows() -> None:
    """The reviewer's plan (seed 000's math): quota 1.2M, 25 % win rate, $40k deals, a
    63-day cycle over 2027. The base shows 2.8 a week; a tenth shorter cycle also
    shows 2.8 (2.78 -> 2.72 exactly), which was said as "0.1 fewer", and the better
    win rate's 2.3 as "0.6 fewer" (2.8 - 2.3 is 0.5 on screen)."""
    math = goal_math(1_200_000, 0.25, 40_000, 63, **YEAR)
    assert math["per_week"] == 2.8
    for entry in math["what_ifs"].values():
        assert entry["fewer_per_week"] == round(math["per_week"] - entry["per_week"], 1)
        assert entry["fewer_opportunities"] == math["opportunities"] - entry["opportunities"]
        assert entry["noticeable"] is (entry["fewer_per_week"] > 0)
    text = _math_text(math)
    assert "Win rate up a quarter (to 31%): $3,840,000 of pipeline, 96 opportunities; 2.3 a week, 0.5 fewer" in text
    assert "Deals a fifth bigger ($48,000): 25 deals and 100 opportunities; 2.4 a week, 0.4 fewer" in text
    assert "Cycle a tenth shorter (57 days): 2.8 a week, hardly a change" in text
    assert "All three together: 80 opportunities; 1.9 a week, 0.9 fewer" in text


def test_what_ifs_recompute_over_the_same_weeks_as_the_base() -> None:
    """The base used 52.14 weeks and the what-ifs 52.1 (the figure shown): the cycle
    what-if then differed from the base by more than the cycle."""
    base = plan(quota=1_200_000, win_rate=0.25, deal_value=40_000, cycle_days=63, weeks=365 / 7)
    assert base.selling_weeks == 52.1 and base.weeks_exact == pytest.approx(365 / 7)
    cycle = what_ifs(base)["cycle"]
    alone = plan(quota=1_200_000, win_rate=0.25, deal_value=40_000, cycle_days=63 * 0.9, weeks=365 / 7)
    assert cycle["per_week_exact"] == pytest.approx(alone.per_week_exact, rel=1e-12)
    assert cycle["prospecting_weeks"] == alone.prospecting_weeks


def test_open_pipeline_is_said_as_an_estimate() -> None:
    """"about $1,001,325" read as a made-up exact figure: "about" money keeps three
    significant figures."""
    math = goal_math(1_200_000, 0.25, 40_000, 63, **YEAR)
    assert math["open_pipeline"] == 1_000_000
    assert "Open pipeline to keep at any moment: about $1,000,000" in _math_text(math)
    assert goal_math(1_000_000, 0.25, 20_000, 63, booked=900_000, installed_base=5_000_000, churn_rate=0.1,
                     **YEAR)["open_pipeline"] == 501_000


def test_a_gain_hidden_by_rounding_is_not_claimed() -> None:
    # 10 opportunities over 40 prospecting weeks: 0.25 a week; a tenth shorter cycle
    # (7 -> 6.3 days) gains 0.0011 a week, which no shown figure can carry
    base = plan(quota=100_000, win_rate=0.5, deal_value=20_000, cycle_days=7, weeks=41)
    cycle = what_ifs(base)["cycle"]
    assert cycle["fewer_per_week"] == 0.0 and not cycle["noticeable"]
    text = _math_text(goal_math(100_000, 0.5, 20_000, 7, start="2027-01-01", end="2027-10-14"))
    assert "Cycle a tenth shorter (6 days): 0.3 a week, hardly a change" in text


def test_win_rate_what_if_is_capped_at_100_percent() -> None:
    ifs = what_ifs(plan(quota=100_000, win_rate=0.9, deal_value=10_000, cycle_days=14))
    assert ifs["win_rate"]["win_rate"] == 1.0
    assert ifs["win_rate"]["opportunities"] == 10


def test_goal_math_is_plain_json_and_skips_what_ifs_without_a_plan() -> None:
    full = goal_math(1_200_000, 0.25, 40_000, 63, **YEAR)
    assert json.loads(json.dumps(full))["what_ifs"]["all"]["opportunities"] == 80
    empty = goal_math(None, None, None, None)
    assert empty["what_ifs"] == {}
    assert set(empty["problems"]) >= {"missing_quota", "missing_win_rate", "missing_deal_value"}


def _math_text(math: dict[str, object], **answers: object) -> str:
    # the quota answer in dollars: the plan's currency, unless a test gives another
    values = {"quota": {"amount": math["quota"], "currency": "USD", "symbol": "$"}, "booked": None,
              "deal_value": None, "expected": None, "math": math}
    values.update(answers)
    return prompts.render("flows/goals/math", answers=values,
                          context={"manager_name": "Maria", "selling_role": None})


def test_the_math_message_uses_the_currency_given_and_explains_gaps() -> None:
    text = _math_text(goal_math({"amount": 900_000}, 0.3, {"amount": 30_000}, 90, **YEAR),
                      quota={"amount": 900_000, "currency": "EUR", "symbol": "€"},
                      deal_value={"amount": 30_000, "currency": None, "symbol": "$"})
    assert "Pipeline to create: €3,000,000" in text
    assert "$" not in text
    text = _math_text(goal_math({"amount": 900_000}, None, None, 90))
    assert "I still need a win rate above zero and an average deal value above zero" in text
    assert "Without a quota above zero" in _math_text(goal_math(0, 0.3, 30_000, 90))


def test_the_math_message_for_a_long_cycle_and_the_run_rate() -> None:
    text = _math_text(goal_math(1_000_000, 0.25, 50_000, 300, **YEAR, today="2027-02-01"))
    assert "has to come from the pipeline you have today" in text
    assert "a week" not in text.split("*What if?*")[0]
    assert "Win rate up a quarter (to 31%): $3,200,000 of pipeline, 64 opportunities; still too late" in text
    # 270 days leave 9.1 prospecting weeks: the what-if follows the same 8-week rule
    assert "Cycle a tenth shorter (270 days): enough weeks left to prospect again, 8.8" in text
    text = _math_text(goal_math(1_000_000, 0.5, 50_000, 30, booked=850_000, **YEAR))
    assert "85% of the number is already booked or expected" in text
    text = _math_text(goal_math(1_000_000, 0.5, 50_000, 30, booked=100_000, **YEAR))
    assert "Only 10% of the number is booked or expected so far" in text


def test_a_farmers_run_rate_counts_the_churn_to_replace() -> None:
    """Kiri, a farmer: quota $1M, $900k booked, a $5M installed base losing 10 % a year.
    Still to win is $600k ($500k of it churn), so the run rate is 900k of 1.5M (60 %),
    not 90 % of the quota with "is the target high enough to stretch you?" beside it."""
    math = goal_math(1_000_000, 0.25, 20_000, 63, booked=900_000, installed_base=5_000_000, churn_rate=0.1,
                     **YEAR)
    assert math["gap"] == 600_000 and math["run_rate"] == pytest.approx(0.6) and math["run_rate_note"] is None
    text = prompts.render("flows/goals/math", answers={"quota": {"amount": 1_000_000, "currency": "USD", "symbol": "$"},
                                                       "booked": None, "deal_value": None, "expected": None,
                                                       "math": math},
                          context={"manager_name": "Maria", "selling_role": "farmer"})
    assert "Still to win: $600,000 (quota $1,000,000, plus $500,000 of churn to replace" in text
    assert "high enough to stretch" not in text and "90%" not in text
    assert "at $20,000 an expansion deal" in text and "a expansion" not in text
    robust = goal_math(1_000_000, 0.25, 20_000, 63, booked=250_000, installed_base=5_000_000, churn_rate=0.1,
                       **YEAR)
    assert robust["run_rate"] == pytest.approx(250_000 / 1_500_000) and robust["run_rate_note"] == "robust"
    assert goal_math(1_000_000, 0.25, 20_000, 63, booked=900_000, **YEAR)["run_rate_note"] == "stretch"
