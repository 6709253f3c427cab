"""The dispatcher: the database decides what is due; APScheduler only wakes us up.

Every tick (once a minute, on the one event loop):

1. **plan** – cadence rules are expanded for everyone into `Occurrence` rows with a
   unique key (insert-or-ignore, so every process may plan the same slots);
2. **catch up** – of the due pending rows of one person and cadence only the newest
   survives, older ones are recorded as `missed` (no flood after downtime);
3. **claim** – `UPDATE … SET status='claimed' WHERE status='pending'` with RETURNING:
   only the process whose UPDATE changed the row sends it;
4. **deliver** – through the person's channel; then `delivered` with the platform's
   message id (a `Delivery` row, unique per occurrence and purpose). A claim older
   than the lease without a delivery (the process died between claim and send) is
   taken over and sent;
5. **nudge** – one nudge after 24 working hours unanswered, then `missed`.

No job store is shared (APScheduler 3 cannot share one between processes); a restart
loses nothing because everything that matters is in the occurrence rows.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot import cadence
from bot.cadence import Calendar, Rule, Slot
from bot.channel import DeliveryError, Recipient
from bot.clock import now as clock_now
from storage import schedule as store
from storage.db import Database, utcnow
from storage.events import prune_events
from storage.models import CadenceRule, Occurrence

if TYPE_CHECKING:
    from bot.coach import Coach

log = logging.getLogger(__name__)


INACTIVE = "inactive"


def instance_name() -> str:
    """Who claims: host, process and a random tail (a restarted process is new)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# --- planning: rules -> occurrence rows -------------------------------------------------


@dataclass
class Population:
    """Everyone's calendar and rules, loaded once per refresh and reused by each tick."""

    people: dict[int, store.PersonSchedule]
    calendars: dict[int, Calendar]
    rules: dict[int, list[Rule]]

    def for_person(self, person_id: int) -> tuple[Calendar, list[Rule]] | None:
        if person_id not in self.calendars:
            return None
        return self.calendars[person_id], self.rules[person_id]


def to_rule(row: CadenceRule, source: str) -> Rule:
    return Rule(row.kind, row.rrule if row.enabled else "", cadence.parse_local_time(row.local_time),
                row.timezone, row.anchor_on, source)


def calendar_of(person: store.PersonSchedule, absences: Sequence[tuple[Any, Any]] = ()) -> Calendar:
    """A person's calendar. Holidays: the person's country, else the country of their
    time zone, else the organisation's."""
    quiet_start = cadence.parse_local_time(person.quiet_start) if person.quiet_start else None
    quiet_end = cadence.parse_local_time(person.quiet_end) if person.quiet_end else None
    return Calendar(
        person_id=person.id,
        timezone=person.timezone or person.org_timezone or "UTC",
        working_days=cadence.parse_working_days(person.working_days),
        country=person.country or cadence.country_of_zone(person.timezone) or person.org_country,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        absences=tuple(sorted(absences)),
        not_before=person.created_at,
    )


def rules_for(person: store.PersonSchedule, stored: Sequence[CadenceRule], working_days: frozenset[int],
              kinds: Iterable[str] = cadence.PROMPT_KINDS) -> list[Rule]:
    """The rule of each cadence kind that applies to the person (most specific wins).
    Team, organisation and built-in rules are for reps; a manager or admin is prompted
    only by a rule made for them personally."""
    candidates: list[Rule] = []
    for row in stored:
        if row.org_id != person.org_id:
            continue
        if person.role != "rep" and row.person_id != person.id:
            continue
        if row.person_id is not None:
            if row.person_id == person.id:
                candidates.append(to_rule(row, "person"))
        elif row.team_manager_id is not None:
            if row.team_manager_id == person.manager_id:
                candidates.append(to_rule(row, "team"))
        else:
            candidates.append(to_rule(row, "org"))
    if person.role != "rep":
        kinds = [kind for kind in kinds if any(rule.kind == kind for rule in candidates)]
    found = [cadence.resolve_rules(kind, candidates, working_days) for kind in kinds]
    return [rule for rule in found if rule is not None]


