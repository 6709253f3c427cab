"""Named queries of the nudge phase, batch-shaped for 100,000 people: the scan reads
row tuples (no ORM object per prompt), a batch of nudges is claimed in one
`UPDATE … RETURNING`, expired prompts are marked missed in one statement per batch,
and the nudges' Delivery rows are written with one executemany.

Exactly once: a nudge is taken by setting `nudged_at` on a row still `delivered` and
not yet nudged, re-checked at write time, so of two instances claiming the same row
only one gets it back (SQLite has one writer at a time; PostgreSQL re-checks the row
after the first writer commits). A claimed nudge is never claimed again, even if its
send or its record failed: a person is reminded at most once.

Every statement binds its ids as one parameter (`storage.db.among`), whatever the
batch size, and the scans use `ix_occurrence_delivered_at` (delivery time, of the
delivered rows only).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, Text, bindparam, func, literal, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import UTCDateTime, among, dialect_name, upsert
from storage.models import Delivery
from storage.occurrences import DELIVERED, MISSED, OCCURRENCE, status_is


class Waiting(NamedTuple):
    """A delivered, unanswered prompt the scan looks at: its id, its person, and the
    instant its clock started (aware UTC): `delivered_at` for a nudge, `nudged_at` for
    counting it missed."""

    id: int
    person_id: int
    since: datetime


class Nudged(NamedTuple):
    """A prompt whose nudge this instance has claimed, as the nudge card is drawn from
    (`bot.core.feature.Nudgeable`). Times are aware UTC."""

    id: int
    key: str
    kind: str
    person_id: int
    due_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]


DELIVERY = Delivery.__table__  # type: ignore[attr-defined]
_NUDGED = [OCCURRENCE.c[name] for name in Nudged._fields]


async def awaiting_nudge(session: AsyncSession, delivered_before: datetime,
                         after: datetime | None = None) -> list[Waiting]:
    """Delivered, unanswered, not yet nudged, delivered at or before `delivered_before`
    (no nudge is owed earlier: working hours are never fewer than wall-clock hours)
    and, when given, after `after` (what an earlier scan did not see)."""
    c = OCCURRENCE.c
    query = (select(c.id, c.person_id, c.delivered_at)
             .where(status_is(DELIVERED), c.delivered_at <= delivered_before, c.nudged_at.is_(None)))
    if after is not None:
        query = query.where(c.delivered_at > after)
    rows = await session.exec(query.order_by(c.delivered_at, c.id))
    return [Waiting(*row) for row in rows.all()]


async def awaiting_expiry(session: AsyncSession, nudged_before: datetime,
                          after: datetime | None = None) -> list[Waiting]:
    """Delivered, unanswered and nudged at or before `nudged_before` (and, when given,
    after `after`). A nudge comes after its delivery (a snooze clears `nudged_at`), so
    `delivered_at` is bounded too: the scan stays a range of the delivered rows'
    delivery-time index."""
    c = OCCURRENCE.c
    query = (select(c.id, c.person_id, c.nudged_at)
             .where(status_is(DELIVERED), c.delivered_at <= nudged_before, c.nudged_at <= nudged_before))
    if after is not None:
        query = query.where(c.nudged_at > after)
    rows = await session.exec(query.order_by(c.nudged_at, c.id))
    return [Waiting(*row) for row in rows.all()]


async def claim_nudges(session: AsyncSession, ids: Sequence[int], now: datetime) -> list[Nudged]:
    """Take the one nudge of each of `ids` that is still owed (delivered, unanswered,
    not nudged), in one statement; returns the rows this call won."""
    if not ids:
        return []
    c = OCCURRENCE.c
    result = await session.exec(
        update(OCCURRENCE)
        .where(among(session, c.id, ids), c.status == DELIVERED, c.nudged_at.is_(None))
        .values(nudged_at=now)
        .returning(*_NUDGED))  # type: ignore[call-overload]
    return [Nudged(*row) for row in result.all()]


async def record_nudges(session: AsyncSession, sent: Sequence[tuple[int, str, str, str | None]],
                        now: datetime) -> None:
    """Delivery rows for nudges the platform accepted: (occurrence id, purpose,
    platform, platform message id); the purpose is "nudge", or "nudge2"… for the nudge
    of a prompt delivered again after a snooze. A row already there is left alone
    (one failing row must not lose the batch's records). PostgreSQL: one `INSERT … SELECT
    FROM unnest(…)` of three arrays (an executemany cost ~40 µs of our CPU per row,
    the arrays ~5); SQLite: one executemany (in-process, no round trips)."""
    if sent and dialect_name(session) == "postgresql":
        await session.exec(_unnest_insert(session, sent, now))
    elif sent:
        await session.exec(upsert(session, DELIVERY).on_conflict_do_nothing(), params=[  # type: ignore[call-overload]
            {"occurrence_id": oid, "purpose": purpose, "platform": platform,
             "message_id": message_id, "sent_at": now}
            for oid, purpose, platform, message_id in sent])


def _unnest_insert(session: AsyncSession, sent: Sequence[tuple[int, str, str, str | None]],
                   now: datetime) -> Any:
    from sqlalchemy.dialects.postgresql import ARRAY  # only on PostgreSQL (start-up cost)

    names = ["occurrence_id", "purpose", "platform", "message_id"]
    columns = zip(*sent, strict=True)
    rows = func.unnest(*(bindparam(None, list(values), type_=ARRAY(BigInteger if name == "occurrence_id" else Text))
                         for name, values in zip(names, columns, strict=True))
                       ).table_valued(*names).render_derived()
    chosen = select(*(rows.c[name] for name in names), literal(now, UTCDateTime))
    return upsert(session, DELIVERY).from_select([*names, "sent_at"], chosen).on_conflict_do_nothing()


async def expire_many(session: AsyncSession, ids: Sequence[int], reason: str = "unanswered") -> int:
    """Mark missed those of `ids` still delivered and unanswered, in one statement;
    returns how many."""
    if not ids:
        return 0
    c = OCCURRENCE.c
    result = await session.exec(
        update(OCCURRENCE)
        .where(among(session, c.id, ids), c.status == DELIVERED)
        .values(status=MISSED, reason=reason))
    return result.rowcount or 0  # type: ignore[attr-defined]
