"""Sends marked "sending" ahead, a window at a time (issue 17).

Before each send the dispatcher stores that it begins (`reason = 'sending'`), so that
whoever takes the claim over after a crash looks in the conversation first. Stored one
prompt at a time, just before its send, that is a write per prompt on top of the
record of the delivery. `SendWindow` stores it ahead for several prompts at once,
in the same group commit that records the deliveries that returned
(`bot.cadence.bookkeeping`): one commit per window's worth of prompts instead of two
per prompt.

**The trade-off (documented in the README's exactly-once section):** at any committed
moment at most `size` (twice the dispatcher's `concurrency`) of one instance's claims
are marked "sending" and not yet recorded, instead of at most `concurrency`. After a
kill -9 the instance that takes the claims over looks for each of those in its
conversation before sending it (a history call per prompt, never a second copy): up
to twice as many look-ups as before, and the same guarantee. The bound holds because
a mark is written only in the statement that records the deliveries it replaces
(`take`, counted at commit time, not at queue time), and a commit that fails closes the
window: no later write marks more.

A prompt marked ahead waits in `ready` until a worker sends it. While it waits its
claim is kept by the dispatcher's heartbeat; if the heartbeat has not confirmed the
claims for half a lease (`stale`), the worker asks again, for that one prompt, whether
the claim is still this instance's before sending (`Bookkeeper.begin_send`), exactly
as without the window.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from storage import claims
from storage.claims import Claimed
from storage.db import Database

log = logging.getLogger(__name__)


class SendWindow:
    """The claims of one batch on their way out: `todo` (not marked), `ready` (marked
    "sending", this instance's, not yet taken by a worker). `outstanding` counts the
    marked ones not yet resolved by a committed write (a delivery recorded, a retry or
    failure stored); it never exceeds `size` once a commit is written."""

    def __init__(self, claimed: Iterable[Claimed], size: int, low: int, lease_s: float) -> None:
        """`size`: the most marked ahead and unresolved; `low`: below this many ready
        prompts a commit is asked for, so workers do not wait for one; `lease_s`: the
        claims' lease in seconds (see `stale`)."""
        self.todo: deque[Claimed] = deque(claimed)
        self.ready: deque[Claimed] = deque()
        self.size, self.low, self.lease_s = size, low, lease_s
        self.outstanding = 0
        self.recording = 0  # deliveries queued for the next commit (resolved by it)
        self.marking = 0  # taken by the commit in flight, not yet in `ready`
        self.lost: list[Claimed] = []  # claims found no longer ours when marked: not sent
        self.error: BaseException | None = None
        self.confirmed = time.monotonic()  # the claims were last known ours (claim, heartbeat)
        self.kick: Callable[[], None] = lambda: None  # asks the bookkeeper for a commit
        # called once, when half the batch is marked (the dispatcher claims the next
        # batch then: `bot.cadence.claiming`)
        self.halfway: Callable[[], None] | None = None
        self._half = len(self.todo) // 2
        self._wake: asyncio.Future[None] | None = None

    def wants(self) -> bool:
        """Whether a commit should be written now to mark more (few ready, room left)."""
        return (self.error is None and bool(self.todo) and len(self.ready) < self.low
                and self.outstanding - self.recording < self.size)

    def stale(self) -> bool:
        """The heartbeat has not confirmed the claims for half a lease: a prompt marked
        ahead is checked once more before its send (it may have been taken over)."""
        return time.monotonic() - self.confirmed > self.lease_s / 2

    def take(self) -> tuple[list[Claimed], int]:
        """At a commit: the claims to mark in it and how many of the window's deliveries
        it records. The room counts those deliveries as resolved, since the one
        statement writes both or neither."""
        resolving, self.recording = self.recording, 0
        room = self.size - (self.outstanding - resolving)
        if self.error is not None or room <= 0 or not self.todo:
            return [], resolving
        chunk = [self.todo.popleft() for _ in range(min(room, len(self.todo)))]
        self.outstanding += len(chunk)
        self.marking = len(chunk)
        if self.halfway is not None and len(self.todo) <= self._half:
            halfway, self.halfway = self.halfway, None
            halfway()
        return chunk, resolving

    def committed(self, chunk: list[Claimed], held: set[int], resolving: int) -> None:
        """The commit is written: `held` are the ids it marked (still ours)."""
        self.outstanding -= resolving
        self.marking = 0
        for occurrence in chunk:
            if occurrence.id in held:
                self.ready.append(occurrence)
            else:  # taken over meanwhile: the taker sends it
                self.outstanding -= 1
                self.lost.append(occurrence)
        self._wakeup()

    def failed(self, error: BaseException) -> None:
        """A commit failed: nothing more is marked; the workers stop with `error` (what
        is marked and unsent is taken over after the lease, with a look first)."""
        self.error, self.marking = error, 0
        self._wakeup()

    def resolved(self) -> None:
        """A marked prompt's outcome was stored outside the group commits (a retry, a
        failure, a lost claim): room for one more."""
        self.outstanding -= 1
        self._wakeup()
        if self.wants():
            self.kick()

    async def next(self) -> Claimed | None:
        """The next prompt to send, None when the batch is done. Raises the error of a
        failed commit."""
        while True:
            if self.error is not None:
                raise self.error
            if self.ready:
                occurrence = self.ready.popleft()
                if self.wants():
                    self.kick()
                    # a send that returns without awaiting I/O keeps the loop: let the
                    # commit just asked for begin now, while the ready ones are sent
                    await asyncio.sleep(0)
                return occurrence
            if not self.todo and not self.marking and self.outstanding <= 0:
                return None  # and every outcome is stored
            if self._wake is None:
                self._wake = asyncio.get_running_loop().create_future()
            wake = self._wake
            self.kick()
            await wake

    def _wakeup(self) -> None:
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)
        self._wake = None


async def heartbeat(db: Database, instance: str, lease: timedelta, in_flight: set[int],
                    window: SendWindow, clock: Callable[[], datetime]) -> None:
    """Extend the lease of the claims still being sent (`in_flight`), a few times per
    lease, so that only a process that stopped (a crash, a kill -9) loses its claims;
    a beat that extended every one of them confirms the window's claims
    (`SendWindow.stale`); one that found any taken over (this process stalled past
    the lease) leaves them unconfirmed, so each prompt marked ahead is checked before
    its send. `clock`: the dispatcher's (aware UTC)."""
    beat = max(0.5, lease.total_seconds() / 4)
    while True:
        await asyncio.sleep(beat)
        try:
            began, ids = time.monotonic(), sorted(in_flight)
            async with db.session() as session:
                extended = await claims.extend_leases(session, ids, instance, clock() + lease)
            if extended == len(ids):
                window.confirmed = began
        except Exception:  # a missed beat only risks a takeover, which is checked
            log.warning("could not extend the claims' lease", exc_info=True)
