"""Benchmark: one-on-one briefs.

    python bench/brief_bench.py [--managers 1000] [--database-url URL]

A year of weekly data per rep (3 key results answered every week, a WIG prompt and
two commitments a week, a lead measure's weekly number, a check-in every two weeks).
Prints (medians of repeated runs, one process, SQLite unless a URL is given):

* the brief for one rep, without the chart (target < 100 ms);
* the chart alone (target < 300 ms);
* CPU seconds for all briefs of a Monday in an organisation of `--managers` managers
  (each with one rep's one-on-one that day: 8–12 reps met every other week over five
  working days is about one a day), chart included (target < 60 s): built as the
  job does, the briefs due in one tick together (`--batch`, default 10: a thousand
  briefs spread over a working day's 5-minute ticks), and one at a time (the worst
  case: every brief due in a tick of its own).

All figures are CPU time (time.process_time, every thread of the process, so the
database driver's thread counts too); wall time is shown but depends on the
machine's load.

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = datetime(2027, 12, 6, 13, 0, tzinfo=UTC)  # a Monday
START = NOW - timedelta(days=364)


def populate(url: str, managers: int) -> None:
    from sqlalchemy import create_engine, insert

    from storage.db import normalise_url
    from storage.migrate import upgrade
    from storage.models import (
        CheckIn,
        CheckInAnswer,
        Commitment,
        KeyResult,
        LeadMeasure,
        LeadMeasureEntry,
        Meeting,
        Objective,
        Occurrence,
        OneOnOne,
        Organisation,
        Person,
        Wig,
    )

    upgrade(url)
    engine = create_engine(normalise_url(url, asynchronous=False))
    with engine.begin() as conn:
        conn.execute(insert(Organisation), [{"id": 1, "name": "Bench", "timezone": "UTC", "created_at": START}])
        rows, series, meetings, wigs, measures = [], [], [], [], []
        for m in range(managers):
            manager, rep = 1 + 2 * m, 2 + 2 * m
            rows.append({"id": manager, "org_id": 1, "email": f"m{m}@x.com", "name": f"Manager {m}", "role": "manager",
                         "manager_id": None, "timezone": "America/New_York", "working_days": "1,2,3,4,5",
                         "active": True, "created_at": START, "updated_at": START})
            rows.append({"id": rep, "org_id": 1, "email": f"r{m}@x.com", "name": f"Rep {m}", "role": "rep",
                         "manager_id": manager, "timezone": "America/Chicago", "working_days": "1,2,3,4,5",
                         "active": True, "created_at": START, "updated_at": START})
            series.append({"id": m + 1, "org_id": 1, "manager_id": manager, "rep_id": rep,
                           "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "local_time": "10:00", "duration_minutes": 30,
                           "brief_minutes_before": 120})
            meetings.append({"org_id": 1, "series_id": m + 1, "manager_id": manager, "rep_id": rep,
                             "nominal_on": (NOW - timedelta(days=14)).date(), "starts_at": NOW - timedelta(days=14),
                             "status": "held", "agenda": {}, "notes_shared": False})
            wigs.append({"id": m + 1, "org_id": 1, "manager_id": manager, "title": "Win logos", "from_value": 0,
                         "to_value": 40, "unit": "", "by_date": date(2027, 12, 31), "active": True,
                         "created_at": START})
            measures.append({"id": m + 1, "wig_id": m + 1, "title": "First meetings", "weekly_target": 5, "unit": "",
                             "active": True})
        conn.execute(insert(Person), rows)
        conn.execute(insert(OneOnOne), series)
        conn.execute(insert(Meeting), meetings)
        conn.execute(insert(Wig), wigs)
        conn.execute(insert(LeadMeasure), measures)
        conn.execute(insert(Objective), [{"id": m + 1, "org_id": 1, "owner_id": 2 + 2 * m, "title": "Grow",
                                          "period": "2027", "status": "active", "created_at": START}
                                         for m in range(managers)])
        conn.execute(insert(KeyResult), [{"id": 3 * m + k + 1, "objective_id": m + 1, "title": f"KR {k}",
                                          "start_value": 0, "target_value": 100, "current_value": 40 + k, "unit": "",
                                          "weight": 1, "confidence": "on_track", "due_on": date(2027, 12, 31),
                                          "updated_at": START}
                                         for m in range(managers) for k in range(3)])
        checkin_id, checkins, answers, occurrences, commitments, entries = 0, [], [], [], [], []
        for m in range(managers):
            rep = 2 + 2 * m
            for week in range(52):
                moment = START + timedelta(weeks=week)
                checkin_id += 1
                checkins.append({"id": checkin_id, "org_id": 1, "person_id": rep, "kind": "okr_checkin",
                                 "blockers": "slow legal" if week % 2 else None, "change_next": "call earlier",
                                 "started_at": moment, "completed_at": moment})
                answers += [{"checkin_id": checkin_id, "key_result_id": 3 * m + k + 1, "question": "key_result",
                             "value": week * 0.8 + k, "confidence": ("on_track", "at_risk")[week % 7 == 0],
                             "answered_at": moment} for k in range(3)]
                occurrences.append({"key": f"wig:{rep}:{week}", "org_id": 1, "person_id": rep, "kind": "wig",
                                    "due_at": moment, "local_date": moment.date(),
                                    "status": "answered" if week % 5 else "missed", "delivered_at": moment,
                                    "answered_at": moment + timedelta(hours=2) if week % 5 else None, "payload": {}})
                week_start = (moment - timedelta(days=moment.weekday())).date()
                commitments += [{"person_id": rep, "text": "call ten", "week_start": week_start, "kept": bool(week % 3),
                                 "created_at": moment} for _ in range(2)]
                entries.append({"lead_measure_id": m + 1, "person_id": rep, "week_start": week_start,
                                "value": 3 + week % 4, "recorded_at": moment})
        for table, values in ((CheckIn, checkins), (CheckInAnswer, answers), (Occurrence, occurrences),
                              (Commitment, commitments), (LeadMeasureEntry, entries)):
            for first in range(0, len(values), 20_000):
                conn.execute(insert(table), values[first:first + 20_000])
    engine.dispose()


async def measure(url: str, managers: int, batch: int) -> None:
    from bot.core.channel import Channels
    from bot.core.settings import Settings
    from bot.features import brief_chart, briefs
    from bot.features.brief_data import gather
    from bot.runtime import build_coach
    from storage import people
    from storage.db import Database

    db = Database(url)
    coach = build_coach(db, Settings(database_url=url), Channels())
    async with db.session() as session:
        pairs = [(await people.get(session, 1 + 2 * m), await people.get(session, 2 + 2 * m)) for m in range(managers)]
    await briefs.build_brief(coach, *pairs[0], NOW)  # warm caches (templates, fonts, the chart's figure)
    real_draw = brief_chart.draw
    brief_chart.draw = lambda *args, **kwargs: None  # type: ignore[assignment]
    text_only, text_cpu = [], []
    for manager, rep in pairs[:50]:  # every call is given NOW; no clock is read
        started, cpu_started = time.perf_counter(), time.process_time()
        await briefs.build_brief(coach, manager, rep, NOW)
        text_only.append(time.perf_counter() - started)
        text_cpu.append(time.process_time() - cpu_started)
    brief_chart.draw = real_draw  # type: ignore[assignment]
    data = await gather(db, *pairs[0], NOW - timedelta(days=14), NOW)
    charts, chart_cpu = [], []
    for n in range(20):
        started, cpu_started = time.perf_counter(), time.process_time()
        image = brief_chart.draw(data.key_results, data.history, NOW, pairs[n % len(pairs)][1].name)
        charts.append(time.perf_counter() - started)
        chart_cpu.append(time.process_time() - cpu_started)
    monday = {}
    for size in dict.fromkeys((batch, 100, 1)):  # as the job builds them: the briefs due in a tick together
        cpu, wall = time.process_time(), time.perf_counter()
        for first in range(0, len(pairs), size):
            await briefs.build_briefs(coach, [(m, r, None) for m, r in pairs[first:first + size]], NOW)
        monday[size] = (time.process_time() - cpu, time.perf_counter() - wall)
    await db.dispose()
    print(f"brief for one rep, a year of weekly data, no chart: "
          f"median {statistics.median(text_cpu) * 1000:.1f} ms CPU, "
          f"p90 {sorted(text_cpu)[int(len(text_cpu) * 0.9)] * 1000:.1f} ms CPU "
          f"({statistics.median(text_only) * 1000:.1f} ms wall) (target < 100 ms)")
    print(f"chart ({brief_chart.WIDTH}x{brief_chart.HEIGHT} PNG, {len(image.png) // 1024} KB): median "  # type: ignore[union-attr]
          f"{statistics.median(chart_cpu) * 1000:.1f} ms CPU, p90 {sorted(chart_cpu)[18] * 1000:.1f} ms CPU "
          f"({statistics.median(charts) * 1000:.1f} ms wall) (target < 300 ms)")
    for size, (cpu, wall) in monday.items():
        print(f"Monday of {managers} managers, briefs built {size} per tick: {managers} briefs with charts in "
              f"{cpu:.1f} s CPU ({wall:.1f} s wall) (target < 60 s CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--managers", type=int, default=1000)
    parser.add_argument("--database-url")
    parser.add_argument("--batch", type=int, default=10, help="briefs due in one tick of the job (built together)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        started = time.perf_counter()
        populate(url, args.managers)
        print(f"populated {args.managers} managers and reps with a year of weekly data in "
              f"{time.perf_counter() - started:.1f} s")
        asyncio.run(measure(url, args.managers, args.batch))


if __name__ == "__main__":
    main()
