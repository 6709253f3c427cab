"""Alerts to a manager, batched: at most one message a day, in the manager's working
hours (08:00–18:00 their zone, on an available day), listing what happened since the
last one: a rep missed a check-in or WIG session (after its nudge), skipped one, went
out of office, or moved a key result to off track. Nothing to say, no message."""

from __future__ import annotations

from datetime import timedelta

import prompts
from bot.cadence import OKR_CHECKIN, WIG
from bot.cadence.planner import reachable_now
from bot.core.clock import local_day
from bot.core.clock import now as clock_now
from bot.core.coach import Coach
from bot.core.feature import Feature
from bot.core.messages import Message
from storage import one_on_ones as store
from storage import people

feature = Feature("manager alerts")
FIRST_LOOK = timedelta(days=7)  # how far back a manager's first digest looks


@feature.job("manager alert digests", every=timedelta(minutes=30))
async def send_digests(coach: Coach) -> int:
    moment = clock_now()
    async with coach.db.session() as session:
        teams = await store.managers_with_reports(session)
    awake = await reachable_now(coach.db, teams, moment)
    sent = 0
    for manager_id in sorted(awake):
        reps = {p.id: p for p in teams[manager_id]}
        async with coach.db.session() as session:
            last = await store.last_digest(session, manager_id)
            manager = await people.get(session, manager_id)
            since = last.covered_until if last is not None else moment - FIRST_LOOK
            prompts_ = [o for o in await store.prompt_outcomes(session, list(reps), moment - timedelta(days=14), moment,
                                                               (OKR_CHECKIN, WIG))
                        if o.status in ("missed", "skipped") and o.reason != "superseded"
                        and not (o.payload or {}).get("manager_alerted")
                        and (o.status == "missed" or o.reason == "skipped by the person")]
            away = await store.absences_added(session, list(reps), since)
            off = await store.off_track_moves(session, list(reps), since)
        if not (prompts_ or away or off):
            continue
        day = local_day(moment, manager.timezone if manager is not None else "UTC")
        async with coach.db.session() as session:
            if not await store.claim_digest(session, manager_id, day, moment, len(prompts_) + len(away) + len(off)):
                continue
            await store.mark_alerted(session, [o.id for o in prompts_])  # type: ignore[misc]
        text = prompts.render("one_on_ones/alerts", prompts=[(reps[o.person_id].name, o.kind, o.status, o.local_date)
                                                              for o in prompts_],
                              away=[(reps[a.person_id].name, a.starts_on, a.ends_on) for a in away],
                              off=[(reps[rep].name, title) for rep, title in off])
        sent += await coach.send_copy(manager_id, [Message(text, title=prompts.render("one_on_ones/alerts_title"))])
    return sent
