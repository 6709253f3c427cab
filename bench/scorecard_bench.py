"""Benchmark: the team scorecard, `/okr team` at size, and the export.

    python bench/scorecard_bench.py [--database-url URL] [--checkins 100000]

(a) the scorecard of a team of 12 with a year of weekly data (2 WIGs with 52 lag
    readings, 3 lead measures with per-rep targets, 52 weeks of numbers and two
    commitments a week per rep), including the matplotlib chart. Target < 200 ms.
(b) `/okr team` for a manager of 500 reps (3 objectives of 3 key results each, 26
    check-ins with answers, missed prompts, commitments), from the command to the
    Slack Block Kit posts and the Teams cards: our time, no network. Target < 1 s.
(c) `coachbot export checkins` of 100,000 check-ins (one answer each) as CSV to a
    file, in a fresh process so its peak memory is the export's. Targets < 10 s and
    < 200 MB.

Each figure is the median of several runs after one warm-up (the first run, which
also loads matplotlib's fonts, is printed apart). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MONDAY = date(2027, 12, 27)  # the scored week: a year of data ends here
TODAY = date(2028, 1, 4)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def populate(url: str, reps: int, checkins: int) -> dict[str, int]:
    """One organisation: a manager of 12 (the scorecard team), a manager of `reps`
    (the `/okr team` manager), and `checkins` check-ins spread over everyone."""
    from sqlalchemy import create_engine, insert, select

    from storage.db import normalise_url
    from storage.migrate import upgrade
    from storage.models import (
        CheckIn,
        CheckInAnswer,
        Commitment,
        KeyResult,
        LeadMeasure,
        LeadMeasureEntry,
        LeadTarget,
        Objective,
        Occurrence,
        Organisation,
        Person,
        Wig,
        WigReading,
    )

    upgrade(url)
    engine = create_engine(normalise_url(url, asynchronous=False))
    now = datetime(2027, 6, 1, tzinfo=UTC)
    with engine.begin() as conn:
        org = conn.execute(insert(Organisation).values(name="Bench", timezone="UTC", created_at=now)
                           .returning(Organisation.id)).scalar_one()

        def person(email: str, role: str, manager: int | None) -> int:
            return conn.execute(insert(Person).values(
                org_id=org, email=email, name=email.split("@")[0].title(), role=role, manager_id=manager,
                timezone="Europe/Oslo", created_at=now, updated_at=now).returning(Person.id)).scalar_one()

        small = person("small.manager@bench.example", "manager", None)
        big = person("big.manager@bench.example", "manager", None)
        conn.execute(insert(Person), [dict(org_id=org, email=f"s{i}@bench.example", name=f"Small Rep {i:02d}",
                                           role="rep", manager_id=small, timezone="Asia/Kolkata", created_at=now,
                                           updated_at=now) for i in range(12)])
        conn.execute(insert(Person), [dict(org_id=org, email=f"b{i}@bench.example", name=f"Big Rep {i:03d}",
                                           role="rep", manager_id=big, timezone="America/New_York",
                                           created_at=now, updated_at=now) for i in range(reps)])
        small_team = list(conn.execute(select(Person.id).where(Person.manager_id == small)).scalars())
        big_team = list(conn.execute(select(Person.id).where(Person.manager_id == big)).scalars())
        weeks = [MONDAY - timedelta(weeks=n) for n in range(52)]
        for w in range(2):
            wig = conn.execute(insert(Wig).values(
                org_id=org, manager_id=small, title=f"WIG {w}", from_value=1_200_000, to_value=1_500_000,
                unit="USD", by_date=date(2028, 6, 30), started_on=date(2027, 1, 1), active=True,
                created_at=now).returning(Wig.id)).scalar_one()
            conn.execute(insert(WigReading), [dict(wig_id=wig, week_start=d, value=1_200_000 + 4000 * i,
                                                   recorded_by=small, recorded_at=now)
                                              for i, d in enumerate(reversed(weeks))])
            for m in range(3 if w == 0 else 0):
                measure = conn.execute(insert(LeadMeasure).values(
                    wig_id=wig, title=f"Measure {m}", weekly_target=10, unit="", active=True)
                    .returning(LeadMeasure.id)).scalar_one()
                conn.execute(insert(LeadTarget), [dict(lead_measure_id=measure, person_id=p, weekly_target=8)
                                                  for p in small_team[:4]])
                conn.execute(insert(LeadMeasureEntry), [
                    dict(lead_measure_id=measure, person_id=p, week_start=d, value=(p + i) % 13, recorded_at=now)
                    for p in small_team for i, d in enumerate(weeks)])
        conn.execute(insert(Commitment), [dict(person_id=p, wig_id=None, text="Call five leads", week_start=d,
                                               kept=bool((p + i) % 3), created_at=now)
                                          for p in small_team + big_team for i, d in enumerate(weeks[:8])
                                          for _ in range(2)])
        for p in big_team:
            for o in range(3):
                objective = conn.execute(insert(Objective).values(
                    org_id=org, owner_id=p, title=f"Objective {o}", period="2027", priority=o + 1,
                    status="active", created_at=now).returning(Objective.id)).scalar_one()
                conn.execute(insert(KeyResult), [dict(
                    objective_id=objective, title=f"Key result {o}.{k}", start_value=0, target_value=10,
                    current_value=(p + k) % 11, unit="", weight=1,
                    confidence=("on_track", "at_risk", "off_track")[(p + k) % 3], updated_at=now) for k in range(3)])
        conn.execute(insert(Occurrence), [dict(
            key=f"okr_checkin:{p}:{n}", org_id=org, person_id=p, kind="okr_checkin",
            due_at=datetime(2027, 12, 1, tzinfo=UTC) + timedelta(days=n), local_date=date(2027, 12, 1),
            status="missed", payload={}) for p in big_team[::7] for n in range(2)])
        everyone = small_team + big_team
        start = datetime(2027, 1, 1, 9, tzinfo=UTC)
        batch = 10_000
        for first in range(0, checkins, batch):
            rows = [dict(org_id=org, person_id=everyone[i % len(everyone)], kind="okr_checkin",
                         blockers="Legal; pricing" if i % 5 == 0 else None, change_next=None,
                         started_at=start + timedelta(minutes=7 * i), completed_at=start + timedelta(minutes=7 * i))
                    for i in range(first, min(checkins, first + batch))]
            ids = conn.execute(insert(CheckIn).returning(CheckIn.id), rows).scalars().all()
            conn.execute(insert(CheckInAnswer), [dict(
                checkin_id=c, key_result_id=None, question="key_result", value=float(c % 10),
                confidence=("on_track", "at_risk", "off_track")[c % 3], answered_at=start) for c in ids])
    engine.dispose()
    return {"small": small, "big": big}


CPU: list[float] = []  # the CPU milliseconds of the last timed() median, beside its wall time


async def timed(make, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(first run, median of the others) in wall milliseconds; the median CPU time of
    this process (every thread) goes to CPU: on a shared, busy machine the wall time
    includes waiting for a core, the CPU time does not."""
    times, cpu = [], []
    for _ in range(runs + 1):
        started, used = time.perf_counter(), time.process_time()
        await make()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    CPU[:] = [statistics.median(cpu[1:])]
    return times[0], statistics.median(times[1:])


