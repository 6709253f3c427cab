"""Named queries the dispatcher needs besides claims: when the same person's next
prompt of a cadence is due (a retried prompt must not outlive it), whether a tick
has work, and prompts claimed late put back for later (`hold_late`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, exists, func, literal, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import UTCDateTime
from storage.occurrences import CLAIMED, OCCURRENCE, PENDING, SENDING, SKIPPED, status_is


async def next_due(session: AsyncSession, person_id: int, kind: str, after: datetime) -> datetime | None:
    """When the person's next occurrence of `kind` after `after` is due (UTC), or None
    if none is planned yet (rows are planned 36 h ahead). Skipped slots do not count:
    they will not go out."""
    query = select(func.min(OCCURRENCE.c.due_at)).where(
        OCCURRENCE.c.person_id == person_id, OCCURRENCE.c.kind == kind,
        OCCURRENCE.c.due_at > after, OCCURRENCE.c.status != SKIPPED)
    return (await session.exec(query)).scalar_one_or_none()  # type: ignore[call-overload]


async def work_due(session: AsyncSession, now: datetime, cutoff: datetime | None = None) -> bool:
    """Whether a tick has anything to claim or catch up at `now` (UTC): a pending
    occurrence due, or a claim whose lease ran out (its holder died, or its retry
    time came; `cutoff` as for `claims.reclaim_stale`). One indexed statement, so that
    the ~1,400 quiet ticks of a day cost one query each instead of the catch-up's and
    the claims' five (at 100,000 people: ~30 ms of CPU a tick, 40 s a day)."""
    # Scalar subqueries ordered like their partial index ((due_at, id) of the pending
    # rows, (lease_until, id) of the claimed ones): an EXISTS drops the order, and PostgreSQL then walked the due-time
    # index past every delivered row (~100 ms at 100,000 people) or scanned the table.
    due = (select(OCCURRENCE.c.id).where(status_is(PENDING), OCCURRENCE.c.due_at <= now)
           .order_by(OCCURRENCE.c.due_at, OCCURRENCE.c.id).limit(1).scalar_subquery())
    lapsed = (select(OCCURRENCE.c.id).where(status_is(CLAIMED), OCCURRENCE.c.lease_until <= now)
              .order_by(OCCURRENCE.c.lease_until, OCCURRENCE.c.id).limit(1).scalar_subquery())
    query = select(or_(due.is_not(None), lapsed.is_not(None)))
    if cutoff is not None:  # claims made before claims carried a lease
        legacy = exists().where(status_is(CLAIMED), OCCURRENCE.c.lease_until.is_(None),
                                OCCURRENCE.c.claimed_at < cutoff)
        query = select(or_(due.is_not(None), lapsed.is_not(None), legacy))
    return bool((await session.exec(query)).scalar_one())  # type: ignore[call-overload]


async def hold_late(session: AsyncSession, instance: str, ids: Sequence[int], due_at: datetime,
                    local_date: date, reason: str, skipped: bool = False) -> int:
    """Prompts this instance claimed late (coachbot was down when they were due) and
    may not send now: back to pending, due at `due_at` (aware UTC, the person's local
    day `local_date`), with `reason` (a re-plan does not pull them back into the
    past: `storage.planning`); with `skipped`, skipped with `reason` instead. A
    claim whose send may have begun (`SENDING`: taken over from a crashed process)
    stays claimed and only lapses at `due_at`, so its taker still looks for it in the
    conversation first; it is never skipped (it may have arrived). Only claims this
    instance holds are changed. Returns how many rows changed."""
    if not ids:
        return 0
    mine = (OCCURRENCE.c.id.in_(list(ids)), OCCURRENCE.c.status == CLAIMED, OCCURRENCE.c.claimed_by == instance)
    not_sending = func.coalesce(OCCURRENCE.c.reason, "") != SENDING
    if skipped:
        values: dict[str, Any] = {"status": SKIPPED, "reason": reason, "lease_until": None}
    else:
        values = {"status": PENDING, "due_at": due_at, "local_date": local_date, "reason": reason,
                  "claimed_by": None, "claimed_at": None, "lease_until": None,
                  "snoozed_until": case((OCCURRENCE.c.snoozed_until.is_(None), None),
                                        else_=literal(due_at, UTCDateTime))}
    back = await session.exec(update(OCCURRENCE).where(*mine, not_sending).values(**values))  # type: ignore[call-overload]
    held = await session.exec(update(OCCURRENCE).where(  # type: ignore[call-overload]
        *mine, OCCURRENCE.c.reason == SENDING).values(lease_until=due_at))
    return (back.rowcount or 0) + (held.rowcount or 0)
