"""Named queries for occurrences: planning writes, which occurrences are due, and the
conditional updates that make each prompt go out exactly once (claims, deliveries,
nudges, snooze, skip, answer).

Every state change of an occurrence is an UPDATE guarded by the status it expects
(`WHERE status = 'pending'` for a claim), so two processes racing on one row cannot
both win, on SQLite (one writer at a time) as on PostgreSQL (the second UPDATE
re-checks the row after the first commits).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    and_,
    any_,
    case,
    func,
    literal_column,
    or_,
    update,
)
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import among, dialect_name, upsert
from storage.models import Occurrence

OCCURRENCE = Occurrence.__table__  # type: ignore[attr-defined]

# Statuses an occurrence moves through; "failed" means a channel refused it (reason set).
PENDING, CLAIMED, DELIVERED, ANSWERED = "pending", "claimed", "delivered", "answered"
MISSED, SKIPPED, FAILED = "missed", "skipped", "failed"
STATUSES = frozenset({PENDING, CLAIMED, DELIVERED, ANSWERED, MISSED, SKIPPED, FAILED})
ANSWERED_EARLY = "answered early"  # the reason of a prompt a check-in done before it answered
SENDING = "sending"  # the reason of a claimed occurrence whose send began (`storage.claims`)


def status_is(status: str, table: Any = OCCURRENCE) -> Any:
    """`status = 'pending'` with the status written into the SQL, not bound as a
    parameter: the occurrence table's partial indexes (`storage.models.cadence`) hold
    one status each, and PostgreSQL can use one only when the statement itself asks
    for that very status: psycopg prepares a statement after its fifth run, and a
    generic plan for `status = $1` must serve any status, so it cannot use them (it
    read the whole table; tests/cadence/test_dispatch_scale.py plans the hot
    statements that way). Raises ValueError for a status the table does not have."""
    if status not in STATUSES:
        raise ValueError(f"not an occurrence status: {status!r}")
    return table.c.status == literal_column(f"'{status}'")


async def add_occurrence(
    session: AsyncSession, key: str, org_id: int, person_id: int, kind: str,
    due_at: datetime, local_date: date, payload: dict[str, Any] | None = None,
) -> None:
    """One ad-hoc occurrence (the demo's "right now" check-in), not made by a rule (so
    re-planning leaves it alone); a repeat is ignored."""
    statement = upsert(session, OCCURRENCE).values(
        key=key, org_id=org_id, person_id=person_id, kind=kind, due_at=due_at,
        local_date=local_date, status=PENDING, payload={**(payload or {}), "adhoc": True},
    ).on_conflict_do_nothing(index_elements=["key"])
    await session.exec(statement)


async def waiting_adhoc(session: AsyncSession, person_id: int, prefix: str) -> Occurrence | None:
    """The person's latest ad-hoc occurrence whose key starts with `prefix` (the demo's
    "okr_checkin:42:demo-") that still waits for them: pending and not snoozed, claimed
    (a process died holding it: the next one takes the claim over within its lease) or
    delivered and not answered. None when there is none. A demo run again reuses it
    rather than planting a second one, which would mark this one missed."""
    waiting = or_(and_(col(Occurrence.status) == PENDING, col(Occurrence.snoozed_until).is_(None)),
                  col(Occurrence.status).in_((CLAIMED, DELIVERED)))
    mine = col(Occurrence.key).startswith(prefix, autoescape=True)
    query = (select(Occurrence).where(Occurrence.person_id == person_id, mine, waiting)
             .order_by(col(Occurrence.due_at).desc(), col(Occurrence.id).desc()).limit(1))
    return (await session.exec(query)).first()


async def supersede_overdue(session: AsyncSession, now: datetime) -> int:
    """Catch-up after downtime: of the pending occurrences already due, only the
    latest of each person and cadence is kept; older ones become `missed`.

    "Later" counts any non-skipped occurrence of the same cadence that is due, so a
    row another process already claimed still supersedes the older ones.

    Shape of the statement (issue 17): the due pending rows come from the pending rows'
    due-time index, and for each of them "is there a later one?" is a scalar subquery
    with LIMIT 1 walking (person_id, kind, due_at) — PostgreSQL never turns a scalar
    subquery into a join, so it cannot pick the hashed sequential scan of every due
    row it chose for an EXISTS (it estimates a quarter of the table as due and
    pending: it cannot know that status and due time correlate). The chosen ids are
    locked in one array (`id = ANY(ARRAY(…))`), so the UPDATE then reads them by
    primary key. On PostgreSQL the statement runs without JIT: the same bad estimate
    makes it compile a statement that touches a handful of rows (~60 ms against
    ~1 ms at 100,000 rows).
    """
    later = OCCURRENCE.alias("later")
    newer = (select(later.c.id).where(
        later.c.person_id == OCCURRENCE.c.person_id,
        later.c.kind == OCCURRENCE.c.kind,
        later.c.due_at <= now,
        later.c.due_at > OCCURRENCE.c.due_at,
        later.c.status != SKIPPED,
    ).limit(1).scalar_subquery())
    # The rows are locked in id order first (PostgreSQL's FOR UPDATE; SQLite writes
    # one at a time anyway): two instances catching up at once would otherwise lock
    # the same rows in different orders and deadlock. A row another instance holds is
    # waited for, not skipped: skipping would let an older prompt escape superseding.
    chosen = (select(OCCURRENCE.c.id)
              .where(status_is(PENDING), OCCURRENCE.c.due_at <= now, newer.is_not(None))
              .order_by(OCCURRENCE.c.id).with_for_update())
    return await _mark_chosen(session, chosen, PENDING, "superseded")


async def _mark_chosen(session: AsyncSession, chosen: Any, status: str, reason: str) -> int:
    """`missed` with `reason` for the rows `chosen` selects (ids, locked in id order)
    that still have `status`. On PostgreSQL the ids go in one array (`id =
    ANY(ARRAY(…))`, read by primary key) and the statement runs without JIT (the
    planner's bad estimate of correlated status and due time makes it compile a
    statement that touches a handful of rows: ~60 ms against ~1 ms at 100,000)."""
    postgres = dialect_name(session) == "postgresql"
    which = (OCCURRENCE.c.id == any_(func.array(chosen.scalar_subquery())) if postgres
             else OCCURRENCE.c.id.in_(chosen.order_by(None).scalar_subquery()))  # SQLite: one writer, no lock order
    statement = (update(OCCURRENCE).where(which, OCCURRENCE.c.status == status)
                 .values(status=MISSED, reason=reason))
    if not postgres:
        return (await session.exec(statement)).rowcount or 0  # type: ignore[attr-defined]
    # SET LOCAL jit = off for this statement only (the previous value is put back;
    # if the statement fails, the transaction and the setting are rolled back anyway)
    jit = (await session.exec(select(func.current_setting("jit")))).one()
    await session.exec(select(func.set_config("jit", "off", True)))
    done = (await session.exec(statement)).rowcount or 0  # type: ignore[attr-defined]
    await session.exec(select(func.set_config("jit", jit, True)))
    return done


async def set_payload(session: AsyncSession, occurrence_id: int, payload: dict[str, Any]) -> None:
    await session.exec(update(OCCURRENCE).where(OCCURRENCE.c.id == occurrence_id).values(payload=payload))


async def supersede_delivered(session: AsyncSession, person_ids: Iterable[int] | None = None) -> int:
    """Delivered-but-unanswered prompts that a newer prompt of the same cadence has
    replaced count as missed: one open prompt per cadence at a time. For `person_ids`
    only (the people a dispatch just reached), or everyone.

    Shaped like `supersede_overdue`: the delivered rows come from the delivered rows'
    delivery-time index and "is there a newer one?" is a LIMIT 1 scalar subquery on
    (person, kind, due time). The EXISTS form it replaces became a nested loop over
    every delivered row after a big dispatch (100,000 delivered rows: over ten minutes
    on PostgreSQL, before statistics caught up)."""
    later = OCCURRENCE.alias("later")
    newer = (select(later.c.id).where(
        later.c.person_id == OCCURRENCE.c.person_id,
        later.c.kind == OCCURRENCE.c.kind,
        later.c.due_at > OCCURRENCE.c.due_at,
        later.c.status.in_((DELIVERED, ANSWERED)),
    ).limit(1).scalar_subquery())
    chosen = (select(OCCURRENCE.c.id).where(status_is(DELIVERED), newer.is_not(None))
              .order_by(OCCURRENCE.c.id).with_for_update())
    if person_ids is not None:
        ids = list(person_ids)
        if not ids:
            return 0
        chosen = chosen.where(among(session, OCCURRENCE.c.person_id, ids))
    return await _mark_chosen(session, chosen, DELIVERED, "unanswered")


async def open_prompt(session: AsyncSession, person_id: int, occurrence_id: int | None = None,
                      kind: str | None = None, snoozed: bool = False) -> Occurrence | None:
    """The prompt a "later", "skip" or "start" answers: the given one if it is still
    open, else the person's most recent delivered and unanswered prompt (of `kind`, if
    given; with `snoozed`, one put back for later counts as open too)."""
    open_now = col(Occurrence.status) == DELIVERED
    if snoozed:
        open_now = or_(open_now, and_(col(Occurrence.status) == PENDING,
                                      col(Occurrence.snoozed_until).is_not(None)))
    query = select(Occurrence).where(Occurrence.person_id == person_id, open_now)
    if occurrence_id is not None:
        query = query.where(Occurrence.id == occurrence_id)
    if kind is not None:
        query = query.where(Occurrence.kind == kind)
    # ties (prompts delivered in one tick) go to the latest due, then the newest row
    return (await session.exec(query.order_by(col(Occurrence.delivered_at).desc(), col(Occurrence.due_at).desc(),
                                              col(Occurrence.id).desc()).limit(1))).first()


async def in_flight(session: AsyncSession, person_id: int, occurrence_id: int | None = None,
                    kind: str | None = None) -> bool:
    """Whether a prompt of the person's (the given one; of `kind`, if given) is being
    sent: claimed, its send begun (`SENDING`), its delivery not yet
    recorded. A button on its card can be pressed in that moment (the platform shows
    the card before the dispatcher's group commit records it), so an answer waits for
    the record instead of saying nothing is open."""
    query = select(Occurrence.id).where(Occurrence.person_id == person_id, col(Occurrence.status) == CLAIMED,
                                        Occurrence.reason == SENDING)
    if occurrence_id is not None:
        query = query.where(Occurrence.id == occurrence_id)
    if kind is not None:
        query = query.where(Occurrence.kind == kind)
    return (await session.exec(query.limit(1))).first() is not None


async def snooze(session: AsyncSession, occurrence_id: int, until: datetime,
                 payload: dict[str, Any]) -> bool:
    """Put a delivered prompt back in the queue for `until`; it is delivered again then
    (a new Delivery purpose, so the first delivery's record stays). A prompt already
    snoozed and not yet back may be snoozed again (to another time)."""
    result = await session.exec(
        update(OCCURRENCE)
        .where(OCCURRENCE.c.id == occurrence_id,
               or_(OCCURRENCE.c.status == DELIVERED,
                   and_(OCCURRENCE.c.status == PENDING, OCCURRENCE.c.snoozed_until.is_not(None))))
        .values(status=PENDING, due_at=until, snoozed_until=until, claimed_by=None,
                claimed_at=None, lease_until=None, nudged_at=None, payload=payload)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def skip(session: AsyncSession, occurrence_id: int, reason: str) -> bool:
    result = await session.exec(
        update(OCCURRENCE)
        .where(OCCURRENCE.c.id == occurrence_id,
               OCCURRENCE.c.status.in_((PENDING, DELIVERED)))
        .values(status=SKIPPED, reason=reason)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_answered(session: AsyncSession, occurrence_id: int, now: datetime) -> bool:
    result = await session.exec(
        update(OCCURRENCE)
        .where(OCCURRENCE.c.id == occurrence_id, OCCURRENCE.c.status.in_((DELIVERED, PENDING)))
        .values(status=ANSWERED, answered_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def reopen(session: AsyncSession, occurrence_id: int, person_id: int) -> Occurrence | None:
    """Put back a prompt marked answered when its conversation began, now that the
    conversation was cancelled with nothing saved: `delivered` again (open: a typed
    `start` or `skip` answers it, the one nudge still comes if it has not, and it
    counts as missed later if nothing follows), or `pending` again when it had been
    snoozed and not yet delivered anew (it comes back at the snoozed time).
    `answered_at` is cleared; `nudged_at` is kept (a person is nudged at most once).
    Only `person_id`'s own prompt. Returns the reopened row, or None when it was not answered (a prompt already put
    back, or one a stored check-in answered early, `ANSWERED_EARLY`, is left alone)."""
    result = await session.exec(
        update(OCCURRENCE)
        .where(OCCURRENCE.c.id == occurrence_id, OCCURRENCE.c.person_id == person_id, status_is(ANSWERED),
               or_(OCCURRENCE.c.reason.is_(None), OCCURRENCE.c.reason != ANSWERED_EARLY))
        .values(status=case((and_(OCCURRENCE.c.snoozed_until.is_(None), OCCURRENCE.c.delivered_at.is_not(None)),
                             DELIVERED), else_=PENDING),
                answered_at=None)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    return await session.get(Occurrence, occurrence_id)


async def occurrences_between(session: AsyncSession, start: datetime, end: datetime,
                              person_ids: Iterable[int] | None = None) -> list[Occurrence]:
    """Stored occurrences due in [start, end), for the preview and the tests."""
    query = select(Occurrence).where(Occurrence.due_at >= start, Occurrence.due_at < end)
    if person_ids is not None:
        query = query.where(among(session, col(Occurrence.person_id), person_ids))
    return list((await session.exec(query.order_by(col(Occurrence.due_at)))).all())


async def by_keys(session: AsyncSession, keys: Iterable[str]) -> dict[str, Occurrence]:
    keys = list(keys)
    if not keys:
        return {}
    rows = (await session.exec(select(Occurrence).where(among(session, col(Occurrence.key), keys)))).all()
    return {row.key: row for row in rows}


async def status_counts(session: AsyncSession) -> dict[str, int]:
    rows = (await session.exec(select(OCCURRENCE.c.status, func.count()).group_by(OCCURRENCE.c.status))).all()
    return {status: count for status, count in rows}


async def next_prompt(
    session: AsyncSession, person_id: int, now: datetime, kinds: Sequence[str]
) -> Occurrence | None:
    """The person's next scheduled prompt of these kinds that is not yet over."""
    query = (
        select(Occurrence)
        .where(
            Occurrence.person_id == person_id,
            col(Occurrence.kind).in_(kinds),
            col(Occurrence.status).in_(("pending", "claimed")),
            col(Occurrence.due_at) >= now,
        )
        .order_by(Occurrence.due_at)
        .limit(1)
    )
    return (await session.exec(query)).first()


async def answer_early(session: AsyncSession, person_id: int, kind: str, now: datetime,
                       within: dict[str, timedelta], default: timedelta) -> Occurrence | None:
    """A check-in done before its prompt answers the prompt of the same cycle: the
    person's next pending prompt of `kind` due within `within[rhythm]` (half the
    interval of the rhythm it was planned with, `default` when unknown) is marked
    answered, with the reason, so it is never sent. Returns it, or None."""
    horizon = now + max([default, *within.values()])
    candidates = (await session.exec(
        select(Occurrence)
        .where(Occurrence.person_id == person_id, Occurrence.kind == kind, Occurrence.status == PENDING,
               Occurrence.due_at > now, Occurrence.due_at <= horizon)
        .order_by(col(Occurrence.due_at)).limit(1)
    )).first()
    if candidates is None:
        return None
    window = within.get(str((candidates.payload or {}).get("every")), default)
    if candidates.due_at > now + window:
        return None
    result = await session.exec(
        update(OCCURRENCE).where(OCCURRENCE.c.id == candidates.id, OCCURRENCE.c.status == PENDING)
        .values(status=ANSWERED, answered_at=now, reason=ANSWERED_EARLY)
    )
    return candidates if result.rowcount else None  # type: ignore[attr-defined]


async def unreported_failures(session: AsyncSession, since: datetime) -> list[Occurrence]:
    """Failed prompts claimed since `since` that no admin summary listed yet."""
    rows = (await session.exec(
        select(Occurrence).where(status_is(FAILED), col(Occurrence.claimed_at) >= since)
        .order_by(col(Occurrence.org_id), col(Occurrence.claimed_at))
    )).all()
    return [row for row in rows if not (row.payload or {}).get("alerted")]


async def mark_reported(session: AsyncSession, rows: Sequence[Occurrence]) -> None:
    """Remember that these failures were in an admin summary (`payload.alerted`)."""
    for row in rows:
        await session.exec(update(OCCURRENCE).where(OCCURRENCE.c.id == row.id)
                           .values(payload={**(row.payload or {}), "alerted": True}))
