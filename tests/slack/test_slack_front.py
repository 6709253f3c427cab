"""SLACK_ACK_PORT: Slack's requests acknowledged by a process of their own (the front),
answered by coachbot. The front is the real subprocess `coachbot run` starts; requests
are signed like Slack signs them and sent to its port on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from fake_slack import FakeSlack
from slackkit import (  # noqa: F401 (fixtures)
    SECRET,
    TEAM,
    Recorder,
    command_body,
    event_body,
    fake_fixture,
    fast_pacer,
    sign,
)

from bot.channels.slack import create_channel
from bot.channels.slack.front import Front, read_frame
from bot.channels.slack.settings import SlackSettings
from bot.core import metrics
from bot.core.channel import Channels
from bot.core.feature import Feature
from bot.core.messages import Message
from bot.core.settings import Settings, SettingsError
from bot.runtime import build_coach, running
from storage import people
from storage.db import Database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def until(done: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


class Front_:
    """coachbot's Slack channel with its front on `url`."""

    def __init__(self, channel: Any, recorder: Recorder, fake: FakeSlack, url: str) -> None:
        self.channel, self.recorder, self.fake, self.url = channel, recorder, fake, url
        self.http = aiohttp.ClientSession()

    async def post(self, body: str, headers: dict[str, str] | None = None,
                   content_type: str = "application/x-www-form-urlencoded") -> tuple[int, bytes]:
        all_headers = {"Content-Type": content_type, **(sign(body) if headers is None else headers)}
        async with self.http.post(self.url, data=body.encode(), headers=all_headers) as response:
            return response.status, await response.read()


@pytest.fixture
async def front(db: Database, team: dict[str, int], fake: FakeSlack) -> AsyncIterator[Front_]:
    async with db.session() as session:
        await people.bind_workspace(session, team["org"], "slack", TEAM)
    ack_port = free_port()
    settings = Settings(database_url=db.url, host="127.0.0.1", port=free_port(), channels=(
        SlackSettings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url, ack_port=ack_port),))
    recorder = Recorder(db)
    extra = Feature("recorder")
    extra.responder(0, recorder)
    coach = build_coach(db, settings, Channels(), extra=[extra])
    channel = create_channel(settings.channel("slack"), coach, pacer=fast_pacer())
    coach.channels.add(channel)
    await channel.start()
    harness = Front_(channel, recorder, fake, f"http://127.0.0.1:{ack_port}/slack/events")
    try:
        yield harness
    finally:
        await harness.http.close()
        await channel.stop()


def inbound(status: str) -> float:
    return metrics.REGISTRY.get_sample_value("coachbot_inbound_events_total",
                                            {"platform": "slack", "status": status}) or 0.0


async def test_a_command_is_acknowledged_by_the_front_and_answered_by_coachbot(front: Front_) -> None:
    counted = inbound("200")
    status, body = await front.post(command_body(front.fake, "help"))
    assert (status, body) == (200, b"")
    await until(lambda: len(front.fake.responses) == 1)
    [answer] = front.fake.responses
    assert "/okr" in answer["text"] and answer["response_type"] == "ephemeral"
    assert inbound("200") == counted + 1  # /metrics counts what the front acknowledged


async def test_forged_and_replayed_requests_get_401_at_the_front_and_reach_nothing(front: Front_) -> None:
    refused = inbound("401")
    body = command_body(front.fake, "help")
    headers = sign(body)
    forged = await front.post(body, {**headers, "X-Slack-Signature": "v0=" + "0" * 64})
    stale = await front.post(body, sign(body, int(time.time()) - 600))
    first = await front.post(body, headers)
    replayed = await front.post(body, headers)
    assert [r[0] for r in (forged, stale, first, replayed)] == [401, 401, 200, 401]
    await until(lambda: len(front.fake.responses) == 1)
    await asyncio.sleep(0.3)  # nothing else arrives
    assert len(front.fake.responses) == 1
    await until(lambda: inbound("401") == refused + 3)


async def test_an_undecodable_signed_body_gets_400_at_the_front(front: Front_) -> None:
    body = "[" * 1500
    status, _ = await front.post(body, sign(body), "application/json")
    assert status == 400


