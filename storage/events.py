"""Inbound platform events processed once: Slack retries, Teams activity ids, card clicks.

Platform-neutral on purpose: every channel records what it handled here, and the
scheduler's housekeeping prunes what no platform will retry any more.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import upsert, utcnow
from storage.models import ProcessedEvent

# Ids a platform retries for a few hours at most; kept two days, then pruned. Other
# kinds (such as "this card was answered") are kept for good.
RETRIED = ("slack", "teams")


async def claim_event(session: AsyncSession, platform: str, event_id: str) -> bool:
    """Record an inbound id; True the first time, False for a retry or a double click.

    One INSERT … ON CONFLICT DO NOTHING with RETURNING (drivers disagree on the
    rowcount of a skipped insert), so two instances racing on the same id agree on
    exactly one winner without a failed transaction.
    """
    table = ProcessedEvent.__table__  # type: ignore[attr-defined]
    statement = (
        upsert(session, table)
        .values(platform=platform, event_id=event_id[:200], received_at=utcnow())
        .on_conflict_do_nothing(index_elements=["platform", "event_id"])
        .returning(table.c.id)
    )
    result = await (await session.connection()).execute(statement)
    return result.first() is not None


async def release_event(session: AsyncSession, platform: str, event_id: str) -> None:
    """Forget a claim whose processing failed, so a later retry may try again."""
    await session.exec(
        delete(ProcessedEvent).where(
            col(ProcessedEvent.platform) == platform, col(ProcessedEvent.event_id) == event_id[:200]
        )
    )


async def prune_events(session: AsyncSession, before: datetime, platforms: tuple[str, ...] = RETRIED) -> int:
    """Drop claims older than any retry a platform would still send."""
    result = await session.exec(
        delete(ProcessedEvent).where(
            col(ProcessedEvent.platform).in_(platforms), col(ProcessedEvent.received_at) < before
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
