"""Teams test kit: real-shaped activities, a fake Bot Framework connector on loopback,
and the real channel (botbuilder CloudAdapter) served by the real aiohttp app.

Nothing leaves 127.0.0.1: activities carry the fake connector's URL as serviceUrl,
and the channel runs in the explicit anonymous mode, in which botbuilder neither
validates inbound tokens nor fetches outbound ones.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.channels import server
from bot.channels.teams.channel import TeamsChannel
from bot.channels.teams.settings import TeamsSettings
from bot.core.channel import Channels
from bot.core.coach import Coach, Turn
from bot.core.feature import BEFORE_CONVERSATION, Feature
from bot.core.messages import Choice, Message
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage.db import Database

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str, service_url: str, **changes: Any) -> dict[str, Any]:
    """A recorded Teams activity with its serviceUrl pointed at the fake connector.
    `changes` replace top-level keys; `text=None` removes the key."""
    body = json.loads((PAYLOADS / f"{name}.json").read_text())
    body["serviceUrl"] = service_url
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = copy.deepcopy(value)
    return body


@dataclass
class Call:
    method: str
    path: str
    body: dict[str, Any] | None
    headers: dict[str, str]


@dataclass
class FakeConnector:
    """The Bot Framework connector's REST API (v3), as far as coachbot uses it.

    `fail_next` holds HTTP statuses to answer, in order, before succeeding again
    (429 for throttling, 403 for a blocked bot); `members` answers roster lookups.
    """

    url: str = ""
    calls: list[Call] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    retry_after: str | None = "0"
    counter: int = 0
    opened: int = 0

    @property
    def sent(self) -> list[Call]:
        """Activities the bot posted (new messages and replies)."""
        return [c for c in self.calls if c.method == "POST" and "/activities" in c.path]

    @property
    def created(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.path == "/v3/conversations"]

    @property
    def updated(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT"]

    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Card contents of everything sent, in order."""
        return [a["content"] for c in self.sent for a in (c.body or {}).get("attachments", [])]

    def texts(self) -> str:
        """Everything sent, as one searchable string."""
        return json.dumps([c.body for c in self.sent], ensure_ascii=False)

    def count(self, text: str) -> int:
        """How many sent activities mention `text`."""
        return sum(text in json.dumps(c.body, ensure_ascii=False) for c in self.sent)

    async def _record(self, request: web.Request) -> web.Response | None:
        raw = await request.text()
        self.calls.append(Call(request.method, request.path,
                               json.loads(raw) if raw else None, dict(request.headers)))
        if self.fail_next:
            status = self.fail_next.pop(0)
            headers = {"Retry-After": self.retry_after} if status == 429 and self.retry_after else {}
            return web.json_response(
                {"error": {"code": "Throttled" if status == 429 else "Forbidden",
                           "message": f"fake connector says {status}"}},
                status=status, headers=headers)
        return None

    async def activity(self, request: web.Request) -> web.Response:
        failed = await self._record(request)
        if failed is not None:
            return failed
        self.counter += 1
        return web.json_response({"id": f"1:sent-{self.counter}"})

    async def create(self, request: web.Request) -> web.Response:
        """Open a conversation (Teams: a personal chat, by AAD object id)."""
        failed = await self._record(request)
        if failed is not None:
            return failed
        self.opened += 1
        return web.json_response({"id": f"a:created-{self.opened}"})

    async def update(self, request: web.Request) -> web.Response:
        failed = await self._record(request)
        return failed or web.json_response({"id": request.match_info["activity"]})

    async def member(self, request: web.Request) -> web.Response:
        await self._record(request)
        found = self.members.get(request.match_info["user"])
        if found is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}},
                                     status=404)
        return web.json_response(found)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self.create)
        app.router.add_post("/v3/conversations/{conversation}/activities", self.activity)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}",
                            self.activity)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}",
                           self.update)
        app.router.add_get("/v3/conversations/{conversation}/members/{user}", self.member)
        return app


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    test_server = TestServer(fake.app(), host="127.0.0.1")
    await test_server.start_server()
    fake.url = str(test_server.make_url("/"))
    yield fake
    await test_server.close()


class PickResponder:
    """A small real responder that asks with buttons: it stands in for a check-in
    flow so card round trips can be tested without depending on the flow engine."""

    async def respond(self, turn: Turn) -> list[Message] | None:
        if turn.event.action:
            return [Message(f"noted: {turn.event.action}")]
        if turn.text == "ask me":
            return [Message("Key result: 40 new meetings", title="How confident are you?",
                            key="ask-1",
                            choices=[Choice("On track", "confidence:on_track", "primary"),
                                     Choice("Off track", "confidence:off_track", "danger")])]
        return None


@dataclass
class TeamsKit:
    client: TestClient
    channel: TeamsChannel
    coach: Coach
    connector: FakeConnector

    async def post(self, body: Any, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return await self.client.post("/api/messages", json=body, headers=headers or {})

    async def activity(self, name: str, **changes: Any):  # type: ignore[no-untyped-def]
        return await self.post(payload(name, self.connector.url, **changes))


def teams_settings(db: Database, **fields: Any) -> Settings:
    """Settings with a Teams section of these fields (app_id, allow_anonymous …)."""
    return Settings(database_url=db.url, channels=(TeamsSettings(**fields),))


def anonymous_settings(db: Database) -> Settings:
    """Development mode, with the company's tenant configured (MICROSOFT_APP_TENANT_ID),
    which is what binds it: no tenant binds itself by speaking first."""
    return teams_settings(db, allow_anonymous=True, app_tenant_id="tenant-1")


def picker() -> Feature:
    """A test feature whose responder asks with buttons, ahead of the real ones."""
    feature = Feature("picker")
    feature.responder(BEFORE_CONVERSATION, PickResponder())
    return feature


@pytest.fixture
async def teams(db: Database, team: dict[str, int], connector: FakeConnector) -> AsyncIterator[TeamsKit]:
    """The Teams channel in anonymous dev mode, mounted on the real server app, with
    the sample team imported (ravi = "aad-ravi", maria = "aad-maria")."""
    settings = anonymous_settings(db)
    channels = Channels()
    coach = build_coach(db, settings, channels, extra=[picker()])
    channel = TeamsChannel(settings.channel("teams"), coach, retry_base_delay=0.01)
    channels.add(channel)
    client = TestClient(TestServer(server.build_app(channels), host="127.0.0.1"))
    await client.start_server()
    yield TeamsKit(client, channel, coach, connector)
    await client.close()
    await channel.stop()
