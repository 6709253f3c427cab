"""Named queries about organisations, people and their chat identities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import utcnow
from storage.models import ChatIdentity, Organisation, Person, Workspace


async def get(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


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
class Reach:
    """A person and the ways to reach them: platform -> (user id, tenant, DM channel)."""

    person: Person
    identities: dict[str, tuple[str, str | None, str | None]]


async def reach(session: AsyncSession, person_ids: Sequence[int]) -> dict[int, Reach]:
    """Each person and how to reach them on each platform, in two queries per 5,000
    people (the dispatcher reaches thousands per tick). The tenant is the one the id
    was seen in; for an id known only from the team file, the organisation's first
    workspace on that platform. Unknown ids are absent from the result."""
    found: dict[int, Reach] = {}
    ids = list(person_ids)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for person in (await session.exec(select(Person).where(col(Person.id).in_(chunk)))).all():
            found[person.id] = Reach(person, {})  # type: ignore[index]
        rows = (
            await session.exec(
                select(ChatIdentity.person_id, ChatIdentity.platform, ChatIdentity.user_id,
                       ChatIdentity.tenant, Workspace.external_id, ChatIdentity.dm_channel)
                .join(
                    Workspace,
                    (col(Workspace.org_id) == col(ChatIdentity.org_id))
                    & (col(Workspace.platform) == col(ChatIdentity.platform)),
                    isouter=True,
                )
                .where(col(ChatIdentity.person_id).in_(chunk))
                .order_by(ChatIdentity.id, Workspace.id)
            )
        ).all()
        for person_id, platform, user_id, seen_in, first_workspace, dm in rows:
            if person_id in found:
                found[person_id].identities.setdefault(platform, (user_id, seen_in or first_workspace, dm))
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


@dataclass(frozen=True)
class TeamRow:
    """One validated line of a team file, ready to store."""

    email: str
    name: str
    role: str
    manager_email: str | None
    timezone: str
    working_days: str | None = None
    country: str | None = None
    slack_user_id: str | None = None
    teams_user_id: str | None = None
    selling_role: str | None = None  # "hunter", "farmer", "" (both); None: column absent, keep


async def upsert_team(session: AsyncSession, org_id: int, rows: Sequence[TeamRow]) -> tuple[int, int]:
    """Create or update everyone in `rows` (matched by e-mail), then set managers.

    Runs inside the caller's unit of work: a failure anywhere imports nothing.
    Returns (created, updated).
    """
    created = updated = 0
    by_email: dict[str, Person] = {}
    for row in rows:
        person = await by_email_exact(session, org_id, row.email)
        if person is None:
            person = Person(org_id=org_id, email=row.email, name=row.name)
            created += 1
        else:
            updated += 1
        person.name, person.role, person.timezone = row.name, row.role, row.timezone
        if row.working_days:
            person.working_days = row.working_days
        if row.country:
            person.country = row.country
        if row.selling_role is not None:
            person.selling_role = row.selling_role or None
        person.active = True
        person.updated_at = utcnow()
        session.add(person)
        by_email[row.email] = person
    await session.flush()
    for row in rows:
        person = by_email[row.email]
        manager = by_email.get(row.manager_email) if row.manager_email else None
        if row.manager_email and manager is None:
            manager = await by_email_exact(session, org_id, row.manager_email)
        person.manager_id = manager.id if manager is not None else None
        session.add(person)
        for platform, user_id in (("slack", row.slack_user_id), ("teams", row.teams_user_id)):
            if user_id:
                await link_identity(session, person, platform, user_id)
    await session.flush()
    return created, updated


async def by_email_exact(session: AsyncSession, org_id: int, email: str) -> Person | None:
    query = select(Person).where(Person.org_id == org_id, func.lower(Person.email) == email.lower())
    return (await session.exec(query)).first()
