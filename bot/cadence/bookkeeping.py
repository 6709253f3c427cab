"""The dispatcher's per-send bookkeeping, written in group commits.

Each prompt needs two writes of its own: "its send begins" just before the send (so a
process taking the claim over after a crash looks in the conversation first, and so a
sender whose claim lapsed does not send at all), and "delivered, with the platform's
message id" the moment the send returns (issue 11: a crash repeats at most the
messages in flight). As one transaction each, that is two commits per prompt; at
10,000 prompts the commits, not the sends, are our CPU time.

`Bookkeeper` keeps the guarantee and shares the commits: a caller queues its write and
waits for it; whenever writes are queued and no commit is running, one transaction
writes all of them (one UPDATE … RETURNING for the sends that begin and the
deliveries, one executemany INSERT of the Delivery rows) and answers every caller.
Nothing waits for a timer or for the rest of the batch: a write is committed right
after the commit in flight when it was queued (a few milliseconds), so with 32 sends
in flight a commit carries what returned meanwhile. A caller is answered only after
the commit, so a send still begins only once "sending" is stored, and a delivery
counts only once recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from storage import claims
from storage.db import Database

T = TypeVar("T")


class Bookkeeper:
    """Group-committed "send begins" and "delivered" writes of one instance's claims."""

    def __init__(self, db: Database, instance: str, clock: Callable[[], datetime]) -> None:
        """`clock`: the dispatcher's (aware UTC), read at each commit for `delivered_at`."""
        self.db = db
        self.instance = instance
        self.clock = clock
        self._begins: list[tuple[int, asyncio.Future[bool]]] = []
        self._sent: list[tuple[tuple[int, str, str, str | None], asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.commits = 0  # transactions written (for the tests and the benchmark)

    async def begin_send(self, occurrence_id: int) -> bool:
        """Store that this send begins; False when this instance no longer holds the
        claim (it lapsed and was taken over): then it must not be sent."""
        return await self._queue(self._begins, occurrence_id)

    async def delivered(self, occurrence_id: int, purpose: str, platform: str, message_id: str | None) -> bool:
        """Record a send that returned (`delivered`, with its Delivery row); False when
        the claim was no longer this instance's (nothing recorded)."""
        return await self._queue(self._sent, (occurrence_id, purpose, platform, message_id))

    async def _queue(self, queue: list[tuple[T, asyncio.Future[bool]]], item: T) -> bool:
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        queue.append((item, answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())
        return await answer

    async def _write(self) -> None:
        """Commit what is queued, again and again until nothing is: whatever was queued
        during one commit goes into the next. One connection serves the run of commits
        (`claims.sends_connection`); after a failure the next commit takes a new one."""
        while self._begins or self._sent:
            connected = False
            try:
                async with claims.sends_connection(self.db.engine) as connection:
                    connected = True
                    while self._begins or self._sent:
                        await self._commit(connection)
            except Exception as error:
                if connected:  # the commit's callers have their answer; a new connection next
                    continue
                for _, answer in self._begins + self._sent:  # no connection: nothing was written
                    if not answer.done():
                        answer.set_exception(error)
                self._begins, self._sent = [], []

    async def _commit(self, connection: Any) -> None:  # a claims.sends_connection
        # Let every task already woken queue its write first: the sends answered by the
        # last commit, and those their gate slots let in, return in the same turn of
        # the loop; without this one yield the next commit takes one write and the one
        # after the other 31.
        await asyncio.sleep(0)
        begins, self._begins = self._begins, []
        sent, self._sent = self._sent, []
        try:
            held, recorded = await claims.write_sends_alone(connection, [oid for oid, _ in begins],
                                                            [item for item, _ in sent], self.instance,
                                                            self.clock())
        except BaseException as error:  # each waiting caller sees the failure, as before
            for _, answer in begins + sent:
                if not answer.done():
                    answer.set_exception(error if isinstance(error, Exception) else RuntimeError(str(error)))
            raise
        self.commits += 1
        for oid, answer in begins:
            if not answer.done():
                answer.set_result(oid in held)
        for item, answer in sent:
            if not answer.done():
                answer.set_result(item[0] in recorded)
