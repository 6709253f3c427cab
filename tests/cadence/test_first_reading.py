"""A key result's first reading (newcomer F18, F19, F3): no "Last time: $0 of
$1,200,000" when there was no last time; a first figure off the target's scale (under
1 % or over ten times it) is read back before it is kept ("$87, right?"); a total with
a start other than zero reads as its way from the start in the check-in and the
manager's summary."""

from __future__ import annotations

from cadence_helpers import at, joined, utc
from conftest import RecordingChannel, say

from bot.core.coach import Coach
from conversations.checkin_reading import checkin_value, off_scale
from storage import okrs
from storage.db import Database

MONDAY = utc(2027, 1, 11, 6)


async def seed(db: Database, team: dict[str, int]) -> None:
    async with db.session() as session:
        await okrs.create_objective(session, team["org"], team["ravi"], "Grow", "2027", 1, [
            {"title": "Grow ARR", "target": 1_200_000, "unit": "$"},
            {"title": "New logos signed", "target": 12, "unit": "logos", "start": 3, "current": 3},
        ])
    await joined(db, utc(2027, 1, 10))


def test_a_first_reading_off_the_targets_scale_is_asked_about() -> None:
    assert off_scale(87, 1_200_000) == "small" and off_scale(130, 12) == "large"
    assert off_scale(0, 1_200_000) is None and off_scale(87_000, 1_200_000) is None
    first = {"current": 0.0, "target": 1_200_000, "unit": "$", "kind": "total", "first": True}
    assert checkin_value("87", first)["status"] == "jump"
    assert checkin_value("87k", first)["status"] == "ok"
    assert checkin_value("87", {**first, "first": False})["status"] == "ok"  # a later reading: the 3x rule only


async def test_the_first_check_in_says_first_reading_and_reads_87_back(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi, maria = team["ravi"], team["maria"]
    await seed(db, team)
    with at(MONDAY):
        opened = await say(coach, ravi, "/okr checkin")
        assert "Last time: $0" not in opened and "First reading" in opened
        asked = await say(coach, ravi, "87")
        assert "$87, right?" in asked and "type 87k" in asked
        again = await say(coach, ravi, "no")
        assert "Where is it now?" in again or "again" in again.lower()
        await say(coach, ravi, "87k")
        logos = await say(coach, ravi, "1")       # on track; the next one names its start of 3
        await say(coach, ravi, "5")
        await say(coach, ravi, "1")
        for line in ("skip", "skip"):
            await say(coach, ravi, line)
    assert "3 of 12" not in logos and "3 logos (from 3 logos toward 12 logos)" in logos
    note = "\n".join(outbox.texts_for(maria))
    assert "$0 →" not in note and "$87,000" in note and ", first reading" in note
    assert "not rated yet →" not in note
    assert "5 logos (from 3 logos toward 12 logos)" in note and "3 → 5 of 12" not in note


async def test_the_brief_does_not_double_the_parentheses_of_a_start(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    await seed(db, team)
    with at(MONDAY):
        brief = await say(coach, team["maria"], "/okr brief @ravi@example.com")
    assert "3 logos (from 3 logos toward 12 logos); not moved" in brief
    assert ") (" not in brief
