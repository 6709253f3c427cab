"""Acknowledgement latency of signed `/okr status` requests over HTTP, coachbot vs a
bare Bolt app that only acks (the floor on this machine).

    python bench/slack_ack_bench.py [--rates 50 200] [--seconds 10] [--database-url URL]
    python bench/slack_ack_bench.py --targets bare coachbot coachbot-front
    python bench/slack_ack_bench.py --targets bare coachbot-dispatch coachbot-front-dispatch --dispatch 10000

The `coachbot-front` target is coachbot with SLACK_ACK_PORT: its acknowledging front
process answers the load, coachbot the requests it hands over.

The `coachbot-dispatch` target (and `coachbot-front-dispatch`) is coachbot while its
dispatcher works through a big dispatch: `--dispatch N` reps with Slack ids, a Monday's prompts due for each, one
dispatcher tick started with the load (so its plan of N people and its paced sends to
the fake Slack, at Slack's pace unless `--dispatch-rate` says otherwise, overlap the
measured requests); it reports the prompts sent in the window beside the latencies.

Three processes, all on loopback: this one serves the app under test (the real
SlackChannel with the real Coach on a migrated database, or the bare Bolt app); a
child runs a fake Slack Web API (auth.test and the response_url the slow work posts
to after the ack); another child generates an open-loop load at a fixed rate (a
request is sent on schedule whether or not earlier ones have returned, so a slow
server cannot hide its queue) and reports the latency of each acknowledgement.
Bounded: `rate x seconds` requests per run, each with a 5 s timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import hashlib
import hmac
import itertools
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
TEAM = "TBENCH"
USERS = ("U0RAVI", "U0MARIA")
_TRIGGERS = itertools.count()  # every slash command Slack sends has its own trigger_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- child: fake Slack Web API ----------------------------------------------------------


async def fake_slack(port: int) -> None:
    from aiohttp import web

    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "auth.test":
            return web.json_response({"ok": True, "team_id": TEAM, "user_id": "UBOT", "bot_id": "BBOT"})
        if method == "users.lookupByEmail":
            return web.json_response({"ok": False, "error": "users_not_found"})
        if method == "chat.postMessage":  # a post to a user id lands in their DM
            try:
                channel = str((await request.json()).get("channel") or "D1")
            except ValueError:
                channel = str((await request.post()).get("channel") or "D1")
            return web.json_response({"ok": True, "channel": channel if channel.startswith("D") else f"D{channel}",
                                      "ts": "1.1"})
        return web.json_response({"ok": True, "channel": "D1", "ts": "1.1"})

    async def respond(_request: web.Request) -> web.Response:
        await _request.read()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/api/{method}", api)
    app.router.add_post("/respond", respond)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


# --- child: open-loop load generator ----------------------------------------------------------


def signed_command(text: str, user: str, response_url: str) -> tuple[bytes, dict[str, str]]:
    body = urlencode({
        "token": "legacy", "team_id": TEAM, "team_domain": "bench", "channel_id": "C1",
        "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/okr",
        "text": text, "api_app_id": "A1", "response_url": response_url, "trigger_id": f"1.2.{next(_TRIGGERS)}",
    })
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return body.encode(), {"Content-Type": "application/x-www-form-urlencoded",
                           "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


async def load(url: str, response_url: str, rate: float, count: int, warmup: int) -> None:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as http:
        async def one(i: int, record: bool) -> None:
            nonlocal errors
            body, headers = signed_command("status", USERS[i % len(USERS)], response_url)
            started = time.perf_counter()
            try:
                async with http.post(url, data=body, headers=headers) as response:
                    await response.read()
                    ok = response.status == 200
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            elapsed = time.perf_counter() - started
            if record:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1

        async def paced(n: int, record: bool) -> None:
            loop = asyncio.get_running_loop()
            start = loop.time() + 0.05
            tasks = []
            for i in range(n):
                delay = start + i / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(i, record)))
            await asyncio.gather(*tasks)

        # Warm up at the measured rate (connections, auth.test, the database pool at the
        # concurrency this rate needs), let the server finish that work, then measure.
        await paced(warmup, False)
        await asyncio.sleep(1.0)
        await paced(count, True)
    print(json.dumps({"latencies": latencies, "errors": errors}), flush=True)


# --- this process: the servers under test ---------------------------------------------------------


async def prepare_database(url: str | None) -> str:
    from storage import people
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.people import TeamRow

    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='coachbot-bench-')}/bench.db"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    async with db.session() as session:
        org = await people.ensure_org(session, "Bench Inc", "UTC")
        await people.upsert_team(session, org.id, [  # type: ignore[arg-type]
            TeamRow("maria@bench.example", "Maria Manager", "manager", None, "UTC", slack_user_id="U0MARIA"),
            TeamRow("ravi@bench.example", "Ravi Rep", "rep", "maria@bench.example", "UTC",
                    slack_user_id="U0RAVI"),
        ])
        await people.bind_workspace(session, org.id, "slack", TEAM)  # type: ignore[arg-type]
    await db.dispose()
    return url


IMPORTED = datetime(2027, 1, 30, tzinfo=UTC)  # a Saturday
END_OF_MONDAY = datetime(2027, 2, 2, 0, 0, tzinfo=UTC)  # every zone's Monday prompts are due
ZONES = ("America/New_York", "Europe/Oslo", "Asia/Kolkata", "Australia/Sydney", "UTC")


def seed_dispatch(url: str, count: int) -> None:
    """`count` reps with Slack ids in the bench workspace (bulk insert, not timed);
    none added when they are there already."""
    from sqlalchemy import create_engine, func, insert, select

    from storage.db import normalise_url
    from storage.models import ChatIdentity, Organisation, Person

    engine = create_engine(normalise_url(url, asynchronous=False))
    with engine.begin() as conn:
        org_id = conn.execute(select(Organisation.id).order_by(Organisation.id)).scalar_one()  # type: ignore[arg-type]
        have = conn.execute(select(func.count()).select_from(Person).where(
            Person.email.like("disp%"))).scalar_one()  # type: ignore[attr-defined]
        for start in range(have, count, 2000):
            rows = [{"org_id": org_id, "email": f"disp{n}@bench.example", "name": f"Rep {n}", "role": "rep",
                     "timezone": ZONES[n % len(ZONES)], "working_days": "1,2,3,4,5", "active": True,
                     "created_at": IMPORTED, "updated_at": IMPORTED} for n in range(start, min(count, start + 2000))]
            ids = conn.execute(insert(Person.__table__).returning(Person.__table__.c.id),  # type: ignore[attr-defined]
                               rows).scalars().all()
            conn.execute(insert(ChatIdentity.__table__), [  # type: ignore[attr-defined]
                {"org_id": org_id, "person_id": i, "platform": "slack", "user_id": f"UD{i}", "tenant": TEAM}
                for i in ids])
    engine.dispose()


async def dispatched(database_url: str) -> int:
    from sqlalchemy import func, select

    from storage.db import Database
    from storage.models import Occurrence

    db = Database(database_url)
    async with db.session() as session:
        count = (await session.execute(select(func.count()).select_from(Occurrence).where(
            Occurrence.status == "delivered"))).scalar_one()  # type: ignore[arg-type]
    await db.dispose()
    return int(count)


SERVER_TIMES: list[float] = []


def timed(app: object) -> None:
    """Record, inside the server, how long each request took from the handler's start to
    its response: the part of the latency that is the app's, not the machine's."""
    from aiohttp import web

    @web.middleware
    async def stopwatch(request: web.Request, handler):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        response = await handler(request)
        SERVER_TIMES.append(time.perf_counter() - started)
        return response

    app.middlewares.append(stopwatch)  # type: ignore[attr-defined]


async def serve(target: str, port: int, api_url: str, database_url: str,
                dispatch_rate: float | None = None) -> tuple[object, object]:
    """Start `target` on `port`; returns (runner, cleanup object)."""
    from aiohttp import web

    if target.startswith("coachbot"):
        from bot.channels import server
        from bot.channels.slack import create_channel
        from bot.channels.slack.settings import SlackSettings
        from bot.core.channel import Channels
        from bot.core.settings import Settings
        from bot.runtime import build_coach
        from storage.db import Database

        front = target.startswith("coachbot-front")  # acknowledged by a process of its own on `port`
        settings = Settings(database_url=database_url, port=free_port() if front else port, host="127.0.0.1",
                            channels=(SlackSettings(bot_token=TOKEN, signing_secret=SECRET, api_url=api_url,
                                                    ack_port=port if front else None),))
        db = Database(database_url)
        coach = build_coach(db, settings, Channels())
        pacer = None
        if dispatch_rate:
            from bot.channels.slack.pacing import Pacer, Rate

            pacer = Pacer(workspace_rate=Rate(dispatch_rate, 20))
        channel = create_channel(settings.channel("slack"), coach, pacer=pacer)
        coach.channels.add(channel)
        app = server.build_app(coach.channels)
        timed(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", settings.port).start()
        if front:
            await channel.start()
        dispatcher = tick = None
        if target.endswith("-dispatch"):
            import bot.cadence.dispatcher as dispatcher_module
            import bot.cadence.planner as planner_module
            from bot.cadence.dispatcher import Dispatcher

            # the cadence's clock pinned to the end of a Monday: everyone's prompts are due
            dispatcher_module.clock_now = lambda: END_OF_MONDAY  # type: ignore[assignment]
            planner_module.clock_now = lambda: END_OF_MONDAY  # type: ignore[assignment]
            dispatcher = Dispatcher(coach, catch_up=timedelta(days=2))
            tick = asyncio.get_running_loop().create_task(dispatcher.tick())
        return runner, (channel, db, dispatcher, tick)

    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=api_url), signing_secret=SECRET,
                    process_before_response=(target == "bare"))

    @bolt.command("/okr")
    async def only_ack(ack):  # type: ignore[no-untyped-def]
        await ack()

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    timed(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def run_once(target: str, rate: float, args: argparse.Namespace, api_url: str,
                   response_url: str, database_url: str) -> dict[str, list[float]]:
    """One bounded run: serve `target`, load it from a child process, collect latencies."""
    gc.collect()  # the previous run's garbage is not this run's pause
    port = free_port()
    SERVER_TIMES.clear()
    sent_before = await dispatched(database_url) if target.endswith("-dispatch") else 0
    runner, extra = await serve(target, port, api_url, database_url, args.dispatch_rate)
    # as `coachbot run` once started (`bot.runtime.settle_heap`), for every target alike
    from bot.runtime import settle_heap

    settle_heap()
    count = int(rate * args.seconds)
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--role", "load", "--url",
        f"http://127.0.0.1:{port}/slack/events", "--response-url", response_url,
        "--rate", str(rate), "--count", str(count),
        "--warmup", str(int(rate * args.warmup_seconds)),
        stdout=asyncio.subprocess.PIPE)
    out, _ = await asyncio.wait_for(child.communicate(), args.seconds * 3 + 60)
    report = json.loads(out.decode().strip().splitlines()[-1])
    drained = 0.0
    sent = 0.0
    if extra is not None:
        channel, db, dispatcher, tick = extra  # type: ignore[misc]
        if dispatcher is not None:  # stop the dispatch: the window is over
            dispatcher.stopping = True
            tick.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await tick
            sent = float(await dispatched(database_url) - sent_before)
        waited = time.perf_counter()
        await channel.drain(timeout=120)
        drained = time.perf_counter() - waited
        await channel.stop()
        await db.dispose()
    await runner.cleanup()  # type: ignore[attr-defined]
    ms = [x * 1000 for x in report["latencies"]]
    return {"latencies": ms, "inside": [x * 1000 for x in SERVER_TIMES[int(rate * args.warmup_seconds):]],
            "errors": [float(report["errors"])], "backlog": [drained],
            "run_p99": [percentile(ms, 0.99)], "sent": [sent]}


async def run(args: argparse.Namespace) -> None:
    api_port = free_port()
    fake = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--role", "fake", "--port", str(api_port),
        stdout=asyncio.subprocess.PIPE)
    assert fake.stdout is not None
    await asyncio.wait_for(fake.stdout.readline(), 10)
    api_url = f"http://127.0.0.1:{api_port}/api/"
    response_url = f"http://127.0.0.1:{api_port}/respond"
    database_url = await prepare_database(args.database_url)
    if any(t.endswith("-dispatch") for t in args.targets):
        await asyncio.to_thread(seed_dispatch, database_url, args.dispatch)
    pooled: dict[tuple[str, float], dict[str, list[float]]] = {}
    try:
        # Targets alternate within each repetition, so a neighbour's burst of CPU on a
        # shared machine falls on all of them alike rather than on one.
        for rate in args.rates:
            for _rep in range(args.repeat):
                for target in args.targets:
                    run_ = await run_once(target, rate, args, api_url, response_url, database_url)
                    into = pooled.setdefault((target, rate), {k: [] for k in run_})
                    for key, values in run_.items():
                        into[key].extend(values)
    finally:
        fake.kill()
        await fake.wait()
    results = []
    for (target, rate), got in pooled.items():
        ms, inside = got["latencies"], got["inside"]
        results.append({"target": target, "rate": rate, "n": len(ms), "errors": int(sum(got["errors"])),
                        "p50": percentile(ms, 0.50), "p99": percentile(ms, 0.99),
                        "max": max(ms) if ms else float("nan"),
                        "mean": statistics.fmean(ms) if ms else float("nan"),
                        "backlog_s": max(got["backlog"]), "server_p50": percentile(inside, 0.5),
                        "server_p99": percentile(inside, 0.99),
                        "run_p99s": got["run_p99"], "sent": got["sent"]})
    results.sort(key=lambda r: (args.targets.index(r["target"]), r["rate"]))
    print(f"\nSigned /okr status over HTTP on loopback ({os.cpu_count()} CPUs, "
          f"{'SQLite' if database_url.startswith('sqlite') else 'PostgreSQL'}, "
          f"{args.repeat} x {args.seconds:g} s per target and rate, alternating, open-loop):\n")
    print(f"{'target':<14}{'rps':>6}{'n':>7}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
          f"{'backlog s':>11}{'in-app p50':>12}{'in-app p99':>12}   p99 of each run")
    for r in results:
        print(f"{r['target']:<14}{r['rate']:>6g}{r['n']:>7}{r['errors']:>8}"
              f"{r['p50']:>9.2f}{r['p99']:>9.2f}{r['max']:>9.2f}{r['backlog_s']:>11.1f}"
              f"{r['server_p50']:>12.2f}{r['server_p99']:>12.2f}   "
              + " ".join(f"{x:.1f}" for x in r["run_p99s"])
              + (f"   prompts sent per run: {' '.join(f'{x:.0f}' for x in r['sent'])}"
                 if r["target"].endswith("-dispatch") else ""))
    print("\nbacklog s: after the last request, how long coachbot still worked on the answers;"
          "\nin-app: handler start to response, measured inside the server")
    by = {(r["target"], r["rate"]): r for r in results}
    print()
    for rate in args.rates:
        for name in ("coachbot", "coachbot-front", "coachbot-dispatch", "coachbot-front-dispatch"):
            if (name, rate) in by and ("bare", rate) in by:
                ours, floor = by[(name, rate)], by[("bare", rate)]
                print(f"{rate:g} rps: {name} p99 {ours['p99']:.2f} ms = {ours['p99'] / floor['p99']:.2f}x "
                      f"the bare app's {floor['p99']:.2f} ms; p50 {ours['p50'] / floor['p50']:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", choices=["main", "fake", "load"], default="main")
    parser.add_argument("--rates", type=float, nargs="+", default=[50, 200])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warmup-seconds", type=float, default=1.0,
                        help="unrecorded load at the same rate before each measured run")
    parser.add_argument("--targets", nargs="+", default=["bare", "coachbot", "coachbot-front", "bare-default"],
                        help="bare: Bolt acking with process_before_response (our setting); "
                             "bare-default: Bolt's default acking; coachbot: the real channel; "
                             "coachbot-front: the real channel acknowledged by its front process "
                             "(SLACK_ACK_PORT); coachbot-dispatch, coachbot-front-dispatch: the same "
                             "during a big dispatch")
    parser.add_argument("--dispatch", type=int, default=10_000,
                        help="reps whose prompts the coachbot-dispatch target is sending")
    parser.add_argument("--dispatch-rate", type=float, default=None,
                        help="the dispatch's pace in DMs/s per workspace (default: Slack's, 4/s)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", default=None, help="also write the results here")
    parser.add_argument("--warmup", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int)
    parser.add_argument("--url")
    parser.add_argument("--response-url")
    parser.add_argument("--rate", type=float)
    parser.add_argument("--count", type=int)
    args = parser.parse_args()
    if args.role == "fake":
        asyncio.run(fake_slack(args.port))
    elif args.role == "load":
        asyncio.run(load(args.url, args.response_url, args.rate, args.count, args.warmup))
    else:
        import logging

        logging.basicConfig(level=logging.WARNING)
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
