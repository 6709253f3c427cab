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
import os
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


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from bot.cli.main import main; main()", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    print("  ", done.stdout.strip())
    return elapsed


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
        print(f"{options.people} people, {url.split(':')[0]}:")
        first = timed(["team", "import", str(path)], env)
        again = timed(["team", "import", str(path)], env)
        print(f"first import (schema ready) {first:.2f} s; re-import (all updated) {again:.2f} s; target < 3 s")


if __name__ == "__main__":
    main()
