"""A key result's title read the way its writer meant it (review of `measurable`): the
target keeps its own unit when the sentence names money elsewhere, a year is a due date,
two targets are asked about, a unit after a slash is kept as a rate, and any ISO 4217
code is money."""

from __future__ import annotations

import datetime

import pytest

from conversations.answers import Env, Invalid, Valid
from conversations.krkinds import infer_kind
from conversations.validators import measurable, money, number
from prompts import render

ENV = Env(today=datetime.date(2026, 11, 30), timezone="America/New_York")
EAST = Env(today=datetime.date(2026, 12, 31), timezone="Asia/Kolkata")  # the last day of a year, east of UTC


def read(text: str, env: Env = ENV) -> dict:
    found = measurable(text, env)
    assert isinstance(found, Valid), (text, found)
    return found.value


# --- 1: a currency elsewhere in the sentence is a detail, not the target's unit ------

@pytest.mark.parametrize(("text", "target", "unit"), [
    ("Close 10 deals worth $500k by June", 10, "deals"),
    ("Book 30 meetings for $1M pipeline", 30, "meetings"),
    ("Close 3 deals of $50k each", 3, "deals"),
    ("Sign 5 logos at €20k ACV", 5, "logos"),
    ("Win 4 deals of 100k PLN each", 4, "deals"),
])
def test_the_target_keeps_its_own_unit_beside_an_amount_of_money(text: str, target: float, unit: str) -> None:
    found = read(text)
    assert (found["target"], found["unit"]) == (target, unit)


@pytest.mark.parametrize("text", ["Close 10 deals and $500k by June", "Book 20 demos and 10 trials by June",
                                  "Book 20 demos and 10 trials", "Book 20 demos, 10 trials"])
def test_two_targets_are_asked_about_with_an_example(text: str) -> None:
    found = measurable(text, ENV)
    assert isinstance(found, Invalid) and found.code == "two_targets", found
    words = render("flows/goals/key_result_retry", error=found.code, details=found.details,
                   validator="measurable", misses=1)
    assert "one number" in words and "`Close 12 new logos by end of Q2`" in words
    assert " and " in words.split("(")[1]  # both amounts named


def test_two_demos_and_trials_names_both_in_the_re_ask() -> None:
    found = measurable("Book 20 demos and 10 trials", ENV)
    assert found.details["amounts"] == [{"value": 20.0, "unit": "demos"}, {"value": 10.0, "unit": "trials"}]
    words = render("flows/goals/key_result_retry", error=found.code, details=found.details,
                   validator="measurable", misses=1)
    assert "20 demos" in words and "10 trials" in words


# --- 2: a year is a due date -----------------------------------------------------------

@pytest.mark.parametrize(("text", "target", "unit"), [
    ("Close 10 deals by 2027", 10, "deals"),
    ("Close 10 deals by end of 2027", 10, "deals"),
    ("Reach 95% CSAT by 2027", 95, "%"),
    ("Close 10 deals in 2027", 10, "deals"),
    ("Grow ARR to $2M by the end of 2027", 2_000_000, "USD"),
])
def test_a_year_is_the_due_date_not_the_target(text: str, target: float, unit: str) -> None:
    found = read(text)
    assert (found["target"], found["unit"], found["due"]) == (target, unit, "2027-12-31")


def test_a_year_on_new_years_eve_east_of_utc() -> None:
    found = read("Close 10 deals by 2027", EAST)
    assert (found["target"], found["due"]) == (10, "2027-12-31")


def test_a_year_gone_by_is_asked_again() -> None:
    found = measurable("Close 10 deals by 2025", ENV)
    assert isinstance(found, Invalid) and found.code == "in_the_past"


# --- 5: a unit after a slash ---------------------------------------------------------

@pytest.mark.parametrize(("text", "target", "unit", "per"), [
    ("Make 40 calls/week", 40, "calls", "week"),
    ("Book 3 demos/day", 3, "demos", "day"),
    ("Close 20 deals/month", 20, "deals", "month"),
    ("Make 40 calls / week", 40, "calls", "week"),
])
def test_a_unit_before_a_slash_is_kept_as_a_rate(text: str, target: float, unit: str, per: str) -> None:
    found = read(text)
    assert (found["target"], found["unit"]) == (target, unit)
    assert infer_kind(text) == {"kind": "rate", "per": per}
    assert infer_kind(text.replace("/", " per ")) == infer_kind(text)  # read as "per week" is


# --- 6: every ISO 4217 code is money ---------------------------------------------------

