"""The engine keeps enough connections for a dispatch: 32 prompts are sent at once,
each recording its send in its own unit of work. With SQLAlchemy's default pool (5
kept, the rest closed when returned) nearly every unit of work opened a new
connection (990 for 1,000 prompts on PostgreSQL)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, text

from storage.db import POOL_SIZE, Database


async def test_a_burst_of_units_of_work_reuses_its_connections(db: Database) -> None:
    connects: list[Any] = []
    event.listen(db.engine.sync_engine, "connect", lambda *_args: connects.append(1))
    wave = 32  # the dispatcher's concurrency
    assert wave <= POOL_SIZE

    async def unit() -> None:
        async with db.session() as session:
            await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
            await asyncio.sleep(0.05)  # all of the wave hold a connection at once

    await asyncio.gather(*(unit() for _ in range(wave)))
    first = len(connects)
    assert first <= wave
    for _ in range(3):  # the next batches of the dispatch
        await asyncio.gather(*(unit() for _ in range(wave)))
    assert len(connects) == first, "later waves reuse the pooled connections"
