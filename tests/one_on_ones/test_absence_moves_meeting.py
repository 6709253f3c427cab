"""`/okr out` moves or skips a one-on-one (newcomer review F22): the saved absence
lists it beside the prompts, and the other person of the meeting gets one short DM
with its new day and time in their own zone. Clock: Tue 1 Dec 2026 04:00 UTC (09:30
in Ravi's Kolkata, Mon 23:00 in Maria's New York); the series is every other Tuesday
at 10:00 New York time, one of them on Tue 1 Dec."""

from __future__ import annotations

from datetime import date

from conftest import RecordingChannel, say
from meeting_helpers import at, joined, utc

from bot.core.coach import Coach
from bot.core.messages import Inbound
from storage.db import Database
from storage.models import OneOnOne

NOW = utc(2026, 12, 1, 4)


async def _series(db: Database, team: dict[str, int]) -> None:
    await joined(db, utc(2026, 11, 1))
    async with db.session() as session:
        session.add(OneOnOne(org_id=team["org"], manager_id=team["maria"], rep_id=team["ravi"],
                             anchor_on=date(2026, 12, 1)))
        await session.commit()


async def _away(coach: Coach, person: int, typed: str) -> str:
    replies = await coach.handle(Inbound(person_id=person, platform="test", text=f"/okr out {typed}"))
    card = next(m for m in replies if m.choices)
    save = next(c.value for c in card.choices if c.value.startswith("absence:save:"))
    return await say(coach, person, action=save)


def _to(outbox: RecordingChannel, name: str) -> list[str]:
    return ["\n".join(m.plain() for m in messages) for recipient, messages in outbox.sent
            if recipient.name == name]


async def test_the_saved_absence_lists_the_moved_one_on_one_and_the_manager_is_told(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    await _series(db, team)
    with at(NOW):
        saved = await _away(coach, team["ravi"], "until Friday")
    assert "one-on-one with Maria Manager of Tue 1 Dec" in saved, saved
    assert "moved to Mon 7 Dec" in saved and "I've let Maria Manager know" in saved, saved
    told = _to(outbox, "Maria Manager")
    assert len(told) == 1, outbox.sent
    assert "Ravi Rep is away from Tue 1 Dec" in told[0] and "moved to Mon 7 Dec" in told[0], told
    assert "at 10:00" in told[0], told  # Maria's own time (New York), as the series is set


async def test_an_absence_that_misses_the_meeting_says_and_sends_nothing_about_it(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    await _series(db, team)
    with at(NOW):
        saved = await _away(coach, team["ravi"], "on Thursday")
    assert "one-on-one" not in saved, saved
    assert _to(outbox, "Maria Manager") == []


async def test_the_managers_list_shows_the_meeting_moved_and_why(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    await _series(db, team)
    with at(NOW):
        await _away(coach, team["ravi"], "until Friday")
        shown = await say(coach, team["maria"], "/okr 1on1")
    assert "next Mon 07 Dec 10:00 (moved from Tue 1 Dec 2026: away until 2026-12-04)" in shown, shown