async def test_a_modal_answer_comes_back_through_the_front(front: Front_) -> None:
    def submission(answer: dict[str, Any]) -> str:
        return "payload=" + quote(json.dumps({
            "type": "view_submission", "team": {"id": TEAM}, "user": {"id": "U0RAVI"},
            "api_app_id": "A1", "trigger_id": "trig-2",
            "view": {"id": "VFORM", "type": "modal", "callback_id": "coachbot_form",
                     "private_metadata": json.dumps({"team": TEAM}),
                     "state": {"values": {"coachbot_answer": {"answer": answer}}}}}))

    status, empty = await front.post(submission({"type": "static_select", "selected_option": None}))
    assert status == 200 and json.loads(empty)["response_action"] == "errors"
    front.recorder.reply = lambda event: [Message("Saved. Any blockers? ✍️")]
    status, typed = await front.post(submission({"type": "plain_text_input", "value": "Legal review 🐢"}))
    answer = json.loads(typed)
    assert status == 200 and answer["response_action"] == "update"
    assert "Any blockers? ✍️" in json.dumps(answer["view"], ensure_ascii=False)
    assert front.recorder.turns[-1].text == "Legal review 🐢"


async def test_the_url_check_gets_its_challenge_from_the_front(front: Front_) -> None:
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aB", "type": "url_verification"})
    status, answer = await front.post(body, sign(body), "application/json")
    assert status == 200 and json.loads(answer)["challenge"] == "3eZbrw1aB"


async def test_dms_reach_the_coach_in_the_order_they_were_sent(front: Front_) -> None:
    texts = [f"answer {n} 🚀" for n in range(8)]
    for n, text in enumerate(texts):
        body = event_body({"type": "message", "channel_type": "im", "channel": "DU0RAVI", "user": "U0RAVI",
                           "text": text, "ts": f"1700000001.{n + 100:06d}"}, f"EvF{n}")
        assert (await front.post(body, sign(body), "application/json"))[0] == 200
    await until(lambda: len(front.recorder.turns) == len(texts))
    assert [t.text for t in front.recorder.turns] == texts


async def test_a_front_that_dies_is_started_again_and_replays_still_change_nothing(front: Front_) -> None:
    """The new front remembers no signature; coachbot does, so a request the dead front
    took in, sent again to the new one, is acknowledged and dropped."""
    relay = front.channel.relay
    taken = command_body(front.fake, "help", hook="taken")
    taken_headers = sign(taken)
    assert (await front.post(taken, taken_headers))[0] == 200
    await until(lambda: len(front.fake.responses) == 1)
    dead = relay._process
    dead.kill()
    await dead.wait()
    await until(lambda: relay._process is not dead and relay.connected.is_set())
    for _ in range(100):  # the new front may take a moment to listen
        try:
            status, _ = await front.post(command_body(front.fake, "help", hook="new"))
            break
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.1)
    assert status == 200
    replayed = await front.post(taken, taken_headers)
    assert replayed[0] == 200  # the new front cannot know; coachbot drops it
    await until(lambda: len(front.fake.responses) == 2)
    await front.channel.drain(timeout=10)
    await asyncio.sleep(0.3)
    assert sorted(r["hook"] for r in front.fake.responses) == ["new", "taken"]


async def test_what_the_front_acknowledged_is_answered_when_coachbot_stops(front: Front_) -> None:
    """A stop right after the acknowledgements (inside the front's hand-over delay):
    every request acknowledged still reaches coachbot and is answered."""
    statuses = [(await front.post(command_body(front.fake, "help", hook=str(n))))[0] for n in range(3)]
    await front.channel.stop()
    assert statuses == [200, 200, 200]
    assert sorted(r["hook"] for r in front.fake.responses) == ["0", "1", "2"]


async def test_without_coachbot_the_front_acknowledges_nothing() -> None:
    """The coachbot process went away: a 503 (Slack retries an event; a command fails in
    sight), and the request's signature is not spent, so its retry is taken."""
    mine, theirs = socket.socketpair()
    reader, writer = await asyncio.open_connection(sock=mine)
    handler = Front(SECRET, reader, writer)
    theirs.close()
    await handler.read_answers()
    assert handler.closed.is_set()
    app = web.Application()
    app.router.add_post("/slack/events", handler.handle)
    async with TestClient(TestServer(app)) as client:
        body = json.dumps({"type": "event_callback", "event_id": "Ev1", "team_id": TEAM, "event": {}})
        headers = {"Content-Type": "application/json", **sign(body)}
        first = await client.post("/slack/events", data=body, headers=headers)
        again = await client.post("/slack/events", data=body, headers=headers)
        assert (first.status, again.status) == (503, 503)  # not 401: nothing was taken in
    writer.close()


