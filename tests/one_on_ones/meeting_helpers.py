"""Shared helpers for the one-on-one tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from freezegun import freeze_time
from sqlalchemy import update
from sqlmodel import select

from storage.db import Database
from storage.models import ActionItem, Meeting, Person


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    with freeze_time(moment, real_asyncio=True):
        yield


async def joined(db: Database, when: datetime) -> None:
    async with db.session() as session:
        await session.exec(update(Person).values(created_at=when))


async def meetings(db: Database) -> list[Meeting]:
    async with db.session() as session:
        return list((await session.exec(select(Meeting).order_by(Meeting.nominal_on))).all())


async def items(db: Database) -> list[ActionItem]:
    async with db.session() as session:
        return list((await session.exec(select(ActionItem).order_by(ActionItem.id))).all())
