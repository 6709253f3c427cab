"""Named queries for sending a due prompt exactly once: claims with a lease, the
record of each delivery the moment its send returns, retries after a transient
failure and permanent failures (the admins' daily summary of those is read and marked
in `storage.occurrences`).

Every change is an UPDATE guarded by the state it expects (`status = 'claimed' AND
claimed_by = <me>`), so two processes racing on one row cannot both win, on SQLite
(one writer at a time) as on PostgreSQL (the second UPDATE re-checks the row after
the first commits).

A claim is held until `lease_until`. The claiming process extends the lease of what
it is sending (`extend_leases`, every few seconds); a process that dies stops
extending, and its claims are taken over within one lease (30 s by default).
A prompt a platform could not take *now* (5xx, reset, timeout) keeps its claim with
`lease_until` set to the retry time, so the same takeover picks it up then.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from functools import cache, partial
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, Text, any_, bindparam, cast, column, func, insert, or_, update
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import dialect_name
from storage.models import Delivery
from storage.occurrences import CLAIMED, DELIVERED, FAILED, OCCURRENCE, PENDING, SENDING, SKIPPED, status_is


class Claimed(NamedTuple):
    """A claimed occurrence as the dispatcher needs it to draw, send and record it: a
    row tuple, not an ORM object (a tick claims thousands; nothing here is written
    back through the session). Times are aware UTC."""

    id: int
    key: str
    org_id: int
    person_id: int
    kind: str
    due_at: datetime
    payload: dict[str, Any]
    reason: str | None


_CLAIMED = [OCCURRENCE.c[name] for name in Claimed._fields]


# --- the hot path: prebuilt Core statements ---------------------------------------------
# Built once per dialect (ids as ONE parameter: `= ANY(:ids)`, `IN json_each(:ids)`), so
# compiled once and prepared by the server; run on the session's connection, no ORM.


def _ids(dialect: str, name: str) -> Any:
    """`occurrence.id` among the ids bound as `name` (see `_bind_ids`)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return OCCURRENCE.c.id == func.any(cast(bindparam(name, type_=Text), ARRAY(BigInteger)))
    listed = func.json_each(bindparam(name, type_=Text)).table_valued("value")
    return OCCURRENCE.c.id.in_(select(listed.c.value))


def _bind_ids(dialect: str, ids: Sequence[int]) -> str:
    """The ids as ONE text parameter: a PostgreSQL array literal (`{1,2,3}`, cast in
    SQL) or a JSON list for SQLite. Text, not a list: the driver writes a string at
    once, where a list is dumped element by element in Python."""
    if dialect == "postgresql":
        return "{" + ",".join(map(str, ids)) + "}"
    return json.dumps(list(ids))


def _mine() -> tuple[Any, ...]:
    return (OCCURRENCE.c.status == CLAIMED, OCCURRENCE.c.claimed_by == bindparam("me"))


def _delivered(which: Any) -> Any:
    """The UPDATE recording sends that returned: delivered, if this instance still
    holds the claim; RETURNING which."""
    return (update(OCCURRENCE).where(which, *_mine())
            .values(status=DELIVERED, delivered_at=bindparam("now", type_=OCCURRENCE.c.delivered_at.type),
                    lease_until=None, reason=None)
            .returning(OCCURRENCE.c.id, OCCURRENCE.c.status))


@cache
def _marked(dialect: str) -> Any:
    """The UPDATE noting that the sends of the `sending` ids begin, if this instance
    still holds the claims; RETURNING which."""
    return (update(OCCURRENCE).where(_ids(dialect, "sending"), *_mine()).values(reason=SENDING)
            .returning(OCCURRENCE.c.id, OCCURRENCE.c.status))


_delivered_ids = cache(lambda dialect: _delivered(_ids(dialect, "done")))  # SQLite's group commit
_DELIVERY_ROWS = insert(Delivery.__table__)  # type: ignore[attr-defined]


