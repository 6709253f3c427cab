"""Named queries the dispatcher needs besides claims: when the same person's next
prompt of a cadence is due (a retried prompt must not outlive it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.occurrences import OCCURRENCE, SKIPPED


async def next_due(session: AsyncSession, person_id: int, kind: str, after: datetime) -> datetime | None:
    """When the person's next occurrence of `kind` after `after` is due (UTC), or None
    if none is planned yet (rows are planned 36 h ahead). Skipped slots do not count:
    they will not go out."""
    query = select(func.min(OCCURRENCE.c.due_at)).where(
        OCCURRENCE.c.person_id == person_id, OCCURRENCE.c.kind == kind,
        OCCURRENCE.c.due_at > after, OCCURRENCE.c.status != SKIPPED)
    return (await session.exec(query)).scalar_one_or_none()  # type: ignore[call-overload]
