"""Named queries for objectives and key results."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import among, utcnow
from storage.models import (
    CONFIDENCES,
    KR_KINDS,
    UNRATED,
    CadenceRule,
    CheckIn,
    CheckInAnswer,
    Commitment,
    KeyResult,
    Objective,
    Occurrence,
)


@dataclass(frozen=True)
class ObjectiveWithResults:
    objective: Objective
    key_results: list[KeyResult]


def _due(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value)
    return None


def same_measure(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two key results (dicts with `title`, `unit`, `kind`) count the same
    thing, in an old plan and the new one: the same kind and unit, and the same words
    once numbers are left out ("Close 12 new logos by end of Q2" and "Close 15 new
    logos by end of Q2"; "Keep 95% of my customers in 2027" and "… 90% …"). Case,
    punctuation and spacing do not count. Used to carry a key result's reading into a
    plan made again, and a check-in's answers to it."""
    def words(title: Any) -> tuple[str, ...]:
        return tuple(re.findall(r"[^\W\d_]+", str(title or "").casefold()))

    return (str(a.get("kind") or "total") == str(b.get("kind") or "total")
            and str(a.get("unit") or "").casefold() == str(b.get("unit") or "").casefold()
            and bool(words(a.get("title"))) and words(a.get("title")) == words(b.get("title")))


def average_progress(key_results: Iterable[Any], weighted: bool = True) -> float | None:
    """The (weighted) mean of `KeyResult.progress` over the key results that have a
    reading (`KeyResult.reading`): one with no reading yet is neither held nor missed,
    so it counts in no average until its first reading. None when none has one."""
    read = [kr for kr in key_results if kr.reading is not None]
    weight = sum((kr.weight if weighted else 1.0) for kr in read)
    if not read or not weight:
        return None
    return sum(kr.progress * (kr.weight if weighted else 1.0) for kr in read) / weight


async def replace_period(session: AsyncSession, owner_id: int, period: str) -> list[KeyResult]:
    """Retire a person's active objectives for a period (goal setting was done again);
    they stay in the database with status "replaced" for history. Returns the retired
    objectives' key results (oldest first), whose readings a new plan may carry."""
    query = select(Objective).where(Objective.owner_id == owner_id, Objective.period == period,
                                    Objective.status == "active")
    retired = list((await session.exec(query)).all())
    for objective in retired:
        objective.status = "replaced"
        session.add(objective)
    await session.flush()
    if not retired:
        return []
    return list((await session.exec(select(KeyResult).where(
        col(KeyResult.objective_id).in_([o.id for o in retired])).order_by(col(KeyResult.id)))).all())


async def create_objective(
    session: AsyncSession, org_id: int, owner_id: int, title: str, period: str,
    priority: int | None, key_results: Iterable[dict[str, Any]],
) -> ObjectiveWithResults:
    """An objective and its key results. Each key result dict has `title`, `target`,
    and optionally `start`, `current` (defaults to the start), `unit`, `due` (ISO
    date), `weight`, `kind` (one of KR_KINDS, default "total"), `per` (a rate's
    period: "week" or "month") and `confidence` (one of CONFIDENCES, default
    unrated: carried from a plan made again). A floor or a ceiling without a
    `current` has no reading yet (`KeyResult.unread`); so has a rate without a
    `current` or a `start` ("book 6 first meetings a week": nothing measured yet; "from
    4 to 6 a week" reads 4). A
    quota starts at zero with business already booked as its current value, so what
    is booked counts as attained."""
    objective = Objective(org_id=org_id, owner_id=owner_id, title=title[:500], period=period,
                          priority=priority)
    session.add(objective)
    await session.flush()
    stored: list[KeyResult] = []
    for item in key_results:
        start = float(item.get("start") or 0.0)
        kind = item.get("kind") if item.get("kind") in KR_KINDS else "total"
        current = item.get("current")
        # a level (floor or ceiling) planned without a figure has no reading yet, nor has a
        # rate with no figure at all ("0 a week lately" would read as none done); anything
        # else reads its start
        unread = current is None and (kind in ("floor", "ceiling")
                                      or (kind == "rate" and item.get("start") is None))
        kr = KeyResult(
            objective_id=objective.id,  # type: ignore[arg-type]
            title=str(item["title"])[:500],
            start_value=start,
            current_value=start if current is None else float(current),
            kind=kind,
            per=(str(item["per"])[:16] if kind == "rate" and item.get("per") else None),
            target_value=float(item["target"]),
            unit=str(item.get("unit") or "")[:32],
            weight=float(item.get("weight") or 1.0),
            due_on=_due(item.get("due")),
            confidence=item["confidence"] if item.get("confidence") in CONFIDENCES else UNRATED,
            updated_at=utcnow(),
            unread=unread,
        )
        session.add(kr)
        stored.append(kr)
    await session.flush()
    return ObjectiveWithResults(objective, stored)


