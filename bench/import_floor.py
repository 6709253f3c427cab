"""The floor under any restart-to-ready figure: how long a fresh Python process takes to
start and import what delivering one prompt needs, before it does anything.

    python bench/import_floor.py [--runs 7]

Issue 17 asks a restarted coachbot to be ready ≥ 10× faster than the usual design
(one APScheduler job per person in a SQLAlchemy job store), whose restart to its due
job measured 0.71–0.75 s on this machine (`bench/dispatch_bench.py`, 10,000 people):
a tenth of that is ~70 ms. Each line below is the best of `--runs` fresh processes
(wall time, `python -c "import …"`), so the reader can see which of them a 70 ms
restart would have to do without. Not part of the tests.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

STEPS = [
    ("the interpreter alone", "pass"),
    ("asyncio", "import asyncio"),
    ("a PostgreSQL driver (psycopg)", "import psycopg"),
    ("SQLAlchemy's asyncio engine + psycopg", "import sqlalchemy.ext.asyncio, psycopg"),
    ("+ aiohttp and Jinja2 (to post a rendered message)",
     "import sqlalchemy.ext.asyncio, psycopg, aiohttp, jinja2"),
    ("the baseline's APScheduler + SQLAlchemy job store",
     "import apscheduler.schedulers.asyncio, apscheduler.jobstores.sqlalchemy, psycopg"),
    ("coachbot's runtime (bot.runtime)", "import bot.runtime"),
]


def best_of(code: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'start a process and import':55s} best of {args.runs}")
    for label, code in STEPS:
        print(f"{label:55s} {best_of(code, args.runs) * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
