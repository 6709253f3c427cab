"""The terminal channel's last card per person: its numbered choices (label, value,
the answer a typed yes or no gives by it: "yes", "no" or ""),
kept in the database so a `coachbot chat` run started after the one that showed the
card still takes "Save" or its number, until the card expires (`ConsoleCard`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import upsert
from storage.models import ConsoleCard

CARD = ConsoleCard.__table__  # type: ignore[attr-defined]


class Card(NamedTuple):
    """A stored card: its choices in order, the line that brought it up (None for a
    card the bot sent on its own, a prompt) and whether it has expired."""

    choices: list[tuple[str, str, str]]
    asked: str | None
    expired: bool


async def keep(session: AsyncSession, person_id: int, choices: Sequence[tuple[str, str, str]], asked: str | None,
               now: datetime, expires_at: datetime) -> None:
    """Remember the person's latest card (replacing the one before); with no choices,
    forget it: only the latest replies' numbers mean anything."""
    if not choices:
        await forget(session, person_id)
        return
    values = {"choices": {"choices": [list(c) for c in choices]}, "asked": (asked or None) and asked[:400],
              "shown_at": now, "expires_at": expires_at}
    statement = upsert(session, CARD).values(person_id=person_id, **values)
    await session.exec(statement.on_conflict_do_update(index_elements=["person_id"], set_=values))


async def latest(session: AsyncSession, person_id: int, now: datetime) -> Card | None:
    """The person's latest card, expired or not (the caller says which), or None."""
    row = await session.get(ConsoleCard, person_id)
    if row is None:
        return None
    # a card kept before the third item was: (label, value) alone, no yes or no picks it
    choices = [(str(c[0]), str(c[1]), str(c[2]) if len(c) > 2 else "") for c in row.choices.get("choices", [])]
    return Card(choices, row.asked, row.expires_at <= now)


async def forget(session: AsyncSession, person_id: int) -> None:
    await session.exec(delete(CARD).where(CARD.c.person_id == person_id))  # type: ignore[call-overload]
