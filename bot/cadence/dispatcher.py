"""The dispatcher: the database decides what is due; the timer only wakes us up.

Every tick (once a minute; planning in a worker thread):

1. **plan** – cadence rules are expanded for everyone into `Occurrence` rows with a
   unique key (insert-or-ignore, so every process may plan the same slots);
2. **catch up** – of the due pending rows of one person and cadence only the newest
   survives, older ones are recorded as `missed` (no flood after downtime);
3. **claim** – `UPDATE … SET status='claimed' WHERE status='pending'` with RETURNING:
   only the process whose UPDATE changed the row sends it; the next batch is claimed
   while one is sent (`bot.cadence.claiming`); a prompt claimed late (coachbot was
   down) that would now reach its person at night, in quiet hours or on a day off is
   put back for their next available moment, or skipped (`bot.cadence.late`);
4. **deliver** – drawn by the feature that registered the prompt's kind, tagged with
   its delivery key, sent through the coach's one send path, and recorded the moment
   the send returns: `delivered` with the platform's message id (a `Delivery` row,
   unique per occurrence and purpose). `concurrency` workers send a batch; "sending"
   is stored ahead for up to twice `concurrency` prompts, in the commits that record
   deliveries (`bot.cadence.window`: after a kill -9 the takeover looks for up to that
   many in their conversations). Each claim carries a lease the sender keeps
   extending; a claim whose lease ran out (its process died) is taken over within a
   minute, and the conversation is searched for its tag before it is sent again.
   A transient failure (5xx, 429, reset, timeout) is retried with back-off and
   jitter until the prompt's deadline; only a permanent refusal fails it;
5. **nudge** – one nudge after 24 working hours unanswered, then `missed`; the
   admins get one summary a day of the prompts that failed for good.
A restart loses nothing: everything that matters is in the occurrence rows.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from datetime import datetime, timedelta
from typing import Any

from bot.cadence.bookkeeping import Bookkeeper
from bot.cadence.claiming import LEGACY_LEASE, Batch, BatchClaims
from bot.cadence.failures import retry_time, retry_until, summarise_failures
from bot.cadence.late import hold_late
from bot.cadence.nudges import nudge_unanswered
from bot.cadence.offloop import run_off_loop
from bot.cadence.planner import keep_planned_until, materialise, planned_until, population_stamp
from bot.cadence.population import Population, load_population
from bot.cadence.ticks import TickReport, elapsed, instance_name
from bot.cadence.window import SendWindow, heartbeat
from bot.core import logs, metrics
from bot.core.channel import DeliveryError, Recipient, TransientDeliveryError
from bot.core.clock import now as clock_now
from bot.core.coach import INACTIVE, Coach
from bot.core.messages import Message
from storage import claims, dispatching, occurrences
from storage.claims import Claimed
from storage.db import Database

log = logging.getLogger(__name__)


def delivery_tag(occurrence: Claimed) -> str:
    """What a sent prompt carries to be found again: the occurrence key and which
    delivery of it this is (a snoozed prompt is delivered a second time)."""
    return f"{occurrence.key}#{_purpose(occurrence)}"


def _repeat(occurrence: Claimed) -> int:
    return int((occurrence.payload or {}).get("snoozes", 0))


def _purpose(occurrence: Claimed) -> str:
    snoozes = _repeat(occurrence)
    return "prompt" if snoozes == 0 else f"prompt{snoozes + 1}"


class Dispatcher:
    """Plans, claims and delivers due occurrences. One per process; any number of
    processes may share a database."""

    def __init__(
        self,
        coach: Coach,
        *,
        instance: str | None = None,
        batch: int = 64, max_batch: int = 512, concurrency: int = 32,
        lease: timedelta = timedelta(seconds=30),
        backoff_base: float = 5.0,
        backoff_cap: float = 300.0,
        horizon: timedelta = timedelta(hours=36),
        catch_up: timedelta = timedelta(days=35),
        refresh: timedelta = timedelta(minutes=30),
        nudge_hours: float = 24.0,
        nudge_every: timedelta = timedelta(minutes=5),
        plan_off_loop: bool = True,
        deliver_for: timedelta = timedelta(seconds=50),
        plan_every: timedelta = timedelta(minutes=5),
    ) -> None:
        self.coach = coach
        self.db: Database = coach.db
        self.instance = instance or instance_name()
        self.batch = batch  # the first claim of a tick; each full one doubles, up to max_batch
        self.max_batch = max(batch, max_batch)
        self.concurrency = concurrency
        self.lease = lease
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.horizon = horizon
        self.catch_up = catch_up
        self.refresh = refresh
        self.nudge_hours = nudge_hours
        self.nudge_every = nudge_every
        self.plan_off_loop = plan_off_loop  # see tick(): planning in a worker thread
        # A tick stops claiming after this long (10,000 prompts take ~40 min at Slack's
        # pace and would hold back later ticks' planning and nudges); the rest waits.
        self.deliver_for = deliver_for
        self.plan_every = plan_every
        self._planned_at: datetime | None = None  # when the last tick planned
        self._nudge_scanned: datetime | None = None
        self.population: Population | None = None
        self._refreshed_at: datetime | None = None
        self._planned_until: datetime | None = None
        self._fingerprints: dict[int, int] = {}
        self._swept = False  # supersede_delivered over everyone once per process
        self._unswept: set[int] = set()  # people reached whose older prompts are not closed yet
        self._stamp: int | None = None  # storage.schedule.schedule_stamp at the last reload
        self.stopping = False  # set at shutdown (SIGTERM): claim nothing more
        self.bookkeeper = Bookkeeper(self.db, self.instance, lambda: clock_now())

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

        # Restarted with the table planned past now: deliver before the long first plan
        # (after a downtime past the horizon, plan first so a stale row is superseded).
        if self.population is None and (await planned_until(self.db) or moment) > moment:
            async with self.db.session() as session:
                report.superseded = await occurrences.supersede_overdue(session, moment)
            await self.deliver_due(moment, report)
            lap("ready")
        # Planning, the tick's long stretch of Python, runs in a worker thread with its
        # own loop and engine (bot.cadence.offloop): the event loop keeps acknowledging.
        if self._planning_due(moment):
            report.planned = (await run_off_loop(self.db.url, lambda db: self.plan(moment, db))
                              if self.plan_off_loop else await self.plan(moment))
        lap("plan")
        async with self.db.session() as session:  # a quiet tick asks one question, not five
            busy = (not self._swept or bool(self._unswept)
                    or await dispatching.work_due(session, moment, moment - LEGACY_LEASE))
        if busy:
            async with self.db.session() as session:
                report.superseded += await occurrences.supersede_overdue(session, moment)
        lap("catch_up")
        if busy:
            await self.deliver_due(moment, report)
        lap("deliver")
        if elapsed(self._nudge_scanned, moment, self.nudge_every):
            self._nudge_scanned = moment  # a nudge can wait a few minutes; the scan need not run every tick
            await self.nudge(moment, report)
            await summarise_failures(self.coach, moment)
        lap("nudge")
        return report

    def _planning_due(self, moment: datetime) -> bool:
        """Plan on a process's first tick, then every `plan_every` (the horizon is 36 h
        ahead: a minute more of it each tick is work for nothing), and whenever a
        refresh is due or the clock jumped (a suspended process)."""
        if not elapsed(self._planned_at, moment, self.plan_every):
            return False
        self._planned_at = moment
        return True

    async def plan(self, moment: datetime, db: Database | None = None) -> int:
        """Plan what entered the horizon since the last tick. Every `refresh`, if the
        stored people, absences, rules or organisations changed (a cheap stamp, not a
        reload), reload everyone and re-plan only those whose calendar or rules changed
        (new people, edited rules, absences); a fresh process re-plans everyone once,
        from the horizon the table says is planned. The horizon is kept in the table. `db` is
        the database to plan through (the worker thread's own), else the coach's."""
        db = db or self.db
        end = moment + self.horizon
        fresh = self.population is None
        if fresh or elapsed(self._refreshed_at, moment, self.refresh):
            # read before the population, so that a change in between is seen next time
            stamp, self._refreshed_at = await population_stamp(db), moment
            due, self._stamp = fresh or stamp != self._stamp, stamp  # unchanged: no reload
        else:
            due = False
        if not due:
            start = max(self._planned_until or moment, moment - self.catch_up)
            return await self._materialise(db, start, end, moment) if start < end else 0
        previous = self._fingerprints
        self.population = await load_population(db, moment)
        self._fingerprints, self._refreshed_at = self.population.fingerprints(), moment
        last = self._planned_until or await planned_until(db) or moment - self.catch_up
        start = max(min(last, moment - 2 * self.refresh), moment - self.catch_up)
        if fresh:
            return await self._materialise(db, start, end, moment, prune=True)
        changed = [pid for pid, mark in self._fingerprints.items() if previous.get(pid) != mark]
        planned = await materialise(db, self.population, start, end, prune=True, now=moment,
                                    person_ids=changed) if changed else 0
        since = max(self._planned_until or moment, moment - self.catch_up)
        return planned + (await self._materialise(db, since, end, moment) if since < end else 0)

    async def _materialise(self, db: Database, start: datetime, end: datetime, moment: datetime,
                           prune: bool = False) -> int:
        self._planned_until = end
        planned = await materialise(db, self.population, start, end, prune=prune, now=moment)  # type: ignore[arg-type]
        await keep_planned_until(db, end, moment)  # everyone: what a restart reads
        return planned

    async def deliver_due(self, moment: datetime, report: TickReport) -> None:
        """Claim due occurrences batch by batch (taking over lapsed claims first) and
        deliver each batch concurrently, recording each send the moment it returns;
        the next batch is claimed while one is sent (`bot.cadence.claiming`).
        Stops claiming once `stopping` is set (SIGTERM: a batch claimed ahead is given
        back) or after `deliver_for` (a batch claimed ahead is still sent); the batch
        in flight finishes."""
        began = time.monotonic()
        batches = BatchClaims(self.db, self.instance, self.lease, self.batch, self.max_batch,
                              self.coach.recipients, lambda: clock_now())

        def claiming() -> bool:
            return not self.stopping and time.monotonic() - began < self.deliver_for.total_seconds()

        try:
            while claiming() or (batches.ahead and not self.stopping):
                batch = await batches.next()
                if not batch.claimed:
                    break
                self._unswept.update(o.person_id for o in batch.claimed)  # kept if a later batch raises
                await self._deliver_batch(batch, report, batches if batch.full and claiming() else None)
                if not batch.full:
                    break
        finally:
            await batches.release()
        # A newer prompt closes the person's older unanswered one: for the people reached
        # (since the last success), and for everyone on a process's first pass
        if self._unswept or not self._swept:
            async with self.db.session() as session:
                await occurrences.supersede_delivered(session, self._unswept if self._swept else None)
            self._swept = True
            self._unswept.clear()

    def _draw(self, occurrence: Claimed, name: str) -> list[Message]:
        """The prompt card, drawn by the feature that registered the kind, tagged with
        the delivery key so that the platform copy can be found after a crash."""
        messages = self.coach.features.prompt_kinds[occurrence.kind].draw(occurrence, name, _repeat(occurrence))
        for message in messages:
            message.tag = delivery_tag(occurrence)
        return messages

    async def _deliver_batch(self, batch: Batch, report: TickReport, ahead: BatchClaims | None) -> None:
        """`concurrency` workers send the batch, each prompt the moment the one before
        it returned (no task per prompt); "sending" is stored ahead for up to twice
        `concurrency` prompts at once, in the commits that record the deliveries
        (`bot.cadence.window`). With `ahead`, the next batch is claimed once half of
        this one is marked. Returns once every send's outcome is stored."""
        taken_over, recipients = batch.taken_over, batch.recipients  # late ones: only if the person is available
        claimed, held = await hold_late(self.db, self.instance, batch.claimed, clock_now(), self.population)
        report.held += held
        in_flight = {o.id for o in claimed}
        sendable = []
        for occurrence in claimed:
            recipient = recipients[occurrence.person_id]
            if isinstance(recipient, str):
                await self._unreachable(occurrence, recipient, report)
                in_flight.discard(occurrence.id)
            else:
                sendable.append(occurrence)
        window = SendWindow(sendable, 2 * self.concurrency, self.concurrency, self.lease.total_seconds())
        if ahead is not None:  # not once SIGTERM came: what is claimed ahead waits for release
            window.halfway = lambda: None if self.stopping else ahead.claim_ahead(in_flight)
        heart = asyncio.get_running_loop().create_task(
            heartbeat(self.db, self.instance, self.lease, in_flight, window, lambda: clock_now()))
        self.bookkeeper.open(window)

        async def worker() -> None:
            while (occurrence := await window.next()) is not None:
                if not await self._deliver_one(occurrence, recipients[occurrence.person_id],  # type: ignore[arg-type]
                                               occurrence.id in taken_over, window, report, in_flight):
                    in_flight.discard(occurrence.id)
                    window.resolved()

        try:  # every worker finishes its send (and its record) before a failure is raised
            outcomes = await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(sendable)))),
                                            return_exceptions=True)
        finally:
            self.bookkeeper.close()
            heart.cancel()
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _unreachable(self, occurrence: Claimed, why: str, report: TickReport) -> None:
        """A claimed prompt for someone no channel reaches: skipped (left the team since
        it was planned: no alert) or failed with the reason."""
        async with self.db.session() as session:
            if why == INACTIVE:
                await claims.skip_claimed(session, occurrence.id, self.instance, INACTIVE)
            elif await claims.record_failure(session, occurrence.id, self.instance,
                                             f"delivery failed: {why}", {**(occurrence.payload or {}), "error": why}):
                report.failed += 1

    async def _deliver_one(self, occurrence: Claimed, recipient: Recipient, check_first: bool,
                           window: SendWindow, report: TickReport, in_flight: set[int]) -> bool:
        """Send one prompt marked "sending" (by the window) and queue its record:
        delivered with the platform's id, counted once committed. Else store the
        outcome at once: retry later (transient), failed (refused for good); and
        answer False (its outcome is stored, or the claim is no longer ours). A
        taken-over claim, or one whose last attempt may have reached the platform, is
        first looked for in the conversation: one whose holder had begun sending it
        (`reason = 'sending'` when claimed), or whose last attempt ended in a 5xx,
        reset or timeout. Claims a crashed instance never began to send are sent
        without a look (a history call costs more than a database write)."""
        logs.tag(occurrence=occurrence.key)  # on this worker's log lines until its next prompt
        payload = occurrence.payload or {}  # read only: copied where a change is stored
        try:
            message_id = None
            found = False
            if (check_first and occurrence.reason == claims.SENDING) or payload.get("uncertain"):
                message_id = await self.coach.find_sent(recipient, delivery_tag(occurrence))
                found = message_id is not None
            if not found:
                # marked ahead, but not confirmed ours for half a lease: ask again first
                if window.stale() and not await self.bookkeeper.begin_send(occurrence.id):
                    return False  # the claim lapsed and was taken over: the taker sends it
                message_id = await self.coach.send(recipient, self._draw(occurrence, recipient.name))
        except TransientDeliveryError as error:
            await self._retry_later(occurrence, dict(payload), str(error), error.uncertain, report)
            return False
        except (TimeoutError, ConnectionError) as error:  # a channel that did not say
            await self._retry_later(occurrence, dict(payload), f"{type(error).__name__}: {error}", True, report)
            return False
        except DeliveryError as error:
            await self._fail(occurrence, payload, str(error) or "delivery refused", report)
            return False
        except Exception as error:
            # a bug or an unknown refusal: recorded as failed, with the reason, rather
            # than retried blindly
            log.exception("delivering %s failed", occurrence.key)
            await self._fail(occurrence, payload, f"{type(error).__name__}: {error}"[:200], report)
            return False

        def recorded(done: bool) -> None:  # called after the group commit (bot.cadence.bookkeeping)
            in_flight.discard(occurrence.id)
            if done:
                report.delivered += 1
                report.recovered += found
                metrics.prompt(occurrence.kind, "sent", occurrence.due_at)

        self.bookkeeper.record((occurrence.id, _purpose(occurrence), recipient.platform, message_id), recorded)
        return True

    async def _retry_later(self, occurrence: Claimed, payload: dict[str, Any], problem: str,
                           uncertain: bool, report: TickReport) -> None:
        """Back off (exponential, with jitter) and try again, until the prompt's
        deadline (`failures.retry_deadline`: the person's next prompt of this cadence
        or the end of their working day, whichever comes first; fixed at the first
        failure, anew once moved past it: `failures.retry_until`), never inside quiet
        hours (`failures.retry_time`). The last retry is at the deadline; after that it
        has failed."""
        attempts = int(payload.get("attempts", 0)) + 1
        now = clock_now()
        calendar = self.population.calendars.get(occurrence.person_id) if self.population else None
        deadline = await retry_until(self.coach, calendar, occurrence, payload, now)
        if now >= deadline:
            await self._fail(occurrence, payload, f"gave up after {attempts} attempts: {problem}", report)
            return
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (attempts - 1))
        retry_at = retry_time(calendar, now + timedelta(seconds=delay * random.uniform(0.5, 1.0)), deadline)
        payload.update(attempts=attempts, uncertain=bool(payload.get("uncertain")) or uncertain)
        log.info("prompt %s not delivered now (%s); retry %s", occurrence.key, problem, retry_at)
        async with self.db.session() as session:
            if await claims.retry_later(session, occurrence.id, self.instance, retry_at,
                                        f"retrying: {problem}", payload):
                report.retrying += 1
                metrics.prompt(occurrence.kind, "retried")

    async def _fail(self, occurrence: Claimed, payload: dict[str, Any], problem: str,
                    report: TickReport) -> None:
        async with self.db.session() as session:
            if await claims.record_failure(session, occurrence.id, self.instance,
                                           f"delivery failed: {problem}", {**payload, "error": problem}):
                report.failed += 1
                metrics.prompt(occurrence.kind, "failed")

    async def nudge(self, moment: datetime, report: TickReport) -> None:
        """One nudge per unanswered prompt after `nudge_hours` working hours; after as
        many again it counts as missed (`bot.cadence.nudges`)."""
        await nudge_unanswered(self.coach, moment, self.nudge_hours, report)
