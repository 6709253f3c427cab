"""A killed instance's claims are taken over within seconds to a minute (issue #13):
the dispatcher's lease is half a minute and every process looks for lapsed claims
every few seconds between its once-a-minute ticks."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from cadence_helpers import at, deliveries, joined, occurrences, utc
from conftest import RecordingChannel

from bot.cadence.dispatcher import Dispatcher
from bot.cadence.timer import create_scheduler
from bot.core.coach import Coach
from storage import claims
from storage.db import Database

# Ravi's OKR check-in: Tuesday 2027-01-12 09:30 Asia/Kolkata = 04:00 UTC.
DUE = utc(2027, 1, 12, 4, 0)


async def crashed_claim(db: Database, coach: Coach) -> tuple[int, timedelta]:
    """Plan, claim Ravi's check-in as an instance with the default lease, and die."""
    crashed = Dispatcher(coach, instance="crashed")
    await crashed.plan(DUE)
    async with db.session() as session:
        claimed = await claims.claim_due(session, DUE, "crashed", 10, DUE + crashed.lease)
    assert len(claimed) == 1
    return claimed[0].id, crashed.lease  # type: ignore[return-value]


async def test_a_killed_instances_claim_is_taken_over_between_ticks_within_a_minute(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    await joined(db, utc(2027, 1, 12))
    with at(DUE):
        claimed, lease = await crashed_claim(db, coach)
    scheduler = create_scheduler(coach)  # ticks every minute, looks for takeovers more often
    assert lease + timedelta(seconds=scheduler.takeover) <= timedelta(minutes=1)
    with at(DUE + timedelta(seconds=1)):
        await scheduler._take_over()  # before this process's first tick: its tick goes first
        scheduler.last_tick_at = DUE + timedelta(seconds=1)  # the first tick has run
    with at(DUE + lease - timedelta(seconds=1)):
        await scheduler._take_over()  # still held: the owner may be alive and sending
    assert outbox.sent == []
    with at(DUE + lease + timedelta(seconds=1)):
        await scheduler._take_over()  # no tick due for another minute: the takeover sends it
    assert len(outbox.sent) == 1
    row = next(o for o in await occurrences(db, team["ravi"]) if o.id == claimed)
    assert (row.status, row.claimed_by) == ("delivered", scheduler.dispatcher.instance)
    assert len(await deliveries(db)) == 1


async def test_the_takeover_never_runs_beside_a_tick(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """While a tick holds the dispatcher (it takes over lapsed claims itself), the
    takeover job does nothing; the tick then delivers the prompt exactly once."""
    await joined(db, utc(2027, 1, 12))
    with at(DUE):
        _claimed, lease = await crashed_claim(db, coach)
    scheduler = create_scheduler(coach)
    scheduler.last_tick_at = DUE
    with at(DUE + lease + timedelta(seconds=1)):
        async with scheduler._busy:  # a tick in progress
            await scheduler._take_over()
            assert outbox.sent == []
        tick = asyncio.ensure_future(scheduler._tick())
        await asyncio.sleep(0)
        await scheduler._take_over()  # the tick holds it now
        await tick
    assert len(outbox.sent) == 1
    assert len(await deliveries(db)) == 1


async def test_a_tick_that_overruns_its_interval_is_not_logged_as_a_fault(
        coach: Coach, caplog, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A big dispatch keeps a tick busy past the next one's time: APScheduler's "skipped:
    maximum number of running instances reached" for it, every interval, read as a
    warning in the logs (a reviewer saw one a second). It is normal: debug level."""
    import logging

    from bot.cadence import timer

    scheduler = create_scheduler(coach, interval=0.1)

    async def long_tick() -> None:
        await asyncio.sleep(0.45)

    monkeypatch.setattr(scheduler, "_tick", long_tick)
    caplog.set_level(logging.INFO)
    await scheduler.start()
    try:
        await asyncio.sleep(0.5)
    finally:
        await scheduler.stop()
    assert not [r for r in caplog.records if "running instances" in r.getMessage() and r.levelno >= logging.INFO]
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger=timer.SCHEDULER_LOG.name)  # still there for whoever asks
    await scheduler.start()
    try:
        await asyncio.sleep(0.5)
    finally:
        await scheduler.stop()
    assert [r for r in caplog.records if "running instances" in r.getMessage() and r.levelno == logging.DEBUG]
