"""A one-on-one card whose conversation was cancelled ("nothing from it was saved…
You can start again whenever you like") can be clicked again and starts afresh; one
whose notes or agenda were saved still answers that it is done, also when the same
card is clicked twice at once. `/okr 1on1 @rep notes` opens the notes of the last
meeting without the card, and never records a meeting's notes twice."""

from __future__ import annotations

import asyncio

from conftest import RecordingChannel, say
from meeting_helpers import at, items, joined, meetings, utc

from bot.core.coach import Coach
from bot.core.messages import Inbound, Message
from bot.features.one_on_ones import meeting_steps
from storage.db import Database

ALREADY = "already answered"


async def _series(coach: Coach, db: Database, team: dict[str, int]) -> None:
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 3, 1, 15)):
        await say(coach, team["maria"], "/okr 1on1 @sam every Tuesday 10:00")


def _card(outbox: RecordingChannel, person_id: int, kind: str) -> Message:
    return [m for r, ms in outbox.sent if r.person_id == person_id for m in ms
            if (m.key or "").startswith(f"oneonone:{kind}:")][-1]


async def _notes_card(coach: Coach, db: Database, team: dict[str, int], outbox: RecordingChannel) -> str:
    """The series, the meeting held, and the value of the notes card's button (sealed)."""
    await _series(coach, db, team)
    with at(utc(2027, 3, 9, 15, 35)):  # the 30-minute meeting ended at 15:30 UTC
        await meeting_steps(coach)
    return _card(outbox, team["maria"], "notes").choices[0].value


async def test_a_cancelled_notes_card_starts_again_and_a_saved_one_is_done(coach, team, db, outbox) -> None:
    start = await _notes_card(coach, db, team, outbox)
    maria = team["maria"]
    with at(utc(2027, 3, 9, 15, 40)):
        assert "What did you and Sam agree?" in await say(coach, maria, action=start)
        await say(coach, maria, "half-written")
        assert "start again whenever you like" in await say(coach, maria, "cancel")
        again = await say(coach, maria, action=start)
        assert ALREADY not in again and "What did you and Sam agree?" in again  # afresh, at the first question
        await say(coach, maria, "Focus on ACME")
        await say(coach, maria, "private")
        assert "Saved" in await say(coach, maria, "skip")
        assert ALREADY in await say(coach, maria, action=start)  # saved: done
    [meeting] = await meetings(db)
    assert meeting.notes == "Focus on ACME"


async def test_a_cancelled_agenda_card_starts_again_and_a_saved_one_is_done(coach, team, db, outbox) -> None:
    await _series(coach, db, team)
    with at(utc(2027, 3, 8, 17, 30)):  # Monday 09:30 in Los Angeles, the day before
        await meeting_steps(coach)
    start = _card(outbox, team["sam"], "agenda").choices[0].value
    sam = team["sam"]
    with at(utc(2027, 3, 8, 17, 31)):
        assert "Anything you want to discuss with Maria" in await say(coach, sam, action=start)
        assert "start again whenever you like" in await say(coach, sam, "cancel")
        again = await say(coach, sam, action=start)
        assert ALREADY not in again and "Anything you want to discuss with Maria" in again
        await say(coach, sam, "Pricing for the ACME renewal")
        assert ALREADY in await say(coach, sam, action=start)
    [meeting] = await meetings(db)
    assert meeting.agenda == {"topics": ["Pricing for the ACME renewal"]}


async def test_two_clicks_at_once_on_a_card_cancelled_before_open_one_conversation(
        coach, team, db, outbox) -> None:
    start = await _notes_card(coach, db, team, outbox)
    maria = team["maria"]
    with at(utc(2027, 3, 9, 15, 40)):
        await say(coach, maria, action=start)
        await say(coach, maria, "cancel")
        both = await asyncio.gather(*(coach.handle(Inbound(person_id=maria, platform="test", text="", action=start))
                                      for _ in range(2)))
        texts = ["\n".join(m.plain() for m in replies) for replies in both]
        assert sum("What did you and Sam agree?" in t for t in texts) == 1
        assert sum(ALREADY in t for t in texts) == 1
        await say(coach, maria, "Focus on ACME")
        await say(coach, maria, "private")
        await say(coach, maria, "Sam: send the proposal")
        await say(coach, maria, "done")
        assert ALREADY in await say(coach, maria, action=start)
    assert len(await items(db)) == 1


async def test_a_card_whose_conversation_was_not_opened_for_another_takes_a_click_again(
        coach, team, db, outbox) -> None:
    """Clicked during another conversation, the card asks whether to park that one;
    "stay" opens nothing, so the card opens its conversation later."""
    start = await _notes_card(coach, db, team, outbox)
    maria = team["maria"]
    with at(utc(2027, 3, 9, 15, 40)):
        assert "Let's prepare your salary talk with Sam" in await say(coach, maria, "/okr salary-prep @sam")
        assert "park" in (await say(coach, maria, action=start)).lower()
        await say(coach, maria, "stay")
        await say(coach, maria, "cancel")  # the salary talk
        again = await say(coach, maria, action=start)
        assert ALREADY not in again and "What did you and Sam agree?" in again
