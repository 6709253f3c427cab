"""What one-on-one briefs read, for many reps at once: one query per kind of
figure, whatever the number of briefs (no query per rep, none per action item), so
a Monday of a thousand briefs costs a dozen queries per batch. Plain columns, not
ORM objects, where the brief only needs values.

Every function takes the reps' ids and the widest window any of the briefs needs;
the caller (`bot.features.brief_data`) cuts each rep's own window from the rows.
Instants are aware UTC; days are the rep's local calendar days as stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Account,
    CheckIn,
    CheckInAnswer,
    Commitment,
    DiscoveryNote,
    KeyResult,
    LeadMeasure,
    LeadMeasureEntry,
    Meeting,
    Objective,
    Person,
    SalaryTalk,
)

SKIPPED = "skipped"


def _group(rows: Sequence[Any]) -> dict[int, list[Any]]:
    """First column (a person id) -> the rest of each row, in query order."""
    found: dict[int, list[Any]] = {}
    for row in rows:
        found.setdefault(int(row[0]), []).append(tuple(row[1:]))
    return found


async def last_meetings(session: AsyncSession, before: dict[int, datetime], since: datetime) -> dict[int, datetime]:
    """rep id -> the start of their latest one-on-one (not skipped) that began in
    [since, before[rep])."""
    if not before:
        return {}
    query = (select(Meeting.rep_id, Meeting.starts_at)
             .where(col(Meeting.rep_id).in_(list(before)), Meeting.status != SKIPPED,
                    Meeting.starts_at >= since, Meeting.starts_at < max(before.values()))
             .order_by(col(Meeting.starts_at)))
    found: dict[int, datetime] = {}
    for rep_id, starts_at in (await session.exec(query)).all():
        if starts_at < before[rep_id]:
            found[rep_id] = starts_at
    return found


async def key_results(session: AsyncSession, rep_ids: Sequence[int]) -> dict[int, list[tuple[Objective, KeyResult]]]:
    """rep id -> (objective, key result) of their active objectives, in priority order."""
    query = (select(Objective, KeyResult).join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
             .where(col(Objective.owner_id).in_(list(rep_ids)), Objective.status == "active")
             .order_by(col(Objective.priority).asc().nulls_last(), col(Objective.id), col(KeyResult.id)))
    found: dict[int, list[tuple[Objective, KeyResult]]] = {}
    for objective, kr in (await session.exec(query)).all():
        found.setdefault(objective.owner_id, []).append((objective, kr))
    return found


async def key_result_answers(session: AsyncSession, rep_ids: Sequence[int],
                             since: datetime) -> dict[int, list[tuple[float | None, str | None, datetime]]]:
    """key result id -> (value, confidence, when) of each check-in answer since
    `since`, oldest first, for the reps' active objectives."""
    query = (select(CheckInAnswer.key_result_id, CheckInAnswer.value, CheckInAnswer.confidence,
                    CheckInAnswer.answered_at)
             .join(KeyResult, col(KeyResult.id) == col(CheckInAnswer.key_result_id))
             .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
             .where(col(Objective.owner_id).in_(list(rep_ids)), Objective.status == "active",
                    CheckInAnswer.answered_at >= since)
             .order_by(col(CheckInAnswer.answered_at), col(CheckInAnswer.id)))
    return _group((await session.exec(query)).all())


async def commitments(session: AsyncSession, rep_ids: Sequence[int], first: date,
                      last: date) -> dict[int, list[tuple[date, bool | None]]]:
    """rep id -> (week, kept) of each WIG commitment of the weeks [first, last]."""
    query = select(Commitment.person_id, Commitment.week_start, Commitment.kept).where(
        col(Commitment.person_id).in_(list(rep_ids)), Commitment.week_start >= first, Commitment.week_start <= last)
    return _group((await session.exec(query)).all())


