"""The parts of `bench/dispatch_bench.py`, each run in a fresh process of its own
(`python bench/dispatch_bench.py --child PART …`) so that its peak memory
(ru_maxrss) and its CPU time belong to that part only.

The clock of coachbot's parts is pinned (the dispatcher's and the planner's
`clock_now`, no freezegun overhead): the population was imported on a Saturday and
the parts run at the end of the Monday after, when every zone's Monday WIG is due.
The APScheduler baseline runs on the real clock (its one due job is made due by
setting its next run time).

Each part prints one JSON line: wall seconds, CPU seconds (`time.process_time`: this
process only, not the PostgreSQL server's), counts, and `peak_mb`.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# 14 zones east and west of UTC; the Gulf and Israel work Sunday–Thursday.
ZONES = [
    ("America/Los_Angeles", "1,2,3,4,5"), ("America/New_York", "1,2,3,4,5"),
    ("America/Sao_Paulo", "1,2,3,4,5"), ("Europe/London", "1,2,3,4,5"),
    ("Europe/Oslo", "1,2,3,4,5"), ("Europe/Berlin", "1,2,3,4,5"),
    ("Africa/Johannesburg", "1,2,3,4,5"), ("Asia/Riyadh", "7,1,2,3,4"),
    ("Asia/Jerusalem", "7,1,2,3,4"), ("Asia/Kolkata", "1,2,3,4,5"),
    ("Asia/Singapore", "1,2,3,4,5"), ("Asia/Tokyo", "1,2,3,4,5"),
    ("Australia/Sydney", "1,2,3,4,5"), ("Pacific/Auckland", "1,2,3,4,5"),
]
IMPORTED = datetime(2027, 1, 30, tzinfo=UTC)  # a Saturday
END_OF_MONDAY = datetime(2027, 2, 2, 0, 0, tzinfo=UTC)  # every zone's Monday WIG is due
NUDGE_SCAN_AT = END_OF_MONDAY + timedelta(hours=1)  # the tick's scan: nothing owed yet
NUDGES_AT = END_OF_MONDAY + timedelta(hours=25)  # every prompt unanswered for a working day
NEXT_MONDAY = datetime(2027, 2, 8, tzinfo=UTC)  # "plan a day": a UTC day past the horizon


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class MemoryChannel:
    """A chat platform that answers at once: what is left is our own time."""

    platform = "test"
    reaches_anyone = True  # reaches anyone by name, no identity needed

    def __init__(self) -> None:
        self.count = 0
        self.first_at: float | None = None  # time.time() of the first delivery
        self.first = asyncio.Event()

    async def deliver(self, recipient: Any, messages: Any) -> str:
        self.count += 1
        if self.first_at is None:
            self.first_at = time.time()
            self.first.set()
        return f"m{self.count}"


def pin_clock(moment: datetime) -> None:
    """The cadence's clock at `moment`; and every prompt due by then counts as on time:
    at the end of a Monday most of them are hours past due, and `bot.cadence.late`
    would hold those that fall in their people's night (8 of the 14 zones) instead of
    delivering them, so the parts would stop measuring delivery. A late prompt's check
    is its own cost (0.19 s of CPU per 100,000 in a micro-measure)."""
    import bot.cadence.dispatcher as dispatcher_module
    import bot.cadence.late as late_module
    import bot.cadence.planner as planner_module

    dispatcher_module.clock_now = lambda: moment  # type: ignore[assignment]
    planner_module.clock_now = lambda: moment  # type: ignore[assignment]
    late_module.LATE_AFTER = timedelta(days=3650)


def coach_on(url: str) -> tuple[Any, Any, MemoryChannel]:
    from bot.core.channel import Channels
    from bot.core.settings import Settings
    from bot.runtime import build_coach
    from storage.db import Database

    db = Database(url)
    channel = MemoryChannel()
    return db, build_coach(db, Settings(database_url=url), Channels(channel)), channel


def dispatcher_of(coach: Any) -> Any:
    from bot.cadence.dispatcher import Dispatcher

    # no time limit on claiming: the whole dispatch is measured
    return Dispatcher(coach, deliver_for=timedelta(days=1), plan_off_loop=False)


def measured(started: tuple[float, float], **extra: Any) -> dict[str, Any]:
    wall, cpu = started
    return {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu, **extra,
            "peak_mb": peak_mb()}


def start() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


# --- coachbot's parts ------------------------------------------------------------------


async def first_plan(url: str) -> dict[str, Any]:
    """A fresh process's first plan: everyone, from the catch-up window (35 days back)
    to the horizon (36 h ahead), written and the horizon kept in the table."""
    pin_clock(END_OF_MONDAY)
    db, coach, _ = coach_on(url)
    began = start()
    planned = await dispatcher_of(coach).plan(END_OF_MONDAY)
    result = measured(began, rows=planned)
    await db.dispose()
    return result


async def catch_up(url: str) -> dict[str, Any]:
    """The catch-up bookkeeping of a tick: older due prompts superseded."""
    from storage import occurrences

    db, _, _ = coach_on(url)
    began = start()
    async with db.session() as session:
        superseded = await occurrences.supersede_overdue(session, END_OF_MONDAY)
    result = measured(began, rows=superseded)
    await db.dispose()
    return result


async def deliver(url: str) -> dict[str, Any]:
    """Claim + deliver + record every due prompt, batch by batch, into a channel that
    answers at once."""
    from bot.cadence.dispatcher import TickReport

    pin_clock(END_OF_MONDAY)
    db, coach, channel = coach_on(url)
    report = TickReport()
    began = start()
    await dispatcher_of(coach).deliver_due(END_OF_MONDAY, report)
    result = measured(began, rows=report.delivered, received=channel.count, failed=report.failed)
    await db.dispose()
    return result


async def nudge_scan(url: str, moment: datetime = NUDGE_SCAN_AT) -> dict[str, Any]:
    """The nudge phase of a tick: at `NUDGE_SCAN_AT` the scan over the delivered
    prompts finds none owed yet; at `NUDGES_AT` (part `nudges`) every one of them is
    a candidate, its person's calendar is read and the nudge is sent."""
    from bot.cadence.dispatcher import TickReport

    pin_clock(moment)
    db, coach, channel = coach_on(url)
    report = TickReport()
    began = start()
    await dispatcher_of(coach).nudge(moment, report)
    result = measured(began, rows=report.nudged + report.missed, sent=channel.count)
    await db.dispose()
    return result


