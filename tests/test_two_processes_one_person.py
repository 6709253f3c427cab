"""Two processes serving one person on one database (attacker F4 across instances):
each runs its own coach, so the in-memory turn lock does not keep them apart; the
conversation's compare-and-set does. Two coaches on two `Database`s of one file or
server stand for two processes. A turn that lost the race is run again on the fresh
state (no answer lost, the check-in stored once, the manager told once); losing
twice, the person is asked to send one message at a time, and nothing is stored."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from conftest import RecordingChannel, say
from sqlmodel import select

from bot.core.channel import Channels
from bot.core.coach import Coach
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage import conversations
from storage.db import Database
from storage.models import CheckIn, Conversation

FINISHED = "your check-in is saved"


@pytest.fixture
async def other(db: Database) -> AsyncIterator[Database]:
    """A second Database on the same database: another process's pool."""
    second = Database(db.url)
    yield second
    await second.dispose()


@pytest.fixture
def other_coach(other: Database, outbox: RecordingChannel) -> Coach:
    return build_coach(other, Settings(database_url=other.url), Channels(outbox))


async def rows(db: Database, model: type, **where: int) -> list:  # type: ignore[type-arg]
    async with db.session() as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return list((await session.exec(query)).all())


def manager_notes(outbox: RecordingChannel, manager_id: int) -> list[str]:
    return [t for t in outbox.texts_for(manager_id) if "just finished the OKR check-in" in t]


def meet_first(monkeypatch: pytest.MonkeyPatch, name: str, wanted: int = 2, patience: float = 1.0) -> None:
    """Make `storage.conversations.<name>` wait, at its first call in each of `wanted`
    turns, until all of them got there (or `patience` seconds passed): both turns have
    read the conversation before either writes, the race the processes run."""
    real = getattr(conversations, name)
    together = asyncio.Event()
    seen: set[asyncio.Task[object] | None] = set()

    async def waiting(*args, **kwargs):  # type: ignore[no-untyped-def]
        task = asyncio.current_task()
        if task not in seen and len(seen) < wanted:
            seen.add(task)
            if len(seen) == wanted:
                together.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(together.wait(), patience)
        return await real(*args, **kwargs)

    monkeypatch.setattr(conversations, name, waiting)


async def test_two_processes_answering_the_last_question_store_one_check_in(
        db: Database, team: dict[str, int], coach: Coach, other_coach: Coach, outbox: RecordingChannel,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr checkin")
    await say(coach, ravi, "blocker one")
    meet_first(monkeypatch, "save")   # both read "change_next" before either saves
    first, second = await asyncio.gather(say(coach, ravi, "final P"), say(other_coach, ravi, "final Q"))
    [row] = await rows(db, CheckIn)
    assert [FINISHED in first, FINISHED in second].count(True) == 1
    assert row.change_next == ("final P" if FINISHED in first else "final Q")
    assert len(manager_notes(outbox, team["maria"])) == 1
    [conversation] = await rows(db, Conversation, person_id=ravi)
    assert conversation.status == "done" and conversation.state["answers"]["change_next"] == row.change_next


async def test_two_processes_answering_mid_check_in_keep_both_answers(
        db: Database, team: dict[str, int], coach: Coach, other_coach: Coach, outbox: RecordingChannel,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr checkin")
    meet_first(monkeypatch, "save")
    replies = await asyncio.gather(say(coach, ravi, "blocker X"), say(other_coach, ravi, "change Y"))
    # the loser ran again on the fresh state: its line answered the next question
    [row] = await rows(db, CheckIn)
    assert {row.blockers, row.change_next} == {"blocker X", "change Y"}
    assert sum(FINISHED in r for r in replies) == 1
    assert len(manager_notes(outbox, team["maria"])) == 1


async def test_two_processes_starting_a_check_in_at_once_start_one(
        db: Database, team: dict[str, int], coach: Coach, other_coach: Coach,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ravi = team["ravi"]
    meet_first(monkeypatch, "active", patience=0.5)  # both look for an active one before either starts
    await asyncio.gather(say(coach, ravi, "/okr checkin"), say(other_coach, ravi, "/okr checkin"))
    assert [c.status for c in await rows(db, Conversation, person_id=ravi)] == ["active"]


async def test_a_turn_that_loses_twice_asks_for_one_message_at_a_time_and_stores_nothing(
        db: Database, other: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr checkin")
    await say(coach, ravi, "blocker one")
    real = conversations.save

    async def always_second(session, conversation, state, status=None):  # type: ignore[no-untyped-def]
        # another process saves this conversation just before every save of this turn
        async with other.session() as elsewhere:
            fresh = await conversations.get(elsewhere, conversation.id)
            await real(elsewhere, fresh, dict(fresh.state))
        return await real(session, conversation, state, status)

    monkeypatch.setattr(conversations, "save", always_second)
    reply = await say(coach, ravi, "final P")
    assert "One message at a time" in reply and FINISHED not in reply
    assert await rows(db, CheckIn) == []
    assert manager_notes(outbox, team["maria"]) == []
    monkeypatch.setattr(conversations, "save", real)
    assert FINISHED in await say(coach, ravi, "final P")  # the conversation waits where it was


async def test_a_save_over_a_newer_state_is_refused(db: Database, other: Database, team: dict[str, int]) -> None:
    async with db.session() as session:
        started = await conversations.start(session, team["ravi"], "okr_checkin", {"step": "a"})
    async with other.session() as session:
        mine = await conversations.get(session, started.id)  # type: ignore[arg-type]
    async with db.session() as session:
        await conversations.save(session, started, {"step": "b"})
    with pytest.raises(conversations.ConversationMoved):
        async with other.session() as session:
            await conversations.save(session, mine, {"step": "c"})  # type: ignore[arg-type]
    with pytest.raises(conversations.ConversationMoved):  # nor a second active one started
        async with other.session() as session:
            await conversations.start(session, team["ravi"], "goals", {"step": "x"})
    [row] = await rows(db, Conversation)
    assert row.state == {"step": "b"}
