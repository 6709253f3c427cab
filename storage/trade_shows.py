"""Named queries for trade shows: events and attendees, leads (capture with duplicate
merge, assignment, outcomes), and the conditional updates that make each reminder,
escalation and report go out once whatever the number of processes.

Not to be confused with `storage.events`, the store of processed platform event ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, func, insert, update
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import hold, upsert
from storage.lead_matching import Duplicates, merge_into, same_lead
from storage.models import Event, EventAttendee, Lead, Occurrence, Person

LEAD = Lead.__table__  # type: ignore[attr-defined]
EVENT = Event.__table__  # type: ignore[attr-defined]
OCCURRENCE = Occurrence.__table__  # type: ignore[attr-defined]
OPEN = "new"


# --- events -----------------------------------------------------------------------------


async def events(session: AsyncSession, org_id: int) -> Sequence[Event]:
    """The organisation's events, latest first."""
    return (await session.exec(select(Event).where(Event.org_id == org_id)
                               .order_by(col(Event.starts_on).desc(), col(Event.id).desc()))).all()


async def attendees_by_event(session: AsyncSession, event_ids: Iterable[int]) -> dict[int, list[Person]]:
    """Each event's attendees (one query), for the access rule (`access.may_see_event`)."""
    wanted = list(dict.fromkeys(event_ids))
    found: dict[int, list[Person]] = {event_id: [] for event_id in wanted}
    if not wanted:
        return found
    rows = await session.exec(select(EventAttendee.event_id, Person)  # type: ignore[call-overload]
                              .join(Person, col(Person.id) == EventAttendee.person_id)
                              .where(col(EventAttendee.event_id).in_(wanted)))
    for event_id, person in rows.all():
        found[event_id].append(person)
    return found


async def get_event(session: AsyncSession, event_id: int) -> Event | None:
    return await session.get(Event, event_id)


async def save(session: AsyncSession, row: Any) -> None:
    session.add(row)
    await session.flush()


async def attendees(session: AsyncSession, event_id: int) -> list[tuple[EventAttendee, Person]]:
    rows = await session.exec(
        select(EventAttendee, Person).join(Person, col(Person.id) == EventAttendee.person_id)
        .where(EventAttendee.event_id == event_id).order_by(col(Person.name)))
    return list(rows.all())  # type: ignore[arg-type]


async def attendee(session: AsyncSession, event_id: int, person_id: int) -> EventAttendee | None:
    return (await session.exec(select(EventAttendee).where(
        EventAttendee.event_id == event_id, EventAttendee.person_id == person_id))).first()


async def events_of(session: AsyncSession, person_id: int, first: date, last: date,
                    created: bool = False) -> Sequence[Event]:
    """Events the person attends (and, with `created`, those they registered) that
    overlap the days [first, last] (venue days), soonest first."""
    attending = select(EventAttendee.event_id).where(EventAttendee.person_id == person_id)
    theirs = col(Event.id).in_(attending)
    if created:
        theirs = or_(theirs, Event.created_by == person_id)
    return (await session.exec(
        select(Event).where(theirs, col(Event.starts_on) <= last, col(Event.ends_on) >= first)
        .order_by(col(Event.starts_on), col(Event.id)))).all()


async def ended_unassigned(session: AsyncSession, on_or_before: date) -> Sequence[Event]:
    """Events that ended on or before `on_or_before` (the latest venue day anywhere;
    callers check the venue's own) and whose leads were not assigned yet."""
    return (await session.exec(select(Event).where(col(Event.ends_on) <= on_or_before,
                                                   col(Event.assigned_at).is_(None)))).all()


async def not_over(session: AsyncSession, on_or_after: date) -> Sequence[Event]:
    """Events ending on or after `on_or_after` (the earliest venue day anywhere;
    callers check the venue's own) whose leads were not assigned yet: those whose
    prompts before the event may still be pending."""
    return (await session.exec(select(Event).where(col(Event.ends_on) >= on_or_after,
                                                   col(Event.assigned_at).is_(None)))).all()