async def load_population(db: Database, now: datetime, person_ids: Iterable[int] | None = None,
                          email: str | None = None, days: int = 400) -> Population:
    """Read people, absences and rules (three queries, whatever the head count)."""
    ids = list(person_ids) if person_ids is not None else None
    async with db.session() as session:
        found = await store.people_to_schedule(session, ids, email)
        chosen = [p.id for p in found] if (ids is not None or email is not None) else None
        first = (now - timedelta(days=days)).date()
        last = (now + timedelta(days=days)).date()
        absences = await store.absences_between(session, first, last, chosen)
        stored = await store.cadence_rules(session, {p.org_id for p in found})
    calendars: dict[int, Calendar] = {}
    rules: dict[int, list[Rule]] = {}
    for person in found:
        calendars[person.id] = calendar_of(person, absences.get(person.id, ()))
        rules[person.id] = rules_for(person, stored, calendars[person.id].working_days)
    return Population({p.id: p for p in found}, calendars, rules)


def plan_population(population: Population, start: datetime, end: datetime) -> list[Slot]:
    """Every slot of everyone whose effective time is in [start, end)."""
    slots: list[Slot] = []
    for person_id, calendar in population.calendars.items():
        for rule in population.rules[person_id]:
            try:
                slots.extend(cadence.plan(calendar, rule, start, end))
            except cadence.CadenceError as error:
                log.warning("cadence %s of person %s is broken: %s", rule.kind, person_id, error)
    return slots


def slot_row(slot: Slot, org_id: int) -> dict[str, Any]:
    local_day = slot.local.date() if slot.local is not None else slot.nominal.date()
    return {
        "key": slot.key,
        "org_id": org_id,
        "person_id": slot.person_id,
        "kind": slot.kind,
        "due_at": slot.effective,
        "local_date": local_day,
        "status": store.SKIPPED if slot.status == "skipped" else store.PENDING,
        "reason": slot.reason,
        "payload": {},
    }


@dataclass(frozen=True)
class Meeting:
    """One 1:1 of a manager–rep series, placed in the rep's calendar."""

    manager_id: int
    rep_id: int
    slot: Slot
    duration_minutes: int
    brief_minutes_before: int
    manager_name: str = ""
    rep_name: str = ""


async def one_on_one_meetings(db: Database, start: datetime, end: datetime,
                              person_ids: Iterable[int] | None = None) -> list[Meeting]:
    """The 1:1s of [start, end): each series is a local rule (its zone, else the
    manager's) placed in the rep's calendar, so a rep's holiday or vacation moves or
    skips it by the same rule as a prompt. For the manager brief and the preview."""
    async with db.session() as session:
        series = await store.one_on_ones(session, person_ids)
    if not series:
        return []
    involved = {s.rep_id for s in series} | {s.manager_id for s in series}
    population = await load_population(db, start, involved, days=60)
    found: list[Meeting] = []
    for row in series:
        calendar = population.calendars.get(row.rep_id)
        manager = population.people.get(row.manager_id)
        if calendar is None or manager is None:
            continue
        rule = Rule(cadence.ONE_ON_ONE, row.rrule, cadence.parse_local_time(row.local_time),
                    row.timezone or manager.timezone, row.anchor_on, "one_on_one")
        try:
            slots = cadence.plan(calendar, rule, start, end)
        except cadence.CadenceError as error:
            log.warning("1:1 series %s is broken: %s", row.id, error)
            continue
        rep = population.people[row.rep_id]
        found.extend(Meeting(row.manager_id, row.rep_id, slot, row.duration_minutes,
                             row.brief_minutes_before, manager.name, rep.name) for slot in slots)
    return sorted(found, key=lambda m: m.slot.effective)


async def materialise(db: Database, population: Population, start: datetime, end: datetime,
                      prune: bool = False, now: datetime | None = None) -> int:
    """Write the slots of [start, end) as occurrences (idempotent: keys are unique).

    With `prune`, pending occurrences in the window that today's rules can no longer
    produce (an admin moved the WIG from Monday to Wednesday, or switched a cadence
    off) are skipped with the reason `rule_changed`, so the old time never fires.
    """
    slots = plan_population(population, start, end)
    rows = [slot_row(s, population.people[s.person_id].org_id) for s in slots]
    async with db.session() as session:
        await store.save_slots(session, rows, now or clock_now())
        if prune:
            await _prune(session, population, start, end)
    return len(rows)