async def views(url: str, ids: dict[str, int]) -> None:
    from bot.channels.slack import blocks
    from bot.channels.teams import cards
    from bot.core.channel import Channels
    from bot.core.messages import Inbound
    from bot.core.settings import Settings
    from bot.features import scorecard
    from bot.runtime import build_coach
    from storage.db import Database

    db = Database(url)
    coach = build_coach(db, Settings(database_url=url), Channels())
    try:
        async def trivial() -> None:  # how busy this machine is: matplotlib's floor
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            figure = Figure(figsize=(8, 3), dpi=80)
            FigureCanvasAgg(figure)
            figure.add_axes((0.1, 0.1, 0.8, 0.8)).plot([1, 2, 3], [1, 2, 3])
            figure.savefig(io.BytesIO(), format="png")

        first, median = await timed(trivial, 5)
        print(f"    (calibration: a one-line matplotlib figure takes {median:.0f} ms here, {CPU[0]:.0f} ms CPU; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        async def card() -> None:
            found = await scorecard.scorecard_messages(coach, ids["small"], MONDAY, TODAY, leader=True)
            assert found[0].image is not None and len(found[0].image.png) > 1000

        first, median = await timed(card, 7)
        print(f"(a) scorecard, 12 reps x 1 year, with chart: {median:.0f} ms median, {CPU[0]:.0f} ms CPU "
              f"(first run {first:.0f} ms)   target < 200 ms")
        sizes: dict[str, int] = {}

        async def team() -> None:
            replies = await coach.handle(Inbound(person_id=ids["big"], platform="test", text="/okr team"))
            posts, rest = blocks.responses(replies)
            found = cards.cards_for(replies)
            sizes.update(reps=len(replies) - 1, posts=len(posts), dm=len(rest), cards=len(found),
                         largest=max(cards.size(c) for c in found))

        first, median = await timed(team, 5)
        print(f"(b) /okr team, {sizes['reps']} reps: {median:.0f} ms median, {CPU[0]:.0f} ms CPU "
              f"(first run {first:.0f} ms)   "
              f"target < 1000 ms; Slack: {sizes['posts']} response_url posts + {sizes['dm']} DM messages; "
              f"Teams: {sizes['cards']} cards, largest {sizes['largest'] / 1000:.1f} KB")
    finally:
        await db.dispose()


def export_child(url: str) -> None:
    """In a fresh process: export every check-in to a file; print time, rows, peak MB."""
    from bot.cli.export import run_export

    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        before = peak_mb()
        started, used = time.perf_counter(), time.process_time()
        rows = asyncio.run(run_export(url, "checkins", "csv", out))
        took, cpu = time.perf_counter() - started, time.process_time() - used
        size = out.tell()
    print(f"{took:.2f} {rows} {peak_mb():.0f} {before:.0f} {size} {cpu:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--checkins", type=int, default=100_000)
    parser.add_argument("--export-child")
    args = parser.parse_args()
    if args.export_child:
        export_child(args.export_child)
        return
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        started = time.perf_counter()
        ids = populate(url, args.reps, args.checkins)
        print(f"populated in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
        asyncio.run(views(url, ids))
        out = subprocess.run([sys.executable, __file__, "--export-child", url], check=True,
                             capture_output=True, text=True).stdout.split()
        took, rows, peak, base, size, cpu = float(out[0]), int(out[1]), out[2], out[3], int(out[4]), out[5]
        print(f"(c) export of {args.checkins:,} check-ins: {rows:,} rows, {size / 1e6:.1f} MB of CSV in "
              f"{took:.2f} s ({cpu} s CPU), peak memory {peak} MB (the process before exporting: {base} MB)   "
              f"targets < 10 s, < 200 MB")


if __name__ == "__main__":
    main()