async def test_a_front_never_outlives_its_coachbot(tmp_path: Any) -> None:
    """The front exits when the coachbot process's socket closes (a crash included)."""
    path = str(tmp_path / "f.sock")
    hello: asyncio.Future[dict[str, Any] | None] = asyncio.get_running_loop().create_future()
    peers: list[asyncio.StreamWriter] = []

    async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peers.append(writer)
        hello.set_result(await read_frame(reader))

    server = await asyncio.start_unix_server(accepted, path)
    env = {**os.environ, "COACHBOT_SLACK_FRONT_SOCKET": path, "COACHBOT_SLACK_FRONT_TOKEN": "t0k",
           "SLACK_SIGNING_SECRET": SECRET, "HOST": "127.0.0.1", "SLACK_ACK_PORT": str(free_port())}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.channels.slack.front", env=env)
    try:
        assert await asyncio.wait_for(hello, 20) == {"token": "t0k"}
        peers[0].close()
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.kill()
        server.close()


def test_slack_ack_port_is_read_and_checked() -> None:
    base = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    section = SlackSettings.from_env({**base, "SLACK_ACK_PORT": "3001"})
    assert section is not None and section.ack_port == 3001
    assert SlackSettings.from_env(base).ack_port is None  # type: ignore[union-attr]
    for wrong in ("abc", "0", "70000", "-1"):
        with pytest.raises(SettingsError, match="SLACK_ACK_PORT"):
            SlackSettings.from_env({**base, "SLACK_ACK_PORT": wrong})
    with pytest.raises(SettingsError, match="SLACK_ACK_PORT.*Socket Mode"):
        SlackSettings.from_env({**base, "SLACK_APP_TOKEN": "xapp-1", "SLACK_ACK_PORT": "3001"})


async def test_an_ack_port_that_cannot_be_used_stops_start_up_naming_it(tmp_path: Any, fake: FakeSlack) -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        for ack_port, problem in ((port, "is PORT already"), (taken.getsockname()[1], "already in use")):
            settings = Settings(database_url=f"sqlite:///{tmp_path / 'run.db'}", host="127.0.0.1", port=port,
                                channels=(SlackSettings(bot_token="xoxb-test", signing_secret=SECRET,
                                                        api_url=fake.api_url, ack_port=ack_port),))
            with pytest.raises(SettingsError, match=f"SLACK_ACK_PORT.*{problem}"):
                async with running(settings, with_scheduler=False):
                    pass


async def test_coachbot_run_serves_slack_on_the_ack_port_only(tmp_path: Any, fake: FakeSlack) -> None:
    """`coachbot run` with SLACK_ACK_PORT: the front answers there; /slack/events on PORT
    is off (a request taken in on one port could otherwise be replayed on the other,
    each process remembering its own); /healthz stays on PORT; stopping coachbot stops
    the front."""
    port, ack_port = free_port(), free_port()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'run.db'}", host="127.0.0.1", port=port,
                        channels=(SlackSettings(bot_token="xoxb-test", signing_secret=SECRET,
                                                api_url=fake.api_url, ack_port=ack_port),))
    async with running(settings, with_scheduler=False) as runtime, aiohttp.ClientSession() as http:
        process = runtime.channels.get("slack").relay._process  # type: ignore[union-attr]
        body = command_body(fake, "help", hook="front")
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
        statuses = []
        for where in (ack_port, port):
            async with http.post(f"http://127.0.0.1:{where}/slack/events", data=body, headers=headers) as response:
                statuses.append(response.status)
        async with http.get(f"http://127.0.0.1:{port}/healthz") as health:
            statuses.append(health.status)
        assert statuses == [200, 404, 200]
        await until(lambda: [r["hook"] for r in fake.responses] == ["front"])
    assert process.returncode is not None  # stopped with coachbot
