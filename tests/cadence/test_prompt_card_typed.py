"""A prompt card answered by typing, the same on every channel: a button's number as
people type it ("1.", "#1", " 1 ", "(1)") or its label ("Start now", "in 2 hours")
picks that button, as the terminal's numbered card does; other words answer nothing
and leave the prompt open (on the terminal the card's numbers still pick)."""

from __future__ import annotations

import pytest
from cadence_helpers import at, joined, occurrences, utc
from conftest import RecordingChannel, say

from bot.cadence.dispatcher import Dispatcher
from bot.core.coach import Coach
from storage import okrs
from storage.db import Database

TUESDAY_CHECKIN = utc(2027, 1, 12, 4, 1)  # Ravi's OKR check-in prompt is out


async def _delivered(db: Database, team: dict[str, int], coach: Coach) -> None:
    async with db.session() as session:
        await okrs.create_objective(session, team["org"], team["ravi"], "Grow new business", "2027", 1,
                                    [{"title": "New logos", "target": 12, "unit": "logos"}])
    await joined(db, utc(2027, 1, 10))
    with at(TUESDAY_CHECKIN):
        await Dispatcher(coach).tick()


async def _status(db: Database, person: int) -> str:
    """The status of the check-in prompt that went out (snoozed: pending again)."""
    [status] = [o.status for o in await occurrences(db, person) if o.kind == "okr_checkin" and o.delivered_at]
    return status


@pytest.mark.parametrize(("typed", "status", "said"), [
    ("1.", "answered", "1 key result"), ("#1", "answered", "1 key result"), (" 1 ", "answered", "1 key result"),
    ("(1)", "answered", "1 key result"), ("Start now", "answered", "1 key result"),
    ("4.", "skipped", "skipped"), ("Skip this one", "skipped", "skipped"),
    ("2)", "pending", "bring your OKR check-in back"), ("in 2 hours", "pending", "bring your OKR check-in back"),
])
async def test_a_typed_number_or_label_picks_the_prompt_cards_button(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel,
        typed: str, status: str, said: str) -> None:
    await _delivered(db, team, coach)
    with at(TUESDAY_CHECKIN):
        reply = await say(coach, team["ravi"], typed)
    assert said in reply, reply
    assert await _status(db, team["ravi"]) == status


@pytest.mark.parametrize("typed", ["hello there", "5", "1 logo", "0"])
async def test_other_words_leave_the_prompt_open(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel, typed: str) -> None:
    await _delivered(db, team, coach)
    with at(TUESDAY_CHECKIN):
        assert "didn't catch that" in await say(coach, team["ravi"], typed)
        assert await _status(db, team["ravi"]) == "delivered"
        assert "1 key result" in await say(coach, team["ravi"], "1.")  # still open: its first button starts it
