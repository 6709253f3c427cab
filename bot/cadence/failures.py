"""The admins' daily summary of prompts that could not be delivered for good.

A burst of refusals (a revoked token, a team that never installed the app) must not
become one DM per rep: each organisation's admins get at most one summary per UTC
day, listing every person whose prompt failed since the last one. "At most once a
day" holds across processes: the day's summary is claimed as a processed event
(`coachbot-summary`, `<org>:<date>`) before it is sent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

import prompts
from bot.core.coach import Coach
from bot.core.messages import Message
from storage import claims, events, people
from storage import schedule as store
from storage.models import Occurrence

log = logging.getLogger(__name__)

SUMMARY = "coachbot-summary"
LOOK_BACK = timedelta(days=7)


async def summarise_failures(coach: Coach, moment: datetime) -> int:
    """Send each organisation with unreported failures its summary for today, unless
    one went out today already. Returns how many admins were told."""
    async with coach.db.session() as session:
        failed = await claims.unreported_failures(session, moment - LOOK_BACK)
    by_org: dict[int, list[Occurrence]] = defaultdict(list)
    for occurrence in failed:
        by_org[occurrence.org_id].append(occurrence)
    told = 0
    for org_id, rows in by_org.items():
        async with coach.db.session() as session:
            if not await events.claim_event(session, SUMMARY, f"{org_id}:{moment.date().isoformat()}"):
                continue  # today's summary went out; these wait for tomorrow's
            admins = await store.admins(session, org_id)
            named = {p.id: p for p in [await people.get(session, r.person_id) for r in rows] if p is not None}
            await claims.mark_reported(session, rows)
        lines = [{"name": named[r.person_id].name if r.person_id in named else f"#{r.person_id}",
                  "email": named[r.person_id].email if r.person_id in named else "",
                  "kind": r.kind, "problem": (r.payload or {}).get("error") or r.reason or ""}
                 for r in rows]
        message = [Message(prompts.render("cadence/delivery_failures", failures=lines))]
        for admin in admins:
            try:
                await coach.deliver(admin.id, message)  # type: ignore[arg-type]
                told += 1
            except Exception as error:  # DeliveryError, or a platform timeout
                log.warning("could not send the failure summary to admin %s: %s", admin.email, error)
    return told
