"""Benchmark: coachbot's dispatcher at 10,000 and 100,000 people, on SQLite and
PostgreSQL, against the usual "one APScheduler job per person", in one run.

    python bench/dispatch_bench.py [--sizes 10000,100000] [--postgres-url URL] [--no-sqlite]

For each size and database: reps across 14 time zones (some with a Sunday–Thursday
week) under 100 managers, default cadences, inserted in bulk (not measured). Then,
each part in a fresh process of its own (`bench/dispatch_parts.py`: its own peak
memory and CPU time), in the order a real day meets them:

  plan       the first plan of a fresh process (35 days back to 36 h ahead)
  catch-up   older due prompts superseded
  restart    `coachbot run` restarted with the table planned: time from the process
             start until the first due prompt is delivered (imports, flows check,
             migrations, first tick's deliver-before-plan)
  deliver    claim + deliver + record every due prompt into a channel that answers
             at once (platform latency excluded): prompts per second of our CPU
  nudge      the tick's nudge scan an hour later (nothing owed yet)
  steady     60 ticks one minute apart between dispatches (two refreshes, nothing
             changed): our CPU per tick; a day is 1,440 of them
  plan-day   the population read, then one more UTC day planned for everyone in
             288 five-minute windows, as the running dispatcher plans it
  nudges     (with --nudges) a working day later: every prompt unanswered, each
             person's calendar read, everyone nudged
  baseline   one APScheduler job per person (CronTrigger in their zone) in a
             SQLAlchemyJobStore on the same database: register them, then a restart
             from process start (same imports and migrations) until the due job runs,
             and until all jobs are loaded

`--postgres-url` names a server (e.g. postgresql://postgres@127.0.0.1:5432/postgres):
the benchmark creates its own database there per size and drops it afterwards.
Not part of the test suite; the README's "Speed" section shows a run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dispatch_parts as parts

ROOT = parts.ROOT

# Slack's limits for chat.postMessage (https://api.slack.com/docs/rate-limits, "Web API
# Special Tier"): "generally allows posting one message per second per channel, while
# also maintaining a workspace-wide limit" that the docs do not quantify; each DM is
# its own channel, so the workspace-wide limit is the bound. coachbot paces each
# workspace at bot/channels/slack/pacing.WORKSPACE_RATE (4 messages/s sustained), the
# pace assumed below for "at best".
ORDER = ["plan", "catch-up", "restart", "deliver", "nudge", "steady", "plan-day"]
PARTS = [*ORDER, "nudges", "aps-register", "aps-restart"]


def populate(url: str, count: int) -> None:
    """`count` reps under 100 managers, inserted in bulk (not measured)."""
    from sqlalchemy import create_engine, insert

    from storage.db import normalise_url
    from storage.migrate import upgrade
    from storage.models import Organisation, Person

    upgrade(url)
    engine = create_engine(normalise_url(url, asynchronous=False))
    stamp = parts.IMPORTED
    common = {"active": True, "created_at": stamp, "updated_at": stamp}
    with engine.begin() as conn:
        org_id = conn.execute(insert(Organisation.__table__).values(  # type: ignore[attr-defined]
            name="Bench", timezone="UTC", created_at=stamp)).inserted_primary_key[0]
        conn.execute(insert(Person.__table__), [  # type: ignore[attr-defined]
            {"org_id": org_id, "email": f"m{n}@bench.example", "name": f"Manager {n}", "role": "manager",
             "timezone": "UTC", "working_days": "1,2,3,4,5", **common} for n in range(100)])
        for first in range(0, count, 5000):
            conn.execute(insert(Person.__table__), [  # type: ignore[attr-defined]
                {"org_id": org_id, "email": f"rep{n}@bench.example", "name": f"Rep {n}", "role": "rep",
                 "manager_id": 1 + n % 100, "timezone": parts.ZONES[n % len(parts.ZONES)][0],
                 "working_days": parts.ZONES[n % len(parts.ZONES)][1], **common}
                for n in range(first, min(count, first + 5000))])
    engine.dispose()


@contextmanager
def database(kind: str, server: str | None, folder: Path, count: int) -> Iterator[str]:
    """A fresh database for one run: a SQLite file, or a PostgreSQL database created on
    `server` and dropped (WITH FORCE) afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'coachbot-{count}.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from storage.db import normalise_url

    name = f"coachbot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(server or "", asynchronous=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server or "").set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_child(part: str, url: str, count: int) -> dict[str, Any]:
    """Run one part in a fresh interpreter; `started_at` is when it was launched, so
    that a restart's figure counts the interpreter's own start-up."""
    launched = time.time()
    out = subprocess.run([sys.executable, __file__, "--child", part, "--database-url", url,
                          "--sizes", str(count)], capture_output=True, text=True, check=False,
                         cwd=ROOT)
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        raise SystemExit(f"part {part} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    result["started_at"] = launched
    if "ready_at" in result:
        result["wall_s"] = result["ready_at"] - launched
    return result


def run_size(kind: str, server: str | None, folder: Path, count: int,
             chosen: list[str]) -> dict[str, dict[str, Any]]:
    with database(kind, server, folder, count) as url:
        began = time.perf_counter()
        populate(url, count)
        print(f"  {kind} {count:,}: population inserted in {time.perf_counter() - began:.1f} s "
              "(not measured)", flush=True)
        results: dict[str, dict[str, Any]] = {}
        for part in chosen:
            results[part] = run_child(part, url, count)
            print(f"    {part:<13} {results[part].get('wall_s', 0):8.2f} s", flush=True)
        return results


# --- the table ------------------------------------------------------------------------


def tick_of(r: dict[str, dict[str, Any]], key: str = "wall_s") -> float:
    """plan + catch-up + deliver + nudge scan (KeyError if one was not run)."""
    return sum(float(r[p][key]) for p in ("plan", "catch-up", "deliver", "nudge"))


def day_cpu(r: dict[str, dict[str, Any]]) -> float:
    """Our CPU for a day's whole dispatch: the population read once, the day planned,
    every prompt claimed, delivered and recorded, and a tick a minute in between
    (KeyError if not run)."""
    return float(r["plan-day"]["load_cpu_s"] + r["plan-day"]["cpu_s"] + r["deliver"]["cpu_s"]
                 + 1440 * r["steady"]["per_tick_cpu_s"])


def cells(r: dict[str, dict[str, Any]], count: int) -> dict[str, str]:
    """One column of the table: a run's figures as text ("–" where a part was not run)."""
    from bot.channels.slack.pacing import WORKSPACE_RATE

    def part(name: str) -> str:
        return f"{r[name]['wall_s']:.2f} s ({r[name]['cpu_s']:.2f} CPU), {r[name]['peak_mb']:.0f} MB"

    def deliver() -> str:
        d = r["deliver"]
        return (f"{d['rows']:,} in {d['wall_s']:.2f} s: {d['rows'] / d['cpu_s']:,.0f}/s of our CPU "
                f"({d['rows'] / d['wall_s']:,.0f}/s wall), {d['peak_mb']:.0f} MB")

    def restart(name: str) -> str:
        return f"{r[name]['wall_s']:.2f} s (imports {r[name]['imported_at'] - r[name]['started_at']:.2f} s)"

    def loaded() -> float:
        return float(r["aps-restart"]["loaded_at"] - r["aps-restart"]["started_at"])

    slack_one = count / WORKSPACE_RATE.per_second  # seconds, one workspace
    shown = {
        "first plan (35 days back, 36 h ahead)": lambda: f"{part('plan')}, {r['plan']['rows']:,} rows",
        "read the population (at start; again after a change)": lambda: (
            f"{r['plan-day']['load_s']:.2f} s ({r['plan-day']['load_cpu_s']:.2f} CPU)"),
        "plan a day (everyone, 288 windows of 5 min)": lambda: f"{part('plan-day')}, {r['plan-day']['rows']:,} rows",
        "catch-up": lambda: part("catch-up"),
        "claim + deliver + record": deliver,
        "nudge scan (an hour later, none owed)": lambda: part("nudge"),
        "nudges a working day later (everyone)": lambda: (
            f"{r['nudges']['sent']:,} in {r['nudges']['wall_s']:.2f} s ({r['nudges']['cpu_s']:.2f} CPU)"),
        "tick: plan + catch-up + deliver + nudge": lambda: f"{tick_of(r):.2f} s ({tick_of(r, 'cpu_s'):.2f} CPU)",
        "steady tick between dispatches (mean of 60)": lambda: (
            f"{r['steady']['wall_s'] / 60 * 1000:.0f} ms ({r['steady']['per_tick_cpu_s'] * 1000:.0f} ms CPU)"),
        "a day's CPU: read + plan a day + deliver + 1,440 steady ticks": lambda: (
            f"{day_cpu(r):.1f} s"),
        "peak memory (largest part)": lambda: f"{max(v['peak_mb'] for k, v in r.items() if k in ORDER):.0f} MB",
        "restart to first delivery": lambda: f"{restart('restart')}, {r['restart']['peak_mb']:.0f} MB",
        "APScheduler: register a job each": lambda: f"{r['aps-register']['wall_s']:.1f} s",
        "APScheduler: restart to the due job run": lambda: restart("aps-restart"),
        "APScheduler: restart to all jobs loaded": lambda: f"{loaded():.2f} s, {r['aps-restart']['peak_mb']:.0f} MB",
        "baseline restart / ours (due job run; all loaded)": lambda: (
            f"{r['aps-restart']['wall_s'] / r['restart']['wall_s']:.2f}x; {loaded() / r['restart']['wall_s']:.2f}x"),
        "Slack at best, 1 workspace (4 DMs/s)": lambda: f"{slack_one / 60:,.0f} min",
        "Slack at best, 50 workspaces in parallel": lambda: f"{slack_one / 50 / 60:,.1f} min",
        "our CPU for the tick / Slack's best (50 workspaces)": lambda: (
            f"{tick_of(r, 'cpu_s') / (slack_one / 50):.1%}"),
    }
    text: dict[str, str] = {}
    for label, make in shown.items():
        try:
            text[label] = make()
        except KeyError:
            text[label] = "–"
    return text


def print_table(runs: dict[tuple[str, int], dict[str, dict[str, Any]]]) -> None:
    columns = list(runs)
    table = {column: cells(runs[column], column[1]) for column in columns}
    print("\n| | " + " | ".join(f"{kind} {count:,}" for kind, count in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for label in table[columns[0]]:
        print(f"| {label} | " + " | ".join(table[c].get(label, "–") for c in columns) + " |")
    for kind in sorted({k for k, _ in columns}):
        sizes = sorted(c for k, c in columns if k == kind)
        for small, big in zip(sizes, sizes[1:], strict=False):
            a, b = runs[(kind, small)], runs[(kind, big)]
            if not all(p in a and p in b for p in ("plan", "catch-up", "deliver", "nudge")):
                continue
            print(f"\n{kind}: tick at {big:,} / tick at {small:,} = {tick_of(b) / tick_of(a):.1f}x wall, "
                  f"{tick_of(b, 'cpu_s') / tick_of(a, 'cpu_s'):.1f}x CPU (linear: {big / small:.0f}x; target <= 11x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000", help="people per run, comma-separated")
    parser.add_argument("--postgres-url", default=os.environ.get("COACHBOT_BENCH_POSTGRES_URL"),
                        help="a PostgreSQL server; the benchmark creates and drops its own database")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--nudges", action="store_true", help="also nudge everyone a day later")
    parser.add_argument("--parts", default=None,
                        help=f"only these parts, comma-separated (default: all of {','.join(PARTS)})")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.child:
        print(json.dumps(parts.run_part(args.child, args.database_url, sizes[0])), flush=True)
        return
    chosen = [p for p in PARTS if (args.parts is None and (p != "nudges" or args.nudges))
              or (args.parts is not None and p in args.parts.split(","))]
    kinds = ([] if args.no_sqlite else ["sqlite"]) + (["postgresql"] if args.postgres_url else [])
    folder = Path(tempfile.mkdtemp(prefix="coachbot-bench-"))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs)", flush=True)
    runs: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    for count in sizes:
        for kind in kinds:
            runs[(kind, count)] = run_size(kind, args.postgres_url, folder, count, chosen)
    print_table(runs)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
