"""Named queries for 4DX: wildly important goals, lead measures, weekly numbers and
commitments, and the team scorecard built from them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import utcnow
from storage.models import Commitment, LeadMeasure, LeadMeasureEntry, Person, Wig

MAX_WIGS = 2  # seed 003 (4DX): no more than two wildly important goals at once


async def active_wigs(session: AsyncSession, manager_id: int) -> list[Wig]:
    query = select(Wig).where(Wig.manager_id == manager_id, col(Wig.active).is_(True))
    return list((await session.exec(query.order_by(col(Wig.id)))).all())


async def add_wig(session: AsyncSession, org_id: int, manager_id: int, title: str, from_value: float,
                  to_value: float, unit: str, by_date: date, started_on: date | None = None) -> Wig | None:
    """A new WIG for the manager's team, its straight line to the target starting on
    `started_on` (the manager's local day); None when the team already has two."""
    if len(await active_wigs(session, manager_id)) >= MAX_WIGS:
        return None
    wig = Wig(org_id=org_id, manager_id=manager_id, title=title[:500], from_value=from_value,
              to_value=to_value, unit=unit[:32], by_date=by_date, started_on=started_on)
    session.add(wig)
    await session.flush()
    return wig


async def close_wig(session: AsyncSession, wig_id: int, manager_id: int) -> bool:
    wig = await session.get(Wig, wig_id)
    if wig is None or wig.manager_id != manager_id or not wig.active:
        return False
    wig.active = False
    session.add(wig)
    await session.flush()
    return True


async def add_measure(session: AsyncSession, wig_id: int, title: str, weekly_target: float, unit: str,
                      owner_id: int | None = None, source: str | None = None) -> LeadMeasure:
    """A lead measure with its weekly target; `owner_id` makes it a rep's personal one;
    `source` names the feature reading that reads its number (a read measure)."""
    measure = LeadMeasure(wig_id=wig_id, owner_id=owner_id, title=title[:300],
                          weekly_target=weekly_target, unit=unit[:32], source=source)
    session.add(measure)
    await session.flush()
    return measure


async def measures(session: AsyncSession, wig_ids: Sequence[int], person_id: int | None = None,
                   include_personal: bool = False) -> list[LeadMeasure]:
    """The team's lead measures of these WIGs, plus `person_id`'s personal ones (or
    everyone's with `include_personal`, for the scorecard)."""
    if not wig_ids:
        return []
    query = select(LeadMeasure).where(col(LeadMeasure.wig_id).in_(list(wig_ids)),
                                      col(LeadMeasure.active).is_(True))
    rows = (await session.exec(query.order_by(col(LeadMeasure.wig_id), col(LeadMeasure.id)))).all()
    return [m for m in rows
            if m.owner_id is None or include_personal or (person_id is not None and m.owner_id == person_id)]


async def commitments(session: AsyncSession, person_id: int, week_start: date) -> list[Commitment]:
    query = select(Commitment).where(Commitment.person_id == person_id, Commitment.week_start == week_start)
    return list((await session.exec(query.order_by(col(Commitment.id)))).all())


async def save_session(
    session: AsyncSession, person_id: int, report_week: date, commit_week: date,
    kept: Sequence[tuple[int, bool, str | None]], numbers: Sequence[tuple[int, float]],
    new_commitments: Sequence[str], wig_id: int | None,
) -> None:
    """Store one WIG session: which commitments were kept (and why not), the week's
    lead-measure numbers (a repeat replaces the number), and the new commitments."""
    for commitment_id, was_kept, reason in kept:
        commitment = await session.get(Commitment, commitment_id)
        if commitment is not None and commitment.person_id == person_id:
            commitment.kept = was_kept
            commitment.reason = (reason or None) and reason[:500]  # type: ignore[assignment]
            session.add(commitment)
    for measure_id, value in numbers:
        query = select(LeadMeasureEntry).where(
            LeadMeasureEntry.lead_measure_id == measure_id, LeadMeasureEntry.person_id == person_id,
            LeadMeasureEntry.week_start == report_week)
        entry = (await session.exec(query)).first()
        if entry is None:
            entry = LeadMeasureEntry(lead_measure_id=measure_id, person_id=person_id,
                                     week_start=report_week, value=value)
        entry.value, entry.recorded_at = value, utcnow()
        session.add(entry)
    for old in await commitments(session, person_id, commit_week):
        await session.delete(old)  # a second session in the same week replaces the plan
    for text in new_commitments:
        session.add(Commitment(person_id=person_id, wig_id=wig_id, text=text[:500], week_start=commit_week))
    await session.flush()


@dataclass
class ScoreRow:
    """One person's line on the scorecard for one week."""

    person_id: int
    name: str
    numbers: dict[int, float] = field(default_factory=dict)  # lead measure id -> value
    kept: int = 0
    committed: int = 0


async def scorecard(
    session: AsyncSession, manager_id: int, week_start: date
) -> tuple[list[Wig], list[LeadMeasure], list[ScoreRow]]:
    """The team's WIGs, lead measures and each rep's numbers and kept commitments."""
    wigs = await active_wigs(session, manager_id)
    found = await measures(session, [w.id for w in wigs], include_personal=True)  # type: ignore[misc]
    team = (await session.exec(select(Person).where(Person.manager_id == manager_id, col(Person.active).is_(True))
                               .order_by(col(Person.name)))).all()
    rows = {p.id: ScoreRow(p.id, p.name) for p in team}  # type: ignore[misc]
    if rows and found:
        entries = (await session.exec(select(LeadMeasureEntry).where(
            col(LeadMeasureEntry.person_id).in_(list(rows)),
            col(LeadMeasureEntry.lead_measure_id).in_([m.id for m in found]),
            LeadMeasureEntry.week_start == week_start))).all()
        for entry in entries:
            rows[entry.person_id].numbers[entry.lead_measure_id] = entry.value
    if rows:
        for commitment in (await session.exec(select(Commitment).where(
                col(Commitment.person_id).in_(list(rows)), Commitment.week_start == week_start))).all():
            rows[commitment.person_id].committed += 1
            rows[commitment.person_id].kept += 1 if commitment.kept else 0
    return wigs, found, list(rows.values())


async def open_commitments(session: AsyncSession, person_id: int) -> Sequence[Commitment]:
    """Commitments not yet marked kept or missed, oldest week first."""
    query = (
        select(Commitment)
        .where(Commitment.person_id == person_id, col(Commitment.kept).is_(None))
        .order_by(Commitment.week_start, Commitment.id)
    )
    return (await session.exec(query)).all()
