"""Named queries for flows in progress: one active conversation per person, others
parked, and the directory a person answer is matched against."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import utcnow
from storage.models import ChatIdentity, Conversation, Person


async def active(session: AsyncSession, person_id: int) -> Conversation | None:
    """The conversation a person's next message belongs to, if any (the newest one,
    should a race ever have left two)."""
    query = (
        select(Conversation)
        .where(Conversation.person_id == person_id, Conversation.status == "active")
        .order_by(col(Conversation.updated_at).desc(), col(Conversation.id).desc())
    )
    return (await session.exec(query)).first()


async def parked(session: AsyncSession, person_id: int, flow: str,
                 subject: str | None) -> Conversation | None:
    """A parked conversation of this flow about the same subject (account, rep …)."""
    query = (
        select(Conversation)
        .where(Conversation.person_id == person_id, Conversation.status == "parked",
               Conversation.flow == flow)
        .order_by(col(Conversation.updated_at).desc())
    )
    for conversation in (await session.exec(query)).all():
        if (conversation.state.get("context") or {}).get("subject") == subject:
            return conversation
    return None


async def start(session: AsyncSession, person_id: int, flow: str,
                state: dict[str, Any], status: str = "active") -> Conversation:
    conversation = Conversation(person_id=person_id, flow=flow, status=status, state=state)
    session.add(conversation)
    await session.flush()
    return conversation


async def get(session: AsyncSession, conversation_id: int) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


CANCELLED = "cancelled"


def emptied(state: dict[str, Any]) -> dict[str, Any]:
    """What a cancelled conversation keeps: which flow and step it stopped at, none of
    the answers and none of the context (names, figures) it was started with. The bot
    tells the person "nothing from it was saved". The row stays, emptied, as the trace
    of a conversation started and dropped; nothing reads its state again (a late click
    on one of its cards finds it over)."""
    return {"flow": state.get("flow"), "step": state.get("step"), "answers": {}, "context": {},
            "history": [], "status": CANCELLED}


async def save(session: AsyncSession, conversation: Conversation, state: dict[str, Any],
               status: str | None = None) -> Conversation:
    """Store the engine's new state (a fresh dict, so the JSON column sees a change);
    a cancelled conversation is stored `emptied`."""
    cancelled = (status or state.get("status")) == CANCELLED
    conversation.state = emptied(state) if cancelled else dict(state)
    if status is not None:
        conversation.status = status
    conversation.updated_at = utcnow()
    session.add(conversation)
    await session.flush()
    return conversation


async def set_status(session: AsyncSession, conversation: Conversation, status: str) -> None:
    """Move a conversation to `status` (a cancelled one is `emptied`)."""
    conversation.status = status
    if status == CANCELLED:
        conversation.state = emptied(conversation.state or {})
    conversation.updated_at = utcnow()
    session.add(conversation)
    await session.flush()


async def directory(session: AsyncSession, org_id: int, *, left: bool = False) -> list[dict[str, Any]]:
    """Everyone active in the organisation with their chat handles, for matching
    "@ravi", "<@U0RAVI>" or an e-mail to a person; with `left`, those marked as left
    instead (to tell an asker who named one that they left, not that nobody is called so)."""
    people: Sequence[Person] = (
        await session.exec(select(Person).where(Person.org_id == org_id, col(Person.active) == (not left))
                           .order_by(Person.id))
    ).all()
    handles: dict[int, list[str]] = {}
    for identity in (await session.exec(
            select(ChatIdentity).where(ChatIdentity.org_id == org_id))).all():
        handles.setdefault(identity.person_id, []).append(identity.user_id)
    return [
        {"id": p.id, "name": p.name, "email": p.email, "role": p.role,
         "manager_id": p.manager_id, "handles": handles.get(p.id, [])}  # type: ignore[arg-type]
        for p in people
    ]


async def parked_for(session: AsyncSession, person_id: int) -> Sequence[Conversation]:
    """A person's parked conversations, most recently touched first."""
    return (await session.exec(
        select(Conversation)
        .where(Conversation.person_id == person_id, Conversation.status == "parked")
        .order_by(col(Conversation.updated_at).desc(), col(Conversation.id).desc())
    )).all()


async def abandoned(session: AsyncSession, idle_since: Any) -> Sequence[Conversation]:
    """Active conversations nobody answered since `idle_since` and not yet reminded
    about since they went quiet (one reminder per silence)."""
    return (await session.exec(
        select(Conversation)
        .where(Conversation.status == "active", col(Conversation.updated_at) < idle_since)
        .where((col(Conversation.reminded_at).is_(None))
               | (col(Conversation.reminded_at) < col(Conversation.updated_at)))
        .order_by(col(Conversation.id))
    )).all()


async def mark_reminded(session: AsyncSession, conversation: Conversation) -> None:
    conversation.reminded_at = utcnow()
    session.add(conversation)
    await session.flush()
