"""Claiming a batch of due prompts, and the next one while a batch is sent (issue 17).

A batch begins with two round trips the sends must wait for: the claim (`UPDATE …
RETURNING`, with `FOR UPDATE SKIP LOCKED` on PostgreSQL) and the recipients (who the
people are and how each is reached). Done between batches, they held up every batch:
at 10,000 prompts on PostgreSQL about a quarter of the dispatch's wall time went to
them while nothing was sent. The dispatcher therefore claims batch n+1 (`claim_batch`
in a task) while batch n is being sent, and the two overlap.

What changes for the claims: an instance holds at most two batches at a time instead
of one. The batch claimed ahead is in the tick's `held` set from the moment its
claim returns, so the heartbeat extends its lease like the claims being sent; if the
dispatcher then stops claiming (SIGTERM, or the tick's time for delivering is up) it
hands that batch back (`claims.release`: pending again, for any instance at once),
except the claims it took over from a stopped instance, which may have begun to go out
there and so lapse again to be looked for (`claims.reclaim_stale`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.channel import Recipient
from bot.core.coach import INACTIVE, Coach
from storage import claims
from storage.claims import Claimed

# Claims made before claims carried a lease are taken over after this long.
LEGACY_LEASE = timedelta(minutes=10)


@dataclass
class Batch:
    """Claimed prompts with what the sends need: `taken_over` (ids of the claims
    reclaimed from a stopped instance: looked for before they are sent), `recipients`
    (`Coach.recipients`: a Recipient, or why nobody can be reached) and `claimed_at`
    (`time.monotonic()` when the claim returned: its lease was last known good then)."""

    claimed: list[Claimed] = field(default_factory=list)
    taken_over: set[int] = field(default_factory=set)
    recipients: dict[int, Recipient | str] = field(default_factory=dict)
    claimed_at: float = 0.0


async def claim_batch(coach: Coach, instance: str, size: int, now: datetime, lease: timedelta,
                      held: set[int]) -> Batch:
    """Up to `size` prompts for `instance`: lapsed claims first (taken over), then due
    pending ones, earliest first, held until `now + lease` (aware UTC); their ids are
    added to `held` (what the heartbeat extends) before anything else is awaited."""
    async with coach.db.session() as session:
        claimed = await claims.reclaim_stale(session, now, instance, size, now + lease,
                                             cutoff=now - LEGACY_LEASE)
        taken_over = {o.id for o in claimed}
        if len(claimed) < size:
            claimed += await claims.claim_due(session, now, instance, size - len(claimed), now + lease)
    batch = Batch(claimed, taken_over, {}, time.monotonic())
    held.update(o.id for o in claimed)
    if claimed:
        batch.recipients = await coach.recipients({o.person_id for o in claimed})
    return batch


async def hand_back(coach: Coach, instance: str, batch: Batch, held: set[int]) -> None:
    """Give back a batch claimed ahead that will not be sent (see the module's
    docstring): pending again, except the claims taken over, which lapse."""
    async with coach.db.session() as session:
        await claims.release(session, [o.id for o in batch.claimed if o.id not in batch.taken_over], instance)
    held.difference_update(o.id for o in batch.claimed)


async def settle_unreachable(coach: Coach, instance: str, occurrence: Claimed, why: str) -> bool:
    """A claimed prompt for someone no channel reaches (`why`, from `Coach.recipients`):
    skipped if they left the team since it was planned (no alert), else failed with the
    reason, for the admins' summary. True when it was stored as failed."""
    async with coach.db.session() as session:
        if why == INACTIVE:
            await claims.skip_claimed(session, occurrence.id, instance, INACTIVE)
            return False
        return await claims.record_failure(session, occurrence.id, instance, f"delivery failed: {why}",
                                           {**(occurrence.payload or {}), "error": why})
