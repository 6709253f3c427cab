"""Named queries about organisations, people and their chat identities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import bindparam, or_, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import among
from storage.models import ChatIdentity, Organisation, Person, Workspace
from storage.team_import import ImportCounts, TeamRow, upsert_team  # noqa: F401  (callers use people.upsert_team)


async def get(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def set_quiet_hours(session: AsyncSession, person_id: int, start: str | None, end: str | None) -> None:
    """Store a person's quiet hours (local "HH:MM" each; both None clears them)."""
    person = await session.get(Person, person_id)
    if person is not None:
        person.quiet_start, person.quiet_end = start, end
        session.add(person)


async def get_org(session: AsyncSession, org_id: int) -> Organisation | None:
    return await session.get(Organisation, org_id)


async def by_email(session: AsyncSession, email: str, org_id: int | None = None) -> Person | None:
    """The person with this e-mail (case-insensitive); in one organisation if given."""
    query = select(Person).where(func.lower(Person.email) == email.strip().lower())
    if org_id is not None:
        query = query.where(Person.org_id == org_id)
    return (await session.exec(query.order_by(Person.id))).first()


async def first_admin(session: AsyncSession) -> Person | None:
    """The admin the terminal channel speaks as when nobody said who."""
    query = select(Person).where(Person.role == "admin", Person.active).order_by(Person.id)
    return (await session.exec(query)).first()


async def ensure_org(
    session: AsyncSession, name: str, timezone: str, country: str | None = None
) -> Organisation:
    org = (await session.exec(select(Organisation).where(Organisation.name == name))).first()
    if org is None:
        org = Organisation(name=name, timezone=timezone, country=country)
        session.add(org)
        await session.flush()
    return org


async def org_named(session: AsyncSession, name: str) -> Organisation | None:
    return (await session.exec(select(Organisation).where(Organisation.name == name))).first()


async def only_org(session: AsyncSession) -> Organisation | None:
    """The organisation, when exactly one exists (a single-company install)."""
    orgs = (await session.exec(select(Organisation).limit(2))).all()
    return orgs[0] if len(orgs) == 1 else None


async def bound_org(session: AsyncSession, platform: str, external_id: str) -> int | None:
    """The organisation a workspace or tenant was bound to, None while it is unbound."""
    query = select(Workspace.org_id).where(
        Workspace.platform == platform, Workspace.external_id == external_id
    )
    return (await session.exec(query)).first()


async def workspace_org(session: AsyncSession, platform: str, external_id: str) -> int | None:
    """The organisation a Slack workspace or Teams tenant was bound to, None while it
    is unbound. Nothing binds itself by being seen: a workspace is bound only on
    purpose (an admin's OAuth install, the workspace of the configured bot token, the
    configured Teams tenant, or `coachbot slack|teams bind`), see `bind_workspace`."""
    return await bound_org(session, platform, external_id)


async def bind_workspace(
    session: AsyncSession,
    org_id: int,
    platform: str,
    external_id: str,
    enterprise_id: str | None = None,
    name: str | None = None,
) -> Workspace:
    query = select(Workspace).where(
        Workspace.platform == platform, Workspace.external_id == external_id
    )
    workspace = (await session.exec(query)).first()
    if workspace is None:
        workspace = Workspace(
            org_id=org_id, platform=platform, external_id=external_id,
            enterprise_id=enterprise_id, name=name,
        )
        session.add(workspace)
        await session.flush()
    return workspace


