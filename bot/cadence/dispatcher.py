"""The dispatcher: the database decides what is due; the timer only wakes us up.

Every tick (once a minute, on the one event loop):

1. **plan** – cadence rules are expanded for everyone into `Occurrence` rows with a
   unique key (insert-or-ignore, so every process may plan the same slots);
2. **catch up** – of the due pending rows of one person and cadence only the newest
   survives, older ones are recorded as `missed` (no flood after downtime);
3. **claim** – `UPDATE … SET status='claimed' WHERE status='pending'` with RETURNING:
   only the process whose UPDATE changed the row sends it;
4. **deliver** – drawn by the feature that registered the prompt's kind, sent through
   the coach's one send path; then `delivered` with the platform's message id (a
   `Delivery` row, unique per occurrence and purpose). A claim older than the lease
   without a delivery (the process died between claim and send) is taken over and sent;
5. **nudge** – one nudge after 24 working hours unanswered, then `missed`.

A restart loses nothing because everything that matters is in the occurrence rows.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import prompts
from bot import cadence
from bot.cadence.calendar import Calendar
from bot.cadence.planner import Population, load_population, materialise
from bot.core import logs, metrics
from bot.core.channel import DeliveryError
from bot.core.clock import now as clock_now
from bot.core.coach import INACTIVE, Coach
from bot.core.messages import Message
from storage import occurrences, people
from storage import schedule as store
from storage.db import Database
from storage.models import Occurrence

log = logging.getLogger(__name__)


def instance_name() -> str:
    """Who claims: host, process and a random tail (a restarted process is new)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class TickReport:
    """What one tick did, for logs, tests and the benchmark."""

    planned: int = 0
    superseded: int = 0
    delivered: int = 0
    failed: int = 0
    nudged: int = 0
    missed: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # time spent per phase