async def _prune(session: Any, population: Population, start: datetime, end: datetime) -> int:
    pending = await store.planned_pending(session, start, end, list(population.people))
    if not pending:
        return 0
    orphans: list[int] = []
    for occurrence_id, key, person_id, payload in pending:
        if (payload or {}).get("adhoc") or person_id not in population.calendars:
            continue
        kind, _, rest = key.partition(":")  # "wig:42:2027-01-11"
        day = rest.rpartition(":")[2]
        rule = next((r for r in population.rules[person_id] if r.kind == kind), None)
        try:
            nominal = date.fromisoformat(day)
        except ValueError:
            continue  # not a key the planner makes
        if rule is None or nominal not in cadence.nominal_days(rule, start, end):
            orphans.append(occurrence_id)
    return await store.skip_pending(session, orphans, "rule_changed") if orphans else 0


async def replan(db: Database, person_ids: Iterable[int], now: datetime | None = None,
                 horizon: timedelta = timedelta(days=15)) -> int:
    """Re-plan some people's pending occurrences after their calendar or rules changed
    (a new vacation, `/okr out`, new working days, a new rule): moved or skipped before
    anyone claims them."""
    moment = now or clock_now()
    population = await load_population(db, moment, person_ids)
    return await materialise(db, population, moment, moment + horizon, prune=True, now=moment)


