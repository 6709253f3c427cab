"""Review wiglow: a WIG or lead-measure value of exactly 1 reads with its unit's
singular ("1 deal", "1 demo"); `/okr wig add`'s suggestions are ones it accepts; the
jump check asks only about a jump far both from the last reading and against the
WIG's scale; a count WIG's re-ask never offers the refused value as its example; a
plain `yes` right after a WIG read-back keeps the value."""

from __future__ import annotations

import re

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

import prompts
from bot.core.coach import Coach
from conversations.unit_words import one_of
from storage.db import Database
from storage.models import Wig


async def _rows(db: Database, model: type) -> list:
    async with db.session() as session:
        return list((await session.exec(select(model))).all())


# --- 1. a value of exactly 1 reads with the singular -------------------------------------

@pytest.mark.parametrize(("unit", "one"), [
    ("deals", "deal"), ("discovery calls", "discovery call"), ("deals closed", "deal closed"),
    ("opportunities", "opportunity"), ("SQLs", "SQL"), ("people", "person"), ("hours", "hour"),
    ("FTE", "FTE"), ("NPS", "NPS"), ("status", "status"), ("analytics", "analytics"),
])
def test_the_singular_of_a_unit(unit: str, one: str) -> None:
    assert one_of(unit) == one


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (1, "deals", "1 deal"), (1.0, "demos", "1 demo"), (1, "hours", "1 hour"), (2, "deals", "2 deals"),
    (0, "deals", "0 deals"), (1.5, "hours", "1.5 hours"), (1, "USD", "$1"), (1, "NOK", "1 NOK"),
    (1, "%", "1%"), (1, "FTE", "1 FTE"),
])
def test_an_amount_of_one_reads_singular_and_others_keep_their_unit(value: float, unit: str, shown: str) -> None:
    assert prompts.format_amount(value, unit) == shown
    assert prompts.format_bare(value, unit) == shown.removesuffix(f" {unit}").removesuffix(f" {one_of(unit)}")


async def test_one_deal_and_one_demo_on_the_scorecard_its_chart_and_the_session(
        coach: Coach, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00"):
        await say(coach, maria, "/okr wig add Signed deals from 0 to 40 deals by July 1 2027")
        await say(coach, maria, "/okr wig measure Demos, 1 demos per week")
        updated = await say(coach, maria, "/okr wig update 1 1")
    with freeze_time("2027-01-11 15:00:00"):
        board = await say(coach, maria, "/okr scorecard")
        session = await say(coach, maria, "/okr wig start")
    texts = updated + board + session
    assert "now stands at 1 deal." in updated, updated
    assert "Winning: 1 deal, 1 deal ahead" in board, board
    assert "[image: Chart: Signed deals has one reading so far, 1 deal, ahead" in board, board
    assert "The target is 1 demo." in session, session
    assert not re.search(r"\b1 (deals|demos)\b", texts), texts


# --- 2. a suggestion /okr wig add offers is one it accepts --------------------------------

@pytest.mark.parametrize(("typed", "kept"), [
    ("Q from -10 to 10 deals by July 1 2027", "Q from 0 to 10 deals by July 1 2027"),  # never "10 to 10"
    ("Q from -5 to 10 deals by July 1 2027", "Q from 5 to 10 deals by July 1 2027"),
    ("Q from -$10k to $10k by July 1 2027", None),  # only the line with `confirm`
    ("Q from -$5k to $10k by July 1 2027", "Q from 5000 to 10000 USD by July 1 2027"),
    ("Q from -20% to 20% by July 1 2027", None),
])
async def test_an_example_offered_for_a_wig_below_zero_is_accepted(
        coach: Coach, db: Database, team: dict[str, int], typed: str, kept: str | None) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00"):
        reply = await say(coach, maria, f"/okr wig add {typed}")
        offered = [o for o in re.findall(r"`/okr (wig add [^`]+)`", reply) if not o.endswith(" confirm")]
        assert "below zero" in reply, reply
        assert "from 10 to 10" not in reply and "from 10000 to 10000" not in reply and "20 to 20" not in reply, reply
        for example in offered:  # whatever is offered is set when typed
            assert "is set" in await say(coach, maria, f"/okr {example}"), (reply, example)
            await say(coach, maria, "/okr wig close 1")
    assert (offered == [f"wig add {kept}"]) if kept else offered == [], (reply, offered)
    assert len(await _rows(db, Wig)) == len(offered)


@pytest.mark.parametrize("typed", ["Q from -5 deals to 10 calls by July 1 2027",
                                   "Q from 1.5 deals to 10 calls by July 1 2027"])
async def test_an_example_in_one_unit_is_accepted(coach: Coach, team: dict[str, int], typed: str) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-04 15:00:00"):
        reply = await say(coach, maria, f"/okr wig add {typed}")
        offered = re.findall(r"`/okr (wig add [^`]+)`", reply)
        assert "in one unit" in reply and len(offered) == 2, reply
        for example in offered:
            assert "is set" in await say(coach, maria, f"/okr {example}"), (reply, example)
            await say(coach, maria, "/okr wig close 1")
