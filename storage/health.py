"""What `/readyz` and `/metrics` ask the database: can it be written, is its schema
the one this code expects, and the counts an operator watches."""

from __future__ import annotations

from sqlalchemy import func, text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Conversation, Occurrence


async def schema_version(session: AsyncSession) -> str | None:
    """The migration the database is at, after a write that changes nothing (so a
    read-only file, a read-only transaction or a hot standby raises here). The
    caller's unit of work should be rolled back afterwards."""
    await session.exec(text("UPDATE alembic_version SET version_num = version_num"))  # type: ignore[call-overload]
    return (await session.exec(text("SELECT version_num FROM alembic_version"))).scalar()  # type: ignore[call-overload]


async def counts(session: AsyncSession) -> tuple[dict[tuple[str, str], int], int]:
    """(prompt kind, status) -> how many occurrences; and conversations in progress."""
    rows = (await session.exec(
        select(Occurrence.kind, Occurrence.status, func.count()).group_by(Occurrence.kind, Occurrence.status)
    )).all()
    active = (await session.exec(
        select(func.count()).select_from(Conversation).where(Conversation.status == "active"))).one()
    return {(kind, status): int(count) for kind, status, count in rows}, int(active)