# --- dispatching ------------------------------------------------------------------------


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
            report.superseded = await store.supersede_overdue(session, moment)
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
        while True:
            async with self.db.session() as session:
                claimed = await store.reclaim_stale(session, moment - self.lease, moment,
                                                    self.instance, self.batch)
                if len(claimed) < self.batch:
                    claimed += await store.claim_due(session, moment, self.instance,
                                                     self.batch - len(claimed))
            if not claimed:
                break
            await self._deliver_batch(claimed, moment, report)
            if len(claimed) < self.batch:
                break
        async with self.db.session() as session:
            await store.supersede_delivered(session)

    async def _deliver_batch(self, claimed: list[Occurrence], moment: datetime,
                             report: TickReport) -> None:
        from bot import checkins

        names = await self._people_names({o.person_id for o in claimed})
        recipients = await self._recipients({o.person_id for o in claimed}, names)
        gate = asyncio.Semaphore(self.concurrency)

        async def send(occurrence: Occurrence) -> tuple[Occurrence, str | None, str | None, str | None]:
            recipient = recipients.get(occurrence.person_id)
            if isinstance(recipient, str) or recipient is None:
                return occurrence, None, None, recipient or INACTIVE
            repeat = int((occurrence.payload or {}).get("snoozes", 0))
            messages = checkins.prompt_messages(occurrence, recipient.name, repeat)
            channel = self.coach.channels.get(recipient.platform)
            if channel is None:
                return occurrence, None, None, f"no running {recipient.platform} channel"
            async with gate:
                try:
                    message_id = await channel.deliver(recipient, messages)
                except DeliveryError as error:
                    return occurrence, recipient.platform, None, str(error) or "delivery refused"
                except Exception as error:
                    # unknown outcome (a timeout may have delivered): record it as
                    # failed, with the reason, rather than risk sending it twice
                    log.exception("delivering %s failed", occurrence.key)
                    return occurrence, recipient.platform, None, f"{type(error).__name__}: {error}"[:200]
            return occurrence, recipient.platform, message_id, None

        outcomes = await asyncio.gather(*(send(o) for o in claimed))
        failures: list[tuple[Occurrence, str]] = []
        sent: list[tuple[int, str, str, str | None]] = []
        async with self.db.session() as session:
            for occurrence, platform, message_id, problem in outcomes:
                if problem == INACTIVE:  # left the team since it was planned: no alert
                    await store.skip_claimed(session, occurrence.id, self.instance, INACTIVE)  # type: ignore[arg-type]
                    continue
                if problem is not None:
                    payload = dict(occurrence.payload or {}, error=problem)
                    if await store.record_failure(session, occurrence.id, self.instance,  # type: ignore[arg-type]
                                                  f"delivery failed: {problem}", payload):
                        failures.append((occurrence, problem))
                        report.failed += 1
                    continue
                snoozes = int((occurrence.payload or {}).get("snoozes", 0))
                purpose = "prompt" if snoozes == 0 else f"prompt{snoozes + 1}"
                sent.append((occurrence.id, purpose, platform or "", message_id))  # type: ignore[arg-type]
            report.delivered += await store.record_deliveries(session, sent, self.instance, moment)
        for occurrence, problem in failures:
            await self._tell_admins(occurrence, problem, moment, names)

    async def _people_names(self, person_ids: set[int]) -> dict[int, store.PersonSchedule]:
        known = self.population.people if self.population is not None else {}
        missing = [pid for pid in person_ids if pid not in known]
        found = dict(known)
        if missing:
            async with self.db.session() as session:
                for person in await store.people_to_schedule(session, missing):
                    found[person.id] = person
        return found

    async def _recipients(self, person_ids: set[int],
                          people: dict[int, store.PersonSchedule]) -> dict[int, Recipient | str]:
        """How to reach each person, in one query: their first identity on a running
        channel (Slack, then Teams); the console and test channels reach anyone. The
        same preference as `Coach.recipient`, batched for thousands of people."""
        async with self.db.session() as session:
            identities = await store.identities_for(session, person_ids)
        platforms = self.coach.channels.platforms
        found: dict[int, Recipient | str] = {}
        for person_id in person_ids:
            person = people.get(person_id)
            if person is None:
                found[person_id] = INACTIVE
                continue
            ways = identities.get(person_id, {})
            found[person_id] = f"{person.email} has no identity on a running channel"
            for platform in platforms:
                if platform in ways:
                    user, tenant, dm = ways[platform]
                    found[person_id] = Recipient(person.id, person.org_id, person.email, person.name,
                                                 platform, user, tenant, dm)
                    break
                if platform in {"console", "test"}:
                    found[person_id] = Recipient(person.id, person.org_id, person.email, person.name,
                                                 platform)
                    break
        return found

    async def _tell_admins(self, occurrence: Occurrence, problem: str, moment: datetime,
                           people: dict[int, store.PersonSchedule]) -> None:
        """A prompt could not be delivered: the org's admins hear about it, once per
        person per day, so a rep who never installed the app is not skipped silently."""
        from bot import checkins

        async with self.db.session() as session:
            if await store.alerted_since(session, occurrence.person_id, moment - timedelta(days=1)):
                return
            admins = await store.admins(session, occurrence.org_id)
            payload = dict(occurrence.payload or {})
            payload.update(error=problem, alerted=True)
            await store.set_payload(session, occurrence.id, payload)  # type: ignore[arg-type]
        person = people.get(occurrence.person_id)
        who = person.name if person is not None else f"#{occurrence.person_id}"
        email = person.email if person is not None else ""
        messages = checkins.delivery_failed_messages(who, email, occurrence.kind, problem)
        for admin in admins:
            if admin.id == occurrence.person_id:
                continue
            try:
                await self.coach.deliver(admin.id, messages)  # type: ignore[arg-type]
            except Exception as error:  # DeliveryError, or a platform timeout
                log.warning("could not tell admin %s about %s: %s", admin.email, who, error)

    async def nudge(self, moment: datetime, report: TickReport) -> None:
        """One nudge per unanswered prompt after `nudge_hours` working hours; after as
        many again it counts as missed."""
        from bot import checkins

        earliest = moment - timedelta(hours=self.nudge_hours)
        async with self.db.session() as session:
            candidates = await store.unanswered(session, earliest, nudged=False)
            expiring = await store.unanswered(session, earliest, nudged=True)
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
                if await store.expire(session, occurrence.id):  # type: ignore[arg-type]
                    report.missed += 1
        names = await self._people_names({o.person_id for o in candidates})
        for occurrence in candidates:
            calendar = population.get(occurrence.person_id)
            assert occurrence.delivered_at is not None
            if calendar is None or cadence.add_working_hours(
                calendar, occurrence.delivered_at, self.nudge_hours) > moment:
                continue
            async with self.db.session() as session:
                if not await store.claim_nudge(session, occurrence.id, moment):  # type: ignore[arg-type]
                    continue
            person = names.get(occurrence.person_id)
            try:
                recipient = await self.coach.recipient(occurrence.person_id)
                channel = self.coach.channels.get(recipient.platform)
                if channel is None:
                    raise DeliveryError(f"no running {recipient.platform} channel")
                message_id = await channel.deliver(
                    recipient, checkins.nudge_messages(occurrence, person.name if person else "",
                                                       calendar.timezone))
            except Exception as error:  # DeliveryError, or a platform timeout
                log.warning("nudge for occurrence %s not delivered: %s", occurrence.key, error)
                continue
            async with self.db.session() as session:
                await store.record_nudge(session, occurrence.id, recipient.platform, message_id, moment)  # type: ignore[arg-type]
            report.nudged += 1

    async def _calendars(self, person_ids: set[int], moment: datetime) -> dict[int, Calendar]:
        population = await load_population(self.db, moment, person_ids, days=60)
        return population.calendars