@cache
def _sends_written_and_recorded() -> Any:
    """PostgreSQL: a group commit in ONE statement of data-modifying CTEs. The sends
    come as one JSON parameter (`json_to_recordset`: rows of oid, purpose, platform,
    message_id), the ids that begin as one array (`sending`, text cast once). One
    UPDATE delivers the sent rows, another marks the others "sending" (disjoint rows),
    each reaching its rows by primary key; the INSERT joins the first one's RETURNING,
    so a Delivery row is written for exactly the rows this instance still held.

    Not one UPDATE with `CASE WHEN id = ANY(:done)` per column: PostgreSQL cast the
    text arrays again for every row and column (10 ms a commit of 112 rows, two thirds
    of the server's time in a dispatch)."""
    from sqlalchemy.dialects.postgresql import JSON

    sent = (select(func.json_to_recordset(cast(bindparam("sent", type_=Text), JSON)).table_valued(
        column("oid", BigInteger), column("purpose", Text), column("platform", Text),
        column("message_id", Text)).render_derived(name="sent", with_types=True)).cte("sent"))
    delivered = _delivered(OCCURRENCE.c.id == any_(func.array(select(sent.c.oid).scalar_subquery())))
    delivered, marked = delivered.cte("delivered"), _marked("postgresql").cte("marked")
    rows = select(sent.c.oid, sent.c.purpose, sent.c.platform, sent.c.message_id,
                  bindparam("now", type_=Delivery.__table__.c.sent_at.type))  # type: ignore[attr-defined]
    recorded = insert(Delivery.__table__).from_select(  # type: ignore[attr-defined]
        ["occurrence_id", "purpose", "platform", "message_id", "sent_at"],
        rows.join(delivered, delivered.c.id == sent.c.oid))
    return (select(delivered.c.id, delivered.c.status)
            .union_all(select(marked.c.id, marked.c.status))
            .add_cte(recorded.cte("recorded")))


@cache
def _leases_extended(dialect: str) -> Any:
    return update(OCCURRENCE).where(_ids(dialect, "ids"), *_mine()).values(lease_until=bindparam("until"))


async def _core(session: AsyncSession, statement: Any, params: Any = None) -> Result[Any]:
    """Execute on the session's connection (its transaction), without the ORM."""
    connection = await session.connection()
    return await connection.execute(statement, params)


def _claimed(dialect: str, chosen: Any, still: tuple[Any, ...], values: dict[str, Any], lock: str) -> Any:
    """One statement per batch: update the rows `chosen` selects, but only those where
    the `still` conditions hold at write time, and return the rows this instance won.

    On PostgreSQL the chosen rows are locked (`lock`: "skip" for `FOR UPDATE SKIP
    LOCKED`, so two instances claiming at once take different rows instead of queueing
    behind each other; "wait" for `FOR UPDATE`) in a materialised CTE, and the UPDATE
    reaches them by primary key (`id = ANY(ARRAY(SELECT id FROM chosen))`): as `id IN
    (SELECT …)` PostgreSQL may rescan the CTE for every outer row, or hash-join it
    against a sequential scan of every pending row (it did, at 10,000 rows). The
    `still` conditions are checked again under the lock. SQLite has one writer at a
    time, so its UPDATE sees the rows as the last writer left them."""
    if dialect != "postgresql":
        which = OCCURRENCE.c.id.in_(chosen.scalar_subquery())
    else:
        locked = chosen.with_for_update(skip_locked=lock == "skip")
        rows = locked.cte("chosen").prefix_with("MATERIALIZED")
        which = OCCURRENCE.c.id == any_(func.array(select(rows.c.id).scalar_subquery()))
    return update(OCCURRENCE).where(which, *still).values(**values).returning(*_CLAIMED)


_TIME = OCCURRENCE.c.due_at.type


