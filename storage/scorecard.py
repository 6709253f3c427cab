"""Named queries for the team scorecard (4DX's third discipline): the lag measure's
weekly readings, per-rep lead-measure targets, the weeks of numbers the scorecard
shows, and where and when it is posted (with the week's post claimed once)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import among, upsert, utcnow
from storage.models import (
    Commitment,
    LeadMeasure,
    LeadMeasureEntry,
    LeadTarget,
    Person,
    ScorecardChannel,
    ScorecardPost,
    WigReading,
)
from storage.wig import active_wigs, measures


async def record_reading(session: AsyncSession, wig_id: int, week_start: date, value: float,
                         recorded_by: int | None) -> WigReading:
    """The lag measure's value for a week (ISO Monday); a second one that week replaces it."""
    reading = (await session.exec(select(WigReading).where(
        WigReading.wig_id == wig_id, WigReading.week_start == week_start))).first()
    if reading is None:
        reading = WigReading(wig_id=wig_id, week_start=week_start, value=value)
    reading.value, reading.recorded_by, reading.recorded_at = value, recorded_by, utcnow()
    session.add(reading)
    await session.flush()
    return reading


async def readings(session: AsyncSession, wig_ids: Sequence[int]) -> dict[int, list[WigReading]]:
    """Every reading of these WIGs, oldest week first."""
    out: dict[int, list[WigReading]] = {w: [] for w in wig_ids}
    if wig_ids:
        for reading in (await session.exec(select(WigReading).where(col(WigReading.wig_id).in_(list(wig_ids)))
                                           .order_by(col(WigReading.week_start)))).all():
            out[reading.wig_id].append(reading)
    return out


async def set_target(session: AsyncSession, measure_id: int, person_id: int, weekly_target: float | None) -> None:
    """A rep's own weekly target for a team lead measure; None goes back to the team's."""
    await session.exec(delete(LeadTarget).where(  # type: ignore[call-overload]
        col(LeadTarget.lead_measure_id) == measure_id, col(LeadTarget.person_id) == person_id))
    if weekly_target is not None:
        session.add(LeadTarget(lead_measure_id=measure_id, person_id=person_id, weekly_target=weekly_target))
    await session.flush()


@dataclass
class TeamWeeks:
    """What the scorecard draws for one team: WIGs with readings, lead measures with
    each rep's targets, each rep's numbers per measure per week, and commitments."""

    wigs: list = field(default_factory=list)
    readings: dict[int, list[WigReading]] = field(default_factory=dict)
    measures: list[LeadMeasure] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    targets: dict[tuple[int, int], float] = field(default_factory=dict)  # (measure, person) -> target
    numbers: dict[tuple[int, int, date], float] = field(default_factory=dict)  # (measure, person, week)
    kept: dict[int, tuple[int, int]] = field(default_factory=dict)  # person -> (kept, made)
    weeks: list[date] = field(default_factory=list)  # oldest first, the last is the scored week

    def target(self, measure: LeadMeasure, person_id: int) -> float | None:
        """The weekly target that applies to a person, None where the measure is not theirs."""
        if measure.owner_id is not None and measure.owner_id != person_id:
            return None
        return self.targets.get((measure.id, person_id), measure.weekly_target)  # type: ignore[arg-type]


async def team_weeks(session: AsyncSession, manager_id: int, week_start: date, weeks: int = 4) -> TeamWeeks:
    """The scorecard's data for `manager_id`'s active direct reports: the last `weeks`
    ISO weeks ending with `week_start`, in five queries whatever the team's size."""
    out = TeamWeeks(weeks=[week_start - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)])
    out.wigs = await active_wigs(session, manager_id)
    wig_ids = [w.id for w in out.wigs]
    out.readings = await readings(session, wig_ids)  # type: ignore[arg-type]
    # typed numbers only: a read measure (overdue leads) has no weekly entries to total
    out.measures = [m for m in await measures(session, wig_ids, include_personal=True) if m.source is None]  # type: ignore[arg-type]
    out.people = list((await session.exec(select(Person).where(
        Person.manager_id == manager_id, col(Person.active).is_(True)).order_by(col(Person.name)))).all())
    ids = [p.id for p in out.people]
    measure_ids = [m.id for m in out.measures]
    if ids and measure_ids:
        for t in (await session.exec(select(LeadTarget).where(col(LeadTarget.lead_measure_id).in_(measure_ids),
                                                              among(session, col(LeadTarget.person_id), ids)))).all():
            out.targets[(t.lead_measure_id, t.person_id)] = t.weekly_target
        for e in (await session.exec(select(LeadMeasureEntry).where(
                col(LeadMeasureEntry.lead_measure_id).in_(measure_ids),
                among(session, col(LeadMeasureEntry.person_id), ids),
                col(LeadMeasureEntry.week_start) >= out.weeks[0],
                col(LeadMeasureEntry.week_start) <= week_start))).all():
            out.numbers[(e.lead_measure_id, e.person_id, e.week_start)] = e.value
    if ids:
        for c in (await session.exec(select(Commitment).where(
                among(session, col(Commitment.person_id), ids), Commitment.week_start == week_start))).all():
            kept, made = out.kept.get(c.person_id, (0, 0))
            out.kept[c.person_id] = (kept + (1 if c.kept else 0), made + 1)
    return out