async def claim_event(session: AsyncSession, event_id: int, column: str, now: datetime) -> bool:
    """Take the one assignment (`assigned_at`) or report (`reported_at`) of an event:
    only the process whose UPDATE finds the column empty goes on."""
    target = EVENT.c[column]
    result = await session.exec(update(EVENT).where(EVENT.c.id == event_id, target.is_(None))
                                .values({column: now}))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def unreported(session: AsyncSession) -> Sequence[Event]:
    return (await session.exec(select(Event).where(col(Event.assigned_at).is_not(None),
                                                   col(Event.reported_at).is_(None)))).all()


# --- leads ------------------------------------------------------------------------------


# hold()'s first key for "the leads of event N" (the second key is N); "Lead" in ASCII
LEADS_LOCK = int.from_bytes(b"Lead", "big", signed=True)


async def hold_leads(session: AsyncSession, event_id: int | None) -> None:
    """Hold an event's leads until the unit of work ends, before looking for a
    duplicate, so that the lead found missing is still missing when it is inserted:
    three reps logging one person at one booth at once store one lead and merge two.
    A per-event advisory lock on PostgreSQL (one round trip), the write lock on
    SQLite (`storage.db.hold`). A lead of no event (`None`) holds nothing."""
    if event_id is not None:
        await hold(session, LEADS_LOCK, event_id)


async def find_duplicate(session: AsyncSession, event_id: int | None, name: str, company: str | None,
                         email: str | None) -> Lead | None:
    """The first lead of the same event that `lead_matching.same_lead` finds the same
    (the same e-mail in any case, or the same person at the same company, case,
    accents, punctuation, spacing and a company's legal form ignored). The event's
    leads are compared in Python, reading four columns."""
    rows = (await session.exec(select(Lead.id, Lead.name, Lead.company, Lead.email)  # type: ignore[call-overload]
                               .where(Lead.event_id == event_id).order_by(col(Lead.id)))).all()
    for lead_id, lead_name, lead_company, lead_email in rows:
        if same_lead(name, company, email, lead_name, lead_company, lead_email):
            return await session.get(Lead, lead_id)
    return None


async def capture(session: AsyncSession, lead: Lead) -> tuple[Lead, bool]:
    """Store a lead, or merge it into its duplicate (`lead_matching.merge_into`: notes
    of both kept, empty fields filled, the hottest temperature kept). Returns (stored
    lead, merged?). Matching and insert are one step (`hold_leads`)."""
    await hold_leads(session, lead.event_id)
    found = await find_duplicate(session, lead.event_id, lead.name, lead.company, lead.email)
    if found is None:
        session.add(lead)
        await session.flush()
        return lead, False
    merge_into(found, lead)
    session.add(found)
    await session.flush()
    return found, True


class Matched(NamedTuple):
    """`match_many`'s result: the new leads, the leads already stored that took a
    merge, and for each lead given, the lead it ended in (itself when new; a lead
    already stored, or an earlier new one, when merged: whose owner it keeps)."""

    fresh: list[Lead]
    merged: list[Lead]
    landed: list[Lead]


def match_many(existing: Sequence[Lead], leads: Sequence[Lead]) -> Matched:
    """`capture`'s rule for many leads of one event at once, in memory: each lead is
    merged into the first of `existing` or of the new ones before it that it
    duplicates (changed in place), else kept as new. The new and merged leads are
    to be written by `store_many`."""
    index = Duplicates(existing)
    fresh: list[Lead] = []
    touched: dict[int, Lead] = {}
    landed: list[Lead] = []
    for lead in leads:
        found = index.find(lead.name, lead.company, lead.email)
        if found is None:
            fresh.append(lead)
            index.add(lead)
            landed.append(lead)
            continue
        merge_into(found, lead)
        index.add(found)
        landed.append(found)
        if found.id is not None:
            touched[found.id] = found
    return Matched(fresh, list(touched.values()), landed)