@cache
def _claim_due(dialect: str, lock: str) -> Any:
    """`claim_due`'s statement, built once per dialect and lock (parameters: now,
    limit, me, lease)."""
    due = (select(OCCURRENCE.c.id).where(status_is(PENDING), OCCURRENCE.c.due_at <= bindparam("now", type_=_TIME))
           .order_by(OCCURRENCE.c.due_at, OCCURRENCE.c.id).limit(bindparam("limit", type_=BigInteger)))
    return _claimed(dialect, due, (OCCURRENCE.c.status == PENDING,),
                    {"status": CLAIMED, "claimed_by": bindparam("me"), "claimed_at": bindparam("now", type_=_TIME),
                     "lease_until": bindparam("lease", type_=_TIME)}, lock)


def _lapsed(legacy: bool) -> Any:
    """A claim whose lease ran out by `now` (with `legacy`, also one made before leases
    existed and claimed before `cutoff`)."""
    lapsed = OCCURRENCE.c.lease_until <= bindparam("now", type_=_TIME)
    if not legacy:
        return lapsed
    return or_(lapsed, OCCURRENCE.c.lease_until.is_(None)
               & (OCCURRENCE.c.claimed_at < bindparam("cutoff", type_=_TIME)))


@cache
def _reclaim_stale(dialect: str, lock: str, legacy: bool, excluding: bool = False) -> Any:
    """`reclaim_stale`'s statement (parameters: now, limit, me, lease, cutoff with
    `legacy`, excluding with `excluding`)."""
    stale = select(OCCURRENCE.c.id).where(status_is(CLAIMED)).where(_lapsed(legacy))
    stale = (stale.where(~_ids(dialect, "excluding")) if excluding else stale).order_by(
        OCCURRENCE.c.lease_until, OCCURRENCE.c.id).limit(bindparam("limit", type_=BigInteger))
    return _claimed(dialect, stale, (OCCURRENCE.c.status == CLAIMED, _lapsed(legacy)),
                    {"claimed_by": bindparam("me"), "claimed_at": bindparam("now", type_=_TIME),
                     "lease_until": bindparam("lease", type_=_TIME)}, lock)


async def _take(session: AsyncSession, statement: Callable[[str, str], Any], params: dict[str, Any]) -> list[Claimed]:
    """Run a claim statement (`statement(dialect, lock)`) and return what this instance
    won, earliest first. On PostgreSQL, when every matching row was locked, wait for
    those locks once rather than report "nothing due": another instance's plan or
    catch-up may hold the rows for a moment (not only a rival claim); the conditions
    are re-checked after the wait."""
    dialect = dialect_name(session)
    won = await _rows(session, statement(dialect, "skip"), params)
    if not won and dialect == "postgresql":
        won = await _rows(session, statement(dialect, "wait"), params)
    return won


async def _rows(session: AsyncSession, statement: Any, params: dict[str, Any]) -> list[Claimed]:
    rows = [Claimed(*row) for row in (await _core(session, statement, params)).all()]  # Core: no ORM machinery
    return sorted(rows, key=lambda o: (o.due_at, o.id))


async def claim_due(session: AsyncSession, now: datetime, instance: str, limit: int,
                    lease_until: datetime | None = None) -> list[Claimed]:
    """Claim up to `limit` due pending occurrences for this instance, earliest first,
    held until `lease_until` (default: now, i.e. the caller must extend it)."""
    return await _take(session, _claim_due,
                       {"now": now, "limit": limit, "me": instance, "lease": lease_until or now})


async def reclaim_stale(session: AsyncSession, now: datetime, instance: str, limit: int,
                        lease_until: datetime, cutoff: datetime | None = None,
                        excluding: Sequence[int] = ()) -> list[Claimed]:
    """Take over claims whose lease ran out: their process died, or a transient
    failure set this as their retry time (with `cutoff`, also claims made before leases
    existed, claimed before it), except the ids `excluding` (this instance's sends in
    flight). The caller must not simply send them again: an earlier attempt may have
    reached the platform (see `FindsDeliveries`)."""
    params = {"now": now, "limit": limit, "me": instance, "lease": lease_until,
              "excluding": _bind_ids(dialect_name(session), excluding)}
    if cutoff is not None:
        params["cutoff"] = cutoff
    return await _take(session, partial(_reclaim_stale, legacy=cutoff is not None, excluding=bool(excluding)),
                       params)


