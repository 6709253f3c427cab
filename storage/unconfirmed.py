"""Changes shown for confirmation and not yet confirmed: an absence read back with
Save / Cancel. Kept per person so that when they type something else instead, the
reply can say that the change is not saved (`bot.features.absence`), on every
channel and across instances.

Stored as `ProcessedEvent` rows of their own kind ("unconfirmed", never pruned by
the retry housekeeping), the id "<person id>:<what>": no table of its own is needed
for a handful of short-lived rows, and a confirmation settles exactly one.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import held
from storage.events import claim_event
from storage.models import ProcessedEvent

KIND = "unconfirmed"


async def hold(session: AsyncSession, person_id: int, what: str) -> None:
    """Remember that `what` (at most ~190 characters) waits for the person's Save."""
    await claim_event(session, KIND, f"{person_id}:{what}")


async def settle(session: AsyncSession, person_id: int, what: str) -> None:
    """The person confirmed or cancelled `what`: nothing waits for it any more."""
    await session.exec(delete(ProcessedEvent).where(  # type: ignore[call-overload]
        col(ProcessedEvent.platform) == KIND, col(ProcessedEvent.event_id) == f"{person_id}:{what}"[:200]))


async def take(session: AsyncSession, person_id: int) -> list[str]:
    """Everything still waiting for the person's Save, oldest first, forgotten as it
    is read (told once). A typed turn takes these with the other kinds at once
    (`storage.held`); this is for a caller that wants them alone."""
    return [what for what, _ in (await held.take(session, person_id, [KIND]))[KIND]]
