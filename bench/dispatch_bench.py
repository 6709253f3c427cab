"""Benchmark: coachbot's dispatcher against the usual "one APScheduler job per person".

    python bench/dispatch_bench.py [--people 10000] [--database-url URL]

(a) coachbot: 10,000 reps across 14 time zones (some with a Sunday–Thursday week),
    default cadences. One dispatcher tick at the end of a Monday plans the day from the
    rules and delivers every due prompt to an in-memory channel (platform latency
    excluded): time, and the peak memory of that process.
(b) the usual design: the same people as one APScheduler job each (their weekly WIG as
    a CronTrigger in their zone) in a SQLAlchemyJobStore: the time to register them,
    then a fresh process's start-up on that store (what every restart pays), and its
    peak memory.

Each part runs in its own process so peak memory (ru_maxrss) belongs to that part
only. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def populate(url: str, count: int) -> None:
    """10,000 reps under 100 managers, inserted in bulk (not timed)."""
    from sqlalchemy import create_engine, insert

    from storage.db import normalise_url
    from storage.migrate import upgrade
    from storage.models import Organisation, Person

    upgrade(url)
    engine = create_engine(normalise_url(url, asynchronous=False))
    with engine.begin() as conn:
        org_id = conn.execute(insert(Organisation.__table__).values(  # type: ignore[attr-defined]
            name="Bench", timezone="UTC", created_at=IMPORTED)).inserted_primary_key[0]
        managers = [{"org_id": org_id, "email": f"m{n}@bench.example", "name": f"Manager {n}",
                     "role": "manager", "timezone": "UTC", "working_days": "1,2,3,4,5",
                     "active": True, "created_at": IMPORTED, "updated_at": IMPORTED} for n in range(100)]
        conn.execute(insert(Person.__table__), managers)  # type: ignore[attr-defined]
        reps = []
        for n in range(count):
            zone, days = ZONES[n % len(ZONES)]
            reps.append({"org_id": org_id, "email": f"rep{n}@bench.example", "name": f"Rep {n}",
                         "role": "rep", "manager_id": 1 + n % 100, "timezone": zone, "working_days": days,
                         "active": True, "created_at": IMPORTED, "updated_at": IMPORTED})
        for start in range(0, len(reps), 2000):
            conn.execute(insert(Person.__table__), reps[start:start + 2000])  # type: ignore[attr-defined]
    engine.dispose()


# --- (a) coachbot -------------------------------------------------------------------


class MemoryChannel:
    platform = "test"
    reaches_anyone = True  # reaches anyone by name, no identity needed

    def __init__(self) -> None:
        self.count = 0

    async def deliver(self, recipient, messages) -> str:  # type: ignore[no-untyped-def]
        self.count += 1
        return f"m{self.count}"


async def coachbot_part(url: str) -> dict[str, float]:
    import bot.cadence.dispatcher as dispatcher_module
    import bot.cadence.planner as planner_module
    from bot.cadence.planner import load_population, plan_population
    from bot.cadence.timer import create_scheduler
    from bot.core.channel import Channels
    from bot.core.settings import Settings
    from bot.runtime import build_coach
    from storage import occurrences as store
    from storage.db import Database

    # the dispatcher's clock, pinned to the end of that Monday (no freezegun overhead)
    dispatcher_module.clock_now = lambda: END_OF_MONDAY  # type: ignore[assignment]
    planner_module.clock_now = lambda: END_OF_MONDAY  # type: ignore[assignment]
    db = Database(url)
    channel = MemoryChannel()
    coach = build_coach(db, Settings(database_url=url), Channels(channel))

    started = time.perf_counter()
    scheduler = create_scheduler(coach, interval=3600)
    startup = time.perf_counter() - started  # nothing to load: the database is the schedule

    began = time.perf_counter()
    population = await load_population(db, END_OF_MONDAY)
    slots = plan_population(population, END_OF_MONDAY - timedelta(days=1), END_OF_MONDAY)
    compute = time.perf_counter() - began

    began = time.perf_counter()
    report = await scheduler.dispatcher.tick()
    tick = time.perf_counter() - began
    async with db.session() as session:
        statuses = await store.status_counts(session)
    await db.dispose()
    return {"startup_s": startup, "compute_day_s": compute, "slots_in_day": len(slots),
            "tick_s": tick, "delivered": report.delivered, "sent": channel.count,
            "plan_s": report.seconds["plan"], "catch_up_s": report.seconds["catch_up"],
            "deliver_s": report.seconds["deliver"], "nudge_s": report.seconds["nudge"],
            "planned": report.planned, "delivered_rows": statuses.get("delivered", 0),
            "peak_mb": peak_mb()}


# --- (b) one APScheduler job per person ---------------------------------------------


def wig_prompt(person_id: int) -> None:
    """What each per-person job would run."""


def apscheduler_register(url: str, count: int) -> dict[str, float]:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    store = SQLAlchemyJobStore(url=url)
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone=UTC)
    scheduler.start(paused=True)
    began = time.perf_counter()
    for n in range(count):
        zone, days = ZONES[n % len(ZONES)]
        first = "sun" if days.startswith("7") else "mon"
        scheduler.add_job(wig_prompt, CronTrigger(day_of_week=first, hour=9, minute=0, timezone=zone),
                          args=[n], id=f"wig-{n}", replace_existing=True, misfire_grace_time=3600)
    register = time.perf_counter() - began
    scheduler.shutdown(wait=False)
    return {"register_s": register, "jobs": count, "peak_mb": peak_mb()}


def apscheduler_startup(url: str) -> dict[str, float]:
    """A restart: build the scheduler on the populated store and start it. APScheduler
    has to look at its jobs (get_due_jobs/next run times) before it can serve."""
    began = time.perf_counter()
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    store = SQLAlchemyJobStore(url=url)
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone=UTC)
    scheduler.start()
    jobs = scheduler.get_jobs()  # what an admin page or a "reschedule on change" does
    startup = time.perf_counter() - began
    scheduler.shutdown(wait=False)
    return {"startup_s": startup, "jobs_loaded": len(jobs), "peak_mb": peak_mb()}


# --- driver ---------------------------------------------------------------------------


def child(part: str, url: str, count: int) -> None:
    if part == "coachbot":
        result = asyncio.run(coachbot_part(url))
    elif part == "aps-register":
        result = apscheduler_register(url, count)
    else:
        result = apscheduler_startup(url)
    print(json.dumps(result))


def run_child(part: str, url: str, count: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", part, "--database-url", url,
                          "--people", str(count)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database_url, args.people)
        return
    folder = Path(tempfile.mkdtemp(prefix="coachbot-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'coachbot.db'}"
    aps_url = f"sqlite:///{folder / 'apscheduler.db'}"
    began = time.perf_counter()
    populate(url, args.people)
    print(f"population: {args.people:,} reps + 100 managers in {len(ZONES)} zones "
          f"({time.perf_counter() - began:.1f} s to insert, not measured)")
    ours = run_child("coachbot", url, args.people)
    registered = run_child("aps-register", aps_url, args.people)
    restarted = run_child("aps-startup", aps_url, args.people)
    print()
    print("(a) coachbot dispatcher (database decides, APScheduler only wakes it)")
    print(f"    scheduler start-up (nothing to load)   {ours['startup_s'] * 1000:8.1f} ms")
    print(f"    compute the day from rules (plan only) {ours['compute_day_s']:8.2f} s  "
          f"({int(ours['slots_in_day']):,} slots)")
    print(f"    one tick: plan + claim + deliver       {ours['tick_s']:8.2f} s  "
          f"({int(ours['delivered']):,} prompts delivered, {int(ours['sent']):,} received by the channel)")
    print(f"      of which plan (35-day catch-up)      {ours['plan_s']:8.2f} s")
    print(f"               catch-up bookkeeping        {ours['catch_up_s']:8.2f} s")
    print(f"               claim + deliver + record    {ours['deliver_s']:8.2f} s")
    print(f"               nudge scan                  {ours['nudge_s']:8.2f} s")
    print(f"    throughput                             {ours['delivered'] / ours['tick_s']:8.0f} prompts/s")
    print(f"    peak memory (process RSS)              {ours['peak_mb']:8.1f} MB")
    print()
    print("(b) one APScheduler job per person in a SQLAlchemyJobStore")
    print(f"    register {int(registered['jobs']):,} jobs                   {registered['register_s']:8.2f} s  "
          f"(peak {registered['peak_mb']:.1f} MB)")
    print(f"    start-up of a restarted process        {restarted['startup_s']:8.2f} s  "
          f"({int(restarted['jobs_loaded']):,} jobs)")
    print(f"    peak memory at start-up (process RSS)  {restarted['peak_mb']:8.1f} MB")
    print()
    ready = ours["startup_s"] + ours["plan_s"]
    print("ratios (APScheduler job-per-person / coachbot)")
    print(f"    restart until ready to deliver         {restarted['startup_s'] / ready:8.2f} x  "
          f"({restarted['startup_s']:.2f} s vs {ready:.2f} s: start-up + first plan, catch-up included)")
    print(f"    restart vs a whole day dispatched      {restarted['startup_s'] / ours['tick_s']:8.2f} x")
    print(f"    setting the population up              {registered['register_s'] / ours['plan_s']:8.1f} x  "
          f"(register {int(registered['jobs']):,} jobs vs plan everyone's slots)")
    print(f"    peak memory                            {restarted['peak_mb'] / ours['peak_mb']:8.2f} x  "
          f"(coachbot's figure includes delivering all 10,000)")
    targets = ours["tick_s"] < 10 and ours["startup_s"] < 2 and ours["peak_mb"] < 300
    print()
    print(f"targets (10,000 dispatched < 10 s, start-up < 2 s, peak < 300 MB): {'met' if targets else 'NOT met'}")


if __name__ == "__main__":
    main()
