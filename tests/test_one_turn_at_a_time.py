"""One turn at a time per person (attacker F4): two or three messages from one person
arriving together are answered one after the other, in arrival order, each from the
conversation as the one before left it: no answer lost, no question asked twice, a
check-in finished once (one row, one note to the manager), one conversation started
by two `/okr checkin` at once. The per-person locks are dropped once nobody waits."""

from __future__ import annotations

import asyncio

from conftest import RecordingChannel, say
from sqlmodel import select

from bot.core.coach import Coach
from bot.core.turns import PersonLocks
from storage.db import Database
from storage.models import CheckIn, Conversation

FINISHED = "your check-in is saved"


async def checkins(db: Database) -> list[CheckIn]:
    async with db.session() as session:
        return list((await session.exec(select(CheckIn).order_by(CheckIn.id))).all())  # type: ignore[arg-type]


async def conversations_of(db: Database, person_id: int) -> list[Conversation]:
    async with db.session() as session:
        return list((await session.exec(select(Conversation).where(Conversation.person_id == person_id))).all())


def manager_notes(outbox: RecordingChannel, manager_id: int) -> list[str]:
    return [t for t in outbox.texts_for(manager_id) if "just finished the OKR check-in" in t]


async def test_three_answers_at_once_are_taken_in_order(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    assert "What is slowing you down" in await say(coach, ravi, "/okr checkin")
    replies = await asyncio.gather(say(coach, ravi, "blocker X"), say(coach, ravi, "change Y"),
                                   say(coach, ravi, "hello?"))
    assert "Last one:" in replies[0]          # X answered the first question
    assert FINISHED in replies[1]             # Y the last one
    assert FINISHED not in replies[2]         # the third finds the check-in over
    [row] = await checkins(db)
    assert (row.blockers, row.change_next) == ("blocker X", "change Y")
    assert len(manager_notes(outbox, team["maria"])) == 1
    assert len(coach.turns) == 0              # nobody waits: no lock kept


async def test_two_answers_at_the_last_question_finish_the_check_in_once(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr checkin")
    await say(coach, ravi, "blocker one")
    first, second = await asyncio.gather(say(coach, ravi, "final P"), say(coach, ravi, "final Q"))
    assert FINISHED in first and FINISHED not in second
    [row] = await checkins(db)
    assert row.change_next == "final P"
    notes = manager_notes(outbox, team["maria"])
    assert len(notes) == 1 and "final P" in notes[0]


async def test_two_checkin_commands_at_once_start_one_conversation(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    await asyncio.gather(say(coach, ravi, "/okr checkin"), say(coach, ravi, "/okr checkin"))
    assert [c.status for c in await conversations_of(db, ravi)] == ["active"]
    await say(coach, ravi, "blocker one")
    assert FINISHED in await say(coach, ravi, "final")
    assert "What is slowing you down" not in await say(coach, ravi, "hello?")  # no second check-in behind it
    assert [c.status for c in await conversations_of(db, ravi)] == ["done"]


async def test_turns_of_different_people_do_not_wait_for_each_other() -> None:
    locks = PersonLocks()
    order: list[str] = []
    inside = asyncio.Event()

    async def slow() -> None:
        async with locks.hold(1):
            inside.set()
            await asyncio.sleep(0.05)
            order.append("one")

    async def other() -> None:
        await inside.wait()
        async with locks.hold(2):
            order.append("two")

    await asyncio.gather(slow(), other())
    assert order == ["two", "one"] and len(locks) == 0


async def test_a_hold_inside_a_hold_goes_straight_in_and_waiters_keep_their_order() -> None:
    locks = PersonLocks()
    order: list[int] = []

    async def turn(n: int) -> None:
        async with locks.hold(7), locks.hold(7):  # the turn's own helpers take the lock again
            await asyncio.sleep(0)
            order.append(n)

    await asyncio.gather(*(turn(n) for n in range(5)))
    assert order == [0, 1, 2, 3, 4] and len(locks) == 0


async def test_a_cancelled_waiter_leaves_no_lock_behind() -> None:
    locks = PersonLocks()
    release = asyncio.Event()

    async def first() -> None:
        async with locks.hold(3):
            await release.wait()

    holder = asyncio.ensure_future(first())
    await asyncio.sleep(0)

    async def second() -> None:
        async with locks.hold(3):
            pass

    waiter = asyncio.ensure_future(second())
    await asyncio.sleep(0)
    waiter.cancel()
    release.set()
    await asyncio.gather(holder, waiter, return_exceptions=True)
    assert len(locks) == 0
