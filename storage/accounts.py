"""Named queries for customer accounts and the discovery notes kept on them."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Account, DiscoveryNote


def account_key(name: str) -> str:
    """"  ACME  Corp " and "acme corp" are the same account."""
    return re.sub(r"\s+", " ", name.strip()).lower()[:200]


async def find(session: AsyncSession, org_id: int, name: str) -> Account | None:
    """The organisation's account called `name` (spacing and case aside), or None:
    looking does not create one (`find_or_create` does, when there is something to keep)."""
    return (await session.exec(
        select(Account).where(Account.org_id == org_id, Account.key == account_key(name)))).first()


async def find_or_create(session: AsyncSession, org_id: int, name: str,
                         owner_id: int | None = None) -> Account:
    account = await find(session, org_id, name)
    if account is None:
        key = account_key(name)
        account = Account(org_id=org_id, key=key, name=re.sub(r"\s+", " ", name.strip())[:200],
                          owner_id=owner_id)
        session.add(account)
        await session.flush()
    return account


async def get(session: AsyncSession, account_id: int) -> Account | None:
    return await session.get(Account, account_id)


async def add_note(session: AsyncSession, account_id: int, author_id: int,
                   answers: dict[str, Any]) -> DiscoveryNote:
    note = DiscoveryNote(account_id=account_id, author_id=author_id, answers=dict(answers))
    session.add(note)
    await session.flush()
    return note


async def latest_note(session: AsyncSession, account_id: int) -> DiscoveryNote | None:
    return (await session.exec(
        select(DiscoveryNote).where(DiscoveryNote.account_id == account_id)
        .order_by(col(DiscoveryNote.recorded_at).desc(), col(DiscoveryNote.id).desc())
    )).first()
