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

The dispatcher's batches go further (`bot.cadence.window`): while a `SendWindow` is
open, each commit also marks the window's next prompts "sending" ahead (up to twice
`concurrency` marked and unrecorded), and the deliveries of those prompts are queued
with `record` (a callback after the commit, no future awaited per prompt). A batch
then costs one commit per window's worth of prompts. While a window is open the writer
keeps its connection between commits and begins the next one the moment the window
asks, so the commit runs while the workers send what is already marked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from bot.cadence.window import SendWindow
from storage import claims
from storage.db import Database

T = TypeVar("T")
Answer = asyncio.Future[bool] | Callable[[bool], None]


class Bookkeeper:
    """Group-committed "send begins" and "delivered" writes of one instance's claims."""

    def __init__(self, db: Database, instance: str, clock: Callable[[], datetime]) -> None:
        """`clock`: the dispatcher's (aware UTC), read at each commit for `delivered_at`."""
        self.db = db
        self.instance = instance
        self.clock = clock
        self._begins: list[tuple[int, asyncio.Future[bool]]] = []
        # a delivery's answer: a future its sender awaits, or a callback (a window's sends)
        self._sent: list[tuple[tuple[int, str, str, str | None], Answer]] = []
        self._writer: asyncio.Task[None] | None = None
        self._idle: asyncio.Future[None] | None = None  # the writer waiting for a write (window open)
        self.window: SendWindow | None = None  # the batch whose sends are marked ahead
        self.commits = 0  # transactions written (for the tests and the benchmark)

    async def begin_send(self, occurrence_id: int) -> bool:
        """Store that this send begins; False when this instance no longer holds the
        claim (it lapsed and was taken over): then it must not be sent."""
        return await self._queue(self._begins, occurrence_id)

    async def delivered(self, occurrence_id: int, purpose: str, platform: str, message_id: str | None) -> bool:
        """Record a send that returned (`delivered`, with its Delivery row); False when
        the claim was no longer this instance's (nothing recorded)."""
        return await self._queue(self._sent, (occurrence_id, purpose, platform, message_id))

    def record(self, item: tuple[int, str, str, str | None], answer: Callable[[bool], None]) -> None:
        """`delivered` without waiting: `answer(recorded)` is called after the commit
        (a failed commit fails the window instead). For the window's sends: counted in
        `SendWindow.recording` until the commit takes them."""
        self._sent.append((item, answer))
        if self.window is not None:
            self.window.recording += 1
        self.kick()

    def open(self, window: SendWindow) -> None:
        """Mark this window's sends ahead in the group commits until `close`."""
        self.window = window
        window.kick = self.kick
        self.kick()

    def close(self) -> None:
        self.window = None
        self._wake_writer()

    def kick(self) -> None:
        """Make sure a writer runs (it stops by itself when nothing is left to write
        and no window is open)."""
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())
        else:
            self._wake_writer()

    @property
    def settled(self) -> bool:
        """Nothing is being written: no writer, or one waiting for a write."""
        return (self._writer is None or self._writer.done()
                or (self._idle is not None and not self._idle.done()))

    def _wake_writer(self) -> None:
        if self._idle is not None and not self._idle.done():
            self._idle.set_result(None)

    async def _next_write(self) -> bool:
        """Whether there is a write to commit. While a window is open the writer keeps
        its connection and waits here for the next one, so that the commit begins the
        moment a worker asks for it (`SendWindow.wants`) and runs while the workers
        send what is ready, instead of after they have sent it all and the connection
        was given back and taken again."""
        while not self._due() and self.window is not None:
            self._idle = asyncio.get_running_loop().create_future()
            try:
                await self._idle
            finally:
                self._idle = None
        return self._due()

    def _due(self) -> bool:
        return bool(self._begins or self._sent or (self.window is not None and self.window.wants()))

    async def _queue(self, queue: list[tuple[T, asyncio.Future[bool]]], item: T) -> bool:
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        queue.append((item, answer))
        self.kick()
        return await answer

    async def _write(self) -> None:
        """Commit what is queued, again and again until nothing is: whatever was queued
        during one commit goes into the next. One connection serves the run of commits
        (`claims.sends_connection`); after a failure the next commit takes a new one."""
        while self._due():
            connected = False
            try:
                async with claims.sends_connection(self.db.engine) as connection:
                    connected = True
                    while await self._next_write():
                        await self._commit(connection)
            except Exception as error:
                if connected:  # the commit's callers have their answer; a new connection next
                    continue
                for _, answer in self._begins + self._sent:  # no connection: nothing was written
                    _answer(answer, error)
                self._begins, self._sent = [], []
                if self.window is not None:
                    self.window.failed(error)

    async def _commit(self, connection: Any) -> None:  # a claims.sends_connection
        # Let every task already woken queue its write first: the sends answered by the
        # last commit, and those their gate slots let in, return in the same turn of
        # the loop; without this one yield the next commit takes one write and the one
        # after the other 31. Not for a window: its commit is asked for when few
        # marked prompts are left, and must begin while the workers send those (a
        # yield here let them send every one first, so commits and sends took turns).
        if self.window is None:
            await asyncio.sleep(0)
        begins, self._begins = self._begins, []
        sent, self._sent = self._sent, []
        window = self.window
        ahead, resolving = window.take() if window is not None else ([], 0)
        try:
            held, recorded = await claims.write_sends_alone(
                connection, [oid for oid, _ in begins] + [o.id for o in ahead], [item for item, _ in sent],
                self.instance, self.clock())
        except BaseException as error:  # each waiting caller sees the failure, as before
            failure = error if isinstance(error, Exception) else RuntimeError(str(error))
            for _, answer in begins + sent:
                _answer(answer, failure)
            if window is not None:
                window.failed(failure)
            raise
        self.commits += 1
        for oid, answer in begins:
            if not answer.done():
                answer.set_result(oid in held)
        if window is not None:
            window.committed(ahead, held, resolving)
        for item, answer in sent:
            _answer(answer, item[0] in recorded)


def _answer(answer: Answer, outcome: bool | Exception) -> None:
    """Give a waiting sender its outcome; a callback hears only outcomes (a failure
    reaches the window's workers through `SendWindow.failed`)."""
    if isinstance(answer, asyncio.Future):
        if answer.done():
            return
        if isinstance(outcome, Exception):
            answer.set_exception(outcome)
        else:
            answer.set_result(outcome)
    elif not isinstance(outcome, Exception):
        answer(outcome)
