"""`/okr 1on1 @rep notes` opens the notes of the last one-on-one with that rep without
its card (lost, scrolled away, on another device), and a meeting's notes are never
recorded twice: not by the command and the card, nor by two conversations at once."""

from __future__ import annotations

from conftest import say
from meeting_helpers import at, items, meetings, utc
from test_cards_after_cancel import _notes_card, _series

from bot.core.coach import Coach
from storage import one_on_ones as store


async def _notes(coach: Coach, who: int, start: str | None, text: str = "") -> str:
    """Open the notes (by the card's button, or by `text`) and record one line, privately, no items."""
    opened = await say(coach, who, text, action=start)
    assert "What did you and Sam agree?" in opened, opened
    await say(coach, who, "Focus on ACME")
    await say(coach, who, "private")
    return await say(coach, who, "skip")


async def test_the_notes_command_opens_the_last_meetings_notes_once(coach, team, db, outbox) -> None:
    start = await _notes_card(coach, db, team, outbox)
    maria = team["maria"]
    with at(utc(2027, 3, 9, 15, 40)):
        assert "Saved" in await _notes(coach, maria, None, "/okr 1on1 @sam notes")
        done = await say(coach, maria, "/okr 1on1 @sam notes")
        assert "already recorded" in done and "Tue 09 Mar" in done and "What did you" not in done
        card = await say(coach, maria, action=start)  # the card, never clicked: done too, not opened
        assert "already recorded" in card and "What did you" not in card
    [meeting] = await meetings(db)
    assert meeting.notes == "Focus on ACME"


async def test_the_notes_command_says_when_there_is_no_meeting_yet(coach, team, db) -> None:
    await _series(coach, db, team)
    with at(utc(2027, 3, 2, 12)):
        said = await say(coach, team["maria"], "/okr 1on1 @sam notes")
    assert "no one-on-one with Sam Seller to take notes on yet" in said
    assert "What did you" not in said


async def test_notes_saved_by_another_conversation_meanwhile_are_not_saved_twice(
        coach, team, db, outbox) -> None:
    """The command's conversation parked for the card's (or two processes): the second
    save finds the meeting recorded and keeps the first notes."""
    start = await _notes_card(coach, db, team, outbox)
    maria = team["maria"]
    with at(utc(2027, 3, 9, 15, 40)):
        assert "What did you and Sam agree?" in await say(coach, maria, action=start)
        await say(coach, maria, "First version")
        await say(coach, maria, "private")
        [meeting] = await meetings(db)
        async with db.session() as session:  # saved meanwhile elsewhere
            assert await store.save_notes(session, meeting.id, "Elsewhere", False, []) is not None
        said = await say(coach, maria, "skip")
        assert "recorded meanwhile" in said and "not saved" in said
    [meeting] = await meetings(db)
    assert meeting.notes == "Elsewhere" and await items(db) == []
