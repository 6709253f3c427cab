"""Benchmark: `coachbot team import` of a large team, the WHOLE command timed.

    python bench/team_import_bench.py [--people 5000] [--runs 3] [--database-url URL]

Writes a team file of N people (a head, managers of 10 reps each, four zones, Slack
and Teams ids, semicolon-separated as Excel writes it in Europe), then runs the
installed `coachbot` console script (pyproject's entry point, bot.cli.launch:main) as
a subprocess, the way an admin does: Python start-up, imports, settings, the schema
check, reading and checking the file and writing it. `--runs` first imports, each
into an empty SQLite database, migrations included (one with --database-url), then
`--runs` re-imports of the same file (every person updated); the median and the
fastest are printed with CPU seconds and the load average (the machine is shared:
wall time under load is not the program's).
`coachbot --version` is the start-up floor. Target: 5,000 people in under 3 s.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
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


def command() -> list[str]:
    """The `coachbot` console script next to this Python (as `pip install` puts it),
    else the same entry point through `python -m bot`."""
    script = Path(sys.executable).with_name("coachbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def timed(args: list[str], env: dict[str, str], show: bool = True) -> tuple[float, float]:
    """Wall and CPU seconds of one whole `coachbot` command in a fresh process."""
    start, used = time.perf_counter(), cpu()
    done = subprocess.run([*command(), *args], env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    if show:
        print("  ", done.stdout.strip())
    return elapsed, cpu() - used


def summary(runs: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    return (f"median {statistics.median(walls):.2f} s (fastest {min(walls):.2f} s), "
            f"CPU median {statistics.median(cpus):.2f} s")


async def in_process(text: str, url: str) -> tuple[float, float, float]:
    """Seconds to read and check the file, to write it into an empty organisation,
    and to write it again (the same file: all unchanged, nothing written): the import's own work, without start-up."""
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
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "team.csv"
        path.write_text(team_file(options.people), encoding="utf-8")
        url = options.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        env = {**os.environ, "DATABASE_URL": url}
        print(f"{options.people} people, {url.split(':')[0]}, `{' '.join(command())} team import`, "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs:")
        first, new = [], []
        for run in range(1 if options.database_url else options.runs):
            fresh = url if options.database_url else f"sqlite:///{Path(folder) / f'first{run}.db'}"
            first.append(timed(["team", "import", str(path)], {**env, "DATABASE_URL": fresh}, show=run == 0))
            if not options.database_url:  # as deployed: `db upgrade` ran in the release phase
                migrated = f"sqlite:///{Path(folder) / f'migrated{run}.db'}"
                timed(["db", "upgrade"], {**env, "DATABASE_URL": migrated}, show=False)
                new.append(timed(["team", "import", str(path)], {**env, "DATABASE_URL": migrated}, show=False))
        again = [timed(["team", "import", str(path)], env, show=i == 0) for i in range(options.runs)]
        print(f"whole command, target < 3 s: first import into a new file, schema created by the import "
              f"{summary(first)}")
        if new:
            print(f"  first import into an empty database already migrated (`db upgrade` in the release phase) "
                  f"{summary(new)}")
        print(f"  re-import of the same file (all {options.people} unchanged) {summary(again)}")
        floor = [timed(["--version"], env, show=False) for _ in range(options.runs)]
        print(f"start-up alone (`coachbot --version`): {summary(floor)}")
        read, write, rewrite = asyncio.run(in_process(path.read_text(encoding="utf-8"), url))
        print(f"import work in process: read and check {read:.2f} s, write {write:.2f} s, "
              f"write again (all unchanged) {rewrite:.2f} s")
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