async def connect_channel(session: AsyncSession, org_id: int, manager_id: int, platform: str,
                          channel_ref: str, tenant: str | None) -> ScorecardChannel:
    """Where the manager's scorecard goes from now on (one channel per team)."""
    found = (await session.exec(select(ScorecardChannel).where(ScorecardChannel.manager_id == manager_id))).first()
    if found is None:
        found = ScorecardChannel(org_id=org_id, manager_id=manager_id, platform=platform, channel_ref=channel_ref)
    found.platform, found.channel_ref, found.tenant = platform, channel_ref, tenant
    session.add(found)
    await session.flush()
    return found


async def schedule_channel(session: AsyncSession, manager_id: int, weekday: int,
                           local_time: str) -> ScorecardChannel | None:
    """When the team's post goes out (ISO weekday, "HH:MM" local); None without a channel."""
    found = await channel_of(session, manager_id)
    if found is not None:
        found.weekday, found.local_time = weekday, local_time
        session.add(found)
        await session.flush()
    return found


async def channel_of(session: AsyncSession, manager_id: int) -> ScorecardChannel | None:
    return (await session.exec(select(ScorecardChannel).where(ScorecardChannel.manager_id == manager_id))).first()


async def channels(session: AsyncSession) -> list[ScorecardChannel]:
    return list((await session.exec(select(ScorecardChannel).order_by(col(ScorecardChannel.id)))).all())


async def claim_post(session: AsyncSession, connected: ScorecardChannel, week_start: date) -> int | None:
    """Claim the week's post for the team: the new post's id, or None when it was
    already claimed (by this or another process). One INSERT … ON CONFLICT DO NOTHING
    on the unique (manager, week), as events are claimed, so racing processes agree."""
    table = ScorecardPost.__table__  # type: ignore[attr-defined]
    statement = (
        upsert(session, table)
        .values(manager_id=connected.manager_id, week_start=week_start, platform=connected.platform,
                channel_ref=connected.channel_ref, claimed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["manager_id", "week_start"])
        .returning(table.c.id)
    )
    row = (await (await session.connection()).execute(statement)).first()
    return int(row[0]) if row is not None else None


async def record_thread(session: AsyncSession, post_id: int, thread_ref: str | None) -> None:
    post = await session.get(ScorecardPost, post_id)
    if post is not None:
        post.thread_ref = thread_ref
        session.add(post)
        await session.flush()


async def release_post(session: AsyncSession, post_id: int) -> None:
    """Give a claim back when the platform refused the post, so the next tick retries."""
    post = await session.get(ScorecardPost, post_id)
    if post is not None:
        await session.delete(post)
        await session.flush()


async def week_post(session: AsyncSession, manager_id: int, week_start: date) -> ScorecardPost | None:
    """The week's posted scorecard (with its thread), if it went out."""
    return (await session.exec(select(ScorecardPost).where(
        ScorecardPost.manager_id == manager_id, ScorecardPost.week_start == week_start,
        col(ScorecardPost.thread_ref).is_not(None)))).first()


async def latest_post(session: AsyncSession, manager_id: int) -> ScorecardPost | None:
    """The team's most recent scorecard post that went out (the thread comments join)."""
    return (await session.exec(select(ScorecardPost).where(
        ScorecardPost.manager_id == manager_id, col(ScorecardPost.thread_ref).is_not(None))
        .order_by(col(ScorecardPost.week_start).desc()))).first()