async def nudges(url: str) -> dict[str, Any]:
    return await nudge_scan(url, NUDGES_AT)


async def steady(url: str) -> dict[str, Any]:
    """A long-lived process between dispatches: after its first tick (not measured),
    60 ticks one minute apart from two hours after Monday's prompts went out (the
    deliver part sent them): each plans the minute that entered the horizon, catches
    up, claims nothing, and every fifth one scans for nudges; two are refreshes, with
    nothing changed. `per_tick_cpu_s` × 1,440 is a day of ticks."""
    moment = END_OF_MONDAY + timedelta(hours=2)
    pin_clock(moment)
    db, coach, _ = coach_on(url)
    dispatcher = dispatcher_of(coach)
    await dispatcher.tick()
    began = start()
    for minute in range(1, 61):
        pin_clock(moment + timedelta(minutes=minute))
        await dispatcher.tick()
    result = measured(began, rows=60)
    result["per_tick_cpu_s"] = result["cpu_s"] / 60
    await db.dispose()
    return result


async def plan_day(url: str) -> dict[str, Any]:
    """A day of planning as a running dispatcher does it: the population read once
    (`load_s`, `load_cpu_s`: at start, and again only when people, absences, rules or
    organisations changed), then one UTC day for everyone planned in 288 windows of
    five minutes (the dispatcher's `plan_every`) as the horizon moves on."""
    from bot.cadence.planner import materialise
    from bot.cadence.population import load_population

    pin_clock(NEXT_MONDAY)
    db, _, _ = coach_on(url)
    began = start()
    population = await load_population(db, NEXT_MONDAY)
    loaded = measured(began)
    began = start()
    planned = 0
    for window in range(288):
        moment = NEXT_MONDAY + timedelta(minutes=5 * window)
        pin_clock(moment)
        planned += await materialise(db, population, moment, moment + timedelta(minutes=5), now=moment)
    result = measured(began, rows=planned, load_s=loaded["wall_s"], load_cpu_s=loaded["cpu_s"])
    await db.dispose()
    return result