async def extend_leases(session: AsyncSession, ids: Sequence[int], instance: str,
                        until: datetime) -> int:
    """Keep holding the claims this instance is still sending (its heartbeat)."""
    if not ids:
        return 0
    dialect = dialect_name(session)
    result = await _core(session, _leases_extended(dialect),
                         {"ids": _bind_ids(dialect, ids), "me": instance, "until": until})
    return result.rowcount or 0  # type: ignore[attr-defined]


async def release(session: AsyncSession, ids: Sequence[int], instance: str) -> int:
    """Give claims this instance holds and never began to send back to pending, for
    any instance to claim now (a batch claimed ahead and not sent). A row marked
    "sending" stays claimed: only a takeover, which looks first, may send it."""
    if not ids:
        return 0
    dialect = dialect_name(session)
    given_back = (update(OCCURRENCE).where(_ids(dialect, "ids"), *_mine(),
                                           func.coalesce(OCCURRENCE.c.reason, "") != SENDING)
                  .values(status=PENDING, claimed_by=None, claimed_at=None, lease_until=None, reason=None))
    result = await _core(session, given_back, {"ids": _bind_ids(dialect, ids), "me": instance})
    return result.rowcount or 0  # type: ignore[attr-defined]


async def mark_sending(session: AsyncSession, occurrence_id: int, instance: str) -> bool:
    """Note, just before the send, that it began (`reason = 'sending'`), so that whoever
    takes the claim over after a crash knows the platform may have the message. False
    when this instance no longer holds the claim: then it must not send."""
    return occurrence_id in await mark_sending_many(session, [occurrence_id], instance)


async def mark_sending_many(session: AsyncSession, ids: Sequence[int], instance: str) -> set[int]:
    """`mark_sending` for several sends about to begin, in one statement: returns the
    ids this instance still holds (only those may be sent)."""
    return (await write_sends(session, ids, [], instance, None))[0]


async def record_delivery(session: AsyncSession, occurrence_id: int, instance: str, purpose: str,
                          platform: str, message_id: str | None, now: datetime) -> bool:
    """Mark one claimed occurrence delivered and keep the platform's message id, as
    soon as its send returned (so a crash can repeat at most the one message in
    flight; a freeze past the lease, the sends under way). Only a row this instance
    still holds is marked; False otherwise."""
    return bool(await record_deliveries(session, [(occurrence_id, purpose, platform, message_id)],
                                         instance, now))


async def record_deliveries(
    session: AsyncSession, sent: Sequence[tuple[int, str, str, str | None]], instance: str,
    now: datetime,
) -> set[int]:
    """Mark claimed occurrences delivered and keep each platform message id. Each
    item: (occurrence id, purpose, platform, message id). Only rows this instance
    still holds are marked; a Delivery row is written for exactly those. Returns
    their ids."""
    return (await write_sends(session, [], sent, instance, now))[1]


async def write_sends(
    session: AsyncSession, sending: Sequence[int], sent: Sequence[tuple[int, str, str, str | None]],
    instance: str, now: datetime | None,
) -> tuple[set[int], set[int]]:
    """A group commit's writes (`bot.cadence.bookkeeping`), in the session's unit of
    work: the sends that begin (`reason = 'sending'`) and the sends that returned
    (delivered, with a Delivery row keeping the platform's message id). Only rows this
    instance still holds are changed. Returns (ids marked sending, ids recorded
    delivered): only the first may be sent, only the second count. `now`: the
    delivery time (aware UTC), needed when `sent` is not empty."""
    return await _write_sends(await session.connection(), sending, sent, instance, now)


