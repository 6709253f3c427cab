"""Someone marked as having left (`coachbot person leave`) who writes to coachbot is
told that, and how to come back; not "I don't have you on my team list yet", which is
for people never added."""

from __future__ import annotations

from conftest import say

from storage import leavers, people


async def test_a_person_marked_as_left_is_told_so_and_how_to_come_back(coach, team, db) -> None:
    async with db.session() as session:
        ravi = await people.get(session, team["ravi"])
        await leavers.set_active(session, ravi, False)
    reply = await say(coach, team["ravi"], "/okr status")
    assert "marked as having left" in reply and "coachbot person return" in reply
    assert "team list yet" not in reply
    async with db.session() as session:
        await leavers.set_active(session, await people.get(session, team["ravi"]), True)
    assert "marked as having left" not in await say(coach, team["ravi"], "/okr status")
