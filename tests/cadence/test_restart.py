"""A restarted process delivers what is due before its first (long) plan, but only
when planning is current; after a long downtime it plans first, so an old slot is
superseded rather than sent."""

from __future__ import annotations

from datetime import datetime, timedelta

from cadence_helpers import at, joined, occurrences, utc
from conftest import RecordingChannel as Recording

from bot.cadence.dispatcher import Dispatcher
from bot.core.channel import Channels
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage.db import Database


class Watching(Dispatcher):
    """Notes how many prompts had gone out when the plan began."""

    sent_before_plan: int | None = None

    async def plan(self, moment: datetime, db: Database | None = None) -> int:
        if self.sent_before_plan is None:
            self.sent_before_plan = len(self.coach.channels.get("test").sent)  # type: ignore[union-attr]
        return await super().plan(moment, db)


async def test_a_restarted_process_delivers_before_it_plans(db: Database, team: dict[str, int]) -> None:
    channel = Recording()
    coach = build_coach(db, Settings(database_url=db.url), Channels(channel))
    await joined(db, utc(2027, 1, 11))
    with at(utc(2027, 1, 11, 3, 0)):
        await Dispatcher(coach, instance="before-the-kill").plan(utc(2027, 1, 11, 3, 0))
    with at(utc(2027, 1, 11, 3, 31)):  # Ravi's WIG prompt (09:00 Kolkata) is due
        restarted = Watching(coach, instance="restarted")
        report = await restarted.tick()
    assert report.delivered == 1
    assert restarted.sent_before_plan == 1
    assert len(channel.sent) == 1


async def test_after_a_long_downtime_the_first_tick_plans_first(db: Database, team: dict[str, int]) -> None:
    """Planned on Monday 11 January, down until Tuesday 19 January: Ravi's planned
    WIG of the 11th is overdue, but so is the one of the 18th, which was never
    planned. The restarted process must not send the old one first."""
    channel = Recording()
    coach = build_coach(db, Settings(database_url=db.url), Channels(channel))
    await joined(db, utc(2027, 1, 10))
    with at(utc(2027, 1, 11, 0, 0)):
        await Dispatcher(coach, instance="before").plan(utc(2027, 1, 11, 0, 0))
    with at(utc(2027, 1, 19, 3, 0)):
        restarted = Watching(coach, instance="restarted")
        await restarted.tick()
    assert restarted.sent_before_plan == 0
    wigs = [o for o in await occurrences(db, team["ravi"]) if o.kind == "wig" and o.due_at < utc(2027, 1, 19)]
    assert [o.status for o in wigs] == ["missed", "delivered"]
    assert wigs[1].due_at - wigs[0].due_at == timedelta(days=7)