class Dispatcher:
    """Plans, claims and delivers due occurrences. One per process; any number of
    processes may share a database."""

    def __init__(
        self,
        coach: Coach,
        *,
        instance: str | None = None,
        batch: int = 500,
        concurrency: int = 32,
        lease: timedelta = timedelta(minutes=10),
        horizon: timedelta = timedelta(hours=36),
        catch_up: timedelta = timedelta(days=35),
        refresh: timedelta = timedelta(minutes=30),
        nudge_hours: float = 24.0,
        nudge_every: timedelta = timedelta(minutes=5),
    ) -> None:
        self.coach = coach
        self.db: Database = coach.db
        self.instance = instance or instance_name()
        self.batch = batch
        self.concurrency = concurrency
        self.lease = lease
        self.horizon = horizon
        self.catch_up = catch_up
        self.refresh = refresh
        self.nudge_hours = nudge_hours
        self.nudge_every = nudge_every
        self._nudge_scanned: datetime | None = None
        self.population: Population | None = None
        self._refreshed_at: datetime | None = None
        self._planned_until: datetime | None = None
        self.stopping = False  # set at shutdown (SIGTERM): claim nothing more

    async def tick(self) -> TickReport:
        """One pass: plan, catch up, claim and deliver, nudge. Safe to run anywhere,
        any number of times: every step is conditional on the stored state."""
        report = TickReport()
        moment = clock_now()
        clock = time.perf_counter()

        def lap(phase: str) -> None:
            nonlocal clock
            report.seconds[phase] = round(time.perf_counter() - clock, 4)
            clock = time.perf_counter()

        report.planned = await self.plan(moment)
        lap("plan")
        async with self.db.session() as session:
            report.superseded = await occurrences.supersede_overdue(session, moment)
        lap("catch_up")
        await self.deliver_due(moment, report)
        lap("deliver")
        if self._nudge_scanned is None or moment - self._nudge_scanned >= self.nudge_every:
            self._nudge_scanned = moment  # a nudge can wait a few minutes; the scan need not run every tick
            await self.nudge(moment, report)
        lap("nudge")
        return report

    async def plan(self, moment: datetime) -> int:
        """Reload everyone and re-plan on start and every `refresh`; in between, only
        plan the slice of time that entered the horizon since the last tick."""
        end = moment + self.horizon
        stale = self._refreshed_at is None or moment - self._refreshed_at >= self.refresh
        if stale or self.population is None:
            self.population = await load_population(self.db, moment)
            if self._planned_until is None:
                start = moment - self.catch_up
            else:  # re-plan the recent past (new people, new rules), and any gap left
                # by a suspended process, but never further back than the catch-up
                start = max(min(self._planned_until, moment - 2 * self.refresh), moment - self.catch_up)
            self._refreshed_at = moment
        else:
            start = self._planned_until or moment
            if start >= end:
                return 0
        self._planned_until = end
        return await materialise(self.db, self.population, start, end, prune=stale, now=moment)

    async def deliver_due(self, moment: datetime, report: TickReport) -> None:
        """Claim due occurrences batch by batch and deliver each batch concurrently."""
        while not self.stopping:
            async with self.db.session() as session:
                claimed = await occurrences.reclaim_stale(session, moment - self.lease, moment,
                                                    self.instance, self.batch)
                if len(claimed) < self.batch:
                    claimed += await occurrences.claim_due(session, moment, self.instance,
                                                     self.batch - len(claimed))
            if not claimed:
                break
            await self._deliver_batch(claimed, moment, report)
            if len(claimed) < self.batch:
                break
        async with self.db.session() as session:
            await occurrences.supersede_delivered(session)

    def _draw(self, occurrence: Occurrence, name: str) -> list[Message]:
        """The prompt card, drawn by the feature that registered the kind."""
        repeat = int((occurrence.payload or {}).get("snoozes", 0))
        return self.coach.features.prompt_kinds[occurrence.kind].draw(occurrence, name, repeat)

    async def _deliver_batch(self, claimed: list[Occurrence], moment: datetime,
                             report: TickReport) -> None:
        recipients = await self.coach.recipients({o.person_id for o in claimed})
        gate = asyncio.Semaphore(self.concurrency)

        async def send(occurrence: Occurrence) -> tuple[Occurrence, str | None, str | None, str | None]:
            logs.tag(occurrence=occurrence.key)  # on every log line of this send (its own task)
            recipient = recipients[occurrence.person_id]
            if isinstance(recipient, str):
                return occurrence, None, None, recipient
            async with gate:
                try:
                    message_id = await self.coach.send(recipient, self._draw(occurrence, recipient.name))
                except DeliveryError as error:
                    return occurrence, recipient.platform, None, str(error) or "delivery refused"
                except Exception as error:
                    # unknown outcome (a timeout may have delivered): record it as
                    # failed, with the reason, rather than risk sending it twice
                    log.exception("delivering %s failed", occurrence.key)
                    return occurrence, recipient.platform, None, f"{type(error).__name__}: {error}"[:200]
            metrics.prompt(occurrence.kind, "sent", occurrence.due_at)
            return occurrence, recipient.platform, message_id, None

        outcomes = await asyncio.gather(*(send(o) for o in claimed))
        failures: list[tuple[Occurrence, str]] = []
        sent: list[tuple[int, str, str, str | None]] = []
        async with self.db.session() as session:
            for occurrence, platform, message_id, problem in outcomes:
                if problem == INACTIVE:  # left the team since it was planned: no alert
                    await occurrences.skip_claimed(session, occurrence.id, self.instance, INACTIVE)  # type: ignore[arg-type]
                    continue
                if problem is not None:
                    payload = dict(occurrence.payload or {}, error=problem)
                    if await occurrences.record_failure(session, occurrence.id, self.instance,  # type: ignore[arg-type]
                                                  f"delivery failed: {problem}", payload):
                        failures.append((occurrence, problem))
                        report.failed += 1
                        metrics.prompt(occurrence.kind, "failed")
                    continue
                snoozes = int((occurrence.payload or {}).get("snoozes", 0))
                purpose = "prompt" if snoozes == 0 else f"prompt{snoozes + 1}"
                sent.append((occurrence.id, purpose, platform or "", message_id))  # type: ignore[arg-type]
            report.delivered += await occurrences.record_deliveries(session, sent, self.instance, moment)
        for occurrence, problem in failures:
            await self._tell_admins(occurrence, problem, moment)

    async def _tell_admins(self, occurrence: Occurrence, problem: str, moment: datetime) -> None:
        """A prompt could not be delivered: the org's admins hear about it, once per
        person per day, so a rep who never installed the app is not skipped silently."""
        async with self.db.session() as session:
            if await occurrences.alerted_since(session, occurrence.person_id, moment - timedelta(days=1)):
                return
            admins = await store.admins(session, occurrence.org_id)
            person = await people.get(session, occurrence.person_id)
            payload = dict(occurrence.payload or {})
            payload.update(error=problem, alerted=True)
            await occurrences.set_payload(session, occurrence.id, payload)  # type: ignore[arg-type]
        messages = [Message(prompts.render(
            "cadence/delivery_failed", name=person.name if person is not None else f"#{occurrence.person_id}",
            email=person.email if person is not None else "", kind=occurrence.kind, problem=problem))]
        for admin in admins:
            if admin.id == occurrence.person_id:
                continue
            try:
                await self.coach.deliver(admin.id, messages)  # type: ignore[arg-type]
            except Exception as error:  # DeliveryError, or a platform timeout
                log.warning("could not tell admin %s about person %s: %s", admin.email,
                            occurrence.person_id, error)

    async def nudge(self, moment: datetime, report: TickReport) -> None:
        """One nudge per unanswered prompt after `nudge_hours` working hours; after as
        many again it counts as missed."""
        earliest = moment - timedelta(hours=self.nudge_hours)
        async with self.db.session() as session:
            candidates = await occurrences.unanswered(session, earliest, nudged=False)
            expiring = await occurrences.unanswered(session, earliest, nudged=True)
        if not candidates and not expiring:
            return
        population = await self._calendars({o.person_id for o in candidates + expiring}, moment)
        for occurrence in expiring:
            calendar = population.get(occurrence.person_id)
            assert occurrence.nudged_at is not None
            if calendar is not None and cadence.add_working_hours(
                calendar, occurrence.nudged_at, self.nudge_hours) > moment:
                continue
            async with self.db.session() as session:
                if await occurrences.expire(session, occurrence.id):  # type: ignore[arg-type]
                    report.missed += 1
        for occurrence in candidates:
            calendar = population.get(occurrence.person_id)
            assert occurrence.delivered_at is not None
            if calendar is None or cadence.add_working_hours(
                calendar, occurrence.delivered_at, self.nudge_hours) > moment:
                continue
            async with self.db.session() as session:
                if not await occurrences.claim_nudge(session, occurrence.id, moment):  # type: ignore[arg-type]
                    continue
            try:
                recipient = await self.coach.recipient(occurrence.person_id)
                nudge = self.coach.features.prompt_kinds[occurrence.kind].nudge
                message_id = await self.coach.send(
                    recipient, nudge(occurrence, recipient.name, calendar.timezone))
            except Exception as error:  # DeliveryError, or a platform timeout
                log.warning("nudge for occurrence %s not delivered: %s", occurrence.key, error)
                continue
            async with self.db.session() as session:
                await occurrences.record_nudge(session, occurrence.id, recipient.platform, message_id, moment)  # type: ignore[arg-type]
            report.nudged += 1

    async def _calendars(self, person_ids: set[int], moment: datetime) -> dict[int, Calendar]:
        population = await load_population(self.db, moment, person_ids, days=60)
        return population.calendars


