"""Shared helpers for the cadence tests (imported as `from helpers import …`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from freezegun import freeze_time
from sqlalchemy import update
from sqlmodel import select

from bot.core.channel import DeliveryError, Recipient, TransientDeliveryError
from bot.core.messages import Message
from storage.db import Database
from storage.models import Delivery, Occurrence, Person


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Freeze the clock (the event loop keeps real time)."""
    with freeze_time(moment, real_asyncio=True):
        yield


async def joined(db: Database, when: datetime) -> None:
    """Pretend everyone was imported at `when` (prompts before that are not owed)."""
    async with db.session() as session:
        await session.exec(update(Person).values(created_at=when))


async def set_person(db: Database, person_id: int, **values: object) -> None:
    async with db.session() as session:
        await session.exec(update(Person).where(Person.id == person_id).values(**values))


async def occurrences(db: Database, person_id: int | None = None) -> list[Occurrence]:
    async with db.session() as session:
        query = select(Occurrence).order_by(Occurrence.due_at, Occurrence.id)
        if person_id is not None:
            query = query.where(Occurrence.person_id == person_id)
        return list((await session.exec(query)).all())


async def deliveries(db: Database) -> list[Delivery]:
    async with db.session() as session:
        return list((await session.exec(select(Delivery).order_by(Delivery.id))).all())


class FailingChannel:
    """The test platform, refusing some people (a Teams user without the app)."""

    platform = "test"
    reaches_anyone = True  # reaches anyone by name, no identity needed

    def __init__(self, refuse: set[int], crash: set[int] | None = None) -> None:
        self.refuse = refuse
        self.crash = crash or set()
        self.sent: list[tuple[Recipient, list[Message]]] = []

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str | None:
        if recipient.person_id in self.refuse:
            raise DeliveryError("the user has not installed the app")
        if recipient.person_id in self.crash:
            raise TimeoutError("platform did not answer")
        self.sent.append((recipient, messages))
        return f"fail-test-{len(self.sent)}"

    def texts_for(self, person_id: int) -> list[str]:
        return [m.plain() for r, ms in self.sent if r.person_id == person_id for m in ms]


class DownFor:
    """A platform that answers 503 for the people in `down`, whatever the time;
    `to(person)` is the plain text of what reached them."""

    platform = "test"
    reaches_anyone = True

    def __init__(self, down: set[int]) -> None:
        self.down = down
        self.sent: list[tuple[Recipient, list[Message]]] = []

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str | None:
        if recipient.person_id in self.down:
            raise TransientDeliveryError("HTTP 503", uncertain=False)
        self.sent.append((recipient, messages))
        return f"msg-{len(self.sent)}"

    async def find_delivery(self, recipient: Recipient, tag: str) -> str | None:
        return None

    def to(self, person_id: int) -> list[str]:
        return [m.plain() for r, ms in self.sent if r.person_id == person_id for m in ms]
