"""The demo's own check-in prompt (`coachbot demo`), put away when the demo ends with
it not started.

A demo prompt left waiting after the demo ended would live on as a real one: the next
`coachbot run` nudges the person about it on Slack or Teams, delivers it later if it
was snoozed, and then counts it as a missed check-in in the manager's view and the
one-on-one brief. Removing it (and its delivery rows) leaves no trace; the next demo
plants a fresh one that arrives at once."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Delivery, Occurrence

# Not started yet: waiting to be sent (or snoozed), being sent, or shown on a card.
_NOT_STARTED = ("pending", "claimed", "delivered")


async def withdraw(session: AsyncSession, key: str) -> bool:
    """Remove the occurrence with `key` (the demo's "okr_checkin:42:demo-…") if it
    was never started, with its delivery rows; True when one was removed. One started,
    skipped or already missed is history and stays."""
    found = (await session.exec(select(Occurrence).where(
        Occurrence.key == key, col(Occurrence.status).in_(_NOT_STARTED)).with_for_update())).first()
    if found is None:
        return False
    await session.exec(delete(Delivery).where(col(Delivery.occurrence_id) == found.id))  # type: ignore[call-overload]
    await session.exec(delete(Occurrence).where(col(Occurrence.id) == found.id))  # type: ignore[call-overload]
    return True
