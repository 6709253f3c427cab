"""`coachbot run` serves Slack when it is configured: the runtime builds the channel
with `create_channel`, mounts /slack/events on the one server beside /healthz, and a
signed /okr request is answered."""

from __future__ import annotations

import socket

import aiohttp
import pytest
from fake_slack import FakeSlack
from slackkit import SECRET, command_body, fake_fixture, sign  # noqa: F401 (fixtures)

from bot.channels.slack.channel import SlackChannel
from bot.channels.slack.settings import SlackSettings
from bot.core.settings import Settings
from bot.runtime import running


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_coachbot_run_serves_slack_over_http(tmp_path, fake: FakeSlack) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'run.db'}", port=port, channels=(
        SlackSettings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url),))
    async with running(settings, with_scheduler=False) as runtime:
        channel = runtime.channels.get("slack")
        assert isinstance(channel, SlackChannel) and not channel.socket_mode
        body = command_body(fake, "help")
        async with aiohttp.ClientSession() as http:
            health = await http.get(f"http://127.0.0.1:{port}/healthz")
            unsigned = await http.post(f"http://127.0.0.1:{port}/slack/events", data=body,
                                       headers={"Content-Type": "application/x-www-form-urlencoded"})
            signed = await http.post(f"http://127.0.0.1:{port}/slack/events", data=body,
                                     headers={"Content-Type": "application/x-www-form-urlencoded",
                                              **sign(body)})
        assert (health.status, unsigned.status, signed.status) == (200, 401, 200)
        await channel.drain(timeout=10)
    # nobody is imported yet: the asker is a stranger and is told so, privately
    [answer] = fake.responses
    assert answer["response_type"] == "ephemeral" and "admin" in answer["text"]


async def test_coachbot_run_listens_only_where_host_says(tmp_path, fake: FakeSlack) -> None:  # type: ignore[no-untyped-def]
    """HOST=127.0.0.2 (a loopback address of its own on Linux): served there, and
    refused on 127.0.0.1, where the default (every interface) would answer."""
    port = free_port()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'run.db'}", port=port, host="127.0.0.2",
                        channels=(SlackSettings(bot_token="xoxb-test", signing_secret=SECRET,
                                                api_url=fake.api_url),))
    async with running(settings, with_scheduler=False), aiohttp.ClientSession() as http:
        health = await http.get(f"http://127.0.0.2:{port}/healthz")
        assert health.status == 200
        with pytest.raises(aiohttp.ClientConnectionError):
            await http.get(f"http://127.0.0.1:{port}/healthz")
