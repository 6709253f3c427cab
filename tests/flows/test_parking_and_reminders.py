"""Parked conversations are offered back when another ends; abandoned ones get one
reminder per silence."""

from __future__ import annotations

from conftest import RecordingChannel, say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from bot.core.messages import Inbound
from bot.features.conversations import remind_abandoned
from storage.db import Database
from storage.models import Conversation


@freeze_time("2027-01-06 09:00:00", real_asyncio=True)
async def test_finishing_a_flow_offers_the_parked_one(coach: Coach, team: dict[str, int]) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr goals")
    await say(coach, ravi, "Referrals worked")
    await say(coach, ravi, "/okr discover ACME")
    await say(coach, ravi, action="park")
    replies = await coach.handle(Inbound(person_id=ravi, platform="test", text="2"))  # later
    offer = replies[-1]
    assert "still have your 2027 goal setting waiting" in offer.text
    [choice] = offer.choices
    assert choice.label == "Continue your 2027 goal setting"
    await say(coach, ravi, "/okr discover Initech")               # another one in between
    stale = await say(coach, ravi, action=choice.value)
    assert "carry on with the discovery notes for Initech" in stale
    await say(coach, ravi, "cancel")
    resumed = await say(coach, ravi, action=choice.value)
    assert "Welcome back" in resumed and "didn't work" in resumed
    assert "stopped this conversation" not in await say(coach, ravi, "Cold calls")
    # a stale or foreign resume button is not claimed
    assert "didn't catch that" in await say(coach, team["sam"], action=choice.value)


async def test_abandoned_conversations_get_one_reminder(coach: Coach, team: dict[str, int],
                                                        outbox: RecordingChannel, db: Database) -> None:
    ravi, sam = team["ravi"], team["sam"]
    with freeze_time("2027-01-06 09:00:00", real_asyncio=True):
        await say(coach, ravi, "/okr goals")
        await say(coach, ravi, "Referrals worked")
        await say(coach, sam, "/okr discover Globex")
    with freeze_time("2027-01-06 20:00:00", real_asyncio=True):
        assert await remind_abandoned(coach) == 0            # not quiet long enough
    with freeze_time("2027-01-07 09:00:00", real_asyncio=True):
        assert await remind_abandoned(coach) == 1            # Ravi (14:30 in Kolkata), not Sam (01:00 in LA)
        to_ravi = outbox.texts_for(ravi)
        assert "half-way through your 2027 goal setting" in to_ravi[0]
        assert "didn't work" in to_ravi[1]                   # the question itself
        assert await remind_abandoned(coach) == 0            # once per silence
    with freeze_time("2027-01-07 17:00:00", real_asyncio=True):
        assert await remind_abandoned(coach) == 1            # Sam, at 09:00 in Los Angeles
    with freeze_time("2027-01-07 10:00:00", real_asyncio=True):
        await say(coach, ravi, "Too many small deals")
    with freeze_time("2027-01-08 12:00:00", real_asyncio=True):
        assert await remind_abandoned(coach) == 1            # ravi went quiet again; sam was reminded
    async with db.session() as session:
        rows = (await session.exec(select(Conversation))).all()
    assert all(r.reminded_at is not None for r in rows)


async def test_a_reminder_waits_for_the_next_working_day(coach: Coach, team: dict[str, int],
                                                         outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    with freeze_time("2027-01-08 06:00:00", real_asyncio=True):  # Friday, 11:30 in Kolkata
        await say(coach, ravi, "/okr goals")
    with freeze_time("2027-01-09 06:00:00", real_asyncio=True):  # Saturday
        assert await remind_abandoned(coach) == 0
    with freeze_time("2027-01-11 06:00:00", real_asyncio=True):  # Monday, 11:30
        assert await remind_abandoned(coach) == 1
    assert any("half-way through" in t for t in outbox.texts_for(ravi))