# --- the timer --------------------------------------------------------------------------


class CadenceScheduler:
    """APScheduler as an alarm clock: one interval job on the running loop that wakes
    the dispatcher. It holds no state worth persisting, so it uses the memory job store."""

    JOB_ID = "cadence-dispatcher"
    HOUSEKEEPING_ID = "conversation-reminders"
    HOUSEKEEPING_EVERY = 15 * 60

    def __init__(self, dispatcher: Dispatcher, interval: float = 60.0) -> None:
        self.dispatcher = dispatcher
        self.interval = interval
        self.last_report: TickReport | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._running: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC, event_loop=asyncio.get_running_loop())
        self._scheduler.add_job(
            self._tick, IntervalTrigger(seconds=self.interval, timezone=UTC), id=self.JOB_ID,
            next_run_time=datetime.now(UTC), max_instances=1, coalesce=True,
            misfire_grace_time=None,
        )
        self._scheduler.add_job(
            self._housekeeping, IntervalTrigger(seconds=self.HOUSEKEEPING_EVERY, timezone=UTC),
            id=self.HOUSEKEEPING_ID, max_instances=1, coalesce=True, misfire_grace_time=None,
        )
        self._scheduler.start()

    def wake(self) -> None:
        """Run the dispatcher now (a demo, a test, an admin's change)."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.modify_job(self.JOB_ID, next_run_time=datetime.now(UTC))

    async def _tick(self) -> None:
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

    async def _housekeeping(self) -> None:
        """Remind people who left a conversation half-way, and managers whose salary-talk
        follow-up date has come (each is marked when sent, so a later run skips it);
        forget platform event ids no platform will retry any more."""
        from bot.dialogs import remind_abandoned, remind_salary_follow_ups

        for job in (remind_abandoned, remind_salary_follow_ups, forget_old_events):
            try:
                count = await job(self.dispatcher.coach)
                if count:
                    log.info("%s: %d reminded", job.__name__, count)
            except Exception:  # one failing reminder kind must not stop the others
                log.exception("%s failed", job.__name__)

    async def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        running = self._running
        if running is not None and not running.done():
            try:
                await asyncio.wait_for(asyncio.shield(running), timeout=30)
            except (TimeoutError, asyncio.CancelledError):
                log.warning("cadence tick still running at shutdown; its claims expire after the lease")
        self._scheduler = None


async def forget_old_events(coach: Coach) -> int:
    """Prune processed Slack/Teams event ids older than two days (retries stop long before)."""
    async with coach.db.session() as session:
        return await prune_events(session, utcnow() - timedelta(days=2))


def create_scheduler(coach: Coach, interval: float | None = None, **options: Any) -> CadenceScheduler:
    """The scheduler the runtime starts: a dispatcher on this coach, ticking every
    minute (the demo ticks every few seconds)."""
    seconds = interval if interval is not None else coach.settings.tick_seconds
    options.setdefault("nudge_hours", coach.settings.nudge_hours)
    return CadenceScheduler(Dispatcher(coach, **options), interval=seconds)