async def store_many(session: AsyncSession, fresh: Sequence[Lead], merged: Sequence[Lead],
                     advance: Callable[[int], None] = lambda _n: None, batch: int = 1000) -> None:
    """Write `match_many`'s result: the merged leads updated, the new ones inserted
    `batch` rows per statement (executemany); `advance(n)` after each batch."""
    for lead in merged:
        session.add(lead)
    await session.flush()
    advance(len(merged))
    rows = [lead.model_dump(exclude={"id"}) for lead in fresh]
    for start in range(0, len(rows), batch):
        await session.exec(insert(LEAD), params=rows[start:start + batch])  # type: ignore[call-overload]
        advance(len(rows[start:start + batch]))


async def get_lead(session: AsyncSession, lead_id: int) -> Lead | None:
    return await session.get(Lead, lead_id)


async def leads_of_event(session: AsyncSession, event_id: int) -> Sequence[Lead]:
    return (await session.exec(select(Lead).where(Lead.event_id == event_id).order_by(col(Lead.id)))).all()


def _open_of(owner_ids: Sequence[int], events_by: int | None) -> list[Any]:
    whose = col(Lead.owner_id).in_(list(owner_ids))
    if events_by is not None:
        theirs = select(Event.id).where(Event.created_by == events_by)
        whose = or_(whose, col(Lead.event_id).in_(theirs))
    return [whose, Lead.status == OPEN]


# The most urgent first: a deadline before none (earliest, so overdue ones lead), then
# the hottest, then the oldest capture. Explicit about NULL: SQLite sorts it first,
# PostgreSQL last.
_URGENT = (col(Lead.due_at).is_(None), col(Lead.due_at),
           case({"hot": 0, "warm": 1, "cold": 2}, value=col(Lead.temperature), else_=3), col(Lead.id))


async def open_leads(session: AsyncSession, owner_ids: Sequence[int], event_id: int | None = None,
                     events_by: int | None = None, limit: int | None = None) -> Sequence[Lead]:
    """Leads not yet followed up, of these owners (and, with `events_by`, every lead of
    the events that person registered), the most urgent first (`_URGENT`: soonest
    deadline, so overdue ones first, then hottest); at most `limit`."""
    query = select(Lead).where(*_open_of(owner_ids, events_by))
    if event_id is not None:
        query = query.where(Lead.event_id == event_id)
    return (await session.exec(query.order_by(*_URGENT).limit(limit))).all()


async def open_lead_counts(session: AsyncSession, owner_ids: Sequence[int],
                           events_by: int | None = None) -> list[tuple[str | None, int]]:
    """How many leads `open_leads` finds, per event: (event name, or None for leads
    of no event, count), the most first."""
    found = (await session.exec(
        select(Event.name, func.count(col(Lead.id))).select_from(Lead)  # type: ignore[call-overload]
        .outerjoin(Event, col(Event.id) == Lead.event_id).where(*_open_of(owner_ids, events_by))
        .group_by(col(Lead.event_id), col(Event.name))
        .order_by(func.count(col(Lead.id)).desc(), col(Event.name)))).all()
    return [(name, int(count)) for name, count in found]


async def set_deadlines(session: AsyncSession, deadlines: Sequence[tuple[int, datetime]]) -> None:
    """Give many leads their follow-up deadline in one executemany."""
    if not deadlines:
        return
    statement = update(LEAD).where(LEAD.c.id == bindparam("lead_id")).values(due_at=bindparam("due"))
    params = [{"lead_id": i, "due": d} for i, d in deadlines]
    for start in range(0, len(params), 5000):
        await session.exec(statement, params=params[start:start + 5000])  # type: ignore[call-overload]


async def record_outcome(session: AsyncSession, lead_id: int, status: str, now: datetime,
                         outcome: str | None = None, value: float | None = None,
                         currency: str | None = None) -> Lead | None:
    """A follow-up happened: the status, the note, the value; the first follow-up's
    instant is kept (it is what the report measures against the deadline)."""
    lead = await session.get(Lead, lead_id)
    if lead is None:
        return None
    lead.status = status
    lead.followed_up_at = lead.followed_up_at or now
    if outcome:
        lead.outcome = f"{lead.outcome}\n{outcome}" if lead.outcome else outcome
    if value is not None:
        lead.value, lead.currency = value, currency
    session.add(lead)
    await session.flush()
    return lead


