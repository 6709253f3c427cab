"""Review lowB: the "1,5 reads two ways" examples are the command as typed for every
alias of it; a yearless WIG deadline that has just passed is asked about with its
year; `/okr wig` and the WIG session name the week they show; `/okr done N` (and its
siblings) tell a number that matches nothing from a word that is no number."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

import prompts
from bot.core.coach import Coach
from conversations import validators
from storage.db import Database
from storage.models import ActionItem, Wig

APRIL = "2027-04-01 15:00:00"


async def _wigs(db: Database) -> list[Wig]:
    async with db.session() as session:
        return list((await session.exec(select(Wig).order_by(Wig.id))).all())  # type: ignore[arg-type]


# --- 1. the two readings' examples keep the alias and every word typed -------------------

@pytest.mark.parametrize(("typed", "decimal", "grouped"), [
    ("update 1 1,5", "update 1 1.5", "update 1 15"),
    ("value 1 1,5", "value 1 1.5", "value 1 15"),
    ("now-at 1 1,5", "now-at 1 1.5", "now-at 1 15"),
    ("Value 1 1,5 confirm", "Value 1 1.5 confirm", "Value 1 15 confirm"),
    ("now-at 1 to 1,2M confirm", "now-at 1 to 1.2M confirm", "now-at 1 to 12M confirm"),
    ("set FTE from 1,5 to 3 by June 30 confirm", "set FTE from 1.5 to 3 by June 30 confirm",
     "set FTE from 15 to 3 by June 30 confirm"),
    ("lead Demos, 1,5 per week", "lead Demos, 1.5 per week", "lead Demos, 15 per week"),
])
async def test_the_two_readings_are_the_command_as_typed_for_every_alias(
        coach: Coach, team: dict[str, int], typed: str, decimal: str, grouped: str) -> None:
    maria = team["maria"]  # New York: "." is the decimal mark, "1,5" is in doubt
    with freeze_time(APRIL):
        assert "is set" in await say(coach, maria, "/okr wig add Net score from 10 to 40 by June 30")
        reply = await say(coach, maria, f"/okr wig {typed}")
    assert "reads two ways" in reply, reply
    assert f"`/okr wig {decimal}`" in reply and f"`/okr wig {grouped}`" in reply, reply
    if not typed.lower().startswith("update"):
        assert "/okr wig update" not in reply


async def test_a_count_offers_its_whole_reading_as_the_command_typed(coach: Coach, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(APRIL):
        await say(coach, maria, "/okr wig add Signed deals from 10 to 40 deals by June 30")
        reply = await say(coach, maria, "/okr wig now-at 1 1,5")
    assert "`/okr wig now-at 1 15`" in reply and "/okr wig update" not in reply, reply


# --- 2. a yearless deadline that has just passed ------------------------------------------

@pytest.mark.parametrize(("moment", "typed", "passed", "example"), [
    ("2026-11-30 17:00:00", "Nov 29", "29 Nov 2026", "by 29 Nov 2027"),
    ("2026-11-30 17:00:00", "23 November", "23 Nov 2026", "by 23 Nov 2027"),   # a week ago to the day
    ("2027-01-02 17:00:00", "Dec 31", "31 Dec 2026", "by 31 Dec 2027"),        # across the year end
    ("2026-12-01 03:00:00", "Nov 29", "29 Nov 2026", "by 29 Nov 2027"),        # still 30 Nov in New York
])
async def test_a_deadline_that_just_passed_is_asked_about_with_its_year(
        coach: Coach, db: Database, team: dict[str, int], moment: str, typed: str, passed: str,
        example: str) -> None:
    maria = team["maria"]
    with freeze_time(moment):
        reply = await say(coach, maria, f"/okr wig set Deals from 5 to 10 by {typed} confirm")
        assert "just passed" in reply and passed in reply and "is set" not in reply, reply
        assert f"`/okr wig set Deals from 5 to 10 {example} confirm`" in reply, reply
        assert await _wigs(db) == []
        assert "is set" in await say(coach, maria, f"/okr wig set Deals from 5 to 10 {example}")
    assert [w.by_date for w in await _wigs(db)] == [date(int(example[-4:]), *(
        (11, int(example.split()[1])) if "Nov" in example else (12, 31)))]


@pytest.mark.parametrize(("moment", "typed", "kept"), [
    ("2026-11-30 17:00:00", "Nov 22", date(2027, 11, 22)),    # eight days back: next year's
    ("2026-12-01 04:00:00", "Nov 22", date(2027, 11, 22)),    # 30 Nov 23:00 in New York
    ("2026-11-30 17:00:00", "Dec 29", date(2026, 12, 29)),    # ahead: this year's
    ("2027-01-02 17:00:00", "Dec 20", date(2027, 12, 20)),
])
async def test_a_day_further_back_reads_as_its_next_turn(
        coach: Coach, db: Database, team: dict[str, int], moment: str, typed: str, kept: date) -> None:
    with freeze_time(moment):
        reply = await say(coach, team["maria"], f"/okr wig add Deals from 5 to 10 by {typed}")
    assert "is set" in reply, reply
    assert [w.by_date for w in await _wigs(db)] == [kept]


# --- 4. a number that matches nothing is named; a word still gets the usual ask ----------

async def _item(db: Database, team: dict[str, int], owner: str, text: str, status: str = "open") -> int:
    async with db.session() as session:
        item = ActionItem(org_id=team["org"], manager_id=team["maria"], rep_id=team[owner], owner_id=team[owner],
                          text=text, status=status)
        session.add(item)
        await session.commit()
        return int(item.id)  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["99999", "9" * 40, "#12345678901234567890", "9" * 5000])
async def test_done_with_a_number_no_item_has_says_so_and_names_the_open_ones(
        coach: Coach, db: Database, team: dict[str, int], typed: str) -> None:
    assert "no open action items right now" in await say(coach, team["sam"], f"/okr done {typed}")
    first = await _item(db, team, "sam", "send ACME the proposal")
    second = await _item(db, team, "sam", "book the demo")
    await _item(db, team, "ravi", "not Sam's")
    reply = await say(coach, team["sam"], f"/okr done {typed}")
    assert f"no open action item #{typed.lstrip('#')}" in reply, reply
    assert f"#{first}–#{second}" in reply and f"`/okr done {first}`" in reply, reply
    assert "Type `/okr done N`" not in reply


@pytest.mark.parametrize("typed", ["", "abc", "1.5", "-3", "²"])
async def test_done_with_no_number_gets_the_usual_ask(coach: Coach, db: Database, team: dict[str, int],
                                                      typed: str) -> None:
    await _item(db, team, "sam", "send ACME the proposal")
    reply = await say(coach, team["sam"], f"/okr done {typed}")
    assert "Type `/okr done N`" in reply and "`/okr done 12`" in reply and "no open action item" not in reply


async def test_done_names_the_open_ones_as_runs_and_a_manager_sees_those_they_agreed(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    ids = [await _item(db, team, "sam", f"item {n}") for n in range(4)]
    await _item(db, team, "sam", "closed already", status="done")
    assert "Done:" in await say(coach, team["sam"], f"/okr done {ids[1]}")
    reply = await say(coach, team["maria"], "/okr done 99999")  # Maria agreed them all
    assert f"Yours are #{ids[0]}, #{ids[2]}–#{ids[3]}" in reply, reply
    assert validators.runs([5, 1, 2, 3, 9]) == [(1, 3), (5, 5), (9, 9)] and validators.runs([]) == []


@pytest.mark.parametrize(("typed", "no", "example"), [
    ("close 3", "There is no WIG 3", "`/okr wig close 1`"),
    ("remove 99999", "There is no WIG 99999", "`/okr wig remove 1`"),
    ("done " + "9" * 40, "There is no WIG " + "9" * 40, "`/okr wig done 1`"),
    ("update 3 38", "There is no WIG 3", "`/okr wig update 1 38`"),
    ("now-at #12 38 confirm", "There is no WIG 12", "`/okr wig now-at #1 38 confirm`"),
    ("value " + "9" * 5000 + " 38", "There is no WIG 9999", "`/okr wig value 1 38`"),
    ("measure Calls, 10 per week for 3", "There is no WIG 3", "`/okr wig measure Calls, 10 per week for 1`"),
    ("lead Calls, 10 per week for wig 12", "There is no WIG 12", "`/okr wig lead Calls, 10 per week for wig 1`"),
])
async def test_a_wig_number_no_wig_has_is_named_with_the_range(
        coach: Coach, db: Database, team: dict[str, int], typed: str, no: str, example: str) -> None:
    maria = team["maria"]
    with freeze_time(APRIL):
        none_yet = await say(coach, maria, f"/okr wig {typed}")
        # none at all: said so (a measure's "no WIG to attach that to yet" says it too)
        assert (no in none_yet and "no WIG yet" in none_yet) or "no WIG to attach" in none_yet, none_yet
        await say(coach, maria, "/okr wig add Net score from 10 to 40 by June 30")
        await say(coach, maria, "/okr wig add Deals from 1 to 9 by June 30")
        reply = await say(coach, maria, f"/okr wig {typed}")
    assert no in reply and "has 2, WIGs 1–2" in reply and example in reply, reply
    assert len(await _wigs(db)) == 2 and all(w.active for w in await _wigs(db))


@pytest.mark.parametrize("typed", ["close", "close first", "close 1.5", "update one 38"])
async def test_a_wig_pick_that_is_no_number_gets_the_usual_ask(coach: Coach, team: dict[str, int],
                                                               typed: str) -> None:
    maria = team["maria"]
    with freeze_time(APRIL):
        await say(coach, maria, "/okr wig add Net score from 10 to 40 by June 30")
        reply = await say(coach, maria, f"/okr wig {typed}")
    assert "There is no WIG" not in reply and ("Which WIG should I close?" in reply or "I couldn't read" in reply)


async def test_a_lead_number_too_long_for_any_id_is_no_such_lead_not_a_new_lead(
        coach: Coach, team: dict[str, int]) -> None:
    reply = await say(coach, team["maria"], "/okr lead " + "9" * 40 + " owner @sam")
    assert "There is no lead #" + "9" * 40 in reply, reply


# --- 3. the week a scorecard or a WIG session shows is named ---------------------------

async def _board(coach: Coach, team: dict[str, int]) -> None:
    with freeze_time("2026-11-20 15:00:00"):
        await say(coach, team["maria"], "/okr wig add Deals from 1 to 9 by June 30")
        await say(coach, team["maria"], "/okr wig measure Calls, 10 per week")


@pytest.mark.parametrize(("moment", "who", "label"), [
    ("2026-11-30 15:00:00", "ravi", "last week (23–29 Nov 2026)"),      # Monday: last week's figures
    ("2026-12-04 15:00:00", "ravi", "this week (30 Nov–6 Dec 2026)"),    # Friday: this week's
    ("2026-11-30 03:00:00", "maria", "this week (23–29 Nov 2026)"),     # still Sunday 29 Nov in New York
    ("2026-11-29 20:00:00", "ravi", "last week (23–29 Nov 2026)"),      # already Monday 30 Nov in Kolkata
    ("2027-01-04 15:00:00", "sam", "last week (28 Dec 2026–3 Jan 2027)"),  # across the year end
])
async def test_the_scorecard_names_the_week_it_shows(coach: Coach, team: dict[str, int], moment: str, who: str,
                                                     label: str) -> None:
    await _board(coach, team)
    with freeze_time(moment):
        for command in ("/okr wig", "/okr scorecard"):
            board = await say(coach, team[who], command)
            assert f"Team scorecard · {label}" in board and f"Lead measures for {label}:" in board, board


async def test_the_wig_session_names_the_week_it_asks_about_and_the_one_it_plans(
        coach: Coach, team: dict[str, int]) -> None:
    await _board(coach, team)
    with freeze_time("2026-11-30 15:00:00"):  # Monday: reports on last week, plans this one
        asked = await say(coach, team["ravi"], "/okr wig start")
        assert "Calls: how many last week (23–29 Nov 2026)?" in asked, asked
        plan = await say(coach, team["ravi"], "5")
        assert "commit to this week (30 Nov–6 Dec 2026)" in plan, plan
        await say(coach, team["ravi"], "call ACME")
        await say(coach, team["ravi"], "done")
    with freeze_time("2026-12-11 15:00:00"):  # a Friday: reports on this week, plans next week
        again = await say(coach, team["ravi"], "/okr wig start")
        assert "your commitments for this week (7–13 Dec 2026)" not in again  # none were made for it
        assert "how many this week (7–13 Dec 2026)?" in again, again
        assert "commit to next week (14–20 Dec 2026)" in await say(coach, team["ravi"], "4")


def test_a_week_far_off_is_named_by_its_dates_alone() -> None:
    from bot.features.weeks import week_span
    span = week_span(date(2026, 11, 2), date(2026, 11, 30))
    assert span == {"first": "2", "last": "8 Nov 2026", "relative": None}
    words = str(prompts.render("cadence/wig/measure_value", context={
        "measures": [{"title": "Calls", "weekly_target": 10, "unit": "", "personal": False}], "report_span": span},
        answers={"m": 0}))
    assert "how many in the week of 2–8 Nov 2026?" in words


# --- 2, sibling: an action item's due day that has just passed -----------------------------

def _notes_env(today: date) -> validators.Env:
    return validators.Env(today, "America/New_York", people=[{"id": 4, "name": "Sam Seller"}])


@pytest.mark.parametrize(("today", "typed", "passed", "example"), [
    (date(2026, 11, 30), "Sam: send ACME the proposal by Nov 29", "29 Nov 2026", "`by 29 Nov 2027`"),
    (date(2027, 1, 2), "me: pricing approval by Dec 31", "31 Dec 2026", "`by 31 Dec 2027`"),
])
def test_an_action_item_due_day_that_just_passed_is_asked_about(today: date, typed: str, passed: str,
                                                                 example: str) -> None:
    from conversations.action_items import action_items
    found = action_items(typed, _notes_env(today))
    assert isinstance(found, validators.Invalid) and found.code == "due_passed", found
    words = str(prompts.render("one_on_ones/items_retry", error=found.code, details=found.details,
                               context={"other": "Sam"}))
    assert "just passed" in words and passed in words and example in words, words


@pytest.mark.parametrize(("today", "typed", "due"), [
    (date(2026, 11, 30), "Sam: send ACME the proposal by Nov 20", "2027-11-20"),  # ten days back: next year's
    (date(2026, 11, 30), "Sam: send ACME the proposal by Dec 3", "2026-12-03"),
    (date(2026, 11, 30), "Sam: send ACME the proposal by Friday", "2026-12-04"),
])
def test_an_action_item_due_day_further_off_reads_as_its_next_turn(today: date, typed: str, due: str) -> None:
    from conversations.action_items import action_items
    found = action_items(typed, _notes_env(today))
    assert isinstance(found, validators.Valid) and found.value[0]["due"] == due, found
