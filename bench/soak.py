"""Soak: exactly-once delivery while processes are killed and Slack misbehaves.

    python bench/soak.py [--prompts 2000] [--minutes 8] [--processes 3] [--kill-every 8]
                         [--postgres postgresql://postgres@127.0.0.1:55440/postgres]

Creates its own PostgreSQL database, imports prompts/2 reps (each owes an OKR check-in
and a WIG prompt today, due times spread over `--minutes`), binds the Slack workspace,
and starts a local fake Slack Web API (tests/slack/fake_slack.py) that answers
chat.postMessage with random faults: 429s, HTTP 500s, connection resets and hangs
longer than coachbot's 30-second timeout (half of the 500s, resets and hangs happen
after Slack posted the message, the case that doubles prompts). Then it runs
`coachbot run` processes (HTTP mode, ticking every 5 s) against that database and
fake, and every `--kill-every` seconds kill -9s one of them at random and starts it
again, until every prompt was delivered or the time ran out.

It prints, from what the fake Slack actually received (message metadata carries each
prompt's tag): lost (never posted), doubled (posted more than once) and late (first
posted more than 2 minutes after it was due), plus the database's view. Not part of
the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "slack"))

from fake_slack import FakeSlack  # noqa: E402

TEAM = "T0001"
LATE = 120.0  # seconds


def create_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + f"/{name}"


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(url: str, reps: int, start: datetime, minutes: int) -> None:
    """reps in UTC working every day; person n's rules fire at start + n*minutes/reps
    (minute resolution), so prompts come due steadily through the soak."""
    from sqlalchemy import create_engine, insert, select

    from storage.db import normalise_url
    from storage.migrate import upgrade
    from storage.models import CadenceRule, ChatIdentity, Organisation, Person, Workspace

    upgrade(url)
    engine = create_engine(normalise_url(url, asynchronous=False))
    with engine.begin() as conn:
        org_id = conn.execute(insert(Organisation).values(name="Soak Inc", timezone="UTC")
                              .returning(Organisation.id)).scalar_one()
        conn.execute(insert(Workspace).values(org_id=org_id, platform="slack", external_id=TEAM))
        joined = start - timedelta(hours=2)
        conn.execute(insert(Person), [
            {"org_id": org_id, "email": f"rep{n}@soak.example", "name": f"Rep {n}", "role": "rep",
             "timezone": "UTC", "working_days": "1,2,3,4,5,6,7", "active": True,
             "created_at": joined, "updated_at": joined} for n in range(reps)])
        ids = conn.execute(select(Person.id).order_by(Person.id)).scalars().all()
        conn.execute(insert(ChatIdentity), [
            {"org_id": org_id, "person_id": pid, "platform": "slack", "user_id": f"U{n:06d}"}
            for n, pid in enumerate(ids)])
        rules = []
        for n, pid in enumerate(ids):
            due = start + timedelta(minutes=n * minutes / reps)
            for kind in ("okr_checkin", "wig"):
                rules.append({"org_id": org_id, "kind": kind, "person_id": pid, "rrule": "FREQ=DAILY",
                              "local_time": due.strftime("%H:%M"), "enabled": True})
        conn.execute(insert(CadenceRule), rules)
    engine.dispose()


def db_view(url: str, start: datetime) -> dict[str, object]:
    from sqlalchemy import create_engine, func, select

    from storage.db import normalise_url
    from storage.models import Delivery, Occurrence

    engine = create_engine(normalise_url(url, asynchronous=False))
    with engine.connect() as conn:
        due = conn.execute(select(Occurrence.key, Occurrence.status, Occurrence.due_at)
                           .where(Occurrence.due_at >= start - timedelta(minutes=1),
                                  Occurrence.due_at <= datetime.now(UTC))).all()
        deliveries = conn.execute(select(func.count()).select_from(Delivery)).scalar_one()
    engine.dispose()
    return {"due": {key: (status, due_at) for key, status, due_at in due}, "deliveries": deliveries}


def start_process(n: int, env: dict[str, str], logs: Path) -> subprocess.Popen[bytes]:
    log = (logs / f"proc{n}.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT,
                            env={**env, "PORT": str(31000 + n)}, stdout=log, stderr=log)


async def soak(args: argparse.Namespace) -> dict[str, object]:
    name = f"coachbot_soak_{os.getpid()}"
    url = create_database(args.postgres, name)
    reps = args.prompts // 2
    start = (datetime.now(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)
    seed(url, reps, start, args.minutes)
    fake = await FakeSlack(retry_after="2").start()
    fake.chaos("chat.postMessage", ratelimit=0.02, fail=0.02, reset=0.01, hang=0.005, hang_seconds=35)
    env = {**os.environ, "DATABASE_URL": url, "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_SIGNING_SECRET": "soak-secret", "SLACK_API_URL": fake.api_url,
           "COACHBOT_TICK_SECONDS": "5", "COACHBOT_LOG_LEVEL": "WARNING"}
    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    processes = [start_process(n, env, logs) for n in range(args.processes)]
    kills = 0
    deadline = start + timedelta(minutes=args.minutes + args.grace)
    last_kill = time.monotonic()
    try:
        while datetime.now(UTC) < deadline:
            await asyncio.sleep(1)
            if time.monotonic() - last_kill >= args.kill_every:
                n = random.randrange(len(processes))
                processes[n].send_signal(signal.SIGKILL)
                processes[n].wait()
                processes[n] = start_process(n, env, logs)
                kills += 1
                last_kill = time.monotonic()
            if datetime.now(UTC) > start + timedelta(minutes=args.minutes, seconds=30):
                view = await asyncio.to_thread(db_view, url, start)
                statuses = Counter(status for status, _ in view["due"].values())  # type: ignore[attr-defined]
                if statuses.get("delivered", 0) >= args.prompts and not statuses.get("claimed"):
                    break
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    view = await asyncio.to_thread(db_view, url, start)
    await fake.stop()
    due = view["due"]  # type: ignore[assignment]
    posted: dict[str, list[float]] = {}
    for call in fake.calls_to("chat.postMessage"):
        metadata = call.body.get("metadata")
        metadata = json.loads(metadata) if isinstance(metadata, str) else metadata or {}
        tag = (metadata.get("event_payload") or {}).get("tag")
        if tag:
            posted.setdefault(tag.split("#")[0], []).append(call.at)
    expected = set(due)  # type: ignore[arg-type]
    lost = sorted(expected - set(posted))
    doubled = sorted(k for k, times in posted.items() if len(times) > 1)
    late = sorted(k for k in expected & set(posted)
                  if min(posted[k]) - due[k][1].timestamp() > LATE)  # type: ignore[index]
    statuses = Counter(status for status, _ in due.values())  # type: ignore[attr-defined]
    delays = sorted(min(posted[k]) - due[k][1].timestamp() for k in expected & set(posted))  # type: ignore[index]
    faults = dict(fake.faults)
    if not args.keep:
        drop_database(args.postgres, name)
    return {
        "prompts due": len(expected), "processes": args.processes, "kills (-9)": kills,
        "lost": len(lost), "doubled": len(doubled), "late > 2 min": len(late),
        "delay p50 s": round(delays[len(delays) // 2], 1) if delays else None,
        "delay p99 s": round(delays[int(len(delays) * 0.99)], 1) if delays else None,
        "db statuses": dict(statuses), "db deliveries": view["deliveries"],
        "faults injected": faults,
        "examples": {"lost": lost[:3], "doubled": doubled[:3], "late": late[:3]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=2000)
    parser.add_argument("--minutes", type=int, default=8, help="due times spread over this long")
    parser.add_argument("--grace", type=int, default=4, help="minutes allowed after the last due time")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--kill-every", type=float, default=8.0)
    parser.add_argument("--postgres", default=os.environ.get(
        "COACHBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:55440/postgres"))
    parser.add_argument("--logs", default="/tmp/coachbot-soak")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    result = asyncio.run(soak(parser.parse_args()))
    for key, value in result.items():
        print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