async def measure_weeks(session: AsyncSession, rep_ids: Sequence[int],
                        first: date) -> dict[int, list[tuple[str, float, str, date, float]]]:
    """rep id -> (lead measure, weekly target, unit, week, value) since week `first`."""
    query = (select(LeadMeasureEntry.person_id, LeadMeasure.title, LeadMeasure.weekly_target, LeadMeasure.unit,
                    LeadMeasureEntry.week_start, LeadMeasureEntry.value)
             .join(LeadMeasure, col(LeadMeasure.id) == col(LeadMeasureEntry.lead_measure_id))
             .where(col(LeadMeasureEntry.person_id).in_(list(rep_ids)), LeadMeasureEntry.week_start >= first))
    return _group((await session.exec(query)).all())


async def checkins(session: AsyncSession, rep_ids: Sequence[int],
                   since: datetime) -> dict[int, list[tuple[datetime, str | None, str | None, str | None,
                                                            datetime | None]]]:
    """rep id -> (started, blockers, what they'd change, their answer to "did you
    make last time's change?" — yes / partly / no, None when not answered, completed:
    None while open) of each OKR check-in started since `since`, oldest first."""
    did = and_(col(CheckInAnswer.checkin_id) == col(CheckIn.id), CheckInAnswer.question == "did_change")
    query = (select(CheckIn.person_id, CheckIn.started_at, CheckIn.blockers, CheckIn.change_next,
                    CheckInAnswer.text, CheckIn.completed_at)
             .outerjoin(CheckInAnswer, did)
             .where(col(CheckIn.person_id).in_(list(rep_ids)), CheckIn.kind == "okr_checkin",
                    CheckIn.started_at >= since)
             .order_by(col(CheckIn.started_at), col(CheckIn.id)))
    return _group((await session.exec(query)).all())


async def unprompted(session: AsyncSession, rep_ids: Sequence[int],
                     since: datetime, until: datetime) -> dict[int, list[tuple[str]]]:
    """rep id -> (kind: "okr_checkin" or "wig",) of each check-in or WIG session the
    rep completed in [since, until] without a prompt (`/okr checkin`, `/okr wig
    start` with none open), oldest first."""
    query = (select(CheckIn.person_id, CheckIn.kind)
             .where(col(CheckIn.person_id).in_(list(rep_ids)), col(CheckIn.occurrence_id).is_(None),
                    col(CheckIn.completed_at) >= since, col(CheckIn.completed_at) <= until)
             .order_by(col(CheckIn.completed_at), col(CheckIn.id)))
    return _group((await session.exec(query)).all())


async def discovery(session: AsyncSession, rep_ids: Sequence[int],
                    since: datetime) -> dict[int, list[tuple[str, datetime]]]:
    """rep id -> (account, when) of each discovery note they wrote since `since`."""
    query = (select(DiscoveryNote.author_id, Account.name, DiscoveryNote.recorded_at)
             .join(Account, col(Account.id) == col(DiscoveryNote.account_id))
             .where(col(DiscoveryNote.author_id).in_(list(rep_ids)), DiscoveryNote.recorded_at >= since)
             .order_by(col(DiscoveryNote.recorded_at)))
    return _group((await session.exec(query)).all())


async def salary_follow_ups(session: AsyncSession, pairs: Sequence[tuple[int, int]],
                            by: date) -> dict[int, list[tuple[int, date]]]:
    """rep id -> (manager id, follow-up day) of salary talks due by `by`, for these
    (manager, rep) pairs only."""
    wanted = set(pairs)
    query = select(SalaryTalk.rep_id, SalaryTalk.manager_id, SalaryTalk.follow_up_on).where(
        col(SalaryTalk.rep_id).in_([r for _, r in wanted]),
        col(SalaryTalk.follow_up_on).is_not(None), col(SalaryTalk.follow_up_on) <= by)
    rows = [row for row in (await session.exec(query)).all() if (row[1], row[0]) in wanted]
    return _group(rows)


async def names(session: AsyncSession, person_ids: set[int]) -> dict[int, str]:
    """person id -> name."""
    if not person_ids:
        return {}
    query = select(Person.id, Person.name).where(col(Person.id).in_(list(person_ids)))
    return {int(i): n for i, n in (await session.exec(query)).all()}  # type: ignore[arg-type]
