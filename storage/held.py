"""What a person was read back and has not answered yet, taken at their next typed
message: days away shown with Save / Cancel (`storage.unconfirmed`, kind
"unconfirmed"), a WIG value read back for a `yes` (`storage.readbacks`, kind
"readback").

Each kind is `ProcessedEvent` rows of its own (never pruned by the retry
housekeeping), the id "<person id>:<what>", `received_at` when it was read back.
Every typed turn takes the person's rows of every kind its features let go in ONE
statement (`take`): each kind taken on its own was one more statement in the unit of
work that reads the person, ~0.2 ms of CPU per chat message on PostgreSQL, paid on
the path behind every Slack acknowledgement (issue 17).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import bindparam, delete

from storage.db import AsyncSession
from storage.models import ProcessedEvent

Held = list[tuple[str, datetime]]  # (what, when it was read back, aware UTC), oldest first


async def take(session: AsyncSession, person_id: int, kinds: Sequence[str]) -> dict[str, Held]:
    """The person's rows of `kinds`, forgotten as they are read (one DELETE …
    RETURNING, so two instances never both tell or keep one): kind -> its rows,
    every kind asked present (empty when nothing waits)."""
    taken: dict[str, Held] = {kind: [] for kind in kinds}
    if not kinds:
        return taken
    prefix = f"{person_id}:"
    rows = (await (await session.connection()).execute(_TAKE, {"prefix": prefix, "kinds": list(kinds)})).all()
    for kind, event_id, at, _ in sorted(rows, key=lambda row: row[3]):
        taken[kind].append((event_id[len(prefix):], at if at.tzinfo is not None else at.replace(tzinfo=UTC)))
    return taken


_TABLE = ProcessedEvent.__table__  # type: ignore[attr-defined]
# the prefix is digits and ":": nothing in it to escape for LIKE
_TAKE = (delete(_TABLE)
         .where(_TABLE.c.platform.in_(bindparam("kinds", expanding=True)),
                _TABLE.c.event_id.startswith(bindparam("prefix")))
         .returning(_TABLE.c.platform, _TABLE.c.event_id, _TABLE.c.received_at, _TABLE.c.id))
