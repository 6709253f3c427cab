"""Review lowC: a WIG or key result whose start is its target (no distance to cover)
is asked again with an example; `/okr wig target` names the week the scorecard then
shows, as the scorecard names it, in the manager's own day east and west of UTC; an
echoed title that was cut ends in exactly one "…"."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import say
from freezegun import freeze_time
from sqlalchemy import update
from sqlmodel import select

import prompts
from bot.core.coach import Coach
from conversations.answers import Env, Invalid, Valid
from conversations.validators import measurable
from conversations.wig_text import read_wig, wig_problem
from storage.db import Database
from storage.models import Person, Wig

APRIL = "2027-04-01 15:00:00"
EXAMPLE = "`/okr wig add New ARR from 1.2M to 1.5M by June 30`"


async def _wigs(db: Database) -> list[Wig]:
    async with db.session() as session:
        return list((await session.exec(select(Wig).order_by(Wig.id))).all())  # type: ignore[arg-type]


# --- 1. no distance to cover --------------------------------------------------------------

@pytest.mark.parametrize("typed", [
    "Revenue from 5 to 5 by June 30",
    "Revenue from $5k to $5000 by June 30",        # the same amount written two ways
    "Win rate from 0% to 0% by June 30",
    "Signed deals from 12 to 12 deals by June 30",
    "Burn from -5 to -5 by June 30 confirm",       # `confirm` does not make a distance
])
async def test_a_wig_whose_start_is_its_target_is_refused_with_an_example(
        coach: Coach, db: Database, team: dict[str, int], typed: str) -> None:
    with freeze_time(APRIL):
        reply = await say(coach, team["maria"], f"/okr wig add {typed}")
        assert "no distance to cover" in reply and EXAMPLE in reply and "is set" not in reply, reply
        assert await _wigs(db) == []
        assert "is set" in await say(coach, team["maria"], "/okr wig add Revenue from 5 to 6 by June 30")
    assert [(w.from_value, w.to_value) for w in await _wigs(db)] == [(5, 6)]


def test_the_wig_reader_names_no_distance() -> None:
    line = read_wig("Revenue from 5 to 5 by June 30")
    assert line is not None and wig_problem(line) == "no_distance"
    moving = read_wig("Churn from 12% to 6% by June 30")
    assert moving is not None and wig_problem(moving) is None


ENV = Env(today=date(2027, 1, 10), timezone="America/New_York")


@pytest.mark.parametrize(("typed", "code"), [
    ("Grow win rate from 20% to 20% by end of Q2", "no_distance"),
    ("Grow ARR from $1.2M to $1,200k by June 30", "no_distance"),
    ("Cut open incidents to 0 by March 31", "no_distance"),   # counted from an unsaid 0: done on day one
    ("Book 0 meetings a week", "zero_rate"),
])
def test_a_key_result_with_nothing_to_move_is_asked_again(typed: str, code: str) -> None:
    found = measurable(typed, ENV)
    assert isinstance(found, Invalid) and found.code == code, found
    said = str(prompts.render("flows/goals/key_result_retry", error=found.code, details=found.details))
    example = re.search(r"`([^`]+)`", said)
    assert example is not None, said
    assert isinstance(measurable(example.group(1), ENV), Valid), said  # the example it gives is accepted


@pytest.mark.parametrize("typed", [
    "Cut open incidents from 12 to 0 by March 31",
    "Keep win rate at 20%",                  # a floor holds a level: no distance needed
    "Keep churn from 5% to 5%",
    "Run 30 discovery meetings by March 31",
])
def test_key_results_that_move_or_hold_are_kept(typed: str) -> None:
    assert isinstance(measurable(typed, ENV), Valid)


# --- 2. /okr wig target names the week the scorecard shows ---------------------------------

@pytest.mark.parametrize(("zone", "moment", "week"), [
    ("Pacific/Auckland", "2027-01-17 20:00:00", "last week (11–17 Jan 2027)"),     # Monday 09:00 there; Sunday in UTC
    ("Pacific/Auckland", "2027-01-16 20:00:00", "this week (11–17 Jan 2027)"),     # Sunday 09:00 there; Saturday in UTC
    ("America/Los_Angeles", "2027-01-17 20:00:00", "this week (11–17 Jan 2027)"),  # Sunday 12:00 there
    ("America/Los_Angeles", "2027-01-19 05:00:00", "last week (11–17 Jan 2027)"),  # Monday 21:00 there; Tuesday in UTC
])
async def test_a_rep_target_names_the_week_the_scorecard_then_shows(
        coach: Coach, db: Database, team: dict[str, int], zone: str, moment: str, week: str) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00"):
        await say(coach, maria, "/okr wig add New logos from 100 to 200 by July 1 2027")
        await say(coach, maria, "/okr wig measure Discovery calls, 10 per week")
    async with db.session() as session:
        await session.exec(update(Person).where(Person.id == maria).values(timezone=zone))  # type: ignore[call-overload]
    with freeze_time(moment):
        reply = await say(coach, maria, "/okr wig target @sam discovery 4")
        board = await say(coach, maria, "/okr scorecard")
    assert f"The scorecard counts it from {week}," in reply and "from this week." not in reply, reply
    assert f"Lead measures for {week}:" in board and "Sam Seller: no number of 4" in board, board


# --- 3. a cut title ends in one ellipsis ----------------------------------------------------

@pytest.mark.parametrize(("head", "shown"), [
    ("x" * 39 + "…", "x" * 39 + "…"),        # the person's own ellipsis right at the cut
    ("x" * 37 + "...", "x" * 37 + "…"),
    ("x" * 38 + "… ", "x" * 38 + "…"),
    ("x" * 39 + "👩‍👩‍👧", "x" * 39 + "👩‍👩‍👧…"),  # a ZWJ family at the cut: kept whole, never its first person
])
@pytest.mark.parametrize("command", [
    "/okr wig add {} from 1 to 2 by June 30",
    "/okr wig measure {}, 10 per week",
])
async def test_a_too_long_title_is_echoed_with_one_ellipsis(
        coach: Coach, team: dict[str, int], head: str, shown: str, command: str) -> None:
    with freeze_time(APRIL):
        await say(coach, team["maria"], "/okr wig add New ARR from 1.2M to 1.5M by June 30")
        reply = await say(coach, team["maria"], command.format(head + "y" * 600))
    assert "is longer than" in reply, reply
    assert reply.split('"')[1] == shown, reply


def test_no_template_adds_an_ellipsis_after_the_clip_filter() -> None:
    after = re.compile(r"\|\s*clip(?:\([^)]*\))?\s*}}\s*(?:…|\.\.\.)")
    found = [str(p.relative_to(prompts.ROOT)) for p in prompts.ROOT.rglob("*.j2") if after.search(p.read_text())]
    assert found == []


def test_the_filter_gives_way_to_an_ellipsis_typed_at_the_cut() -> None:
    assert prompts.clip("a" * 39 + "…" + "b" * 50, 40) == "a" * 39 + "…"
    assert prompts.clip("a" * 37 + "..." + "b" * 50, 40) == "a" * 37 + "…"
    assert prompts.clip("Wait… more", 40) == "Wait… more"  # not cut: as typed
