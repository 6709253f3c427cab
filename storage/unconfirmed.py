"""Changes shown for confirmation and not yet confirmed: an absence read back with
Save / Cancel. Kept per person so that when they type something else instead, the
reply can say that the change is not saved (`bot.features.absence`), on every
channel and across instances.

Stored as `ProcessedEvent` rows of their own kind ("unconfirmed", never pruned by
the retry housekeeping), the id "<person id>:<what>": no table of its own is needed
for a handful of short-lived rows, and a confirmation settles exactly one.
"""

from __future__ import annotations

from sqlalchemy import bindparam, delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

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
    is read (told once): one DELETE … RETURNING, so two instances never both tell.
    Every typed turn runs it (in the unit of work that reads the person), so the
    statement is built once."""
    prefix = f"{person_id}:"
    rows = (await (await session.connection()).execute(_TAKE, {"prefix": prefix})).all()
    return [event_id[len(prefix):] for event_id, _ in sorted(rows, key=lambda row: row[1])]


_TABLE = ProcessedEvent.__table__  # type: ignore[attr-defined]
# the prefix is digits and ":": nothing in it to escape for LIKE
_TAKE = (delete(_TABLE)
         .where(_TABLE.c.platform == KIND, _TABLE.c.event_id.startswith(bindparam("prefix")))
         .returning(_TABLE.c.event_id, _TABLE.c.id))
