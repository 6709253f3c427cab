"""Read-only queries behind a person's home view (Slack App Home, Teams could reuse).

Kept apart from the flow engine's and scheduler's storage modules, which are being
written at the same time: these only read, so they cannot disturb either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Commitment, KeyResult, Objective, Occurrence, Person


@dataclass
class ObjectiveView:
    """An active objective with its key results, in their stored order."""

    objective: Objective
    key_results: list[KeyResult] = field(default_factory=list)


async def objectives(session: AsyncSession, person_id: int) -> list[ObjectiveView]:
    rows = (
        await session.exec(
            select(Objective, KeyResult)
            .join(KeyResult, col(KeyResult.objective_id) == col(Objective.id), isouter=True)
            .where(Objective.owner_id == person_id, Objective.status == "active")
            .order_by(col(Objective.priority).is_(None), Objective.priority, Objective.id, KeyResult.id)
        )
    ).all()
    found: dict[int, ObjectiveView] = {}
    for objective, key_result in rows:
        view = found.setdefault(objective.id, ObjectiveView(objective))  # type: ignore[arg-type]
        if key_result is not None:
            view.key_results.append(key_result)
    return list(found.values())


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


async def open_commitments(session: AsyncSession, person_id: int) -> Sequence[Commitment]:
    """Commitments not yet marked kept or missed, oldest week first."""
    query = (
        select(Commitment)
        .where(Commitment.person_id == person_id, col(Commitment.kept).is_(None))
        .order_by(Commitment.week_start, Commitment.id)
    )
    return (await session.exec(query)).all()


async def reports(session: AsyncSession, manager_id: int) -> Sequence[Person]:
    query = (
        select(Person)
        .where(Person.manager_id == manager_id, col(Person.active).is_(True))
        .order_by(Person.name)
    )
    return (await session.exec(query)).all()
