"""Named queries for flows in progress: one active conversation per person, others
parked, and the directory a person answer is matched against.

Every write of a conversation is a compare-and-set on the `updated_at` the writer
read (`save`, `set_status`, `activate`): a turn that read the conversation, moved
it on and saves, while another process saved it meanwhile, gets `ConversationMoved`
(and its unit of work rolls back) instead of writing over the newer state. The new
`updated_at` is always later than the one read, even when the clock stands still
(two saves in one microsecond, a frozen clock in tests), so it works as a version.
At most one conversation per person is active: `start` and `activate` hold the
person (`hold_person`) and refuse when another one is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import hold, utcnow
from storage.models import ChatIdentity, Conversation, Person

TABLE: Any = Conversation.__table__  # type: ignore[attr-defined]
# hold()'s first key for "the conversations of person N" (the second key is N); "Conv"
PERSON_LOCK = int.from_bytes(b"Conv", "big", signed=True)


class ConversationMoved(Exception):  # noqa: N818 (an outcome, not a fault)
    """The conversation changed since the writer read it (another process's turn, or
    background work, saved it first), or another conversation became active. Nothing
    was written; the caller's unit of work is to be rolled back and the turn run again
    on the conversation as it now stands (`bot.core.coach`)."""

    def __init__(self, conversation_id: int | None) -> None:
        super().__init__(f"conversation {conversation_id} moved on since it was read")
        self.conversation_id = conversation_id


async def hold_person(session: AsyncSession, person_id: int) -> None:
    """Hold the person's conversations until the unit of work ends, before reading
    which is active, so that two processes starting a conversation for one person
    at once start one (the second finds the first). One round trip on PostgreSQL;
    SQLite's write lock (`storage.db.hold`)."""
    await hold(session, PERSON_LOCK, person_id)


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
    """A new conversation. An active one is refused (`ConversationMoved`, nothing
    written) while the person has another active: checked under `hold_person`."""
    if status == "active":
        await hold_person(session, person_id)
        if await active(session, person_id) is not None:
            raise ConversationMoved(None)
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


def _later(read: datetime) -> datetime:
    """A new `updated_at`: now, or a microsecond after the one read when the clock
    has not moved past it (both databases keep microseconds)."""
    stamp = utcnow()
    return stamp if stamp > read else read + timedelta(microseconds=1)


async def _write(session: AsyncSession, conversation: Conversation, **values: Any) -> Conversation:
    """UPDATE the row only where its `updated_at` is still the one `conversation` was
    read with: one statement, the compare-and-set in its WHERE clause. Raises
    ConversationMoved when the row changed (or is gone); else `conversation` shows
    the values written, without the ORM writing them again."""
    read = conversation.updated_at
    values["updated_at"] = _later(read)
    result = await session.exec(  # type: ignore[call-overload]
        update(TABLE).where(TABLE.c.id == conversation.id, TABLE.c.updated_at == read).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ConversationMoved(conversation.id)
    for name, value in values.items():
        set_committed_value(conversation, name, value)
    return conversation


async def save(session: AsyncSession, conversation: Conversation, state: dict[str, Any],
               status: str | None = None) -> Conversation:
    """Store the engine's new state over the one `conversation` was read with (a
    cancelled conversation is stored `emptied`). Raises ConversationMoved when it was
    saved by someone else since: nothing written."""
    cancelled = (status or state.get("status")) == CANCELLED
    values: dict[str, Any] = {"state": emptied(state) if cancelled else dict(state)}
    if status is not None:
        values["status"] = status
    return await _write(session, conversation, **values)


async def set_status(session: AsyncSession, conversation: Conversation, status: str) -> None:
    """Move a conversation to `status` (a cancelled one is `emptied`); to make one
    active use `activate`. Raises ConversationMoved as `save` does."""
    values: dict[str, Any] = {"status": status}
    if status == CANCELLED:
        values["state"] = emptied(conversation.state or {})
    await _write(session, conversation, **values)


async def activate(session: AsyncSession, conversation: Conversation) -> None:
    """Make a parked conversation the active one, unless another is active by now or
    it changed since it was read: then ConversationMoved, nothing written."""
    await hold_person(session, conversation.person_id)
    current = await active(session, conversation.person_id)
    if current is not None and current.id != conversation.id:
        raise ConversationMoved(conversation.id)
    await _write(session, conversation, status="active")


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
