"""Named queries for salary talks: a manager's private preparation and outcome, and
the figures coachbot holds about a rep's performance (facts, not impressions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import utcnow
from storage.models import CheckIn, Commitment, Conversation, KeyResult, Lead, Objective, SalaryTalk
from storage.okrs import average_progress


async def open_talk(session: AsyncSession, manager_id: int, rep_id: int) -> SalaryTalk | None:
    """The prepared talk that still waits for its follow-up, if any."""
    return (await session.exec(
        select(SalaryTalk)
        .where(SalaryTalk.manager_id == manager_id, SalaryTalk.rep_id == rep_id,
               col(SalaryTalk.status).in_(["preparing", "prepared"]))
        .order_by(col(SalaryTalk.created_at).desc())
    )).first()


async def save_preparation(session: AsyncSession, org_id: int, manager_id: int, rep_id: int,
                           preparation: dict[str, Any]) -> SalaryTalk:
    talk = await open_talk(session, manager_id, rep_id)
    if talk is None:
        talk = SalaryTalk(org_id=org_id, manager_id=manager_id, rep_id=rep_id)
    talk.preparation = dict(preparation)
    talk.status = "prepared"
    talk.updated_at = utcnow()
    session.add(talk)
    await session.flush()
    return talk


async def get(session: AsyncSession, talk_id: int) -> SalaryTalk | None:
    return await session.get(SalaryTalk, talk_id)


async def save_outcome(session: AsyncSession, talk: SalaryTalk, outcome: dict[str, Any],
                       summary_for_rep: str | None, follow_up_on: date | None,
                       sent_at: datetime | None) -> SalaryTalk:
    talk.outcome = dict(outcome)
    talk.summary_for_rep = summary_for_rep
    talk.follow_up_on = follow_up_on
    talk.summary_sent_at = sent_at
    talk.status = "done"
    talk.updated_at = utcnow()
    session.add(talk)
    await session.flush()
    return talk


async def follow_ups_due(session: AsyncSession, on_or_before: date) -> Sequence[SalaryTalk]:
    """Talks whose follow-up date has come and whose manager was not reminded yet.
    `on_or_before` is the latest local day anywhere; callers check each manager's own."""
    return (await session.exec(
        select(SalaryTalk).where(SalaryTalk.status == "done",
                                 col(SalaryTalk.follow_up_on).is_not(None),
                                 col(SalaryTalk.follow_up_on) <= on_or_before)
        .order_by(col(SalaryTalk.id))
    )).all()


async def mark_follow_up_reminded(session: AsyncSession, talk: SalaryTalk) -> None:
    """The manager has been reminded: the talk is closed ("followed_up")."""
    talk.status = "followed_up"
    talk.updated_at = utcnow()
    session.add(talk)
    await session.flush()


async def completed_checkins(session: AsyncSession, rep_id: int, since: datetime) -> list[tuple[str, datetime]]:
    """(kind, completed at, UTC) of each OKR check-in and WIG session the rep completed
    since `since`, oldest first; the caller counts them once per local day."""
    return [(kind, at) for kind, at in (await session.exec(
        select(CheckIn.kind, CheckIn.completed_at)
        .where(CheckIn.person_id == rep_id, col(CheckIn.completed_at).is_not(None),
               col(CheckIn.started_at) >= since)
        .order_by(col(CheckIn.completed_at))
    )).all() if at is not None]


async def key_result_periods(session: AsyncSession, rep_id: int) -> list[str]:
    """The periods ("2026") of the rep's active objectives that have key results, sorted."""
    return sorted(set((await session.exec(
        select(Objective.period).join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
        .where(Objective.owner_id == rep_id, Objective.status == "active")
    )).all()))


async def performance(session: AsyncSession, rep_id: int, since: datetime, period: str | None) -> dict[str, Any]:
    """What the data says about a rep: the key results of the active objectives of
    `period` ("2026": the year the talk looks back on; None: none) with their progress
    and confidence, and what they planned for it in goal setting; since `since`
    (aware UTC), commitments kept and trade-show leads followed up. Check-ins are
    counted by the caller (`completed_checkins`), once per day in the rep's calendar."""
    krs = (await session.exec(
        select(KeyResult).join(Objective, col(Objective.id) == col(KeyResult.objective_id))
        .where(Objective.owner_id == rep_id, Objective.status == "active", Objective.period == period)
    )).all() if period is not None else []
    confidence: dict[str, int] = {}
    for kr in krs:
        confidence[kr.confidence] = confidence.get(kr.confidence, 0) + 1
    plans = (await session.exec(
        select(Conversation).where(Conversation.person_id == rep_id, Conversation.flow == "goals",
                                   Conversation.status == "done")
        .order_by(col(Conversation.updated_at).desc()))).all()
    plan = next((p for p in plans if str(((p.state or {}).get("context") or {}).get("year")) == period), None)
    planned = dict((plan.state or {}).get("answers") or {}) if plan is not None else {}
    quota = next((k for k in krs if k.kind == "quota"), None)
    win_rate = next((k for k in krs if k.unit == "%" and "win rate" in k.title.lower()), None)
    commitments = (await session.exec(
        select(Commitment).where(Commitment.person_id == rep_id,
                                 col(Commitment.created_at) >= since)
    )).all()
    judged = [c for c in commitments if c.kept is not None]
    leads = (await session.exec(
        select(Lead).where(Lead.owner_id == rep_id, col(Lead.captured_at) >= since))).all()
    return {
        "period": period,
        "key_results": len(krs),
        "average_progress": round(average, 4) if (average := average_progress(krs, weighted=False)) is not None
        else None,
        "key_results_done": sum(1 for k in krs if k.reading is not None and k.progress >= 1.0),
        "confidence": confidence,
        # quota attainment: the quota key result, booked business counted (issue #11)
        "quota": ({"attained": quota.current_value, "target": quota.target_value, "unit": quota.unit,
                   "share": round(quota.progress, 4)} if quota is not None else None),
        "win_rate": win_rate.current_value / 100 if win_rate is not None else None,
        # as the rep gave them in goal setting for that period, where known
        "planned_win_rate": planned.get("win_rate"),
        "deal_value": planned.get("deal_value"),
        "commitments": len(judged),
        "commitments_kept": sum(1 for c in judged if c.kept),
        "leads": len(leads),
        "leads_followed_up": sum(1 for lead in leads if lead.followed_up_at is not None),
        "since": since.date().isoformat(),
    }
