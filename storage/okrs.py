"""Named queries for objectives and key results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import utcnow
from storage.models import KR_KINDS, CadenceRule, KeyResult, Objective


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


async def replace_period(session: AsyncSession, owner_id: int, period: str) -> int:
    """Retire a person's active objectives for a period (goal setting was done again);
    they stay in the database with status "replaced" for history."""
    query = select(Objective).where(Objective.owner_id == owner_id, Objective.period == period,
                                    Objective.status == "active")
    retired = 0
    for objective in (await session.exec(query)).all():
        objective.status = "replaced"
        session.add(objective)
        retired += 1
    await session.flush()
    return retired


async def create_objective(
    session: AsyncSession, org_id: int, owner_id: int, title: str, period: str,
    priority: int | None, key_results: Iterable[dict[str, Any]],
) -> ObjectiveWithResults:
    """An objective and its key results. Each key result dict has `title`, `target`,
    and optionally `start`, `current` (defaults to the start), `unit`, `due` (ISO
    date), `weight`, `kind` (one of KR_KINDS, default "total") and `per` (a rate's
    period: "week" or "month"). A quota starts at zero with business already booked
    as its current value, so what is booked counts as attained."""
    objective = Objective(org_id=org_id, owner_id=owner_id, title=title[:500], period=period,
                          priority=priority)
    session.add(objective)
    await session.flush()
    stored: list[KeyResult] = []
    for item in key_results:
        start = float(item.get("start") or 0.0)
        kind = item.get("kind") if item.get("kind") in KR_KINDS else "total"
        current = item.get("current")
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
            updated_at=utcnow(),
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
                select(KeyResult).where(col(KeyResult.objective_id).in_(ids))
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
