"""Review round s25: every `/okr wig` command that takes a number treats a negative as
`/okr wig update` does; a WIG's "by December 31" is the nearest one ahead in the
manager's own zone; units typed as acronyms keep their capitals; "1,5 FTE" for a key
result in accounts is a unit problem; the chart caption reads as sentences; a
check-in row starts when its conversation began."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from conftest import say
from freezegun import freeze_time
from sqlalchemy import update
from sqlmodel import select

import prompts
from bot.core.coach import Coach
from conversations.amounts import read_amount
from conversations.checkin_reading import checkin_value, read_in_unit
from conversations.unit_words import unit_phrase, unit_word
from conversations.validators import Env, Invalid, Valid, integer, measurable, number
from conversations.wig_text import read_measure, read_wig, wig_problem
from storage import checkins as checkin_store
from storage import okrs
from storage.db import Database
from storage.models import CheckIn, Person, Wig

APRIL = "2027-04-01 15:00:00"


async def _wigs(db: Database) -> list[Wig]:
    async with db.session() as session:
        return list((await session.exec(select(Wig).order_by(Wig.id))).all())  # type: ignore[arg-type]


# --- 1. /okr wig add: a negative start or target ------------------------------------

async def test_wig_add_asks_again_for_a_negative_count_with_the_command_as_it_should_read(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(APRIL):
        for typed in ("New deals from (5) to 30 deals by June 30", "New deals from -5 to 30 deals by June 30",
                      "New deals from (5) to 30 deals by June 30 confirm"):  # a count: never, confirm or not
            reply = await say(coach, maria, f"/okr wig add {typed}")
            assert "below zero" in reply and "-5" in reply and "is set" not in reply, typed
            assert "`/okr wig add New deals from 5 to 30 deals by June 30`" in reply, typed
        ends = await say(coach, maria, "/okr wig add New deals from 5 to (30) deals by June 30")
        assert "-30" in ends and "`/okr wig add New deals from 5 to 30 deals by June 30`" in ends
    assert await _wigs(db) == []


@pytest.mark.parametrize(("typed", "shown", "positive"), [
    ("Pipeline from (5) to 30 USD by June 30", "from -$5 to $30", "from 5 to 30 USD"),
    ("Margin from -5 to 10 % by June 30", "from -5% to 10%", "from 5 to 10 %"),
    ("Net score from (5) to 30 by June 30", "from -5 to 30", "from 5 to 30 by"),
])
async def test_wig_add_reads_back_negative_money_percent_or_plain_values_until_confirmed(
        coach: Coach, db: Database, team: dict[str, int], typed: str, shown: str, positive: str) -> None:
    maria = team["maria"]
    with freeze_time(APRIL):
        asked = await say(coach, maria, f"/okr wig add {typed}")
        assert shown in asked and "below zero" in asked and "is set" not in asked
        assert f"`/okr wig add {typed} confirm`" in asked and positive in asked
        assert await _wigs(db) == []
        kept = await say(coach, maria, f"/okr wig add {typed} confirm")
    assert "is set" in kept and shown in kept
    assert [w.from_value for w in await _wigs(db)] == [-5]


def test_the_wig_line_reader_keeps_signs_and_the_confirm_word() -> None:
    line = read_wig("Pipeline from (5) to 30 USD by June 30 confirm", ".")
    assert line is not None and (line.start, line.target, line.unit, line.when, line.sure) == (
        -5, 30, "USD", "June 30", True)
    assert wig_problem(line) is None and wig_problem(read_wig("P from (5) to 30 USD by June 30")) == "negative"
    assert wig_problem(read_wig("P from 5 to -30 deals by June 30 confirm")) == "negative_count"
    assert wig_problem(read_wig("P from 5 to 30 deals by June 30")) is None


def test_a_key_result_target_below_zero_is_asked_for_a_count_and_read_back_otherwise() -> None:
    """The goal flow's key results take numbers too: the same rule as the WIG commands."""
    plan = Env(date(2026, 11, 30), "America/New_York", period=(date(2027, 1, 1), date(2027, 12, 31)))
    for typed in ("Sign -5 new logos by June", "Grow logos from (5) to 30 logos by June"):
        found = measurable(typed, plan)
        assert isinstance(found, Invalid) and found.code == "negative", typed
        words = prompts.render("flows/goals/key_result_retry", error=found.code, details=found.details,
                               validator="measurable", misses=1)
        assert "-5 logos is below zero" in words and "`Sign 5 new logos by end of Q2`" in words
    for typed, said in (("Cut burn to -$50k by June", "-$50,000 is below zero"),
                        ("Cut net churn from 2% to -1% by June", "-1% is below zero")):
        kept = measurable(typed, plan)
        assert isinstance(kept, Valid) and kept.confirm is not None and kept.confirm["negative"], typed
        assert said in prompts.render("flows/common/confirm", details=kept.confirm)


