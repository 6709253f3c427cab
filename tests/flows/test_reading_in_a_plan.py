"""Issue #10 through the goals conversation: days land in the year being planned, an
ambiguous numeric day is read back in words and needs a yes, one currency per plan,
a percentage is not money, and confirmations show days as people read them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from conversations import engine
from conversations.engine import Flow
from conversations.loader import load_flows
from conversations.validators import Env
from storage.db import Database
from storage.models import KeyResult, Objective

REFLECTION = ["skip"] * 5


@freeze_time("2026-11-20 09:00:00", real_asyncio=True)
async def test_a_plan_made_in_november_is_for_next_year(coach: Coach, team: dict[str, int], db: Database) -> None:
    ravi = team["ravi"]  # Asia/Kolkata
    assert "Hi Ravi" in await say(coach, ravi, "/okr goals")
    for line in REFLECTION + ["Win mid-market", "done", "skip"]:
        await say(coach, ravi, line)
    read = await say(coach, ravi, "Close 12 new logos by December 31")
    assert "as a total to reach by its date" in read          # issue #11: the kind, to confirm
    noted = await say(coach, ravi, "yes")
    assert "(due Fri 31 Dec 2027)" in noted  # not 31 Dec 2026, already overdue in a 2027 plan
    await say(coach, ravi, "yes")
    assert "has already passed" in await say(coach, ravi, "Book 40 meetings by 2026-11-01")
    outside = await say(coach, ravi, "Book 40 meetings by 15 December 2026")
    assert "Tue 15 Dec 2026 is outside the plan" in outside and "Fri 1 Jan 2027" in outside
    await say(coach, ravi, "Book 40 meetings")
    await say(coach, ravi, "yes")                               # a total
    confirm = await say(coach, ravi, "03/04")
    assert '"03/04": that\'s Sat 3 Apr 2027, right?' in confirm
    assert "(due Sat 3 Apr 2027)" in await say(coach, ravi, "yes")
    await say(coach, ravi, "no")
    for line in ["skip"] * 4:  # expectations
        await say(coach, ravi, line)
    await say(coach, ravi, "₹1.2 crore")
    other = await say(coach, ravi, "$50k")
    assert "Your plan is in INR, and that amount is in USD" in other and "₹250k" in other
    assert "range" in await say(coach, ravi, "4-5 lakh")
    await say(coach, ravi, "40 lakh")
    await say(coach, ravi, "skip")                              # open pipeline expected (issue #11)
    await say(coach, ravi, "25%")
    assert "not a percentage" in await say(coach, ravi, "25%")
    math = await say(coach, ravi, "₹4 lakh")
    assert "60" not in math  # still asking the cycle
    math = await say(coach, ravi, "60")
    assert "Still to win: ₹8,000,000 (quota ₹12,000,000, less ₹4,000,000 already booked)" in math
    assert "$" not in math
    for line in ["skip", "own", "skip", "skip", "skip", "biweekly", "yes"]:
        await say(coach, ravi, line)
    async with db.session() as session:
        krs = (await session.exec(select(KeyResult).join(Objective).where(Objective.owner_id == ravi))).all()
    due = {k.title: k.due_on for k in krs}
    assert due["Close 12 new logos by December 31"] == date(2027, 12, 31)
    assert due["Book 40 meetings"] == date(2027, 4, 3)
    assert {(k.target_value, k.unit) for k in krs} >= {(12_000_000, "INR")}


ASK_DAY = """\
name: day
title: flows/goals/title
steps:
  - id: when
    ask: flows/goals/key_result_when
    validate: date
    options: {future: true}
  - id: done
    end: save_goals
    result: {when: "answers.when"}
"""


@pytest.fixture
def day_flow(tmp_path: Path) -> Flow:
    (tmp_path / "day.yaml").write_text(ASK_DAY, encoding="utf-8")
    return load_flows(tmp_path)["day"]


def _play(flow: Flow, env: Env, *inputs: str) -> engine.Reply:
    reply = engine.start(flow, {}, env.today)
    for text in inputs:
        reply = engine.advance(flow, json.loads(json.dumps(reply.state)), text, env)
    return reply


@pytest.mark.parametrize(("zone", "answers", "stored"), [
    ("America/Sao_Paulo", ["03/04", "yes"], "2027-04-03"),
    ("America/New_York", ["03/04", "yes"], "2027-03-04"),
    ("America/Sao_Paulo", ["03/04", "no", "4 March"], "2027-03-04"),   # no: asked again
    ("America/Sao_Paulo", ["03/04", "4 March"], "2027-03-04"),         # a new answer replaces it
    ("UTC", ["03/04", "3 April"], "2027-04-03"),                        # no order known: which one?
    ("Europe/Oslo", ["13/04"], "2027-04-13"),                           # one reading: no question
])
def test_an_ambiguous_day_is_kept_only_after_a_yes(day_flow: Flow, zone: str, answers: list[str],
                                                   stored: str) -> None:
    reply = _play(day_flow, Env(date(2026, 11, 20), zone), *answers)
    assert reply.finished and reply.store[0].data == {"when": stored}


def test_the_confirmation_offers_yes_and_no_and_cancel_still_works(day_flow: Flow) -> None:
    env = Env(date(2026, 11, 20), "America/Sao_Paulo")
    asked = _play(day_flow, env, "03/04")
    assert [s.template for s in asked.say] == [engine.CONFIRM]
    assert [o.value for o in asked.say[0].choices] == ["yes", "no"] and not asked.finished
    assert _play(day_flow, env, "03/04", "cancel").status == "cancelled"
    which = _play(day_flow, Env(date(2026, 11, 20), "UTC"), "03/04")
    assert which.say[0].template == engine.RETRY and which.say[0].values["error"] == "ambiguous_date"
