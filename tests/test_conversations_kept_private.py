"""What a conversation keeps when it ends without being saved: a cancelled one says
"nothing from it was saved", so its row keeps none of the answers; and retention
(COACHBOT_RETENTION_DAYS) removes conversations left untouched past the limit, an
abandoned one still `active` included."""

from __future__ import annotations

import json
from datetime import timedelta

from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.clock import now
from bot.core.coach import Coach
from storage import conversations, privacy
from storage.db import Database
from storage.models import Conversation


async def rows(db: Database) -> list[Conversation]:
    async with db.session() as session:
        return list((await session.exec(select(Conversation).order_by(Conversation.id))).all())


@freeze_time("2027-02-01 14:00:00", real_asyncio=True)
async def test_a_cancelled_conversation_keeps_none_of_its_answers(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    maria = team["maria"]
    await say(coach, maria, "/okr salary-prep @ravi")
    await say(coach, maria, "Agree a fair raise")
    await say(coach, maria, "He hopes for 15%")
    assert "nothing from it was saved" in await say(coach, maria, "cancel")
    [row] = await rows(db)
    stored = json.dumps(row.state)
    assert row.status == "cancelled"
    assert "fair raise" not in stored and "15%" not in stored and "Ravi" not in stored
    assert row.state["answers"] == {} and row.state["context"] == {}


async def test_a_conversation_cancelled_by_the_bot_is_emptied_too(db: Database, team: dict[str, int]) -> None:
    async with db.session() as session:  # its flow file was removed, or another replaced it
        row = await conversations.start(session, team["sam"], "gone", {"answers": {"notes": "private words"},
                                                                       "context": {"rep_name": "Ravi Rep"}})
        await conversations.set_status(session, row, "cancelled")
    [row] = await rows(db)
    assert row.status == "cancelled" and "private words" not in json.dumps(row.state)


async def test_retention_removes_an_abandoned_active_conversation(db: Database, team: dict[str, int]) -> None:
    old, recent = now() - timedelta(days=100), now() - timedelta(days=5)
    async with db.session() as session:
        for moment in (old, recent):
            session.add(Conversation(person_id=team["ravi"], flow="goals", status="active", updated_at=moment,
                                     state={"answers": {"worked": "typed long ago"}}))
    async with db.session() as session:
        pruned = await privacy.prune_answers(session, now() - timedelta(days=30))
    assert pruned["conversation"] == 1
    assert [r.updated_at >= now() - timedelta(days=6) for r in await rows(db)] == [True]
