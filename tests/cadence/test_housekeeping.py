"""The scheduler's housekeeping job reminds half-finished conversations, and the
cadence settings reach the dispatcher."""

from __future__ import annotations

from conftest import RecordingChannel, say
from freezegun import freeze_time

from bot.cadence.timer import create_scheduler
from bot.core.channel import Channels
from bot.core.coach import Coach
from bot.runtime import build_coach, load_settings
from storage.db import Database


async def test_housekeeping_reminds_an_abandoned_conversation(coach: Coach, team: dict[str, int],
                                                             outbox: RecordingChannel) -> None:
    with freeze_time("2027-01-06 09:00:00", real_asyncio=True):
        await say(coach, team["ravi"], "/okr goals")
    with freeze_time("2027-01-07 09:00:00", real_asyncio=True):
        await create_scheduler(coach).run_jobs()
    assert any("half-way through your 2027 goal setting" in t for t in outbox.texts_for(team["ravi"]))


def test_cadence_settings_reach_the_dispatcher(db: Database, outbox: RecordingChannel) -> None:
    settings = load_settings({"COACHBOT_TICK_SECONDS": "5", "COACHBOT_NUDGE_HOURS": "8"})
    scheduler = create_scheduler(build_coach(db, settings, Channels(outbox)))
    assert (scheduler.interval, scheduler.dispatcher.nudge_hours) == (5.0, 8.0)


async def test_housekeeping_forgets_old_event_ids_but_keeps_answered_cards(coach: Coach) -> None:
    from storage.events import claim_event

    with freeze_time("2027-01-01 09:00:00", real_asyncio=True):
        async with coach.db.session() as session:
            assert await claim_event(session, "slack", "Ev-old")
            assert await claim_event(session, "teams", "act-old")
            assert await claim_event(session, "teams-card", "card-1")
    with freeze_time("2027-01-04 09:00:00", real_asyncio=True):
        async with coach.db.session() as session:
            assert await claim_event(session, "slack", "Ev-new")
        await create_scheduler(coach).run_jobs()
        async with coach.db.session() as session:
            assert await claim_event(session, "slack", "Ev-old")        # forgotten: claimable again
            assert await claim_event(session, "teams", "act-old")
            assert not await claim_event(session, "slack", "Ev-new")    # still within retry time
            assert not await claim_event(session, "teams-card", "card-1")  # a card stays answered
