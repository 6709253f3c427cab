"""Values read back with "is that right?" and waiting for the person's next message:
a `/okr wig update` jump or a WIG below zero, kept when the very next message is a
plain `yes` (`bot.features.wig_readback`).

Stored as `ProcessedEvent` rows of their own kind ("readback": never pruned by the
retry housekeeping, never seen by `storage.unconfirmed`, whose absences a typed turn
takes as a whole), the id "<person id>:<what>", its `received_at` the instant it was
read back (aware UTC), so a `yes` long after is told it came too late. At most one
per person: a new read-back replaces the last. No table of its own is needed for a
handful of rows that live one message.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, delete

from storage.db import AsyncSession
from storage.events import claim_event
from storage.models import ProcessedEvent

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
    first, forgotten as it is read: one DELETE … RETURNING, so two instances never
    both keep it."""
    prefix = f"{person_id}:"
    rows = (await (await session.connection()).execute(_TAKE, {"prefix": prefix})).all()
    return [(event_id[len(prefix):], _aware(at)) for event_id, at, _ in sorted(rows, key=lambda row: row[2])]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite hands back naive UTC


_TABLE = ProcessedEvent.__table__  # type: ignore[attr-defined]
# the prefix is digits and ":": nothing in it to escape for LIKE
_TAKE = (delete(_TABLE)
         .where(_TABLE.c.platform == KIND, _TABLE.c.event_id.startswith(bindparam("prefix")))
         .returning(_TABLE.c.event_id, _TABLE.c.received_at, _TABLE.c.id))
