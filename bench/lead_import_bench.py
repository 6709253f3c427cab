"""Benchmark: a badge scanner's CSV into an event (`coachbot event import-leads`).

    python bench/lead_import_bench.py [--rows 20000] [--attendees 20] [--during] [--database-url URL]

An event of `--attendees` reps; a file of `--rows` leads ("Full Name, Company, Email,
Rating, Scanned By"), one in fifty a second scan of an earlier lead (merged), the
owner column naming an attendee. By default the file arrives the day after the
event, once its leads were assigned (the usual late export: every new lead gets its
deadline in its owner's calendar); `--during` imports while the event runs.

Prints the wall time of `csv_leads.import_leads` for the whole file (parsing,
checking, duplicate matching, writing) on SQLite unless a URL is given. Target:
20,000 rows well under 30 s. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ZONES = ["America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Oslo", "Asia/Kolkata"]
STARTS, ENDS = date(2027, 3, 8), date(2027, 3, 12)


def badge_file(rows: int, attendees: int) -> str:
    lines = ["Full Name,Company,Email,Rating,Scanned By"]
    for i in range(rows):
        n = i - 1 if i % 50 == 49 else i  # every fiftieth row scans the previous person again
        lines.append(f"Person {n},Company {n % 700},p{n}@client.example,{('hot', 'warm', 'cold')[i % 3]},"
                     f"rep{i % attendees}@bench.example")
    return "\n".join(lines) + "\n"


async def run(url: str, rows: int, attendees: int, during: bool) -> tuple[float, int, int]:
    from bot.features.trade_shows.csv_leads import import_leads
    from storage import people as people_store
    from storage import trade_shows
    from storage.db import Database
    from storage.models import Event
    from storage.people import TeamRow

    db = Database(url)
    team = [TeamRow("boss@bench.example", "Bea Boss", "manager", None, "Europe/Oslo")]
    team += [TeamRow(f"rep{i}@bench.example", f"Rep {i}", "rep", "boss@bench.example", ZONES[i % len(ZONES)])
             for i in range(attendees)]
    async with db.session() as session:
        org = await people_store.ensure_org(session, "Bench Inc", "Europe/Oslo", "NO")
        await people_store.upsert_team(session, org.id, team)  # type: ignore[arg-type]
        ids = {p.email: p.id for p in await people_store.team(session, org.id)}  # type: ignore[arg-type]
        event = Event(org_id=org.id, name="Bench Expo", starts_on=STARTS, ends_on=ENDS, location="London",
                      timezone="Europe/London", created_by=ids["boss@bench.example"],
                      assigned_at=None if during else datetime(2027, 3, 13, 6, tzinfo=UTC))
        event = await trade_shows.add_event(session, event, [v for k, v in ids.items() if k.startswith("rep")])
    moment = datetime(2027, 3, 10, 12, tzinfo=UTC) if during else datetime(2027, 3, 15, 9, tzinfo=UTC)
    text = badge_file(rows, attendees)
    start = time.perf_counter()
    done = await import_leads(db, event, text, ids["boss@bench.example"], moment)
    added, merged, problems = done[0], done[1], done[2]  # the old code returned a 3-tuple
    elapsed = time.perf_counter() - start
    await db.dispose()
    assert not problems, problems[:5]
    return elapsed, added, merged


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--attendees", type=int, default=20)
    parser.add_argument("--during", action="store_true", help="import while the event runs (no deadlines yet)")
    parser.add_argument("--database-url", default=None)
    options = parser.parse_args()
    from storage.migrate import upgrade

    with tempfile.TemporaryDirectory() as folder:
        url = options.database_url or f"sqlite:///{Path(folder) / 'leads.db'}"
        upgrade(url)
        seconds, added, merged = asyncio.run(run(url, options.rows, options.attendees, options.during))
    when = "during the event" if options.during else "after the event, leads assigned"
    print(f"lead import ({options.rows} rows, {when}): {seconds:.1f} s — {added} new, {merged} merged "
          f"(target well under 30 s); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
