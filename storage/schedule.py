"""Named queries for cadences: who to schedule, their absences, the cadence rules,
the manager–rep one-on-one series, and who the admins are.

What the planner reads to compute occurrences; the occurrences themselves (planning
writes, claims, deliveries, answers) live in `storage.occurrences`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import among
from storage.models import Absence, CadenceRule, OneOnOne, Organisation, Person
from storage.one_on_ones import still_theirs


class PersonSchedule(NamedTuple):
    """What the cadence planner needs about one person (and their organisation): a
    row tuple (read for the whole population every refresh; a frozen dataclass cost
    ~25 µs a person to build, a tuple a fraction of that)."""

    id: int
    org_id: int
    email: str
    name: str
    role: str
    manager_id: int | None
    timezone: str
    working_days: str
    country: str | None
    quiet_start: str | None
    quiet_end: str | None
    created_at: datetime
    org_timezone: str
    org_country: str | None


async def people_to_schedule(
    session: AsyncSession, person_ids: Iterable[int] | None = None, email: str | None = None
) -> list[PersonSchedule]:
    """Active people with their organisation's zone and country, in a stable order.
    Columns only, read through the Core connection (no ORM objects or ORM row
    processing): this runs over the whole population every refresh and at every start
    (100,000 people: the ORM's row handling was ~0.4 s of ~1.3 s)."""
    query = (
        select(
            Person.id, Person.org_id, Person.email, Person.name, Person.role, Person.manager_id,
            Person.timezone, Person.working_days, Person.country, Person.quiet_start,
            Person.quiet_end, Person.created_at, Organisation.timezone, Organisation.country,
        )
        .join(Organisation, col(Organisation.id) == col(Person.org_id))
        .where(col(Person.active).is_(True))
        .order_by(Person.id)
    )
    if person_ids is not None:
        query = query.where(among(session, col(Person.id), person_ids))
    if email is not None:
        query = query.where(func.lower(Person.email) == email.strip().lower())
    rows = (await (await session.connection()).execute(query)).all()
    return list(map(PersonSchedule._make, rows))


async def schedule_stamp(session: AsyncSession) -> int:
    """A number that changes whenever anyone's prompts may move: people (how many, the
    newest id, and the sum of their `revision`, which every UPDATE of a person raises:
    no clock involved, so an edit from a host whose clock is behind, or committed after
    a later one, still shows), every absence, every cadence rule and every
    organisation's zone and country. The dispatcher's refresh
    reloads the whole population only when it changed (at 100,000 people a reload is
    about 1.5 s of CPU, 48 times a day). Absences, rules and organisations are read
    whole: they are few next to the people, and an edit in place leaves no other trace."""
    people = (await session.exec(select(func.count(), func.max(Person.id), func.sum(Person.revision)))).one()
    absences = (await session.exec(select(Absence.id, Absence.person_id, Absence.starts_on, Absence.ends_on)
                                   .order_by(Absence.id))).all()
    rules = (await session.exec(select(
        CadenceRule.id, CadenceRule.org_id, CadenceRule.person_id, CadenceRule.team_manager_id,
        CadenceRule.kind, CadenceRule.rrule, CadenceRule.local_time, CadenceRule.timezone,
        CadenceRule.enabled, CadenceRule.anchor_on).order_by(CadenceRule.id))).all()
    orgs = (await session.exec(select(Organisation.id, Organisation.timezone, Organisation.country)
                               .order_by(Organisation.id))).all()
    return hash((tuple(people), tuple(map(tuple, absences)), tuple(map(tuple, rules)), tuple(map(tuple, orgs))))


async def absences_between(
    session: AsyncSession, first: date, last: date, person_ids: Iterable[int] | None = None
) -> dict[int, list[tuple[date, date]]]:
    """person id -> the absences overlapping [first, last] (inclusive local days)."""
    query = select(Absence.person_id, Absence.starts_on, Absence.ends_on).where(
        Absence.starts_on <= last, Absence.ends_on >= first
    )
    if person_ids is not None:
        query = query.where(among(session, col(Absence.person_id), person_ids))
    found: dict[int, list[tuple[date, date]]] = {}
    for person_id, starts, ends in (await session.exec(query)).all():
        found.setdefault(person_id, []).append((starts, ends))
    return found


async def add_absence(session: AsyncSession, person_id: int, first: date, last: date,
                      reason: str | None = None) -> Absence:
    absence = Absence(person_id=person_id, starts_on=first, ends_on=last, reason=reason)
    session.add(absence)
    await session.flush()
    return absence


async def end_absences(session: AsyncSession, person_id: int, day: date) -> list[tuple[date, date]]:
    """"I'm back" on local `day`: absences still running end yesterday, future ones are
    dropped. Returns each one ended, (first, last day away) as it was, by first day, so
    the reply can tell a return from a planned absence called off."""
    rows = (await session.exec(select(Absence).where(Absence.person_id == person_id, Absence.ends_on >= day)
                               .order_by(Absence.starts_on))).all()  # type: ignore[arg-type]
    ended = [(absence.starts_on, absence.ends_on) for absence in rows]
    for absence in rows:
        if absence.starts_on >= day:
            await session.delete(absence)
        else:
            absence.ends_on = date.fromordinal(day.toordinal() - 1)
            session.add(absence)
    await session.flush()
    return ended


async def cadence_rules(session: AsyncSession, org_ids: Iterable[int] | None = None) -> list[CadenceRule]:
    """Every stored rule (enabled or not: a disabled person rule switches a cadence off)."""
    query = select(CadenceRule).order_by(CadenceRule.id)
    if org_ids is not None:
        query = query.where(among(session, col(CadenceRule.org_id), org_ids))
    return list((await session.exec(query)).all())


async def upsert_rule(
    session: AsyncSession, org_id: int, kind: str, rrule: str, local_time: str,
    timezone: str | None, enabled: bool, anchor_on: date | None,
    person_id: int | None = None, team_manager_id: int | None = None,
) -> CadenceRule:
    """The one rule of `kind` at this scope (person, a manager's team, or the whole
    organisation), created or replaced."""
    query = select(CadenceRule).where(
        CadenceRule.org_id == org_id, CadenceRule.kind == kind,
        col(CadenceRule.person_id).is_(None) if person_id is None else CadenceRule.person_id == person_id,
        col(CadenceRule.team_manager_id).is_(None) if team_manager_id is None
        else CadenceRule.team_manager_id == team_manager_id,
    )
    rule = (await session.exec(query)).first() or CadenceRule(
        org_id=org_id, kind=kind, person_id=person_id, team_manager_id=team_manager_id, rrule=rrule)
    rule.rrule, rule.local_time, rule.timezone = rrule, local_time, timezone
    rule.enabled, rule.anchor_on = enabled, anchor_on
    session.add(rule)
    await session.flush()
    return rule


async def get_rule(session: AsyncSession, rule_id: int) -> CadenceRule | None:
    return await session.get(CadenceRule, rule_id)


async def delete_rule(session: AsyncSession, rule_id: int, org_id: int) -> bool:
    rule = await session.get(CadenceRule, rule_id)
    if rule is None or rule.org_id != org_id:
        return False
    await session.delete(rule)
    await session.flush()
    return True


async def one_on_ones(session: AsyncSession, person_ids: Iterable[int] | None = None) -> list[OneOnOne]:
    """The manager–rep 1:1 series still running (of these people, as manager or rep);
    an ended one (`/okr 1on1 @rep off`) is planned no more, nor one whose rep left or
    reports to someone else now (`one_on_ones.still_theirs`)."""
    query = select(OneOnOne).where(col(OneOnOne.ended_at).is_(None), still_theirs()).order_by(col(OneOnOne.id))
    if person_ids is not None:
        ids = list(person_ids)
        query = query.where(or_(among(session, col(OneOnOne.rep_id), ids),
                                among(session, col(OneOnOne.manager_id), ids)))
    return list((await session.exec(query)).all())


async def admins(session: AsyncSession, org_id: int) -> list[Person]:
    query = select(Person).where(Person.org_id == org_id, Person.role == "admin", col(Person.active).is_(True))
    return list((await session.exec(query.order_by(col(Person.id)))).all())
