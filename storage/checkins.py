"""Named queries for the OKR check-in: a person's key results to ask about, and the
stored check-in with its answers (which also moves each key result forward)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import utcnow
from storage.models import CONFIDENCES, CheckIn, CheckInAnswer, KeyResult, Objective


@dataclass(frozen=True)
class KeyResultUpdate:
    """A check-in answer for one key result: its new value and the rep's confidence."""

    key_result_id: int
    value: float | None
    confidence: str | None


async def key_results(session: AsyncSession, person_id: int) -> list[tuple[Objective, KeyResult]]:
    """The person's active key results with their objectives, most important first."""
    query = (
        select(Objective, KeyResult)
        .join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
        .where(Objective.owner_id == person_id, Objective.status == "active")
        .order_by(col(Objective.period).desc(), col(Objective.priority).asc().nulls_last(),
                  col(Objective.id), col(KeyResult.id))
    )
    return [(objective, kr) for objective, kr in (await session.exec(query)).all()]


async def record_checkin(
    session: AsyncSession, org_id: int, person_id: int, occurrence_id: int | None,
    updates: Sequence[KeyResultUpdate], blockers: str | None, change_next: str | None,
    did_change: str | None = None, started_at: datetime | None = None,
) -> CheckIn:
    """Store a completed check-in and move each answered key result to its new value
    and confidence (only the person's own key results are touched). `did_change` is
    the answer ("yes", "partly", "no") to whether last time's change was made.
    `started_at` is when the check-in conversation began (aware, UTC; now when
    unknown, and never later than now); `completed_at` is now, when it ended.

    Stored once per conversation: the conversation is closed only after this returns,
    so a process killed in between asks its last question again on restart, and the
    second ending finds the check-in its `started_at` already stored and returns it
    unchanged (a kill -9 20–40 ms after the last answer stored two)."""
    now = utcnow()
    if (stored := await _stored(session, person_id, "okr_checkin", started_at, now)) is not None:
        return stored  # the same conversation's end, run again after a crash
    checkin = CheckIn(org_id=org_id, person_id=person_id, kind="okr_checkin", occurrence_id=occurrence_id,
                      blockers=blockers, change_next=change_next, started_at=_began(started_at, now),
                      completed_at=now)
    session.add(checkin)
    await session.flush()
    if did_change:
        session.add(CheckInAnswer(checkin_id=checkin.id, question="did_change",  # type: ignore[arg-type]
                                  text=did_change, answered_at=now))
    owned = {kr.id: kr for _, kr in await key_results(session, person_id)}
    for update in updates:
        kr = owned.get(update.key_result_id)
        if kr is None:
            continue
        confidence = update.confidence if update.confidence in CONFIDENCES else None
        session.add(CheckInAnswer(checkin_id=checkin.id, key_result_id=kr.id, question="key_result",  # type: ignore[arg-type]
                                  value=update.value, confidence=confidence, answered_at=now))
        if update.value is not None:
            kr.current_value, kr.unread = update.value, False
        if confidence is not None:
            kr.confidence = confidence
        kr.updated_at = now
        session.add(kr)
    await session.flush()
    return checkin


async def answered(session: AsyncSession, checkin_id: int) -> set[int]:
    """The key results a stored check-in holds an answer for (ids): what
    `record_checkin` actually kept, to tell it apart from answers it skipped because
    their key result was no longer active (a plan made again meanwhile)."""
    query = select(CheckInAnswer.key_result_id).where(CheckInAnswer.checkin_id == checkin_id,
                                                      col(CheckInAnswer.key_result_id).is_not(None))
    return {int(kr_id) for kr_id in (await session.exec(query)).all() if kr_id is not None}


async def read_at_a_checkin(session: AsyncSession, kr_ids: Sequence[int]) -> set[int]:
    """The key results (ids, of `kr_ids`) a check-in ever gave a figure: the others'
    next figure is their first reading (no "last time" to compare with)."""
    if not kr_ids:
        return set()
    query = (select(CheckInAnswer.key_result_id).distinct()
             .where(col(CheckInAnswer.key_result_id).in_(list(kr_ids)), col(CheckInAnswer.value).is_not(None)))
    return {int(kr_id) for kr_id in (await session.exec(query)).all() if kr_id is not None}


async def last_checkin(session: AsyncSession, person_id: int) -> CheckIn | None:
    """The person's latest completed OKR check-in (what they said they would change)."""
    query = (select(CheckIn)
             .where(CheckIn.person_id == person_id, CheckIn.kind == "okr_checkin",
                    col(CheckIn.completed_at).is_not(None))
             .order_by(col(CheckIn.completed_at).desc(), col(CheckIn.id).desc()))
    return (await session.exec(query)).first()


async def record_wig_checkin(session: AsyncSession, org_id: int, person_id: int,
                             occurrence_id: int | None, started_at: datetime | None = None) -> CheckIn:
    """The WIG session as a check-in row too, so accountability stats see it: begun
    at `started_at` (when the session's conversation opened), completed now; once per
    conversation, as `record_checkin`."""
    now = utcnow()
    if (stored := await _stored(session, person_id, "wig", started_at, now)) is not None:
        return stored
    checkin = CheckIn(org_id=org_id, person_id=person_id, kind="wig", occurrence_id=occurrence_id,
                      started_at=_began(started_at, now), completed_at=now)
    session.add(checkin)
    await session.flush()
    return checkin


async def _stored(session: AsyncSession, person_id: int, kind: str, started_at: datetime | None,
                  now: datetime) -> CheckIn | None:
    """The person's check-in of `kind` begun exactly at `started_at` (one conversation's
    start), if one is stored; None when there is none or the start is not known."""
    if started_at is None or started_at.tzinfo is None or started_at > now:
        return None
    return (await session.exec(select(CheckIn).where(
        CheckIn.person_id == person_id, CheckIn.kind == kind, CheckIn.started_at == started_at))).first()


def _began(started_at: datetime | None, now: datetime) -> datetime:
    """When a check-in began: `started_at` when known and aware, else `now`; a start
    after `now` (a clock step back) is `now`, so a row never ends before it began."""
    if started_at is None or started_at.tzinfo is None:
        return now
    return min(started_at, now)
