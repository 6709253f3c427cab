"""Retention: raw answers older than COACHBOT_RETENTION_DAYS are pruned by a
housekeeping job (every six hours); without the setting nothing is pruned. What
counts as a raw answer is `storage.privacy.prune_answers`."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core.clock import now
from bot.core.coach import Coach
from bot.core.feature import Feature
from storage import privacy

log = logging.getLogger(__name__)
feature = Feature("retention")


@feature.job("prune old answers", every=timedelta(hours=6))
async def prune_old_answers(coach: Coach) -> int:
    days = coach.settings.retention_days
    if not days:
        return 0
    async with coach.db.session() as session:
        pruned = await privacy.prune_answers(session, now() - timedelta(days=days))
    if any(pruned.values()):
        log.info("retention (%s days): pruned %s", days, dict(pruned))
    return sum(pruned.values())