@pytest.mark.parametrize("text", ["Grow pipeline to 500k PLN", "Grow pipeline to PLN 500k", "Reach 500kPLN pipeline"])
def test_an_iso_code_beyond_the_bots_own_is_money_in_a_title(text: str) -> None:
    found = read(text)
    assert (found["target"], found["unit"]) == (500_000, "PLN")


@pytest.mark.parametrize(("raw", "code"), [("100 PLN", "PLN"), ("HUF 2M", "HUF"), ("5k KES", "KES")])
def test_an_iso_code_is_money_in_an_answer(raw: str, code: str) -> None:
    found = money(raw, ENV)
    assert isinstance(found, Valid) and found.value["currency"] == code


def test_an_iso_code_answers_a_number_in_that_currency() -> None:
    assert number("100 PLN", ENV, unit="PLN") == Valid(100.0)
    assert isinstance(money("100 PLN or 20 HUF", ENV), Invalid)  # two currencies still asked


@pytest.mark.parametrize("raw", ["2.5 FTE", "12 SQL", "40 NPS"])
def test_three_capitals_that_are_no_currency_stay_counts(raw: str) -> None:
    found = read(f"Hire {raw}")
    assert found["unit"] == raw.split()[1]  # an acronym keeps its capitals
    assert isinstance(money(raw, ENV), Invalid)


# --- what already worked ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "target", "unit"), [
    ("Reach 95% CSAT", 95, "%"), ("Grow ARR to $2M by Q4", 2_000_000, "USD"),
    ("Book 30 meetings per month", 30, "meetings"), ("Hire 2.5 FTE", 2.5, "FTE"),
    ("Sign 12 new logos by June", 12, "logos"), ("Run 40 discovery calls by March", 40, "discovery calls"),
    ("Take 3 reps to 100% quota by June", 100, "%"), ("Raise my win rate from 20% to 25% by December 31", 25, "%"),
])
def test_titles_that_were_read_right_still_are(text: str, target: float, unit: str) -> None:
    found = read(text)
    assert (found["target"], found["unit"]) == (target, unit)



PLN_KR = {"id": 1, "title": "Grow pipeline to 500k PLN", "unit": "PLN", "current": 0.0, "target": 500_000.0}


@pytest.mark.parametrize(("raw", "status"), [("120k PLN", "ok"), ("PLN 120k", "ok"), ("120k", "ok"),
                                             ("120k EUR", "retry")])
def test_a_check_in_reads_an_iso_code_as_its_key_results_currency(raw: str, status: str) -> None:
    from conversations.checkin_reading import checkin_value

    read = checkin_value(raw, PLN_KR, ".")
    assert read["status"] == status and (status != "ok" or read["value"] == 120_000.0)


def test_a_capital_word_that_is_also_a_code_stays_a_word() -> None:
    found = read("Win TOP 10 accounts by June")
    assert (found["target"], found["unit"]) == (10, "accounts")


def test_a_year_and_a_deal_size_together() -> None:
    found = read("Close 10 deals worth $500k by 2027")
    assert (found["target"], found["unit"], found["due"]) == (10, "deals", "2027-12-31")


# --- in the goal-setting flow ----------------------------------------------------------

def _play(texts: list[str]):
    import json
    from pathlib import Path

    from conversations import engine
    from conversations.loader import load_flow
    from prompts import exists

    goals = load_flow(Path(engine.__file__).parent / "flows" / "goals.yaml", exists)
    oslo = Env(datetime.date(2027, 1, 6), "Europe/Oslo")
    reply = engine.start(goals, {"first_name": "Ravi", "manager_name": "Maria", "year": "2027"},
                         datetime.date(2027, 1, 6))
    for text in ["skip", "skip", "skip", "skip", "skip", "a; b; c", "skip", *texts]:
        reply = engine.advance(goals, json.loads(json.dumps(reply.state)), text, oslo)  # as stored
    return reply


def test_the_goal_flow_asks_about_two_targets_then_keeps_the_one_given() -> None:
    reply = _play(["Book 20 demos and 10 trials by June"])
    assert reply.say[0].template == "flows/goals/key_result_retry"
    assert reply.say[0].values["error"] == "two_targets"
    shown = render(reply.say[0].template, **reply.say[0].values)
    assert "20 demos" in shown and "10 trials" in shown and "`Close 12 new logos by end of Q2`" in shown
    reply = _play(["Book 20 demos and 10 trials by June", "Make 40 calls/week by 2027"])
    kr = reply.state["answers"]["kr"]
    assert (kr["target"], kr["unit"], kr["due"], kr["kind"], kr["per"]) == (40, "calls", "2027-12-31", "rate", "week")
