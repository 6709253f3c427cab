"""What `/readyz` and `/metrics` ask the database: can it be written, is its schema
the one this code expects, and the counts an operator watches."""

from __future__ import annotations

import time

from sqlalchemy import func, text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Conversation
from storage.occurrences import CLAIMED, DELIVERED, FAILED, OCCURRENCE, PENDING, status_is


async def schema_version(session: AsyncSession) -> str | None:
    """The migration the database is at, after a write that changes nothing (so a
    read-only file, a read-only transaction or a hot standby raises here). The
    caller's unit of work should be rolled back afterwards."""
    await session.exec(text("UPDATE alembic_version SET version_num = version_num"))  # type: ignore[call-overload]
    return (await session.exec(text("SELECT version_num FROM alembic_version"))).scalar()  # type: ignore[call-overload]


# The statuses a prompt leaves: their rows only grow (a year at 100,000 people is
# millions), so they are counted over the whole table at most every SETTLED_EVERY
# seconds; the open statuses are counted each time through their partial indexes.
OPEN = (PENDING, CLAIMED, DELIVERED, FAILED)
SETTLED_EVERY = 600.0
_settled: dict[str, tuple[float, dict[tuple[str, str], int]]] = {}


async def counts(session: AsyncSession) -> tuple[dict[tuple[str, str], int], int]:
    """(prompt kind, status) -> how many occurrences; and conversations in progress.

    Asked on every `/metrics` scrape (Prometheus: every 15-60 s). The open prompts
    (pending, claimed, delivered, failed) are exact each time and cost what is open;
    the settled ones (answered, missed, skipped) are re-counted over the table at most
    every `SETTLED_EVERY` seconds per database (a scan of millions of rows is seconds
    of the server's time)."""
    found: dict[tuple[str, str], int] = {}
    for status in OPEN:
        rows = (await session.exec(select(OCCURRENCE.c.kind, func.count()).where(status_is(status))
                                   .group_by(OCCURRENCE.c.kind))).all()
        found.update({(kind, status): int(count) for kind, count in rows})
    bind = session.get_bind()
    url = str(getattr(bind, "engine", bind).url)
    when, settled = _settled.get(url, (float("-inf"), {}))
    if time.monotonic() - when >= SETTLED_EVERY:
        rows = (await session.exec(select(OCCURRENCE.c.kind, OCCURRENCE.c.status, func.count())
                                   .where(OCCURRENCE.c.status.not_in(OPEN))
                                   .group_by(OCCURRENCE.c.kind, OCCURRENCE.c.status))).all()
        settled = {(kind, status): int(count) for kind, status, count in rows}
        _settled[url] = (time.monotonic(), settled)
    active = (await session.exec(
        select(func.count()).select_from(Conversation).where(Conversation.status == "active"))).one()
    return {**settled, **found}, int(active)
