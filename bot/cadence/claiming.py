"""A tick's claims, batch by batch, the next batch claimed while one is sent (issue 17).

Each batch is one claim (lapsed claims taken over first, then due pending prompts)
and one read of the recipients. Claimed between batches, that is the database's time
with nothing else going on: at 100,000 prompts, ~200 claims of up to 512 rows and
their recipients took a quarter of the dispatch's wall time while the senders and the
group commits waited. `claim_ahead` starts the next claim when the batch being sent
is half marked (`SendWindow` calls it), so it runs beside the group commits, on a
connection of its own.

What claiming ahead changes, and why it is safe:
- The batch claimed ahead is held under the same lease as the batch being sent: its
  ids join the sending batch's `in_flight` set as soon as they are claimed, so that
  batch's heartbeat extends them (a slow platform cannot let them lapse meanwhile).
- A batch claimed ahead takes over lapsed claims first, like any claim, so a dead
  instance's claims and retries whose time came never wait behind a long queue.
- Given back unsent (`release`, at shutdown), a claim returns to pending, except one
  marked "sending" (a dead instance's send may have reached the platform): that one
  stays claimed until its lease lapses and the next taker looks for it first.
- If the process dies holding them, they lapse and are taken over like any claim.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from bot.core.channel import Recipient
from storage import claims
from storage.claims import Claimed
from storage.db import Database

# Claims made before claims carried a lease are taken over after this long.
LEGACY_LEASE = timedelta(minutes=10)

Recipients = Callable[[Iterable[int]], Awaitable[dict[int, Recipient | str]]]


class Batch(NamedTuple):
    """One claim's prompts, earliest first: `taken_over` the ids whose lapsed claim
    was taken over (each may have reached the platform: look first), `recipients` how
    to reach each person (`Coach.recipients`), `full` whether the claim got as many as
    it asked for (more may be due)."""

    claimed: list[Claimed]
    taken_over: set[int]
    recipients: dict[int, Recipient | str]
    full: bool


class BatchClaims:
    """The claims of one `deliver_due`. The first claim takes `first` prompts
    (instances share a short queue); each full one doubles the next, up to `most`
    (a long queue)."""

    def __init__(self, db: Database, instance: str, lease: timedelta, first: int, most: int,
                 recipients: Recipients, clock: Callable[[], datetime]) -> None:
        """`lease`: how long a claim is held unless extended; `clock`: aware UTC."""
        self.db, self.instance, self.lease = db, instance, lease
        self.size, self.most = first, max(first, most)
        self.recipients, self.clock = recipients, clock
        self._ahead: asyncio.Task[Batch] | None = None

    @property
    def ahead(self) -> bool:
        """Whether a batch is claimed (or being claimed) ahead and not yet taken."""
        return self._ahead is not None

    async def next(self) -> Batch:
        """The batch claimed ahead if there is one, else a claim now (`_claim`)."""
        if self._ahead is not None:
            task, self._ahead = self._ahead, None
            return await task
        return await self._claim()

    def claim_ahead(self, in_flight: set[int]) -> None:
        """Start claiming the next batch now (`_claim`), on a connection of its own;
        its ids are added to `in_flight` (the sending batch's heartbeat set) the moment
        they are claimed. `next` returns it."""
        if self._ahead is None:
            self._ahead = asyncio.get_running_loop().create_task(self._claim(in_flight))

    async def release(self) -> None:
        """Give back a batch claimed ahead that will not be sent (shutdown, or the
        batch being sent failed): pending again, for any instance to claim at once
        instead of after its lease."""
        if self._ahead is None:
            return
        task, self._ahead = self._ahead, None
        try:
            batch = await task
        except Exception:  # its claim failed: nothing is held
            return
        if batch.claimed:
            async with self.db.session() as session:
                await claims.release(session, [o.id for o in batch.claimed], self.instance)

    async def _claim(self, in_flight: set[int] | None = None) -> Batch:
        """Lapsed claims taken over first (a dead instance's, retries whose time came),
        then due pending prompts, in one unit of work; with `in_flight` (claiming
        ahead), never one of those, though this process holds them under the same name
        and their lease may have lapsed in a stall (taken back, one could go out twice:
        sent by the batch in flight, then again without a look), and the new ids join
        it the moment they are claimed."""
        now = self.clock()
        async with self.db.session() as session:
            claimed = await claims.reclaim_stale(session, now, self.instance, self.size, now + self.lease,
                                                 cutoff=now - LEGACY_LEASE, excluding=sorted(in_flight or ()))
            taken_over = {o.id for o in claimed}
            if len(claimed) < self.size:
                claimed += await claims.claim_due(session, now, self.instance,
                                                  self.size - len(claimed), now + self.lease)
        if in_flight is not None:
            in_flight.update(o.id for o in claimed)
        return await self._batch(claimed, taken_over)

    async def _batch(self, claimed: list[Claimed], taken_over: set[int]) -> Batch:
        full = len(claimed) >= self.size
        if full:
            self.size = min(self.most, self.size * 2)
        recipients = await self.recipients({o.person_id for o in claimed}) if claimed else {}
        return Batch(claimed, taken_over, recipients, full)
