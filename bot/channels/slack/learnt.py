"""DM channels learnt while sending, written to the database in batches.

The first DM to a person is posted to their user id; Slack answers with the id of the
DM channel, which is kept so that a later lookup (a prompt taken over after a crash,
an image upload) needs no `conversations.open`. Written one by one, each first DM
cost its own unit of work (6-7 ms a DM on PostgreSQL, against 0.5 ms for a person
whose channel is known): at the first dispatch to 10,000 people that is a minute of
database work on the event loop. So they are collected here and written together:
`FLUSH_SIZE` at once, or `FLUSH_AFTER` seconds after the first one waiting, and at
drain and shutdown.

What a crash loses: the channels learnt in the last `FLUSH_AFTER` seconds. Nothing
else depends on them: the next DM to those people goes to their user id again, and
Slack answers with the channel again (a lookup of a sent prompt after a crash costs
one `conversations.open` more). A failed write is kept and tried again with the next
batch.
"""

from __future__ import annotations

import asyncio
import logging

from storage import people
from storage.db import Database
from storage.people import LearntDm

log = logging.getLogger(__name__)

FLUSH_SIZE = 500
FLUSH_AFTER = 2.0  # seconds


class LearntDms:
    """Collects learnt DM channels and writes them in batches (one unit of work each)."""

    def __init__(self, db: Database, flush_size: int = FLUSH_SIZE, flush_after: float = FLUSH_AFTER) -> None:
        self.db = db
        self.flush_size = flush_size
        self.flush_after = flush_after
        self.batches = 0  # units of work written (for tests and logs)
        self._pending: dict[tuple[int, str], LearntDm] = {}
        self._timer: asyncio.Task[None] | None = None
        self._writes: set[asyncio.Task[int]] = set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def channel_of(self, person_id: int | None, platform: str = "slack") -> str | None:
        """A channel learnt but not yet written (the database has the written ones)."""
        waiting = self._pending.get((person_id, platform)) if person_id is not None else None
        return waiting.dm_channel if waiting is not None else None

    def add(self, learnt: LearntDm) -> None:
        """Remember a channel; it is written within `flush_after` seconds (sooner when
        `flush_size` are waiting). Never waits for the database."""
        self._pending[(learnt.person_id, learnt.platform)] = learnt
        if len(self._pending) >= self.flush_size:
            self._start_write()
        elif self._timer is None or self._timer.done():
            self._timer = asyncio.get_running_loop().create_task(self._write_later())

    async def _write_later(self) -> None:
        await asyncio.sleep(self.flush_after)
        self._timer = None
        self._start_write()

    def _start_write(self) -> None:
        task = asyncio.get_running_loop().create_task(self.flush())
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def flush(self) -> int:
        """Write what is waiting in one unit of work; returns how many. A failure is
        logged and the batch kept for the next write (a newer channel for the same
        person wins)."""
        batch, self._pending = self._pending, {}
        if not batch:
            return 0
        try:
            async with self.db.session() as session:
                await people.remember_dm_channels(session, list(batch.values()))
            self.batches += 1
        except Exception:
            log.warning("could not store %d learnt Slack DM channels; trying again later",
                        len(batch), exc_info=True)
            for key, learnt in batch.items():
                self._pending.setdefault(key, learnt)
            if self._timer is None or self._timer.done():
                self._timer = asyncio.get_running_loop().create_task(self._write_later())
            return 0
        return len(batch)

    async def close(self) -> None:
        """Write everything still waiting (drain, shutdown)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)
        await self.flush()
