"""What an operator watches: /healthz, /readyz (database writable, schema at head,
scheduler ticking), /metrics in the Prometheus format, and JSON logs with a request
or occurrence id on every line."""

from __future__ import annotations

import json
import logging
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.cadence.dispatcher import Dispatcher
from bot.channels import server
from bot.core import logs
from bot.core.channel import Channels
from bot.core.clock import now
from bot.core.coach import Coach
from storage import occurrences
from storage.db import Database
from storage.migrate import downgrade


class FakeEvents:
    """An HTTP channel with one route, so the server counts an inbound event."""

    platform = "slack"

    def mount(self, app: web.Application) -> None:
        async def events(request: web.Request) -> web.Response:
            logging.getLogger("tests.events").warning("event received")
            return web.Response(text="")

        app.router.add_post("/slack/events", events)

    async def deliver(self, *_: object) -> None:
        return None


async def serve(db: Database, last_tick: datetime | None = None, interval: float = 60.0,
                channels: Channels | None = None) -> TestClient:
    readiness = server.Readiness(db, lambda: last_tick, interval, expects_scheduler=True)
    client = TestClient(TestServer(server.build_app(channels or Channels(), readiness), host="127.0.0.1"))
    await client.start_server()
    return client


async def test_healthz_and_readyz_when_all_is_well(db: Database) -> None:
    client = await serve(db, last_tick=now())
    try:
        assert (await (await client.get("/healthz")).json())["status"] == "ok"
        ready = await client.get("/readyz")
        assert ready.status == 200
        assert await ready.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok",
                                                                 "scheduler": "ok"}}
    finally:
        await client.close()


async def test_readyz_fails_on_a_read_only_sqlite_file(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "ro.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    client = await serve(db, last_tick=now())
    try:
        ready = await client.get("/readyz")
        body = await ready.json()
        assert ready.status == 503
        assert "readonly database" in body["checks"]["database"]
        assert (await client.get("/healthz")).status == 200  # alive, just not ready
    finally:
        await client.close()
        await db.dispose()


async def test_readyz_fails_when_the_schema_is_behind(private_db_url: str) -> None:
    downgrade(private_db_url, "-1")
    db = Database(private_db_url)
    client = await serve(db, last_tick=now())
    try:
        ready = await client.get("/readyz")
        assert ready.status == 503
        assert re.fullmatch(r"at \S+, code expects \S+", (await ready.json())["checks"]["migrations"])
    finally:
        await client.close()
        await db.dispose()


async def test_readyz_fails_when_the_scheduler_missed_two_ticks(db: Database) -> None:
    client = await serve(db, last_tick=now() - timedelta(seconds=200), interval=60)
    try:
        ready = await client.get("/readyz")
        assert ready.status == 503
        assert re.fullmatch(r"last tick 20\d s ago", (await ready.json())["checks"]["scheduler"])
    finally:
        await client.close()


def sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


async def test_metrics_parse_and_count_one_prompt_sent(db: Database, coach: Coach, team: dict[str, int]) -> None:
    client = await serve(db, last_tick=now(), channels=Channels(FakeEvents()))
    try:
        before = await (await client.get("/metrics")).text()
        due = now() - timedelta(seconds=90)
        async with db.session() as session:
            await occurrences.add_occurrence(session, f"okr_checkin:{team['ravi']}:metrics", team["org"],
                                             team["ravi"], "okr_checkin", due, due.date())
        report = await Dispatcher(coach).tick()
        assert report.delivered >= 1
        await client.post("/slack/events", data=b"{}")
        page = await client.get("/metrics")
        assert page.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        after = await page.text()
    finally:
        await client.close()
    sent = "coachbot_prompts_total"
    assert sample(after, sent, cadence="okr_checkin", outcome="sent") - sample(
        before, sent, cadence="okr_checkin", outcome="sent") == report.delivered
    lag = "coachbot_dispatch_lag_seconds_count"
    assert sample(after, lag, cadence="okr_checkin") > sample(before, lag, cadence="okr_checkin")
    assert sample(after, "coachbot_dispatch_lag_seconds_bucket", cadence="okr_checkin", le="60.0") == sample(
        before, "coachbot_dispatch_lag_seconds_bucket", cadence="okr_checkin", le="60.0")  # 90 s late
    assert sample(after, "coachbot_prompts_stored", cadence="okr_checkin", status="delivered") >= 1
    assert sample(after, "coachbot_inbound_events_total", platform="slack", status="200") >= 1
    assert sample(after, "coachbot_inbound_ack_seconds_count", platform="slack") >= 1
    assert sample(after, "coachbot_conversations_active") == 0


async def test_platform_api_calls_are_counted_by_method_and_status() -> None:
    from bot.core import metrics

    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"ok": False}, status=503 if request.path.endswith("fail") else 200)

    app = web.Application()
    app.router.add_post("/api/chat.postMessage", handler)
    app.router.add_post("/api/chat.fail", handler)
    backend = TestServer(app, host="127.0.0.1")
    await backend.start_server()
    import aiohttp

    name = "coachbot_platform_api_calls_total"
    before = metrics.text().decode()
    async with aiohttp.ClientSession(trace_configs=[metrics.api_tracing("slack")]) as http:
        await http.post(backend.make_url("/api/chat.postMessage"))
        await http.post(backend.make_url("/api/chat.fail"))
    await backend.close()
    after = metrics.text().decode()
    for method, status in (("chat.postMessage", "200"), ("chat.fail", "503")):
        labels = {"platform": "slack", "method": method, "status": status}
        assert sample(after, name, **labels) - sample(before, name, **labels) == 1