async def due_for_reminder(session: AsyncSession, before: datetime) -> Sequence[Lead]:
    """Open leads with a deadline before `before` whose owner was not reminded."""
    return (await session.exec(select(Lead).where(
        Lead.status == OPEN, col(Lead.due_at).is_not(None), col(Lead.due_at) <= before,
        col(Lead.reminded_at).is_(None)).order_by(col(Lead.due_at)))).all()


async def overdue(session: AsyncSession, now: datetime, owner_ids: Sequence[int] | None = None,
                  escalated: bool | None = None) -> Sequence[Lead]:
    """Open leads past their deadline (of some owners; escalated or not)."""
    query = select(Lead).where(Lead.status == OPEN, col(Lead.due_at).is_not(None), col(Lead.due_at) < now)
    if owner_ids is not None:
        query = query.where(col(Lead.owner_id).in_(list(owner_ids)))
    if escalated is not None:
        query = query.where(col(Lead.escalated_at).is_not(None) if escalated else col(Lead.escalated_at).is_(None))
    return (await session.exec(query.order_by(col(Lead.due_at)))).all()


async def claim_leads(session: AsyncSession, lead_ids: Sequence[int], column: str, now: datetime) -> list[int]:
    """Mark leads reminded or escalated, only those not marked yet; returns the ids this
    process won, so two processes never send the same reminder."""
    if not lead_ids:
        return []
    target = LEAD.c[column]
    result = await session.exec(update(LEAD).where(LEAD.c.id.in_(list(lead_ids)), target.is_(None),
                                                   LEAD.c.status == OPEN)
                                .values({column: now}).returning(LEAD.c.id))
    return list(result.scalars().all())


async def escalated_between(session: AsyncSession, lead_owner_ids: Sequence[int], start: datetime,
                            end: datetime) -> bool:
    """Whether leads of these owners were escalated in [start, end) (one batch a day)."""
    found = (await session.exec(select(func.count()).select_from(LEAD).where(
        LEAD.c.owner_id.in_(list(lead_owner_ids)), LEAD.c.escalated_at >= start,
        LEAD.c.escalated_at < end))).one()
    return bool(found)


async def add_occurrences(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Ad-hoc prompt occurrences (before and after an event), one per key: the
    dispatcher claims and sends each exactly once. A row still pending and never
    claimed takes the new time and payload (targets changed since it was planned);
    any other is left alone. Each row: key, org_id, person_id, kind, due_at,
    local_date, payload."""
    if not rows:
        return
    statement = upsert(session, OCCURRENCE)
    statement = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={"due_at": statement.excluded.due_at, "local_date": statement.excluded.local_date,
              "payload": statement.excluded.payload},
        where=(OCCURRENCE.c.status == "pending") & OCCURRENCE.c.claimed_at.is_(None)
        & OCCURRENCE.c.snoozed_until.is_(None),
    )
    params = [{**row, "status": "pending", "payload": {**(row.get("payload") or {}), "adhoc": True}}
              for row in rows]
    for start in range(0, len(params), 5000):
        await session.exec(statement, params=params[start:start + 5000])  # type: ignore[call-overload]


async def skip_pending(session: AsyncSession, keys: Sequence[str], reason: str) -> int:
    """Skip prompts that are still pending (a preparation prompt the event outran)."""
    if not keys:
        return 0
    result = await session.exec(update(OCCURRENCE).where(OCCURRENCE.c.key.in_(list(keys)),  # type: ignore[call-overload]
                                                         OCCURRENCE.c.status == "pending")
                                .values(status="skipped", reason=reason))
    return result.rowcount or 0  # type: ignore[no-any-return]
