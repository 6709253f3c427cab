"""Helpers for the Slack channel tests: a fake Slack Web API on loopback, the real Bolt app
behind our real aiohttp server, and requests signed like Slack signs them."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from fake_slack import FakeSlack
from slack_sdk.signature import SignatureVerifier

from bot.channels import server
from bot.channels.slack import create_channel
from bot.channels.slack.channel import SlackChannel
from bot.channels.slack.pacing import Pacer, Rate
from bot.channels.slack.settings import SlackSettings
from bot.core.channel import Channels
from bot.core.coach import Coach, Turn
from bot.core.feature import Feature
from bot.core.messages import Inbound, Message
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage import people
from storage.db import Database
from storage.models import CheckIn, CheckInAnswer

SECRET = "test-signing-secret"
_TRIGGERS = itertools.count(3)
TEAM = "T0001"


def sign(body: str, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature or ""}


def fast_pacer() -> Pacer:
    """Slack's real pace would make a test of thousands of DMs take minutes."""
    return Pacer(workspace_rate=Rate(5000, 200), channel_rate=Rate(1000, 50))


@dataclass
class Recorder:
    """A real coach responder for tests: keeps each turn, stores the typed answer as a
    check-in answer (so what reaches the database can be compared byte for byte), and
    answers with `reply(event)`."""

    db: Database
    turns: list[Inbound] = field(default_factory=list)
    reply: Callable[[Inbound], list[Message]] = lambda event: [Message(f"heard: {event.text or event.action}")]
    gate: Any = None

    async def respond(self, turn: Turn) -> list[Message] | None:
        if self.gate is not None:
            await self.gate.wait()
        self.turns.append(turn.event)
        async with self.db.session() as session:
            checkin = CheckIn(org_id=turn.person.org_id, person_id=turn.person.id, kind="okr_checkin")  # type: ignore[arg-type]
            session.add(checkin)
            await session.flush()
            session.add(CheckInAnswer(checkin_id=checkin.id, question="free", text=turn.event.text,  # type: ignore[arg-type]
                                      confidence=turn.event.action))
        return self.reply(turn.event)


@dataclass
class Harness:
    fake: FakeSlack
    channel: SlackChannel
    coach: Coach
    recorder: Recorder
    client: TestClient
    team: dict[str, int]
    message_ts: dict[tuple[str, str], str] = field(default_factory=dict)

    async def post(self, body: str, headers: dict[str, str] | None = None,
                   content_type: str = "application/x-www-form-urlencoded") -> Any:
        all_headers = {"Content-Type": content_type, **(sign(body) if headers is None else headers)}
        return await self.client.post("/slack/events", data=body.encode(), headers=all_headers)

    async def command(self, text: str, user: str = "U0RAVI", team: str = TEAM,
                      channel: str = "C0GENERAL", hook: str = "1") -> Any:
        return await self.post(command_body(self.fake, text, user, team, channel, hook))

    async def dm(self, text: str, user: str = "U0RAVI", event_id: str = "Ev001", team: str = TEAM,
                 retry: int | None = None, **event: Any) -> Any:
        # Each message its own ts (Slack's id of a message in its channel); a retry of an
        # event (the same event_id) is the same message, so the same ts.
        ts = self.message_ts.setdefault((team, event_id), f"1700000001.{len(self.message_ts) + 100:06d}")
        body = event_body({"type": "message", "channel_type": "im", "channel": f"D{user}",
                           "user": user, "text": text, "ts": ts, **event},
                          event_id, team)
        # Slack signs each delivery when it sends it, and retries seconds to minutes later:
        # a retry carries a newer timestamp (a copy with the first one's is a replay, 401).
        headers = sign(body, int(time.time()) + (retry or 0))
        if retry is not None:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        return await self.post(body, headers, "application/json")

    async def interact(self, payload: dict[str, Any]) -> Any:
        return await self.post("payload=" + quote(json.dumps(payload)))

    async def settle(self) -> None:
        await self.channel.drain(timeout=10)


def command_body(fake: FakeSlack, text: str, user: str = "U0RAVI", team: str = TEAM,
                 channel: str = "C0GENERAL", hook: str = "1", trigger: str | None = None) -> str:
    """A slash command as Slack sends it: each one its own `trigger_id` (so two
    commands typed alike in one second are two signed requests, not a replay)."""
    return urlencode({
        "token": "legacy", "team_id": team, "team_domain": "example", "channel_id": channel,
        "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/okr",
        "text": text, "api_app_id": "A1", "response_url": fake.response_url(hook),
        "trigger_id": trigger or f"1.2.{next(_TRIGGERS)}",
    })


def event_body(event: dict[str, Any], event_id: str, team: str = TEAM) -> str:
    return json.dumps({
        "token": "legacy", "team_id": team, "api_app_id": "A1", "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()), "event": event,
        "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
    }, ensure_ascii=False)


@pytest.fixture(name="fake")
async def fake_fixture() -> AsyncIterator[FakeSlack]:
    slack = await FakeSlack().start()
    for user, email in (("U0MARIA", "maria@example.com"), ("U0RAVI", "ravi@example.com"),
                        ("U0SAM", "sam@example.com"), ("U0ADA", "ada@example.com"),
                        ("U0STRANGER", "stranger@elsewhere.example")):
        slack.add_user(TEAM, user, email)
    yield slack
    await slack.stop()


def slack_settings(db: Database, fake: FakeSlack, **extra: Any) -> Settings:
    values: dict[str, Any] = {"bot_token": "xoxb-test", "signing_secret": SECRET, "api_url": fake.api_url}
    values.update(extra)
    return Settings(database_url=db.url, channels=(SlackSettings(**values),))


@pytest.fixture(name="harness")
async def harness_fixture(db: Database, team: dict[str, int], fake: FakeSlack) -> AsyncIterator[Harness]:
    async with db.session() as session:  # what the first event of a single-company install does
        await people.bind_workspace(session, team["org"], "slack", TEAM)
    async for h in make_harness(db, team, fake, slack_settings(db, fake)):
        yield h


@pytest.fixture(name="harness")
async def real_harness_fixture(db: Database, team: dict[str, int], fake: FakeSlack) -> AsyncIterator[Harness]:
    """The Slack channel in front of the real coach, every feature answering (a test
    module imports this one instead of `harness_fixture`)."""
    async with db.session() as session:
        await people.bind_workspace(session, team["org"], "slack", TEAM)
    async for h in make_harness(db, team, fake, slack_settings(db, fake), record=False):
        yield h


async def make_harness(db: Database, team: dict[str, int], fake: FakeSlack,
                       settings: Settings, record: bool = True) -> AsyncIterator[Harness]:
    """The Slack channel on the real server app, its Web API the fake. With `record`,
    a Recorder answers every turn that is not a command; without it, the real coach."""
    recorder = Recorder(db)
    extra = Feature("recorder")
    extra.responder(0, recorder)
    coach = build_coach(db, settings, Channels(), extra=[extra] if record else [])
    channel = create_channel(settings.channel("slack"), coach, pacer=fast_pacer())
    coach.channels.add(channel)
    client = TestClient(TestServer(server.build_app(coach.channels), host="127.0.0.1"))
    await client.start_server()
    try:
        yield Harness(fake, channel, coach, recorder, client, team)
    finally:
        await channel.stop()
        await client.close()