async def test_json_logs_carry_the_request_id(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    handler = logs.setup("INFO", "json")
    client = await serve(db, last_tick=now(), channels=Channels(FakeEvents()))
    try:
        await client.post("/slack/events", data=b"{}", headers={"X-Request-Id": "req-42"})
        with logs.context(occurrence="wig:7:2027-01-11"):
            logging.getLogger("tests").info("sending")
    finally:
        await client.close()
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    event = next(line for line in lines if line["message"] == "event received")
    assert event["request_id"] == "req-42" and event["level"] == "WARNING" and event["logger"] == "tests.events"
    sending = next(line for line in lines if line["message"] == "sending")
    assert sending["occurrence"] == "wig:7:2027-01-11"
    assert datetime.fromisoformat(sending["time"]).tzinfo == UTC


async def test_metrics_count_open_prompts_each_time_and_settled_ones_at_most_every_ten_minutes(
        db: Database, team: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The settled prompts (answered, missed, skipped) grow for ever: /metrics scans the
    table for them at most every SETTLED_EVERY seconds, while the open ones (pending,
    delivered …) are exact at every scrape."""
    from storage import health

    due = now() - timedelta(hours=1)
    async with db.session() as session:
        for n in range(3):
            await occurrences.add_occurrence(session, f"wig:{team['ravi']}:m{n}", team["org"], team["ravi"],
                                             "wig", due, due.date())
    async with db.session() as session:
        first, _ = await health.counts(session)
    assert first.get(("wig", "pending")) == 3 and ("wig", "answered") not in first
    async with db.session() as session:
        [one, *_] = [o.id for o in await occurrences.occurrences_between(session, due, due + timedelta(seconds=1))]
        assert await occurrences.mark_answered(session, one, now())
    async with db.session() as session:
        cached, _ = await health.counts(session)
    assert cached.get(("wig", "pending")) == 2  # open: exact
    assert ("wig", "answered") not in cached  # settled: not re-counted within ten minutes
    monkeypatch.setattr(health, "SETTLED_EVERY", 0.0)
    async with db.session() as session:
        fresh, _ = await health.counts(session)
    assert fresh.get(("wig", "answered")) == 1 and fresh.get(("wig", "pending")) == 2