async def objectives_for(session: AsyncSession, owner_ids: Sequence[int],
                         status: str = "active") -> dict[int, list[ObjectiveWithResults]]:
    """Each owner's objectives (by priority, then age) with their key results."""
    if not owner_ids:
        return {}
    objectives = (await session.exec(
        select(Objective)
        .where(col(Objective.owner_id).in_(list(owner_ids)), Objective.status == status)
        .order_by(col(Objective.period).desc(), col(Objective.priority).asc().nulls_last(),
                  col(Objective.id))
    )).all()
    ids = [o.id for o in objectives]
    results: dict[int, list[KeyResult]] = {}
    if ids:
        for kr in (await session.exec(
                select(KeyResult).where(among(session, col(KeyResult.objective_id), ids))
                .order_by(col(KeyResult.id)))).all():
            results.setdefault(kr.objective_id, []).append(kr)
    out: dict[int, list[ObjectiveWithResults]] = {owner: [] for owner in owner_ids}
    for objective in objectives:
        out[objective.owner_id].append(
            ObjectiveWithResults(objective, results.get(objective.id, [])))  # type: ignore[arg-type]
    return out


async def set_person_cadence(session: AsyncSession, org_id: int, person_id: int, kind: str,
                             rrule: str, local_time: str, anchor_on: date | None) -> CadenceRule:
    """The person's own rule for a cadence (the review rhythm agreed in goal setting):
    updated in place when there is one, so choosing again never stacks rules."""
    rule = (await session.exec(
        select(CadenceRule).where(CadenceRule.person_id == person_id, CadenceRule.kind == kind)
        .order_by(col(CadenceRule.id))
    )).first()
    if rule is None:
        rule = CadenceRule(org_id=org_id, kind=kind, person_id=person_id, rrule=rrule)
    rule.rrule, rule.local_time, rule.anchor_on, rule.enabled = rrule, local_time, anchor_on, True
    session.add(rule)
    await session.flush()
    return rule


@dataclass
class TeamSignals:
    """What says a rep needs attention first on `/okr team`: the last OKR check-in
    (aware UTC), the confidence trend between their last two check-ins (+1 better,
    -1 worse, 0 same, None with fewer than two), the blockers their last check-in
    named, prompts missed and WIG commitments not kept in the last `weeks` weeks."""

    last_checkin: datetime | None = None
    trend: int | None = None
    blockers: int = 0
    missed: int = 0
    not_kept: int = 0


_SCORE = {"on_track": 2.0, "at_risk": 1.0, "off_track": 0.0}


async def team_signals(session: AsyncSession, person_ids: Sequence[int], since: date) -> dict[int, TeamSignals]:
    """Each person's signals in four grouped queries, whatever the team's size."""
    out = {pid: TeamSignals() for pid in person_ids}
    if not person_ids:
        return out
    ids = list(person_ids)
    rank = func.row_number().over(partition_by=CheckIn.person_id,  # type: ignore[arg-type]
                                  order_by=(col(CheckIn.completed_at).desc(), col(CheckIn.id).desc()))
    recent = (select(CheckIn.id, CheckIn.person_id, CheckIn.completed_at, CheckIn.blockers, rank.label("n"))
              .where(among(session, col(CheckIn.person_id), ids), CheckIn.kind == "okr_checkin",
                     col(CheckIn.completed_at).is_not(None)).subquery())
    latest = (await _rows(session, select(recent).where(recent.c.n <= 2))).all()
    scores: dict[int, float] = {}
    if latest:
        confidence = case(*((CheckInAnswer.confidence == k, v) for k, v in _SCORE.items()), else_=None)
        scores = {row[0]: row[1] for row in (await _rows(session,
            select(CheckInAnswer.checkin_id, func.avg(confidence))
            .where(col(CheckInAnswer.checkin_id).in_([r.id for r in latest]))
            .group_by(CheckInAnswer.checkin_id))).all() if row[1] is not None}
    pairs: dict[int, list[Any]] = {}
    for row in sorted(latest, key=lambda r: r.n):
        pairs.setdefault(row.person_id, []).append(row)
    for pid, rows in pairs.items():
        signal = out[pid]
        signal.last_checkin = rows[0].completed_at
        signal.blockers = _blocker_count(rows[0].blockers)
        if len(rows) == 2 and rows[0].id in scores and rows[1].id in scores:
            delta = scores[rows[0].id] - scores[rows[1].id]
            signal.trend = 0 if abs(delta) < 0.01 else (1 if delta > 0 else -1)
    since_instant = datetime.combine(since, datetime.min.time(), UTC)
    for pid, count in (await _rows(session,
            select(Occurrence.person_id, func.count()).where(
                among(session, col(Occurrence.person_id), ids), Occurrence.status == "missed",
                col(Occurrence.due_at) >= since_instant).group_by(Occurrence.person_id))).all():
        out[pid].missed = int(count)
    for pid, count in (await _rows(session,
            select(Commitment.person_id, func.count()).where(
                among(session, col(Commitment.person_id), ids), col(Commitment.kept).is_(False),
                col(Commitment.week_start) >= since).group_by(Commitment.person_id))).all():
        out[pid].not_kept = int(count)
    return out


