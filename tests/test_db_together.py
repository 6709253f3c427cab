"""`Database.together`: the units of work code opens inside the block (its own
`session()`, `reading()`, `read()`) join one transaction, committed or rolled back as
one. A flow's end actions and its conversation's save rely on it (`bot.core.flows`)."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from storage import people
from storage.db import Database
from storage.models import Organisation


async def names(db: Database) -> list[str]:
    async with db.session() as session:
        return [o.name for o in (await session.exec(select(Organisation).order_by(Organisation.id))).all()]


async def test_units_inside_together_are_rolled_back_with_it(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.together():
            async with db.session() as session:
                await people.ensure_org(session, "First", "Europe/Oslo", "NO")
            async with db.reading() as session:  # sees the unit's own write
                assert [o.name for o in (await session.exec(select(Organisation))).all()] == ["First"]
            raise RuntimeError("an end action failed")
    assert await names(db) == []


async def test_units_inside_together_commit_with_it_and_other_tasks_keep_their_own(db: Database) -> None:
    async with db.together():
        async with db.session() as session:
            await people.ensure_org(session, "First", "Europe/Oslo", "NO")

        async def elsewhere() -> list[str]:  # another task: its own unit, not this one's
            async with db.reading() as session:
                return [o.name for o in (await session.exec(select(Organisation))).all()]

        assert await asyncio.create_task(elsewhere()) == []
    assert await names(db) == ["First"]
