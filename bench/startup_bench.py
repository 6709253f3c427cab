"""Start-up of a restarted `coachbot run`: from the process starting to its first prompt
posted to Slack, on a database another process already planned.

    python bench/startup_bench.py [--reps 1000] [--starts 5]
                                  [--profile FILE] [--postgres postgresql://postgres@127.0.0.1:55440/postgres]

This is what an instance that crashed and was restarted costs before it helps again
(the soak, bench/soak.py, kill -9s one every few seconds). The bench creates its own
PostgreSQL database, seeds `--reps` reps with two prompts each already due, plans them
in-process (as a running instance would have), starts a local fake Slack, then starts
`coachbot run` `--starts` times: each time it measures the wall time until the fake
receives the process's first chat.postMessage and the CPU the process had used by
then, and kill -9s it. Prints the median and the worst of both. Not part of the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "slack"))

from fake_slack import FakeSlack  # noqa: E402
from soak import create_database, drop_database, seed  # noqa: E402


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def plan(url: str, now: datetime) -> None:
    from bot.cadence.planner import keep_planned_until, materialise
    from bot.cadence.population import load_population
    from storage.db import Database

    db = Database(url)
    population = await load_population(db, now)
    end = now + timedelta(hours=36)
    await materialise(db, population, now - timedelta(days=1), end, prune=True, now=now)
    await keep_planned_until(db, end, now)
    await db.dispose()


async def bench(args: argparse.Namespace) -> dict[str, object]:
    name = f"coachbot_startup_{os.getpid()}"
    url = create_database(args.postgres, name)
    start = (datetime.now(UTC) - timedelta(minutes=30)).replace(second=0, microsecond=0)
    seed(url, args.reps, start, 20)  # everything due in the last half hour
    await plan(url, datetime.now(UTC))
    fake = await FakeSlack().start()
    env = {**os.environ, "DATABASE_URL": url, "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_SIGNING_SECRET": "bench-secret", "SLACK_API_URL": fake.api_url,
           "COACHBOT_LOG_LEVEL": "WARNING", "PORT": "31090"}
    walls: list[float] = []
    cpus: list[float] = []
    try:
        for _ in range(args.starts):
            seen = len(fake.calls_to("chat.postMessage"))
            began = time.monotonic()
            profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
            process = subprocess.Popen([sys.executable, *profile, "-m", "bot", "run"], cwd=ROOT, env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while len(fake.calls_to("chat.postMessage")) == seen:
                if process.poll() is not None or time.monotonic() - began > 120:
                    raise SystemExit("coachbot run stopped (or took 2 min) before posting anything")
                await asyncio.sleep(0.02)
            walls.append(time.monotonic() - began)
            cpus.append(cpu_seconds(process.pid))
            process.send_signal(signal.SIGINT if args.profile else signal.SIGKILL)  # cProfile writes on exit
            process.wait()
    finally:
        await fake.stop()
        drop_database(args.postgres, name)
    return {
        "starts": args.starts, "prompts due": args.reps * 2,
        "first post, wall s (median / max)": f"{statistics.median(walls):.2f} / {max(walls):.2f}",
        "CPU used by then, s (median / max)": f"{statistics.median(cpus):.2f} / {max(cpus):.2f}",
        "load average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get(
        "COACHBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:55440/postgres"))
    parser.add_argument("--profile", help="write a cProfile of each start to this file (stopped by SIGINT)")
    result = asyncio.run(bench(parser.parse_args()))
    for key, value in result.items():
        print(f"{key:>36}: {value}")


if __name__ == "__main__":
    main()
