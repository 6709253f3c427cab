"""One turn at a time per person, in the order their messages arrived.

Slack delivers events in parallel, and a rep who sends two quick lines (or a client
that re-sends one) would otherwise have two turns read the same conversation, each
move it on from there and save: one answer lost, or a check-in finished twice.
`PersonLocks.hold(person_id)` makes every turn of one person wait for the one before
it, in arrival order (asyncio's lock wakes its waiters first in, first out), across
every channel, since they all answer through `Coach.handle`.

The lock is in memory, in this process: no database round trip on the way (an
`/okr status` answer costs what it did). Several processes on one database are kept
apart by the conversation's compare-and-set instead (`storage.conversations.save`).
A person's lock is dropped as soon as nobody holds or waits for it, so 100,000 people
leave nothing behind. Holding is re-entrant within one task and the tasks it starts
(background work that calls back into a turn's helpers takes the lock once).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

# the (registry, person) pairs the current task holds: a hold inside a hold is free
_HELD: ContextVar[frozenset[tuple[int, int]]] = ContextVar("coachbot_turns_held", default=frozenset())


class PersonLocks:
    """A lock per person, created on first use and dropped when nobody wants it."""

    def __init__(self) -> None:
        # person id -> [lock, how many hold or wait for it]
        self._locks: dict[int, tuple[asyncio.Lock, list[int]]] = {}

    def __len__(self) -> int:
        """How many people have a turn running or waiting (for tests and metrics)."""
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, person_id: int) -> AsyncIterator[None]:
        """Wait for the person's earlier turns, then run the block as their only one.
        Re-entrant: a block already holding this person's lock (this task, or a task it
        started) goes straight in. A cancelled waiter gives up its place."""
        key = (id(self), person_id)
        held = _HELD.get()
        if key in held:
            yield
            return
        lock, users = self._locks.setdefault(person_id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                reset = _HELD.set(held | {key})
                try:
                    yield
                finally:
                    _HELD.reset(reset)
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[person_id]