async def identify(
    session: AsyncSession, platform: str, tenant: str, user_id: str, email: str | None
) -> Person | None:
    """Map a platform user to a person, only inside a workspace or tenant bound to an
    organisation: by stored identity first (seen in this workspace, or from the team
    file), else by e-mail, and remember the identity for next time. An e-mail match
    never takes over a person who already has another identity on this platform (a
    second account with the same address, in another workspace or not): that user
    stays a stranger. Unknown people get None and nothing is stored."""
    org_id = await workspace_org(session, platform, tenant)
    if org_id is None:
        return None
    query = (
        select(Person)
        .join(ChatIdentity, col(ChatIdentity.person_id) == col(Person.id))
        .where(
            ChatIdentity.org_id == org_id,
            ChatIdentity.platform == platform,
            ChatIdentity.user_id == user_id,
            or_(col(ChatIdentity.tenant).is_(None), ChatIdentity.tenant == tenant),
        )
    )
    person = (await session.exec(query)).first()
    if person is not None or not email:
        return person
    person = await by_email(session, email, org_id)
    if person is None:
        return None
    known = (await session.exec(select(ChatIdentity).where(
        ChatIdentity.person_id == person.id, ChatIdentity.platform == platform))).first()
    if known is not None and known.user_id != user_id:
        return None
    await link_identity(session, person, platform, user_id, tenant=tenant)
    return person


async def link_identity(
    session: AsyncSession, person: Person, platform: str, user_id: str,
    dm_channel: str | None = None, tenant: str | None = None,
) -> ChatIdentity:
    query = select(ChatIdentity).where(
        ChatIdentity.person_id == person.id, ChatIdentity.platform == platform
    )
    identity = (await session.exec(query)).first()
    if identity is None:
        identity = ChatIdentity(
            org_id=person.org_id, person_id=person.id, platform=platform, user_id=user_id  # type: ignore[arg-type]
        )
    if identity.user_id != user_id:
        identity.dm_channel = None  # a DM channel belongs to the old id
    identity.user_id = user_id
    if dm_channel:
        identity.dm_channel = dm_channel
    if tenant:
        identity.tenant = tenant
    session.add(identity)
    await session.flush()
    return identity


@dataclass(frozen=True)
class LearntDm:
    """A DM channel a platform told us while sending (Slack answers a post to a user
    id with the DM's channel id), and the workspace it was seen in."""

    person_id: int
    platform: str
    user_id: str
    dm_channel: str
    tenant: str | None = None


async def remember_dm_channels(session: AsyncSession, learnt: Sequence[LearntDm]) -> int:
    """Store many learnt DM channels in one unit of work: one SELECT of the identities
    (per 5,000 people) and one executemany UPDATE for those whose user id matches; a
    person without that identity yet gets it created (`link_identity`). The last
    entry per (person, platform) wins. Returns how many were stored."""
    latest = {(dm.person_id, dm.platform): dm for dm in learnt}
    if not latest:
        return 0
    ids = sorted({person_id for person_id, _ in latest})
    known: dict[tuple[int, str], tuple[int, str]] = {}
    for start in range(0, len(ids), 5000):
        rows = (await session.exec(
            select(ChatIdentity.id, ChatIdentity.person_id, ChatIdentity.platform, ChatIdentity.user_id)
            .where(col(ChatIdentity.person_id).in_(ids[start:start + 5000])))).all()
        for identity_id, person_id, platform, user_id in rows:
            known[(person_id, platform)] = (identity_id, user_id)  # type: ignore[index]
    updates: list[dict[str, Any]] = []
    for key, dm in latest.items():
        found = known.get(key)
        if found is not None and found[1] == dm.user_id:
            updates.append({"b_id": found[0], "b_dm": dm.dm_channel, "b_tenant": dm.tenant})
            continue
        person = await session.get(Person, dm.person_id)
        if person is not None:
            await link_identity(session, person, dm.platform, dm.user_id, dm.dm_channel, dm.tenant)
    if updates:
        table = ChatIdentity.__table__  # type: ignore[attr-defined]
        statement = update(table).where(table.c.id == bindparam("b_id")).values(
            dm_channel=bindparam("b_dm"), tenant=func.coalesce(bindparam("b_tenant"), table.c.tenant))
        for start in range(0, len(updates), 5000):  # one compiled statement, executemany
            await session.exec(statement, params=updates[start:start + 5000])  # type: ignore[call-overload]
    return len(latest)


