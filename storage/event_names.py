"""Event names: one name, one event, in an organisation. Names are compared in any
case and spacing (`name_key`, the same on both databases), an older pair sharing a
name is told apart by its first day (`events_named`), and a name is checked again
under a per-organisation lock when an event is added or renamed (`hold_names`), so two
managers typing the same name at once get one event and one refusal.

Split from `storage.trade_shows` (events and leads), which had grown past a sitting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import hold
from storage.models import Event, EventAttendee

# pg_advisory_xact_lock's first key for "the event names of organisation N" (the
# second key is N); "EvNm" in ASCII
EVENT_NAMES_LOCK = int.from_bytes(b"EvNm", "big", signed=True)


async def hold_names(session: AsyncSession, org_id: int) -> None:
    """Hold the organisation's event names until the session's transaction ends, so
    that a name found free is still free when it is written: two managers adding
    "NRF 2027" at the same moment get one event and one refusal, not two events of one
    name. PostgreSQL: a transaction-level advisory lock per organisation; SQLite: its
    write lock, taken before the names are read (`storage.db.hold`)."""
    await hold(session, EVENT_NAMES_LOCK, org_id)


async def add_event(session: AsyncSession, event: Event, attendee_ids: Iterable[int]) -> Event | None:
    """Store `event` with its attendees, unless the organisation has an event of that
    name by now (checked again under `hold_names`): then None, nothing stored."""
    await hold_names(session, event.org_id)
    if await events_named(session, event.org_id, event.name):
        return None
    session.add(event)
    await session.flush()
    for person_id in dict.fromkeys(attendee_ids):
        session.add(EventAttendee(event_id=event.id, person_id=person_id))  # type: ignore[arg-type]
    await session.flush()
    return event


async def rename_event(session: AsyncSession, event: Event, name: str) -> bool:
    """Give `event` the name `name` unless another event of its organisation has it by
    now (checked again under `hold_names`): False then, nothing changed."""
    await hold_names(session, event.org_id)
    if [e for e in await events_named(session, event.org_id, name) if e.id != event.id]:
        return False
    event.name = name
    session.add(event)
    await session.flush()
    return True


async def event_named(session: AsyncSession, org_id: int, name: str) -> Event | None:
    """The event called `name` (any case), the latest if several share it. Where
    attendance matters (a lead, a read), use `events_named` and choose."""
    found = await events_named(session, org_id, name)
    return found[0] if found else None


_FIRST_DAY = re.compile(r"^(?P<name>.*\S)\s+(?P<day>\d{4}-\d{2}-\d{2})$")


def name_key(name: str) -> str:
    """An event name as names are compared: in any case (Unicode case folding, so
    "Ålesund Expo" is "ÅLESUND EXPO"; SQLite's `lower()` folds ASCII only) and with its
    spaces collapsed ("NRF  2026 " is "NRF 2026")."""
    return " ".join(name.split()).casefold()


async def events_named(session: AsyncSession, org_id: int | None, name: str) -> Sequence[Event]:
    """Events called `name` (`name_key`: any case, spaces collapsed), latest first, of
    one organisation (`org_id` None: any, for the command line). Where none is, a name
    ending in a first day (YYYY-MM-DD) names the event of that name starting that day:
    "NRF 2026 2026-12-20" tells apart two events registered under one name (before
    names were kept distinct). Compared in Python over the organisation's events (a
    few hundred at most), the same way on both databases."""
    query = select(Event) if org_id is None else select(Event).where(Event.org_id == org_id)
    every = (await session.exec(query.order_by(col(Event.starts_on).desc(), col(Event.id).desc()))).all()
    return named_among(every, name)


def named_among(every: Sequence[Event], name: str) -> list[Event]:
    """`events_named`'s rule over events already read (latest first): for a caller that
    tries several names against one organisation's events."""
    wanted = name_key(name)
    found = [event for event in every if name_key(event.name) == wanted]
    dated = _FIRST_DAY.match(name.strip())
    if found or dated is None:
        return found
    try:
        day = date.fromisoformat(dated.group("day"))
    except ValueError:
        return found
    wanted = name_key(dated.group("name"))
    return [event for event in every if name_key(event.name) == wanted and event.starts_on == day]


async def events_called(session: AsyncSession, name: str) -> Sequence[Event]:
    """Events called `name` (any case) in any organisation, for the command line;
    `events_named` reads a first day after the name."""
    return await events_named(session, None, name)