def _blocker_count(text: str | None) -> int:
    """Blockers named in a check-in: one per line or "; "-separated item; "none" is none."""
    if not text or text.strip().lower() in ("none", "no", "nothing", "n/a", "-"):
        return 0
    return len([part for part in text.replace(";", "\n").splitlines() if part.strip()])


async def _rows(session: AsyncSession, statement: Any) -> Any:
    """Plain rows for an aggregate (no model objects), on the session's connection."""
    return await (await session.connection()).execute(statement)


@dataclass(frozen=True)
class ObjectiveRow:
    """An objective's columns a team overview needs, read without ORM instances."""

    id: int
    owner_id: int
    title: str
    period: str
    priority: int | None


@dataclass(frozen=True)
class KeyResultRow:
    """A key result's figures for a team overview; `progress` is KeyResult's own rule."""

    objective_id: int
    title: str
    start_value: float
    target_value: float
    current_value: float
    weight: float
    confidence: str
    kind: str
    unread: bool = False

    progress = property(KeyResult.progress.fget)  # type: ignore[attr-defined]
    reading = property(KeyResult.reading.fget)  # type: ignore[attr-defined]


async def objective_rows(session: AsyncSession, owner_ids: Sequence[int]) -> dict[int, list[ObjectiveWithResults]]:
    """`objectives_for` (active ones, same order) as plain rows: a team of hundreds
    reads in a fraction of the time ORM instances take."""
    out: dict[int, list[ObjectiveWithResults]] = {owner: [] for owner in owner_ids}
    if not owner_ids:
        return out
    objectives = [ObjectiveRow(*row) for row in (await _rows(session, select(
        Objective.id, Objective.owner_id, Objective.title, Objective.period, Objective.priority)
        .where(col(Objective.owner_id).in_(list(owner_ids)), Objective.status == "active")
        .order_by(col(Objective.period).desc(), col(Objective.priority).asc().nulls_last(), col(Objective.id))))]
    results: dict[int, list[KeyResultRow]] = {}
    if objectives:
        for row in await _rows(session, select(
                KeyResult.objective_id, KeyResult.title, KeyResult.start_value, KeyResult.target_value,
                KeyResult.current_value, KeyResult.weight, KeyResult.confidence, KeyResult.kind,
                KeyResult.unread)
                .where(col(KeyResult.objective_id).in_([o.id for o in objectives])).order_by(col(KeyResult.id))):
            results.setdefault(row[0], []).append(KeyResultRow(*row))
    for objective in objectives:
        out[objective.owner_id].append(ObjectiveWithResults(objective, results.get(objective.id, [])))  # type: ignore[arg-type]
    return out


async def plan_currency(session: AsyncSession, org_id: int, money: Any) -> str | None:
    """The currency the organisation's plans count money in: the unit most of its
    active key results in money use (`money(unit)` says which units are money), or
    None when none is."""
    counts = await _rows(session, select(KeyResult.unit, func.count()).join(
        Objective, col(Objective.id) == col(KeyResult.objective_id)).where(
        Objective.org_id == org_id, Objective.status == "active").group_by(col(KeyResult.unit))
        .order_by(func.count().desc(), col(KeyResult.unit)))
    return next((unit for unit, _ in counts if unit and money(unit)), None)
