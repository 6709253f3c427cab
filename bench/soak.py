"""Soak: exactly-once delivery while processes are killed and Slack misbehaves.

    python bench/soak.py [--prompts 10000] [--minutes 10] [--processes 3] [--kill-every 5]
                         [--deadline 20] [--slack-pace]
                         [--postgres postgresql://postgres@127.0.0.1:55440/postgres]

Creates its own PostgreSQL database, imports prompts/2 reps (each owes an OKR check-in
and a WIG prompt today, due times spread over `--minutes`), binds the Slack workspace,
and starts a local fake Slack Web API (tests/slack/fake_slack.py) that answers
chat.postMessage with random faults: 429s, HTTP 500s, connection resets and hangs
longer than coachbot's 30-second timeout (half of the 500s, resets and hangs happen
after Slack posted the message, the case that doubles prompts). Then it runs
`coachbot run` processes (HTTP mode, ticking every 5 s) against that database and
fake, and every `--kill-every` seconds kill -9s one of them at random and starts it
again, until every prompt was delivered (and no claim is left) or `--deadline`
minutes after the last due time passed.

Slack's own pace (4 posts a second per process, bench/slack_ack_bench.py) would
make 10,000 prompts a 40-minute soak; what is measured here is exactly-once under
kills and faults, not the platform's pace, so by default the processes post up to
200 a second (their pacer's workspace rate, set by a two-line launcher below).
`--slack-pace` keeps Slack's.

It prints, from what the fake Slack actually received (message metadata carries each
prompt's tag): lost (never posted), doubled (posted more than once) and late (first
posted more than 2 minutes after it was due), plus the database's view, and the
takeover delay: for every claim a killed process held while sending (not those
waiting out a retry back-off), the time from the kill to the prompt being recorded
delivered by another process. Not part of the test suite.
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
        # quiet hours of one minute, twelve hours away: someone without quiet hours keeps a
        # default night for prompts claimed late (`bot.cadence.late`), and a soak run at
        # night in UTC would see its kill-delayed prompts held till morning, not lost
        quiet = start - timedelta(hours=12)
        conn.execute(insert(Person), [
            {"org_id": org_id, "email": f"rep{n}@soak.example", "name": f"Rep {n}", "role": "rep",
             "timezone": "UTC", "working_days": "1,2,3,4,5,6,7", "active": True,
             "quiet_start": f"{quiet:%H:%M}", "quiet_end": f"{quiet + timedelta(minutes=1):%H:%M}",
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


# `coachbot run` with its Slack pacer's workspace rate raised (the default argument
# of Pacer, read when a Pacer is made), then started as the console script starts it.
FAST = ("import bot.channels.slack.pacing as p; d = list(p.Pacer.__init__.__defaults__); "
        "d[0] = p.Rate(per_second=200.0, burst=50); p.Pacer.__init__.__defaults__ = tuple(d); "
        "import sys; sys.argv = ['coachbot', 'run']; from bot.cli.launch import main; main()")


def start_process(n: int, env: dict[str, str], logs: Path, slack_pace: bool) -> subprocess.Popen[bytes]:
    log = (logs / f"proc{n}.log").open("ab")
    command = ["-m", "bot", "run"] if slack_pace else ["-c", FAST]
    return subprocess.Popen([sys.executable, *command], cwd=ROOT,
                            env={**env, "PORT": str(31000 + n)}, stdout=log, stderr=log)


def held_by(url: str, pid: int) -> dict[str, datetime]:
    """The claims a process (by pid: instance names are host:pid:random) holds that are
    being sent, not waiting out a retry back-off: key -> claimed_at."""
    from sqlalchemy import create_engine, select

    from storage.db import normalise_url
    from storage.models import Occurrence

    engine = create_engine(normalise_url(url, asynchronous=False))
    with engine.connect() as conn:
        rows = conn.execute(select(Occurrence.key, Occurrence.reason, Occurrence.claimed_at)
                            .where(Occurrence.status == "claimed",
                                   Occurrence.claimed_by.like(f"%:{pid}:%"))).all()
    engine.dispose()
    return {key: claimed_at for key, reason, claimed_at in rows
            if not (reason or "").startswith("retrying")}


def delivered_at(url: str, keys: list[str]) -> dict[str, datetime]:
    from sqlalchemy import create_engine, select

    from storage.db import normalise_url
    from storage.models import Occurrence

    engine = create_engine(normalise_url(url, asynchronous=False))
    with engine.connect() as conn:
        rows = conn.execute(select(Occurrence.key, Occurrence.delivered_at)
                            .where(Occurrence.key.in_(keys))).all()
    engine.dispose()
    return {key: at for key, at in rows if at is not None}


async def soak(args: argparse.Namespace) -> dict[str, object]:
    name = f"coachbot_soak_{os.getpid()}"
    url = create_database(args.postgres, name)
    reps = args.prompts // 2
    start = (datetime.now(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)
    seed(url, reps, start, args.minutes)
    began = time.monotonic()
    fake = await FakeSlack(retry_after="2").start()
    fake.chaos("chat.postMessage", ratelimit=0.02, fail=0.02, reset=0.01, hang=0.005, hang_seconds=35)
    env = {**os.environ, "DATABASE_URL": url, "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_SIGNING_SECRET": "soak-secret", "SLACK_API_URL": fake.api_url,
           "COACHBOT_TICK_SECONDS": "5", "COACHBOT_LOG_LEVEL": "WARNING"}
    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    processes = [start_process(n, env, logs, args.slack_pace) for n in range(args.processes)]
    kills = 0
    stranded: dict[str, float] = {}  # key of a claim held by a killed process -> when it was killed
    deadline = start + timedelta(minutes=args.minutes + args.deadline)
    loads: list[float] = []
    last_kill = time.monotonic()
    pids = [p.pid for p in processes]
    try:
        while datetime.now(UTC) < deadline:
            await asyncio.sleep(1)
            if time.monotonic() - last_kill >= args.kill_every:
                n = random.randrange(len(processes))
                processes[n].send_signal(signal.SIGKILL)
                processes[n].wait()
                killed_at = time.time()
                processes[n] = start_process(n, env, logs, args.slack_pace)
                kills += 1
                last_kill = time.monotonic()
                for key in await asyncio.to_thread(held_by, url, pids[n]):
                    stranded.setdefault(key, killed_at)
                pids[n] = processes[n].pid
                loads.append(os.getloadavg()[0])
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
    recorded = await asyncio.to_thread(delivered_at, url, list(stranded))
    takeovers = sorted(recorded[k].timestamp() - at for k, at in stranded.items() if k in recorded)
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
        "claims left by kills": len(stranded),
        "takeover s p50/p99/max": (f"{takeovers[len(takeovers) // 2]:.1f} / "
                                   f"{takeovers[int(len(takeovers) * 0.99)]:.1f} / {takeovers[-1]:.1f}"
                                   if takeovers else None),
        "load avg (1 min) mean/max": f"{sum(loads) / len(loads):.2f} / {max(loads):.2f}" if loads else None,
        "soak minutes": round((time.monotonic() - began) / 60, 1),
        "db statuses": dict(statuses), "db deliveries": view["deliveries"],
        "faults injected": faults,
        "examples": {"lost": lost[:3], "doubled": doubled[:3], "late": late[:3]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=10000)
    parser.add_argument("--minutes", type=int, default=10, help="due times spread over this long")
    parser.add_argument("--deadline", type=int, default=20,
                        help="give up this many minutes after the last due time")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--kill-every", type=float, default=5.0)
    parser.add_argument("--slack-pace", action="store_true", help="post at Slack's pace (slow)")
    parser.add_argument("--postgres", default=os.environ.get(
        "COACHBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:55440/postgres"))
    parser.add_argument("--logs", default="/tmp/coachbot-soak")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    result = asyncio.run(soak(parser.parse_args()))
    for key, value in result.items():
        print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