class Contact(NamedTuple):
    """The columns of a person that reaching them needs: a row tuple, not an ORM object
    (the dispatcher reaches hundreds per batch)."""

    id: int
    org_id: int
    email: str
    name: str
    active: bool


@dataclass(frozen=True)
class Reach:
    """A person and the ways to reach them: platform -> (user id, tenant, DM channel)."""

    person: Contact
    identities: dict[str, tuple[str, str | None, str | None]]


async def reach(session: AsyncSession, person_ids: Sequence[int]) -> dict[int, Reach]:
    """Each person and how to reach them on each platform, in one query per 5,000
    people (the dispatcher reaches hundreds per batch): the person joined to their
    identities and each identity's workspaces, as row tuples. The tenant is the one
    the id was seen in; for an id known only from the team file, the organisation's
    first workspace on that platform. Unknown ids are absent from the result."""
    found: dict[int, Reach] = {}
    ids = list(person_ids)
    connection = await session.connection()
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        rows = await connection.execute(
            select(Person.id, Person.org_id, Person.email, Person.name, Person.active,  # type: ignore[call-overload]
                   ChatIdentity.platform, ChatIdentity.user_id, ChatIdentity.tenant, Workspace.external_id,
                   ChatIdentity.dm_channel)
            .outerjoin(ChatIdentity, col(ChatIdentity.person_id) == col(Person.id))
            .outerjoin(
                Workspace,
                (col(Workspace.org_id) == col(ChatIdentity.org_id))
                & (col(Workspace.platform) == col(ChatIdentity.platform)),
            )
            .where(among(session, col(Person.id), chunk))  # one array parameter: the same SQL each time
            .order_by(ChatIdentity.id, Workspace.id)
        )
        for person_id, org_id, email, name, active, platform, user_id, seen_in, first_workspace, dm in rows:
            way = found.get(person_id)
            if way is None:
                way = found[person_id] = Reach(Contact(person_id, org_id, email, name, active), {})
            if platform is not None:
                way.identities.setdefault(platform, (user_id, seen_in or first_workspace, dm))
    return found


async def team(session: AsyncSession, org_id: int) -> Sequence[Person]:
    """Everyone in an organisation, in a stable order."""
    query = select(Person).where(Person.org_id == org_id).order_by(Person.email)
    return (await session.exec(query)).all()


async def reports(session: AsyncSession, manager_id: int) -> Sequence[Person]:
    """A manager's direct reports."""
    query = select(Person).where(Person.manager_id == manager_id, Person.active).order_by(Person.name)
    return (await session.exec(query)).all()


async def identities(session: AsyncSession, org_id: int) -> dict[int, dict[str, str]]:
    """person id -> {platform: user id}, for export."""
    rows = (await session.exec(select(ChatIdentity).where(ChatIdentity.org_id == org_id))).all()
    out: dict[int, dict[str, str]] = {}
    for identity in rows:
        out.setdefault(identity.person_id, {})[identity.platform] = identity.user_id
    return out


async def roles(session: AsyncSession, org_id: int) -> dict[str, str]:
    """e-mail (lower case) -> role of everyone stored in an organisation."""
    query = select(Person.email, Person.role).where(Person.org_id == org_id)
    return {email.lower(): role for email, role in (await session.exec(query)).all()}


async def identity_owners(session: AsyncSession, org_id: int) -> dict[tuple[str, str], str]:
    """(platform, user id) -> e-mail of the person who has it, in an organisation."""
    query = (select(ChatIdentity.platform, ChatIdentity.user_id, Person.email)
             .join(Person, col(Person.id) == col(ChatIdentity.person_id))
             .where(ChatIdentity.org_id == org_id))
    return {(platform, user_id): email.lower() for platform, user_id, email in (await session.exec(query)).all()}


async def by_email_exact(session: AsyncSession, org_id: int, email: str) -> Person | None:
    query = select(Person).where(Person.org_id == org_id, func.lower(Person.email) == email.lower())
    return (await session.exec(query)).first()
