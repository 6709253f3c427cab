"""Review low4: an action item agreed in a one-on-one is due within a year; a
mistyped year ("2207") is asked again with the day in the year ahead as the example."""

from __future__ import annotations

from conftest import RecordingChannel, say
from meeting_helpers import at, items, joined, utc

from bot.core.coach import Coach
from bot.features.one_on_ones import meeting_steps
from storage.db import Database


async def test_an_action_item_due_a_mistyped_year_is_asked_again_with_an_example(
        coach: Coach, db: Database, team: dict[str, int], outbox: RecordingChannel) -> None:
    await joined(db, utc(2026, 11, 1))
    with at(utc(2026, 11, 30, 15)):
        await say(coach, team["maria"], "/okr 1on1 @sam every Tuesday 10:00")
    with at(utc(2026, 12, 1, 18, 35)):  # the 30-minute meeting ended at 18:30 UTC (10:00 in Los Angeles)
        await meeting_steps(coach)
    card = [m for r, ms in outbox.sent if r.person_id == team["maria"] for m in ms if m.choices][-1]
    with at(utc(2026, 12, 1, 18, 40)):
        await say(coach, team["maria"], action=card.choices[0].value)
        await say(coach, team["maria"], "Good quarter so far")
        assert "Any action items?" in await say(coach, team["maria"], "1")
        far = await say(coach, team["maria"], "Sam: send ACME the proposal by 2207-01-15")
        assert "15 Jan 2207 is more than a year off" in far and "`by 15 Jan 2027`" in far, far
        more = await say(coach, team["maria"], "Sam: send ACME the proposal by 15 Jan 2027")
        assert "Another one?" in more, more  # one a message, as every list question
        done = await say(coach, team["maria"], "done")
        assert "1 action item" in done, done
    assert [i.due_on.isoformat() for i in await items(db)] == ["2027-01-15"]  # type: ignore[union-attr]
