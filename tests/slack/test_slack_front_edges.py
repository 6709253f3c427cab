"""SLACK_ACK_PORT at its edges: the settings an admin may write as coachbot accepts
them, and what reaches the front's local socket from a process that is not the front."""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
from typing import Any

import aiohttp
import pytest
from fake_slack import FakeSlack
from slackkit import SECRET, command_body, fake_fixture, sign  # noqa: F401 (fixtures)

import prompts
from bot.channels.slack import relay
from bot.channels.slack.settings import SlackSettings
from bot.core.settings import Settings
from bot.runtime import running


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_settings(tmp_path: Any, fake: FakeSlack, ack_port: int, **extra: Any) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'run.db'}", host="127.0.0.1", port=free_port(),
                    channels=(SlackSettings(bot_token="xoxb-test", signing_secret=SECRET,
                                            api_url=fake.api_url, ack_port=ack_port),), **extra)


async def until(done: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def posted(http: aiohttp.ClientSession, port: int, body: str) -> int:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as response:
        return response.status


async def test_a_log_level_coachbot_accepts_starts_the_front_too(tmp_path: Any, fake: FakeSlack,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """COACHBOT_LOG_LEVEL=debug (and LOG_FORMAT=JSON) are fine settings for coachbot,
    which reads them case-blind; the front was given the raw variables, and
    logging.setLevel("debug") killed it before it listened."""
    monkeypatch.setenv("COACHBOT_LOG_LEVEL", "debug")
    monkeypatch.setenv("COACHBOT_LOG_FORMAT", "JSON")
    monkeypatch.setattr(relay, "CONNECT_WITHIN", 8.0)
    ack_port = free_port()
    settings = run_settings(tmp_path, fake, ack_port, log_level="DEBUG", log_format="json")
    async with running(settings, with_scheduler=False), aiohttp.ClientSession() as http:
        assert await posted(http, ack_port, command_body(fake, "help", hook="debug")) == 200
        await until(lambda: [r["hook"] for r in fake.responses] == ["debug"])


async def test_a_front_that_dies_before_it_listens_stops_start_up_at_once(tmp_path: Any, fake: FakeSlack,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Start-up does not wait CONNECT_WITHIN for a front that already exited (here its
    port was taken between coachbot's check and the front's listening)."""
    async def free(*_: Any) -> None:
        return None

    monkeypatch.setattr("bot.channels.server.check_address", free)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = run_settings(tmp_path, fake, taken.getsockname()[1])
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="exited"):
            async with running(settings, with_scheduler=False):
                pass
        assert time.monotonic() - started < relay.CONNECT_WITHIN / 2


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


async def test_strangers_on_the_local_socket_are_shut_out_and_the_front_still_served(
        tmp_path: Any, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    """A local process without the token: a token that is not ASCII, JSON nested too
    deep, a hello far larger than a token, or nothing at all. Each is closed with one
    line (no traceback, no 8 MiB read on its behalf), the real front keeps being
    served, and coachbot stops without waiting for the silent one."""
    monkeypatch.setattr(relay, "HELLO_WITHIN", 0.5)
    unhandled: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _, context: unhandled.append(context))
    ack_port = free_port()
    async with running(run_settings(tmp_path, fake, ack_port), with_scheduler=False) as runtime, \
            aiohttp.ClientSession() as http:
        ours = runtime.channels.get("slack").relay  # type: ignore[union-attr]
        path = ours.socket_path
        for sent in (frame(json.dumps({"token": "é"}).encode()), frame(b"[" * 100_000),
                     struct.pack(">I", 8 * 1024 * 1024) + b"{", b""):
            reader, writer = await asyncio.open_unix_connection(path)
            writer.write(sent)
            assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by coachbot
            writer.close()
        silent = await asyncio.open_unix_connection(path)
        assert await posted(http, ack_port, command_body(fake, "help", hook="after")) == 200
        await until(lambda: [r["hook"] for r in fake.responses] == ["after"])
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 4
    silent[1].close()
    assert unhandled == []


def test_the_serving_line_names_the_port_slack_must_reach() -> None:
    """With SLACK_ACK_PORT, PORT no longer takes Slack's requests: the one line
    `coachbot run` prints says where they go."""
    slack = SlackSettings(bot_token="xoxb-test", signing_secret=SECRET, ack_port=3001)
    line = prompts.render("cli/serving", settings=Settings(database_url="sqlite://", port=3000, channels=(slack,)))
    assert "HTTP port 3000" in line and "Slack's requests on port 3001" in line
    plain = Settings(database_url="sqlite://", port=3000, channels=(SlackSettings(bot_token="xoxb-test",
                                                                                 signing_secret=SECRET),))
    assert "3001" not in prompts.render("cli/serving", settings=plain)


async def test_a_header_that_is_not_utf8_does_not_lose_the_request(tmp_path: Any, fake: FakeSlack) -> None:
    """Slack signs the body and the timestamp only: a proxy on the way may add a header
    whose bytes are not UTF-8 (Latin-1). The front acknowledged such a request and
    could not hand it over (JSON of its headers would not encode), so it was lost and
    the requests queued behind it waited for the next one."""
    ack_port = free_port()
    async with running(run_settings(tmp_path, fake, ack_port), with_scheduler=False):
        body = command_body(fake, "help", hook="latin1")
        head = "".join(f"{k}: {v}\r\n" for k, v in sign(body).items())
        reader, writer = await asyncio.open_connection("127.0.0.1", ack_port)
        writer.write(f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n{head}".encode()
                     + b"X-Client-Dn: Jos\xe9\r\n\r\n" + body.encode())
        assert (await asyncio.wait_for(reader.read(), 5)).startswith(b"HTTP/1.1 200")
        writer.close()
        await until(lambda: [r["hook"] for r in fake.responses] == ["latin1"], timeout=5)