@asynccontextmanager
async def sends_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for `write_sends_alone`, held while group commits follow each other
    (one checkout for many commits). On PostgreSQL in autocommit: each group commit is
    ONE statement, atomic on its own, so no BEGIN and COMMIT round trips around it."""
    async with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


async def write_sends_alone(
    connection: AsyncConnection, sending: Sequence[int], sent: Sequence[tuple[int, str, str, str | None]],
    instance: str, now: datetime | None,
) -> tuple[set[int], set[int]]:
    """`write_sends` as a unit of work of its own, committed when it returns, on a
    `sends_connection`: on PostgreSQL one statement (the UPDATE … RETURNING with the
    Delivery INSERT as a data-modifying CTE), on SQLite an UPDATE … RETURNING and an
    executemany INSERT in one transaction."""
    if connection.dialect.name == "postgresql":
        return await _write_sends(connection, sending, sent, instance, now)
    async with connection.begin():
        return await _write_sends(connection, sending, sent, instance, now)


async def _write_sends(
    connection: AsyncConnection, sending: Sequence[int], sent: Sequence[tuple[int, str, str, str | None]],
    instance: str, now: datetime | None,
) -> tuple[set[int], set[int]]:
    if not sending and not sent:
        return set(), set()
    dialect = connection.dialect.name
    params = {"sending": _bind_ids(dialect, sending), "me": instance, "now": now}
    if dialect == "postgresql":
        params["sent"] = json.dumps([{"oid": oid, "purpose": purpose, "platform": platform, "message_id": mid}
                                     for oid, purpose, platform, mid in sent])
        rows = (await connection.execute(_sends_written_and_recorded(), params)).all()
        return ({oid for oid, status in rows if status == CLAIMED},
                {oid for oid, status in rows if status == DELIVERED})
    params["done"] = _bind_ids(dialect, [item[0] for item in sent])
    done = {oid for oid, _ in (await connection.execute(_delivered_ids(dialect), params)).all()} if sent else set()
    held = {oid for oid, _ in (await connection.execute(_marked(dialect), params)).all()} if sending else set()
    records = [{"occurrence_id": oid, "purpose": purpose, "platform": platform, "message_id": message_id,
                "sent_at": now} for oid, purpose, platform, message_id in sent if oid in done]
    if records:
        await connection.execute(_DELIVERY_ROWS, records)
    return held, done


async def retry_later(session: AsyncSession, occurrence_id: int, instance: str, retry_at: datetime,
                      reason: str, payload: dict[str, Any]) -> bool:
    """A transient failure: keep the claim, but let it lapse at `retry_at`, when any
    instance (this one included) takes it over and tries again."""
    result = await session.exec(
        update(OCCURRENCE)
        .where(OCCURRENCE.c.id == occurrence_id, OCCURRENCE.c.status == CLAIMED,
               OCCURRENCE.c.claimed_by == instance)
        .values(lease_until=retry_at, reason=reason[:300], payload=payload)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def record_failure(session: AsyncSession, occurrence_id: int, instance: str, reason: str,
                         payload: dict[str, Any]) -> bool:
    """A channel refused the prompt for good: keep why, so nobody is skipped silently
    (the admins' daily summary lists it)."""
    result = await session.exec(
        update(OCCURRENCE)
        .where(OCCURRENCE.c.id == occurrence_id, OCCURRENCE.c.status == CLAIMED,
               OCCURRENCE.c.claimed_by == instance)
        .values(status=FAILED, reason=reason[:300], payload=payload, lease_until=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def skip_claimed(session: AsyncSession, occurrence_id: int, instance: str, reason: str) -> bool:
    """A claimed prompt that must not go out after all (the person left the team)."""
    result = await session.exec(
        update(OCCURRENCE)
        .where(OCCURRENCE.c.id == occurrence_id, OCCURRENCE.c.status == CLAIMED,
               OCCURRENCE.c.claimed_by == instance)
        .values(status=SKIPPED, reason=reason, lease_until=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
