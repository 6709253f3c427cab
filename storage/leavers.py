"""People who left, kept: `coachbot person leave` marks someone inactive (no more
prompts, out of scorecards and `/okr team`, their one-on-one series ended, every
answer kept for export), `coachbot person return` or a team file listing them again
(`team_import.upsert_team` sets active) brings them back. Erasing is `privacy.forget`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import utcnow
from storage.models import OneOnOne, Person

LEFT = "left"  # OneOnOne.ended_reason of a series ended because someone in it left


async def set_active(session: AsyncSession, person: Person, active: bool, now: datetime | None = None) -> int:
    """Mark `person` active or not. Leaving ends the running one-on-one series they
    are in (as rep or manager) with the reason "left"; returning reopens none (their
    manager sets a rhythm again). Returns how many series ended."""
    person.active, person.updated_at = active, utcnow()
    session.add(person)
    if active:
        await session.flush()
        return 0
    result = await session.exec(update(OneOnOne).where(  # type: ignore[call-overload]
        or_(col(OneOnOne.rep_id) == person.id, col(OneOnOne.manager_id) == person.id),
        col(OneOnOne.ended_at).is_(None)).values(ended_at=now or utcnow(), ended_reason=LEFT))
    await session.flush()
    return int(result.rowcount or 0)


def left_since(person: Person) -> datetime | None:
    """When `person` was marked as left (a UTC instant), or None if they are active.

    No column of its own: it is the row's `updated_at`, which `set_active` sets on
    leaving and nothing rewrites while they stay left (a team file listing them again
    makes them active; `privacy.forget` renames them away)."""
    return None if person.active else person.updated_at


async def is_last_admin(session: AsyncSession, person: Person) -> bool:
    """Whether `person` is their organisation's only active admin. `coachbot run`
    starts only with an active admin (who binds workspaces), so the last one is not
    marked as left: another admin is made first."""
    if person.role != "admin" or not person.active:
        return False
    others = select(func.count()).select_from(Person).where(
        Person.org_id == person.org_id, Person.role == "admin", col(Person.active).is_(True), Person.id != person.id)
    return (await session.exec(others)).one() == 0


async def left_among(session: AsyncSession, org_id: int, emails: Iterable[str]) -> list[Person]:
    """The organisation's people who left (inactive, not erased: an erased person's
    e-mail is a placeholder no file can list) whose e-mail (any case) is in `emails`:
    before a team import, the ones the file brings back."""
    listed = {email.lower() for email in emails}
    query = select(Person).where(Person.org_id == org_id, col(Person.active).is_(False)).order_by(col(Person.name))
    return [p for p in (await session.exec(query)).all() if p.email.lower() in listed]


async def active_not_in(session: AsyncSession, org_id: int, emails: Iterable[str]) -> list[Person]:
    """The organisation's active people whose e-mail (any case) is not in `emails`:
    after a team import, the ones the file did not list (perhaps left, perhaps a
    partial file: never deactivated without an admin saying so)."""
    listed = {email.lower() for email in emails}
    query = select(Person).where(Person.org_id == org_id, col(Person.active).is_(True)).order_by(col(Person.name))
    return [p for p in (await session.exec(query)).all() if p.email.lower() not in listed]