# --- 2. /okr wig measure and target: a weekly target below zero ---------------------

async def test_a_negative_or_zero_weekly_target_is_named_with_an_example(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(APRIL):
        await say(coach, maria, "/okr wig add Signed deals from 10 to 40 deals by July 1 2027")
        for raw in ("-10", "(10)", "\u221210"):
            reply = await say(coach, maria, f"/okr wig measure Calls, {raw} per week")
            assert "below zero" in reply and "`/okr wig measure Calls, 10 per week`" in reply, raw
            assert "Tell me the activity" not in reply, raw  # not the generic help
        zero = await say(coach, maria, "/okr wig measure Calls, 0 per week")
        assert "weekly target of 0" in zero and "`/okr wig measure Calls, 10 per week`" in zero
        assert "added" in await say(coach, maria, "/okr wig measure Calls, 10 per week")
        rep = await say(coach, maria, "/okr wig target @sam Calls -8")
        assert "below zero" in rep and "`/okr wig target @sam Calls 8`" in rep and "is now" not in rep
        assert "is now 0" in await say(coach, maria, "/okr wig target @sam Calls 0")  # a rep may owe none
        board = await say(coach, maria, "/okr wig")
    assert "Calls*: no team number yet, target 10" in board and "Sam Seller: no number of 0" in board  # no -10 anywhere
    assert "-10" not in board and "-8" not in board


def test_the_measure_reader_names_what_is_wrong() -> None:
    assert read_measure("Calls, -10 per week") == "weekly_negative"
    assert read_measure("Calls, (10) a week") == "weekly_negative"
    assert read_measure("Calls, 0 per week") == "weekly_zero"
    assert read_measure("Calls per week") == "measure"
    found = read_measure("Discovery calls, 10 per week for 2")
    assert not isinstance(found, str) and (found.title, found.target, found.wig) == ("Discovery calls", 10, 2)


# --- 3. "by December 31": the nearest one ahead, in the manager's zone ---------------

@pytest.mark.parametrize(("moment", "zone", "due"), [
    ("2026-11-30 12:00:00", "America/Los_Angeles", date(2026, 12, 31)),  # 30 Nov, 04:00 there
    ("2026-11-30 12:00:00", "Pacific/Auckland", date(2026, 12, 31)),      # 1 Dec, 01:00 there
    ("2026-12-31 20:00:00", "Pacific/Auckland", "passed"),                # 1 Jan 2027 there: yesterday
    ("2027-01-01 05:00:00", "America/Los_Angeles", None),                 # still 31 Dec there: today
    ("2026-12-31 20:00:00", "America/Los_Angeles", None),                 # 31 Dec there: today
    ("2027-01-01 12:00:00", "America/Los_Angeles", "passed"),             # 1 Jan there: yesterday
    ("2027-01-09 12:00:00", "America/Los_Angeles", date(2027, 12, 31)),   # 9 days on: next year's
])
async def test_a_wig_due_by_december_31_is_the_nearest_one_ahead(
        coach: Coach, db: Database, team: dict[str, int], moment: str, zone: str, due: date | str | None) -> None:
    maria = team["maria"]
    async with db.session() as session:
        await session.exec(update(Person).where(Person.id == maria).values(timezone=zone))  # type: ignore[call-overload]
    with freeze_time(moment):
        reply = await say(coach, maria, "/okr wig add New ARR from $1M to $1.5M by December 31")
    if due is None:  # on 31 December itself "December 31" is today: asked, with next year's spelled out
        assert "is today" in reply and "`by 31 Dec 2027`" in reply and "is set" not in reply
        assert await _wigs(db) == []
    elif due == "passed":  # passed within the week (review lowB): asked, with its year written
        assert "just passed" in reply and "by 31 Dec 2027`" in reply and "is set" not in reply
        assert await _wigs(db) == []
    else:
        assert isinstance(due, date)
        assert "is set" in reply and due.strftime("%d %b %Y") in reply
        assert [w.by_date for w in await _wigs(db)] == [due]


def test_a_key_result_in_a_plan_still_falls_in_the_planned_year() -> None:
    """The goal-setting flow plans a year: there "by December 31" is that year's."""
    plan = Env(date(2026, 11, 30), "Pacific/Auckland", period=(date(2027, 1, 1), date(2027, 12, 31)))
    found = measurable("Close 12 new logos by December 31", plan)
    assert isinstance(found, Valid) and found.value["due"] == "2027-12-31"
    alone = measurable("Close 12 new logos by December 31", Env(date(2026, 11, 30), "America/Los_Angeles"))
    assert isinstance(alone, Valid) and alone.value["due"] == "2026-12-31"


# --- 4. units in capitals keep them ------------------------------------------------

def test_acronym_units_keep_their_capitals() -> None:
    assert unit_phrase(" FTE by June") == "FTE"
    assert unit_phrase(" new SQLs by June") == "SQLs"
    assert unit_phrase(" Deals by June") == "deals" and unit_phrase(" DEALS") == "deals"
    assert unit_word("NPS") == "NPS" and unit_word("ARR") == "ARR" and unit_word("TRY") == "try"
    found = read_amount("2 FTE", words=True)
    assert not isinstance(found, str) and found.unit == "FTE"
    kr = measurable("Grow the team to 12 FTE by June 30", Env(date(2027, 4, 1), "Europe/Oslo"))
    assert isinstance(kr, Valid) and kr.value["unit"] == "FTE"
    assert read_in_unit("3 fte", "FTE", ".") == (3, None)  # typed in lower case, still its unit


async def test_wig_replies_and_the_board_show_fte_in_capitals(coach: Coach, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(APRIL):
        added = await say(coach, maria, "/okr wig add Staff from 2 FTE to 10 FTE by June 30")
        updated = await say(coach, maria, "/okr wig update 1 4")
        board = await say(coach, maria, "/okr wig")
    assert "from 2 FTE to 10 FTE" in added and "4 FTE" in updated and "10 FTE" in board
    assert "fte" not in (added + updated + board)


# --- 5. "1,5 FTE" for a key result in accounts ---------------------------------------

ACCOUNTS = {"id": 1, "title": "Win 40 accounts", "unit": "accounts", "current": 12.0, "target": 40.0,
            "confidence": 7}


@pytest.mark.parametrize("mark", [".", ",", None])
def test_a_number_in_another_unit_is_a_unit_question_whatever_its_comma(mark: str | None) -> None:
    read = checkin_value("1,5 FTE", ACCOUNTS, mark)
    assert (read["status"], read["error"]) == ("retry", "wrong_unit")
    words = prompts.render("cadence/checkin/kr_value_retry", context={"key_results": [ACCOUNTS]},
                           answers={"i": 0, "read": read, "kr_value": "1,5 FTE"})
    assert "isn't in this key result's unit" in words and "accounts" in words
    assert "reads two ways" not in words and "whole" not in words


def test_the_comma_is_still_asked_about_when_the_unit_is_right() -> None:
    assert checkin_value("1,5 accounts", ACCOUNTS, ".")["error"] == "ambiguous_number"
    assert checkin_value("1,5 accounts", ACCOUNTS, ",")["error"] == "fractional_count"
    assert read_in_unit("1,5 FTE", "FTE", ",") == (1.5, None)  # the person's mark is the comma
    assert read_in_unit("1,5 FTE", "FTE", ".")[1] == "ambiguous_number"


def test_the_flow_validators_say_the_unit_too() -> None:
    us = Env(date(2027, 4, 1), "America/New_York")
    for check in (number, integer):
        found = check("1,5 FTE", us, unit="accounts")
        assert isinstance(found, Invalid) and found.code == "wrong_unit", check
    still = number("1,5 FTE", us, unit="FTE")
    assert isinstance(still, Invalid) and still.code == "ambiguous_number"


async def test_wig_update_names_the_unit_not_the_comma(coach: Coach, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(APRIL):
        await say(coach, maria, "/okr wig add Signed deals from 10 to 40 deals by July 1 2027")
        await say(coach, maria, "/okr wig add Staff from 2 FTE to 10 FTE by July 1 2027")
        wrong = await say(coach, maria, "/okr wig update 1 1,5 FTE")
        doubt = await say(coach, maria, "/okr wig update 2 1,5 FTE")
    assert "isn't in this WIG's unit" in wrong and "reads two ways" not in wrong
    assert "reads two ways" in doubt and "`/okr wig update 2 1.5 FTE`" in doubt  # a space before the unit


# --- 6. the chart caption -----------------------------------------------------------

async def test_the_chart_caption_reads_as_a_sentence_in_every_case(coach: Coach, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(APRIL):
        await say(coach, maria, "/okr wig add New logos from 100 to 200 by Dec 31 2027")
        none = await say(coach, maria, "/okr wig")
        await say(coach, maria, "/okr wig update 1 170")
        one = await say(coach, maria, "/okr wig")
    with freeze_time("2027-04-08 15:00:00"):
        await say(coach, maria, "/okr wig update 1 60")
        two = await say(coach, maria, "/okr wig")
    assert "[image: Chart: New logos has no reading yet; its pace says " in none
    assert "[image: Chart: New logos has one reading so far, 170, ahead of its pace of " in one
    assert "[image: Chart: New logos is at 60, behind its pace of " in two
    for board in (none, one, two):
        assert "yet its" not in board and "; ]" not in board and ";]" not in board


# --- 7. a check-in row starts when its conversation began ----------------------------

async def test_a_check_in_row_starts_when_the_conversation_began(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    ravi = team["ravi"]
    async with db.session() as session:
        await okrs.create_objective(session, team["org"], ravi, "Grow", "2027", 1,
                                    [{"title": "New logos", "target": 12, "unit": "logos"}])
    with freeze_time("2027-01-12 04:01:00") as clock:
        await say(coach, ravi, "/okr checkin")
        clock.move_to("2027-01-12 04:05:00")
        await say(coach, ravi, "4")
        await say(coach, ravi, "on track")
        await say(coach, ravi, "skip")
        clock.move_to("2027-01-12 04:09:30")
        assert "saved" in await say(coach, ravi, "Call every lead within a day")
    async with db.session() as session:
        row = (await session.exec(select(CheckIn))).one()
    assert row.started_at == datetime(2027, 1, 12, 4, 1, tzinfo=UTC)
    assert row.completed_at == datetime(2027, 1, 12, 4, 9, 30, tzinfo=UTC)


async def test_a_wig_check_in_row_keeps_its_start_and_never_ends_before_it(
        db: Database, team: dict[str, int]) -> None:
    began = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
    with freeze_time("2027-01-12 09:12:00"):
        async with db.session() as session:
            wig = await checkin_store.record_wig_checkin(session, team["org"], team["maria"], None, began)
            late = await checkin_store.record_wig_checkin(session, team["org"], team["maria"], None,
                                                          datetime(2027, 1, 12, 10, 0, tzinfo=UTC))
            unknown = await checkin_store.record_wig_checkin(session, team["org"], team["maria"], None)
    assert (wig.started_at, wig.completed_at) == (began, datetime(2027, 1, 12, 9, 12, tzinfo=UTC))
    assert late.started_at == late.completed_at == unknown.started_at == unknown.completed_at
