"""The timer: APScheduler as an alarm clock on the running event loop.

One interval job wakes the dispatcher every minute; a lighter one every
TAKEOVER_SECONDS only claims and delivers (claims a crashed instance left behind,
once their half-minute lease ran out, and retries whose back-off is over), so that
those wait seconds rather than up to a whole tick; each periodic job the features
registered (reminders of abandoned conversations, salary follow-ups …) gets its own
interval job, and so does the housekeeping of processed platform event ids. The
timer holds no state worth persisting, so it uses the memory job store: no job store
is shared between processes (APScheduler 3 forbids it), the database is the truth.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.cadence.dispatcher import Dispatcher, TickReport
from bot.core.clock import now as clock_now
from bot.core.coach import Coach
from bot.core.feature import Job
from storage.db import utcnow
from storage.events import prune_events

log = logging.getLogger(__name__)

# Slack retries an event for about an hour and the Bot Framework for less: two days
# of processed ids is plenty to drop every retry.
EVENT_MEMORY = timedelta(days=2)

# How often a process looks for lapsed claims and due prompts between ticks: with the
# dispatcher's 30-second lease, a killed instance's unsent prompts are taken over
# within ~40 s (issue #13), for two cheap indexed queries per process per interval.
TAKEOVER_SECONDS = 10.0


class _Overlaps(logging.Filter):
    """APScheduler warns whenever a job falls due while its last run goes on. For the
    timer that is normal, not a fault: a big dispatch keeps a tick busy up to the
    dispatcher's `deliver_for`, and the takeover pass waits for it. Those lines are
    kept at debug level (shown only when the scheduler's logger is at DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "maximum number of running instances" not in str(record.msg):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return SCHEDULER_LOG.isEnabledFor(logging.DEBUG)


SCHEDULER_LOG = logging.getLogger("apscheduler.scheduler.coachbot")  # the timer's, not every APScheduler's
SCHEDULER_LOG.addFilter(_Overlaps())


async def forget_old_events(coach: Coach) -> int:
    """Prune processed Slack/Teams event ids older than two days (retries stop long
    before); the marks of answered cards are kept for good."""
    async with coach.db.session() as session:
        return await prune_events(session, utcnow() - EVENT_MEMORY)


class CadenceScheduler:
    """Wakes the dispatcher every `interval` seconds and runs the periodic jobs."""

    JOB_ID = "cadence-dispatcher"

    TAKEOVER_ID = "cadence-takeover"

    def __init__(self, dispatcher: Dispatcher, interval: float = 60.0,
                 takeover: float = TAKEOVER_SECONDS) -> None:
        self.dispatcher = dispatcher
        self.interval = interval
        self.takeover = takeover
        self.jobs: tuple[Job, ...] = (*dispatcher.coach.features.jobs,
                                      Job("forget old event ids", forget_old_events))
        self.last_report: TickReport | None = None
        self.last_tick_at: datetime | None = None  # when a tick last finished (for /readyz)
        self._scheduler: AsyncIOScheduler | None = None
        self._running: asyncio.Task[None] | None = None  # the tick or takeover in progress
        self._busy = asyncio.Lock()

    async def start(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC, event_loop=asyncio.get_running_loop(),
                                           logger=SCHEDULER_LOG)
        self._scheduler.add_job(
            self._tick, IntervalTrigger(seconds=self.interval, timezone=UTC), id=self.JOB_ID,
            next_run_time=datetime.now(UTC), max_instances=1, coalesce=True,
            misfire_grace_time=None,
        )
        if self.takeover < self.interval:
            self._scheduler.add_job(
                self._take_over, IntervalTrigger(seconds=self.takeover, timezone=UTC), id=self.TAKEOVER_ID,
                max_instances=1, coalesce=True, misfire_grace_time=None,
            )
        for job in self.jobs:
            self._scheduler.add_job(
                self.run_job, IntervalTrigger(seconds=job.every.total_seconds(), timezone=UTC),
                args=[job], id=f"job:{job.name}", max_instances=1, coalesce=True, misfire_grace_time=None,
            )
        self._scheduler.start()

    async def _tick(self) -> None:
        async with self._busy:  # after a takeover in progress, never beside it
            if self.dispatcher.stopping:
                return
            self._running = asyncio.current_task()  # type: ignore[assignment]
            try:
                self.last_report = await self.dispatcher.tick()
                report = self.last_report
                if report.delivered or report.failed or report.nudged or report.missed or report.superseded:
                    log.info("cadence tick: %s", report)
            except Exception:  # a bad tick must not stop the next one
                log.exception("cadence tick failed")
            finally:
                self._running = None
                self.last_tick_at = utcnow()

    async def _take_over(self) -> None:
        """Between ticks: claim and deliver what is due now (lapsed claims first). Not
        while a tick runs (it does the same) nor before the first one (a restarted
        process's first tick delivers before it plans)."""
        if self._busy.locked() or self.last_tick_at is None or self.dispatcher.stopping:
            return
        async with self._busy:
            self._running = asyncio.current_task()  # type: ignore[assignment]
            report = TickReport()
            try:
                await self.dispatcher.deliver_due(clock_now(), report)
                if report.delivered or report.failed or report.retrying:
                    log.info("cadence takeover: %s", report)
            except Exception:
                log.exception("cadence takeover failed")
            finally:
                self._running = None

    async def run_job(self, job: Job) -> int:
        """Run one periodic job now; a failing job is logged and answered 0, so one
        kind of reminder never stops the others."""
        try:
            count = await job.run(self.dispatcher.coach)
        except Exception:
            log.exception("%s failed", job.name)
            return 0
        if count:
            log.info("%s: %d", job.name, count)
        return count

    async def run_jobs(self) -> dict[str, int]:
        """Run every periodic job once, now (after downtime, from a test); each job's
        name -> how many people it reached."""
        return {job.name: await self.run_job(job) for job in self.jobs}

    async def stop(self, timeout: float = 15.0) -> None:
        """Stop taking new work and let the tick in progress finish the batch it has
        claimed (every send in it is recorded); after `timeout` seconds it is
        cancelled, and its unrecorded claims are taken over after the lease.
        Platforms kill a process 30 s after SIGTERM: the default leaves room for the
        rest of the shutdown."""
        self.dispatcher.stopping = True  # claims no further batch
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.pause()  # no new runs; shutting down now would cancel the tick in flight
        running = self._running
        if running is not None and not running.done():
            try:
                await asyncio.wait_for(asyncio.shield(running), timeout=timeout)
            except (TimeoutError, asyncio.CancelledError):
                log.warning("cadence tick still running at shutdown; its claims are taken over after the lease")
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None


def create_scheduler(coach: Coach, interval: float | None = None, **options: Any) -> CadenceScheduler:
    """The scheduler the runtime starts: a dispatcher on this coach, ticking every
    minute (the demo ticks every few seconds)."""
    seconds = interval if interval is not None else coach.settings.tick_seconds
    options.setdefault("nudge_hours", coach.settings.nudge_hours)
    return CadenceScheduler(Dispatcher(coach, **options), interval=seconds)
