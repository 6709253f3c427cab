"""Benchmark: `coachbot team import` of a large team, end to end.

    python bench/team_import_bench.py [--people 5000] [--database-url URL]

Writes a team file of N people (a head, managers of 10 reps each, four zones, Slack
and Teams ids, semicolon-separated as Excel writes it in Europe), then times the
real command in a fresh process: a first import into an empty database (migrations
included) and a re-import of the same file (every person updated). Target: 5,000
people in under 3 s. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ZONES = ["Europe/Oslo", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]


def team_file(count: int) -> str:
    lines = ["email;name;role;manager_email;timezone;working_days;country;slack_user_id;teams_user_id",
             "head@x.com;Head;admin;;Europe/Oslo;Mon-Fri;NO;UHEAD;aad-head"]
    managers = max(1, count // 11)
    for m in range(managers):
        lines.append(f"m{m}@x.com;Manager {m};manager;head@x.com;{ZONES[m % 4]};Mon-Fri;;UM{m};aad-m{m}")
    for r in range(count - managers - 1):
        lines.append(f"r{r}@x.com;\"Rep, {r}\";rep;m{r % managers}@x.com;{ZONES[r % 4]};Sun-Thu;;UR{r};aad-r{r}")
    return "\n".join(lines) + "\n"


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one `coachbot` command in a fresh process."""
    start, used = time.perf_counter(), cpu()
    done = subprocess.run([sys.executable, "-c", "from bot.cli.main import main; main()", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    print("  ", done.stdout.strip())
    return elapsed, cpu() - used


async def in_process(text: str, url: str) -> tuple[float, float, float]:
    """Seconds to read and check the file, to write it into an empty organisation,
    and to write it again (all updated): the import's own work, without start-up."""
    sys.path.insert(0, str(ROOT))
    from bot.cli.team_file import read_team
    from storage import people
    from storage.db import Database

    start = time.perf_counter()
    rows = read_team(text)
    read = time.perf_counter() - start
    db = Database(url)
    times = []
    for _ in range(2):
        start = time.perf_counter()
        async with db.session() as session:
            org = await people.ensure_org(session, "In process", "UTC")
            await people.upsert_team(session, org.id, rows)  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
    await db.dispose()
    return read, times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--database-url")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "team.csv"
        path.write_text(team_file(options.people), encoding="utf-8")
        url = options.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        env = {**os.environ, "DATABASE_URL": url}
        subprocess.run([sys.executable, "-c", "from bot.cli.main import main; main()", "db", "upgrade"],
                       env=env, cwd=ROOT, check=True, capture_output=True)
        print(f"{options.people} people, {url.split(':')[0]}, load average {os.getloadavg()[0]:.1f}:")
        (first, first_cpu), (again, again_cpu) = (timed(["team", "import", str(path)], env) for _ in range(2))
        print(f"`coachbot team import`: first {first:.2f} s ({first_cpu:.2f} s CPU), "
              f"re-import {again:.2f} s ({again_cpu:.2f} s CPU); target < 3 s")
        read, write, rewrite = asyncio.run(in_process(path.read_text(encoding="utf-8"), url))
        print(f"import work in process: read and check {read:.2f} s, write {write:.2f} s, "
              f"write again (all updated) {rewrite:.2f} s")
        started, used = time.perf_counter(), cpu()
        subprocess.run([sys.executable, "-c", "import bot.cli.main"], cwd=ROOT, check=True)
        print(f"start-up alone (importing the CLI): {time.perf_counter() - started:.2f} s "
              f"({cpu() - used:.2f} s CPU)")


if __name__ == "__main__":
    main()
