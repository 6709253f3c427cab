"""Named queries for the Teams channel: conversation references and processed ids.

Teams can only be written to proactively through a conversation reference that the
bot saw when it was installed or first messaged, so these rows are what makes a
scheduled check-in reachable. Writes are upserts (`ON CONFLICT`), because two
instances may see the same install or the same retried activity at once, and a
unique-key error would otherwise abort the caller's whole unit of work.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import upsert, utcnow
from storage.models import Organisation, TeamsConversationRef, Workspace
from storage.people import bind_workspace


async def save_reference(
    session: AsyncSession,
    tenant_id: str,
    user_id: str,
    aad_object_id: str | None,
    reference: dict[str, Any],
) -> None:
    """Store (or refresh) how to reach one Teams user, keyed by tenant and user.

    Refreshing matters: the service URL of a tenant can change, and the newest
    reference is the one that works.
    """
    values = {
        "tenant_id": tenant_id,
        "user_id": user_id,
        "aad_object_id": aad_object_id,
        "reference": reference,
        "updated_at": utcnow(),
    }
    statement = upsert(session, TeamsConversationRef).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["tenant_id", "user_id"],
        set_={k: statement.excluded[k] for k in ("aad_object_id", "reference", "updated_at")},
    )
    await (await session.connection()).execute(statement)


async def find_reference(
    session: AsyncSession, tenant_id: str | None, aad_object_id: str
) -> dict[str, Any] | None:
    """The newest reference for a person's AAD object id, in their tenant when known.

    `aad_object_id` is what the team import and identity mapping know; the
    Teams-internal user id ("29:…") is only inside the stored reference. Looking in
    the tenant keeps two customers' users apart even if ids ever collided.
    """
    query = select(TeamsConversationRef).where(
        (col(TeamsConversationRef.aad_object_id) == aad_object_id)
        | (col(TeamsConversationRef.user_id) == aad_object_id)
    )
    if tenant_id:
        query = query.where(TeamsConversationRef.tenant_id == tenant_id)
    query = query.order_by(col(TeamsConversationRef.updated_at).desc())
    row = (await session.exec(query)).first()
    return dict(row.reference) if row is not None else None


async def forget_reference(session: AsyncSession, tenant_id: str, user_id: str) -> bool:
    """Drop a reference when the app is uninstalled, so the next prompt is reported to
    the admin as unreachable instead of failing at the connector."""
    result = await (await session.connection()).execute(
        delete(TeamsConversationRef).where(
            col(TeamsConversationRef.tenant_id) == tenant_id,
            col(TeamsConversationRef.user_id) == user_id,
        )
    )
    return (result.rowcount or 0) > 0


async def tenant_reference(session: AsyncSession, tenant_id: str) -> dict[str, Any] | None:
    """The newest reference of anyone in a tenant: it tells the tenant's connector
    URL and the bot's account, which is what opening a new personal chat needs."""
    query = (
        select(TeamsConversationRef)
        .where(TeamsConversationRef.tenant_id == tenant_id)
        .order_by(col(TeamsConversationRef.updated_at).desc())
    )
    row = (await session.exec(query)).first()
    return dict(row.reference) if row is not None else None


async def tenant_bound(session: AsyncSession, tenant_id: str) -> bool:
    """May this tenant's users be looked up at all? Only when it was bound to an
    organisation on purpose: its admin controls its users' e-mail addresses and
    object ids, which must not reach another company's people."""
    query = select(Workspace.id).where(Workspace.platform == "teams", Workspace.external_id == tenant_id)
    return (await session.exec(query.limit(1))).first() is not None


async def bind_configured_tenant(session: AsyncSession, tenant_id: str) -> bool:
    """Bind the configured tenant (MICROSOFT_APP_TENANT_ID) to the organisation when
    there is exactly one; with several, an admin binds it with `coachbot teams bind`."""
    orgs = (await session.exec(select(Organisation.id).limit(2))).all()
    if len(orgs) != 1:
        return False
    await bind_workspace(session, orgs[0], "teams", tenant_id)
    return True
