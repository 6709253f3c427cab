"""Values read back with "is that right?" and waiting for the person's next message:
a `/okr wig update` jump or a WIG below zero, kept when the very next message is a
plain `yes` (`bot.features.wig_readback`).

Stored as `ProcessedEvent` rows of their own kind ("readback", `storage.held`: never
pruned by the retry housekeeping; a typed turn takes them with the absences read back,
unless it answers them, when they are left for the answer), the id "<person
id>:<what>", its `received_at` the instant it was
read back (aware UTC), so a `yes` long after is told it came too late. At most one
per person: a new read-back replaces the last. No table of its own is needed for a
handful of rows that live one message.
"""

from __future__ import annotations

from datetime import datetime

from storage import held
from storage.db import AsyncSession
from storage.events import claim_event

KIND = "readback"
LONGEST = 190  # characters of `what` kept whole (the id holds 200 with the person's)


async def hold(session: AsyncSession, person_id: int, what: str) -> bool:
    """Remember that `what` waits for the person's next message, in place of any
    read-back before it. False (nothing held) when `what` is longer than `LONGEST`:
    cut short it would no longer say what to keep."""
    await take(session, person_id)
    if len(what) > LONGEST:
        return False
    await claim_event(session, KIND, f"{person_id}:{what}")
    return True


async def take(session: AsyncSession, person_id: int) -> list[tuple[str, datetime]]:
    """What waits for the person, with when it was read back (aware UTC), oldest
    first, forgotten as it is read (`storage.held`: so two instances never both keep
    it)."""
    return (await held.take(session, person_id, [KIND]))[KIND]