async def restart(url: str) -> dict[str, Any]:
    """`coachbot run` restarted: the same runtime (`bot.runtime.running`: flows
    checked, migrations, secrets, scheduler) whose first tick finds the table planned
    past now and delivers what is due before it re-plans. Ends at the first delivery.
    The time from process start is taken by the parent."""
    from bot.cli.launch import frozen_imports

    with frozen_imports():  # as the `coachbot` console script imports the commands
        from bot.core.settings import Settings
        from bot.runtime import running
    imported = time.time()
    pin_clock(END_OF_MONDAY)
    channel = MemoryChannel()
    async with running(Settings(database_url=url), extra=[channel]):  # type: ignore[list-item]
        await asyncio.wait_for(channel.first.wait(), timeout=600)
        print(json.dumps({"imported_at": imported, "ready_at": channel.first_at, "peak_mb": peak_mb()}),
              flush=True)
        os._exit(0)  # the rest of the dispatch is the deliver part's
    return {}


# --- the usual design: one APScheduler job per person ---------------------------------


FIRED = threading.Event()
FIRED_AT: list[float] = []


def wig_prompt(person_id: int) -> None:
    """What each per-person job runs (the prompt itself is not the measure)."""
    FIRED_AT.append(time.time())
    FIRED.set()


def aps_store(url: str) -> Any:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    from storage.db import normalise_url

    return SQLAlchemyJobStore(url=normalise_url(url, asynchronous=False))  # same database as coachbot


def aps_register(url: str, count: int) -> dict[str, Any]:
    """Register one CronTrigger job per person (their weekly WIG, in their zone), then
    make person 0's job due now, for the restart to find."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BackgroundScheduler(jobstores={"default": aps_store(url)}, timezone=UTC)
    scheduler.start(paused=True)
    began = start()
    for n in range(count):
        zone, days = ZONES[n % len(ZONES)]
        first = "sun" if days.startswith("7") else "mon"
        scheduler.add_job(wig_prompt, CronTrigger(day_of_week=first, hour=9, minute=0, timezone=zone),
                          args=[n], id=f"wig-{n}", replace_existing=True, misfire_grace_time=3600)
    result = measured(began, rows=count)
    scheduler.modify_job("wig-0", next_run_time=datetime.now(UTC), misfire_grace_time=None)
    # no shutdown(): its wake-up would run the due job (its thread is a daemon)
    return result


def aps_restart(url: str) -> dict[str, Any]:
    """The baseline restarted, like coachbot's restart: the same app imported, the
    migrations checked, then the scheduler started on its job store. Ready when the
    due job runs; then every job is loaded (what reconciling the jobs with the people
    table after a downtime needs: new people, moved zones, people who left)."""
    from bot.cli.launch import frozen_imports

    with frozen_imports():
        from apscheduler.schedulers.background import BackgroundScheduler

        import bot.runtime  # noqa: F401  (the bot the jobs would run)
        from storage.migrate import upgrade
    imported = time.time()
    upgrade(url)
    scheduler = BackgroundScheduler(jobstores={"default": aps_store(url)}, timezone=UTC)
    scheduler.start()
    if not FIRED.wait(timeout=600):
        raise SystemExit("the due job never ran")
    jobs = scheduler.get_jobs()
    loaded = time.time()
    scheduler.shutdown(wait=False)
    return {"imported_at": imported, "ready_at": FIRED_AT[0], "loaded_at": loaded, "jobs": len(jobs),
            "peak_mb": peak_mb()}


PARTS = {"plan": first_plan, "catch-up": catch_up, "restart": restart, "deliver": deliver,
         "nudge": nudge_scan, "steady": steady, "plan-day": plan_day, "nudges": nudges}


def run_part(part: str, url: str, count: int) -> dict[str, Any]:
    if part == "aps-register":
        return aps_register(url, count)
    if part == "aps-restart":
        return aps_restart(url)
    return asyncio.run(PARTS[part](url))  # type: ignore[no-any-return]
